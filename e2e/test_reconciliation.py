"""Issue 15 in a browser: an office imports a carrier's waybill file, reconciles a period, confirms a proposal,
resolves a contradiction with a correction, and sees 可溯源率 move on the reconciliation page and the dashboard."""
import io
import os
import tempfile

import openpyxl
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import finish_job, login, shot, submit
from test_ledger_truth import SALES, sheet, upload

DAY = "2026-11-21"


def waybills(rows):
    """A 中国邮政EMS waybill export as its columns read, written by openpyxl."""
    path = os.path.join(tempfile.mkdtemp(), "ems.xlsx")
    wb = openpyxl.Workbook()
    wb.active.append(["邮件号", "收寄日期", "寄件人", "寄件人地址", "收件单位", "内件品名", "重量(kg)", "件数", "邮费(元)"])
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def rate(browser):
    return browser.find_element(By.ID, "traceability-total").find_element(By.TAG_NAME, "strong").text


def test_office_reconciles_a_period_against_waybills_and_traceability_moves(server, browser):
    report = sheet("乡镇（街道）贫困户产品销售情况表", SALES, [
        ["1", "云阳县人民医院", "2026.11.21", "云阳县龙角镇龙洞村", "龙洞村血橙合作社", "血橙", "300斤", "1500元", "合作社(5户)"],
        ["2", "云阳县实验中学", "2026.11.21", "云阳县龙角镇龙洞村", "龙洞村血橙合作社", "血橙", "400斤", "2000元", "合作社(5户)"]]
        + [[str(3 + i), "云阳县人民医院", "2026.11.21", "云阳县龙角镇龙洞村", f"血橙户{i}", "血橙", "100斤", f"{price}元", ""]
           for i, price in enumerate([510, 490, 500, 520, 1500])])
    login(browser, server, "yunyang.office")
    upload(browser, server, report, form="2", purpose="canteen")
    assert "导入成功" in browser.find_element(By.ID, "import-result").text
    period = f"/reconciliation?from={DAY}&to={DAY}"
    browser.get(server + period)
    before = rate(browser)
    browser.get(server + "/")
    home_before = browser.find_element(By.ID, "home-traceability").text

    browser.get(server + period)
    Select(browser.find_element(By.ID, "carrier")).select_by_visible_text("中国邮政EMS")
    browser.find_element(By.ID, "file").send_keys(waybills([
        ["1100000000021", "2026-11-20", "刘主任", "云阳县龙角镇龙洞村3组", "云阳县人民医院", "血橙", 150, 5, 50],
        ["1100000000022", "2026-11-20", "刘主任", "云阳县龙角镇龙洞村3组", "云阳县实验中学", "血橙", 3, 1, 12]]))
    submit(browser, browser.find_element(By.ID, "logistics-submit"))
    assert "新增 2 条" in browser.find_element(By.ID, "logistics-result").text
    submit(browser, browser.find_element(By.ID, "run-submit"))
    assert "对账完成" in finish_job(browser), "the run is a job; its page leads back to the period"
    links = browser.find_element(By.ID, "links")
    contradiction = links.find_element(By.XPATH, ".//tr[contains(@class, 'contradiction') and contains(., '重量不符')]")
    agreement = links.find_element(By.XPATH, ".//tr[contains(., '重量与数量相符')]")
    shot(browser, "reconciliation-proposals")
    agreed_row = agreement.find_element(By.TAG_NAME, "a").text
    submit(browser, agreement.find_element(By.XPATH, ".//button[text()='确认']"))
    assert "已确认" in browser.find_element(By.XPATH, f"//table[@id='links']//tr[td/a[text()='{agreed_row}']]").text

    # The agreeing row is verified (it has its waybill); the contradiction is corrected to what was shipped.
    browser.get(server + "/purchases")
    browser.find_element(By.ID, f"reason-{agreed_row}").send_keys("邮政运单相符")
    submit(browser, browser.find_element(By.ID, f"verify-{agreed_row}"))
    browser.get(server + period)
    wrong = browser.find_element(By.XPATH, "//table[@id='links']//tr[contains(@class, 'contradiction')]//a").text
    browser.get(server + f"/purchases/{wrong}")
    browser.find_element(By.ID, "seller").send_keys("龙洞村血橙合作社")
    quantity = browser.find_element(By.ID, "quantity")
    quantity.clear()
    quantity.send_keys("6斤")
    amount = browser.find_element(By.ID, "amount")
    amount.clear()
    amount.send_keys("30")
    browser.find_element(By.ID, "reason").send_keys("按邮政运单，实发3公斤")
    submit(browser, browser.find_element(By.ID, "correct-submit"))

    browser.get(server + period)
    submit(browser, browser.find_element(By.ID, "run-submit"))
    assert "对账完成" in finish_job(browser), "the run is a job; its page leads back to the period"
    after = rate(browser)
    assert after != before, f"可溯源率 {before} → {after}"
    assert not browser.find_elements(By.XPATH, "//table[@id='links']//tr[contains(@class, 'contradiction') and contains(., '重量不符') and contains(., '待确认')]")
    shot(browser, "reconciliation-after")
    browser.get(server + "/")
    assert browser.find_element(By.ID, "home-traceability").text != home_before, "the dashboard's figure moves too"

    browser.get(server + period)
    submit(browser, browser.find_element(By.ID, "flag-scan-submit"))
    assert "扫描完成" in finish_job(browser)
    submit(browser, browser.find_element(By.XPATH, "//p[@id='flag-rules']/a[contains(., '单价异常')]"))
    flag = browser.find_element(By.XPATH, "//table[@id='flag-list']//tr[contains(., '单价异常') and contains(., '15元/斤')]")
    flag.find_element(By.NAME, "note").send_keys("春节礼盒，单价属实")
    submit(browser, flag.find_element(By.XPATH, ".//button[@value='accepted']"))
    resolved = browser.find_element(By.XPATH, "//table[@id='flag-list']//tr[contains(., '15元/斤')]")
    assert "已接受：春节礼盒，单价属实" in resolved.text
    shot(browser, "ledger-flags")


