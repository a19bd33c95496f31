"""Killing the server during a large import leaves none of it, and the restarted server runs the job again whole;
the import page shows progress."""
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


def job_end(session, base, job):
    """The job's state once it has ended (its server may be busy for a while: the loop waits on the job)."""
    for _ in range(1200):
        state = session.get(base + f"/api/v1/imports/{job}").json()
        if state["state"] not in ("queued", "running"):
            return state
        time.sleep(0.25)
    raise AssertionError(f"job {job} still {state['state']}")


def test_a_killed_import_leaves_nothing_and_the_restarted_server_runs_it_whole(fresh_server, browser):
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
    assert started.json()["state"] in ("queued", "running")
    job = started.json()["id"]
    time.sleep(1.5)     # well inside the import of 60,000 rows, which takes many seconds
    fresh_server.proc.send_signal(signal.SIGKILL)
    fresh_server.proc.wait(10)

    # The restarted server takes the job over from the start. Had the killed run left any row, the rerun would
    # find those orders already booked and skip them: it skips none and books every row once.
    fresh_server.start(today="2026-11-23")
    login(browser, base, "yunyang.office")
    session = api(browser, base)
    ended = job_end(session, base, job)
    assert ended["state"] == "done", ended
    assert [ended["created"], ended["skipped"]] == [ROWS, 0]
    assert imported(session, base, "K") == before + ROWS

    # A file through the import page: progress, then every row.
    browser.get(base + "/purchases/import")
    Select(browser.find_element(By.ID, "form")).select_by_value("platform:p832")
    small = os.path.join(tempfile.mkdtemp(), "832-small.csv")
    export(small, 3_000, "S")
    browser.find_element(By.ID, "file").send_keys(small)
    submit(browser, browser.find_element(By.ID, "import-submit"))
    assert browser.find_element(By.ID, "job")
    shot(browser, "import-progress")
    for _ in range(300):
        if browser.find_element(By.ID, "job").get_attribute("data-state") not in ("queued", "running"):
            break
        time.sleep(0.2)
        browser.refresh()
    assert "新增 3000 行" in browser.find_element(By.ID, "import-result").text
    shot(browser, "import-done")

    with open(path, "rb") as f:
        again = session.post(base + "/api/v1/purchases/import?platform=p832", data=f, headers={"Content-Type": "text/csv"})
    assert again.status_code == 200, again.text[:500]
    assert [again.json()["created"], again.json()["skipped"]] == [0, ROWS], "orders already booked are not summed"
    assert imported(session, base, "K") == before + 3_000 + ROWS
