"""An office publishes a quarterly bulletin and opens its print layout; a unit sees its own progress and
pace; the public sees the published bulletin."""
import os
import sqlite3
import tempfile

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit


def quarter_in_wan(database, year, quarter):
    """The quarter's counted amount recomputed from the server's own ledger file, as the bulletin writes it (万元)."""
    first, last = f"{year}-{3 * quarter - 2:02d}", f"{year}-{3 * quarter:02d}"
    with sqlite3.connect(database) as db:
        fen = db.execute(
            """SELECT COALESCE(SUM(amount_fen), 0) FROM purchases WHERE duplicate_of IS NULL AND state <> 'rejected'
                            AND (via_platform OR state = 'verified') AND substr(booked_on, 1, 7) BETWEEN ? AND ?""",
                         (first, last)).fetchone()[0]
    hundreds = (fen + 5000) // 10000
    return f"{hundreds // 100}.{hundreds % 100:02d}万元"


def test_office_publishes_a_bulletin_a_unit_sees_its_pace_and_the_public_reads_it(fresh_server, browser):
    base = fresh_server.start(today="2026-11-23").base
    expected = quarter_in_wan(os.path.join(fresh_server.var, "bangfu.sqlite"), 2026, 3)

    login(browser, base, "yunyang.office")
    browser.get(base + "/bulletins")
    Select(browser.find_element(By.ID, "quarter")).select_by_value("3")
    submit(browser, browser.find_element(By.ID, "publish-submit"))
    title = browser.find_element(By.ID, "bulletin-title").text
    assert title == "云阳县2026年第三季度消费帮扶工作通报"
    # The demo's year: the bulletin's quarter equals the ledger recomputed.
    assert browser.find_element(By.ID, "quarter-amount").text == expected
    assert "9月" in browser.find_element(By.ID, "trend-table").text, "the year by month beside its chart"
    assert "电子商务营销" in browser.find_element(By.ID, "channels").text
    assert "云阳县人民医院" in browser.find_element(By.ID, "units").text
    shot(browser, "bulletin")
    submit(browser, browser.find_element(By.ID, "print-link"))
    assert browser.find_elements(By.CSS_SELECTOR, "main.a4 #targets")
    assert browser.find_element(By.ID, "bulletin-title").text == title
    shot(browser, "bulletin-print")

    login(browser, base, "yunyang.hospital")
    assert "云阳县人民医院" in browser.find_element(By.ID, "home-progress").text, "the unit's home page shows its progress"
    browser.get(base + "/progress")
    assert browser.find_element(By.ID, "pace").text == "89.6%"
    table = browser.find_element(By.ID, "progress").text
    assert "“五进”单位食堂食材预留不低于20%" in table and "云阳县人民医院" in table
    assert "云阳县实验中学" not in table, "a unit sees only its own progress"
    assert any(state in table for state in ("落后于序时进度", "达到序时进度", "已完成")), "each line says where it stands"
    shot(browser, "unit-progress")

    # The unit declares its base from a sheet: a bad row refuses the sheet, a good one moves the target.
    folder = tempfile.mkdtemp()
    for name, value in [("bad.xlsx", "六十万"), ("good.xlsx", "60万")]:
        wb = openpyxl.Workbook()
        wb.active.append(["采购单位", "年度", "申报项目", "数额"])
        wb.active.append(["云阳县人民医院", 2026, "年度食堂食材采购额", value])
        wb.save(os.path.join(folder, name))
    browser.find_element(By.ID, "declare-file").send_keys(os.path.join(folder, "bad.xlsx"))
    submit(browser, browser.find_element(By.ID, "declare-import-submit"))
    assert "第2行" in browser.find_element(By.ID, "declare-import-errors").text
    browser.find_element(By.ID, "declare-file").send_keys(os.path.join(folder, "good.xlsx"))
    submit(browser, browser.find_element(By.ID, "declare-import-submit"))
    assert "600,000.00元" in browser.find_element(By.ID, "declarations").text
    assert "12.00万元" in browser.find_element(By.ID, "progress").text, "20% of the new base"

    browser.delete_all_cookies()
    browser.get(base + "/bulletins")
    link = browser.find_element(By.LINK_TEXT, title)
    submit(browser, link)
    assert browser.find_element(By.ID, "quarter-amount").text == expected
    shot(browser, "public-bulletin")
