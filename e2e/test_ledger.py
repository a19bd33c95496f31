"""A unit enters a purchase with proof, an office verifies it, and the totals move."""
import io
import os
import re
import tempfile

import openpyxl
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit


def five_into(totals):
    """(yuan, rows) of the 五进对接直销 line of the totals card; the demo ledger already holds some."""
    m = re.search(r"五进对接直销：([\d,]+)\.00元（(\d+) 笔）", totals)
    return (int(m.group(1).replace(",", "")), int(m.group(2))) if m else (0, 0)


def pending(totals):
    """(yuan, rows) waiting for an office: the demo's latest weeks are pending too."""
    m = re.search(r"待核实、未计入：([\d,]+)\.00元（(\d+) 笔）", totals)
    return (int(m.group(1).replace(",", "")), int(m.group(2)))


def test_unit_enters_a_purchase_with_proof_and_the_office_verifies_it(server, browser):
    proof = os.path.join(tempfile.mkdtemp(), "乡政府产品帮扶证明.pdf")
    with open(proof, "wb") as f:
        f.write(b"%PDF-1.4\n% proof of purchase\n%%EOF\n")

    login(browser, server, "yunyang.hospital")
    browser.get(server + "/purchases")
    waiting = pending(browser.find_element(By.ID, "totals").text)
    browser.get(server + "/purchases/new")
    browser.execute_script("document.getElementById('purchasedOn').value = '2026-11-20'")
    for field, value in [("originRegionCode", "云阳县泥溪镇黄岭村"), ("seller", "王建国"), ("variety", "腊肉"),
                         ("quantity", "20斤"), ("amount", "900元")]:
        browser.find_element(By.ID, field).send_keys(value)
    Select(browser.find_element(By.ID, "channel")).select_by_value("fiveInto")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
    assert pending(browser.find_element(By.ID, "totals").text) == (waiting[0] + 900, waiting[1] + 1)
    row = browser.find_element(By.XPATH, "//table[@id='purchases']//tr[td[text()='腊肉']]")
    purchase = row.find_element(By.TAG_NAME, "td").text
    browser.find_element(By.ID, f"proof-file-{purchase}").send_keys(proof)
    submit(browser, browser.find_element(By.ID, f"proof-submit-{purchase}"))
    assert "证明" in browser.find_element(By.ID, "purchases").text
    shot(browser, "unit-purchase")

    login(browser, server, "yunyang.office")
    browser.get(server + "/purchases")
    before = five_into(browser.find_element(By.ID, "totals").text)
    waiting = pending(browser.find_element(By.ID, "totals").text)
    browser.get(server + "/purchases?awaiting=1")
    submit(browser, browser.find_element(By.ID, f"verify-{purchase}"))
    browser.get(server + "/purchases")
    totals = browser.find_element(By.ID, "totals").text
    assert five_into(totals) == (before[0] + 900, before[1] + 1), "the verified purchase moves the channel's total"
    assert pending(totals) == (waiting[0] - 900, waiting[1] - 1), "it leaves the waiting rows"
    shot(browser, "office-purchases")

    # The office narrows the list with its filter form: the channel, the booked month, counted rows only.
    Select(browser.find_element(By.ID, "filter-channel")).select_by_value("fiveInto")
    for field in ["filter-from", "filter-to"]:
        browser.execute_script(f"document.getElementById('{field}').value = '2026-11'")
    browser.find_element(By.CSS_SELECTOR, "#filter-form input[name=counted]").click()
    submit(browser, browser.find_element(By.ID, "filter-submit"))
    lines = browser.find_elements(By.XPATH, "//table[@id='purchases']//tr[td]")
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")] for r in lines]
    assert purchase in [r[0] for r in rows], "the verified row is among them"
    assert all(r[1].startswith("2026-11") and r[9] == "五进对接直销" and "已计入" in r[10] for r in rows), \
        "only counted 五进 rows of November"
    assert Select(browser.find_element(By.ID, "filter-channel")).first_selected_option.get_attribute("value") == "fiveInto"
    shot(browser, "office-purchases-filtered")


def test_office_exports_attachment2_that_openpyxl_reads(server, browser):
    login(browser, server, "yunyang.office")
    session = requests.Session()
    for c in browser.get_cookies():
        session.cookies.set(c["name"], c["value"])
    res = session.get(server + "/purchases/export", params={"form": "2", "township": "500235139000", "system": "",
                                                            "from": "2026-01-01", "to": "", "format": "xlsx"})
    assert res.status_code == 200
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(res.content)).active.iter_rows()]
    assert rows[0][0] == "乡镇（街道）贫困户产品销售情况表"
    assert rows[2][:4] == ["序号", "采购单位", "销售时间", "地区"]
    assert {r[5] for r in rows[3:]} >= {"腊肉", "蜂蜜"}, "the demo's purchases from 泥溪镇"
    assert all(r[4].endswith("某") or "某" in r[4] for r in rows[3:]), "sellers' names leave masked"
