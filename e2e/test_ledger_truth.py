"""Issue 13 in a browser: a township's own 附件2, a linked pair keeping what either side knew, an unknown buyer
named from the import report, and a refused form that keeps what was typed."""
import os
import tempfile

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit

SALES = ["序号", "采购单位", "销售时间", "地区", "贫困户姓名", "产品品种", "销售数量", "销售金额", "备注"]
PURCHASES = ["序号", "采购单位", "采购时间", "地区", "贫困户姓名", "产品品种", "采购数量", "采购金额", "备注"]


def sheet(title, columns, rows):
    """A 附件2/附件3 as an office fills it in, written by openpyxl."""
    path = os.path.join(tempfile.mkdtemp(), f"{title[:6]}.xlsx")
    wb = openpyxl.Workbook()
    for r in [[title], ["填报单位：龙角镇", "", "供货联系人姓名：孙干事", "", "联系方式：", "", "填报时间：2026.11.20"], columns] + rows:
        wb.active.append(r)
    wb.save(path)
    return path


def upload(browser, server, path, form=None, channel="fiveInto", purpose=None, page="/purchases/import"):
    browser.get(server + page)
    if form:
        Select(browser.find_element(By.ID, "form")).select_by_value(form)
    Select(browser.find_element(By.ID, "channel")).select_by_value(channel)
    if purpose:
        Select(browser.find_element(By.ID, "purpose")).select_by_value(purpose)
    browser.find_element(By.ID, "file").send_keys(path)
    submit(browser, browser.find_element(By.ID, "import-submit"))


def test_township_clerk_imports_its_own_sales_with_a_cooperatives_households(server, browser):
    path = sheet("乡镇（街道）贫困户产品销售情况表", SALES, [
        ["1", "云阳县人民医院", "2026.11.12", "云阳县龙角镇龙洞村", "龙角镇柑橘合作社", "云阳红橙", "500斤", "2250元", "合作社，带动贫困户12户"]])
    login(browser, server, "longjiao.clerk")
    assert "乡镇销售表" in browser.find_element(By.ID, "menu").text
    upload(browser, server, path, page="/sales")
    assert "导入成功：新增 1 条" in browser.find_element(By.ID, "import-result").text
    assert browser.find_element(By.ID, "import-households").text == "带动脱贫户 12 户"
    shot(browser, "clerk-sales-import")


def test_office_links_a_pair_and_the_counted_row_takes_the_lead_units_purpose(server, browser):
    pair = ["云阳县实验中学", "", "云阳县龙角镇龙洞村", "龙洞村蜂蜜合作社", "蜂蜜", "40斤", "3200元"]
    township = sheet("乡镇（街道）贫困户产品销售情况表", SALES, [["1", pair[0], "2026.11.13"] + pair[2:] + ["合作社(6户)"]])
    lead = sheet("牵头单位系统（行业）购买贫困户产品采购情况表", PURCHASES, [["1", pair[0], "2026.11.14"] + pair[2:] + ["用于机关食堂"]])
    login(browser, server, "yunyang.office")
    upload(browser, server, township, form="2", purpose="other")     # the township does not know what it was for
    assert "导入成功" in browser.find_element(By.ID, "import-result").text
    login(browser, server, "yunyang.jiaowei")
    upload(browser, server, lead, form="3")
    assert "导入成功" in browser.find_element(By.ID, "import-result").text

    login(browser, server, "yunyang.office")
    browser.get(server + "/purchases?suspected=1")
    row = browser.find_element(By.XPATH, "//table[@id='purchases']//tr[td[text()='蜂蜜'] and .//button[text()='确认重复']]")
    duplicate = row.find_element(By.TAG_NAME, "td").text
    submit(browser, row.find_element(By.ID, f"link-{duplicate}"))
    browser.get(server + "/purchases")
    line = browser.find_element(By.XPATH, f"//table[@id='purchases']//tr[td[contains(., '用途取自#{duplicate}')]]")
    cells = [c.text for c in line.find_elements(By.TAG_NAME, "td")]
    assert "食堂" in cells, f"the 附件3 purpose on the counted row: {cells}"
    shot(browser, "office-linked-pair")


def test_office_names_an_unknown_buyer_from_the_import_report_and_imports_again(server, browser):
    path = sheet("乡镇（街道）贫困户产品销售情况表", SALES, [
        ["1", "云阳县实验中", "2026.11.15", "云阳县龙角镇龙洞村", "张大山", "土豆", "100斤", "150元", ""]])
    login(browser, server, "yunyang.office")
    upload(browser, server, path, form="2")
    assert "未导入任何数据" in browser.find_element(By.ID, "import-result").text
    assert "最接近的已登记单位：云阳县实验中学" in browser.find_element(By.ID, "import-errors").text
    picker = Select(browser.find_element(By.ID, "alias-unit-0"))
    assert picker.first_selected_option.text == "云阳县实验中学（最接近）"
    shot(browser, "office-unknown-buyer")
    submit(browser, browser.find_element(By.ID, "alias-submit-0"))
    assert "别名已登记" in browser.find_element(By.ID, "alias-added").text
    upload(browser, server, path, form="2")
    assert "导入成功：新增 1 条" in browser.find_element(By.ID, "import-result").text


def test_a_refused_declaration_keeps_what_was_typed_and_the_menu(server, browser):
    login(browser, server, "yunyang.office")
    browser.get(server + "/progress")
    Select(browser.find_element(By.ID, "declare-unit")).select_by_visible_text("云阳县实验中学")
    browser.find_element(By.ID, "declare-value").send_keys("十二万")
    submit(browser, browser.find_element(By.ID, "declare-submit"))
    assert "格式不正确" in browser.find_element(By.ID, "error-value").text
    assert browser.find_element(By.ID, "declare-value").get_attribute("value") == "十二万"
    assert Select(browser.find_element(By.ID, "declare-unit")).first_selected_option.text == "云阳县实验中学"
    assert "采购台账" in browser.find_element(By.ID, "menu").text
    shot(browser, "office-declaration-error")