def test_cooperative_declares_weights_and_office_exports_the_attribution(server, browser):
    """A cooperative shares its sales among its 脱贫户 by the weights it declares; the office exports the year's
    attribution to households for the 年终考核, names masked."""
    login(browser, server, "longjiao.coop")
    browser.get(server + "/suppliers")
    submit(browser, browser.find_element(By.LINK_TEXT, "联结脱贫户"))
    weights = browser.find_elements(By.CSS_SELECTOR, "#linked-households input[type=number]")
    assert len(weights) >= 2, "the demo cooperative's linked households"
    assert not browser.find_elements(By.ID, "add-household"), "linking households is an office's act"
    # The form says 1–1000 itself; without that check (an old browser) the server refuses it and says why.
    browser.execute_script("arguments[0].removeAttribute('min')", weights[0])
    weights[0].clear()
    weights[0].send_keys("0")
    submit(browser, browser.find_element(By.ID, "households-submit"))
    assert "权重须为1–1000的整数" in browser.find_element(By.ID, "households-error").text
    weights = browser.find_elements(By.CSS_SELECTOR, "#linked-households input[type=number]")
    weights[0].clear()
    weights[0].send_keys("3")
    submit(browser, browser.find_element(By.ID, "households-submit"))
    saved = browser.find_elements(By.CSS_SELECTOR, "#linked-households input[type=number]")
    assert saved[0].get_attribute("value") == "3"
    shot(browser, "household-weights")

    login(browser, server, "yunyang.office")
    browser.get(server + "/purchases/benefits")
    link = browser.find_element(By.ID, "attribution-xlsx").get_attribute("href")
    session = requests.Session()
    for c in browser.get_cookies():
        session.cookies.set(c["name"], c["value"])
    res = session.get(link)
    assert res.status_code == 200
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(res.content)).active.iter_rows()]
    assert rows[0][0].endswith("年消费帮扶利益联结到户")
    households = rows[rows.index(next(r for r in rows if r[:2] == ["村", "脱贫户（已脱敏）"])) + 1:]
    assert households and all("某" in r[1] for r in households), "names leave masked"
