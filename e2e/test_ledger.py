"""A unit enters a purchase with proof, an office verifies it, and the totals move."""
import os
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit


def five_into(totals):
    """(yuan, rows) of the 五进对接直销 line of the totals card; the demo ledger already holds some."""
    m = re.search(r"五进对接直销：¥([\d,]+)\.00（(\d+) 笔）", totals)
    return (int(m.group(1).replace(",", "")), int(m.group(2))) if m else (0, 0)


def test_unit_enters_a_purchase_with_proof_and_the_office_verifies_it(server, browser):
    proof = os.path.join(tempfile.mkdtemp(), "乡政府产品帮扶证明.pdf")
    with open(proof, "wb") as f:
        f.write(b"%PDF-1.4\n% proof of purchase\n%%EOF\n")

    login(browser, server, "yunyang.hospital")
    browser.get(server + "/purchases/new")
    browser.execute_script("document.getElementById('purchasedOn').value = '2026-11-20'")
    for field, value in [("originRegionCode", "500235139201"), ("seller", "王建国"), ("variety", "腊肉"),
                         ("quantity", "20斤"), ("amount", "900元")]:
        browser.find_element(By.ID, field).send_keys(value)
    Select(browser.find_element(By.ID, "channel")).select_by_value("fiveInto")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
    assert "待核实、未计入：¥900.00（1 笔）" in browser.find_element(By.ID, "totals").text
    row = browser.find_element(By.XPATH, "//table[@id='purchases']//tr[td[text()='腊肉']]")
    purchase = row.find_element(By.TAG_NAME, "td").text
    browser.find_element(By.ID, f"proof-file-{purchase}").send_keys(proof)
    submit(browser, browser.find_element(By.ID, f"proof-submit-{purchase}"))
    assert "证明" in browser.find_element(By.ID, "purchases").text
    shot(browser, "unit-purchase")

    login(browser, server, "yunyang.office")
    browser.get(server + "/purchases")
    before = five_into(browser.find_element(By.ID, "totals").text)
    browser.get(server + "/purchases?state=pending")
    submit(browser, browser.find_element(By.ID, f"verify-{purchase}"))
    browser.get(server + "/purchases")
    totals = browser.find_element(By.ID, "totals").text
    assert five_into(totals) == (before[0] + 900, before[1] + 1), "the verified purchase moves the channel's total"
    assert "待核实、未计入：¥0.00（0 笔）" in totals
    shot(browser, "office-purchases")
