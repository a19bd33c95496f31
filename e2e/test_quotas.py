"""An office publishes a quarterly bulletin and opens its print layout; a unit sees its own progress and
pace; the public sees the published bulletin."""
import os
import tempfile

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit


def test_office_publishes_a_bulletin_a_unit_sees_its_pace_and_the_public_reads_it(fresh_server, browser):
    base = fresh_server.start(today="2026-11-23").base

    login(browser, base, "yunyang.office")
    browser.get(base + "/bulletins")
    Select(browser.find_element(By.ID, "quarter")).select_by_value("3")
    submit(browser, browser.find_element(By.ID, "publish-submit"))
    title = browser.find_element(By.ID, "bulletin-title").text
    assert title == "云阳县2026年第三季度消费帮扶工作通报"
    # July 腊肉 4,800 + August 红橙 4,500 + September 蜂蜜 3,600, all verified in the demo ledger.
    assert browser.find_element(By.ID, "quarter-amount").text == "1.29万元"
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
    assert "落后于序时进度" in table
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
    assert browser.find_element(By.ID, "quarter-amount").text == "1.29万元"
    shot(browser, "public-bulletin")
