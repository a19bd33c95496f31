"""Killing the server during a large import leaves the whole file or none of it; the import page shows progress."""
import os
import signal
import tempfile
import time

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit

ROWS = 60_000


def export(path, rows, prefix):
    with open(path, "w", encoding="utf-8") as f:
        f.write("订单号,采购单位,下单日期,产地,供应商,商品名称,数量,订单金额\n")
        for i in range(rows):
            f.write(f"{prefix}-{i},云阳县人民医院,2026-10-{1 + i % 28:02d},500235105201,户{i % 5000},土豆,{1 + i % 9}斤,{50 + i % 400}元\n")


def api(browser, base):
    """A requests session with an API token the signed-in user makes on the tokens page."""
    browser.get(base + "/account/tokens")
    browser.find_element(By.ID, "name").send_keys("导入测试")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + browser.find_element(By.ID, "new-token").text
    return session


def imported(session, base, prefix):
    rows = session.get(base + "/api/v1/purchases/totals?by=month").json()
    return sum(line["rows"] for line in rows["counted"]) + rows["pending"]["rows"]


def test_a_killed_import_leaves_nothing_and_a_rerun_leaves_everything(fresh_server, browser):
    base = fresh_server.start(today="2026-11-23").base
    path = os.path.join(tempfile.mkdtemp(), "832-orders.csv")
    export(path, ROWS, "K")
    login(browser, base, "yunyang.office")
    session = api(browser, base)
    before = imported(session, base, "K")

    with open(path, "rb") as f:
        started = session.post(base + "/api/v1/purchases/import?platform=p832&async=1", data=f,
                               headers={"Content-Type": "text/csv"})
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "running"
    time.sleep(1.5)     # well inside the import of 60,000 rows, which takes many seconds
    fresh_server.proc.send_signal(signal.SIGKILL)
    fresh_server.proc.wait(10)

    fresh_server.start(today="2026-11-23")
    login(browser, base, "yunyang.office")
    session = api(browser, base)
    assert imported(session, base, "K") == before, "a killed import leaves none of its rows"

    # The same file through the import page: progress, then every row.
    browser.get(base + "/purchases/import")
    Select(browser.find_element(By.ID, "form")).select_by_value("platform:p832")
    small = os.path.join(tempfile.mkdtemp(), "832-small.csv")
    export(small, 3_000, "S")
    browser.find_element(By.ID, "file").send_keys(small)
    submit(browser, browser.find_element(By.ID, "import-submit"))
    assert browser.find_element(By.ID, "job")
    shot(browser, "import-progress")
    for _ in range(300):
        if browser.find_element(By.ID, "job").get_attribute("data-state") != "running":
            break
        time.sleep(0.2)
        browser.refresh()
    assert "新增 3000 行" in browser.find_element(By.ID, "import-result").text
    shot(browser, "import-done")

    with open(path, "rb") as f:
        done = session.post(base + "/api/v1/purchases/import?platform=p832", data=f, headers={"Content-Type": "text/csv"})
    assert done.status_code == 200, done.text[:500]
    assert done.json()["created"] == ROWS
    assert imported(session, base, "K") == before + 3_000 + ROWS
