"""A clerk imports an 附件1 file, the township and county certify a product through 公示,
and the public finds it in the catalogue."""
import io
import os
import tempfile

import openpyxl
import requests
from selenium.webdriver.common.by import By

from conftest import login, shot, submit

HEADER = ["序号", "地区", "贫困户姓名", "产品品种", "计划销量", "销售价格（元）", "供货方式", "网店网址", "供货联系人\n及联系方式", "备注"]


def attachment1(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["乡镇（街道）贫困户农特产品待销目录"])
    ws.append(["填写单位：龙角镇人民政府   填写人：孙干事   联系电话：023-55555555   填写日期：2026.11.2"])
    ws.append(HEADER)
    ws.append([1, "云阳县龙角镇龙洞村", "赵大勇", "高山脆李", "1200斤", "6元/斤", "送货上门", None, "孙xx 17723635558", None])
    ws.append([2, "云阳县龙角镇双河村", "钱秀英", "红薯粉条", "300斤", "12元/斤", "上门自提", None, "孙xx 17723635558", None])
    ws.append([None] * 10)
    wb.save(path)


def click(browser, element_id):
    submit(browser, browser.find_element(By.ID, element_id))


def test_import_certify_through_publicity_and_find_it(fresh_server, browser):
    server = fresh_server.start(today="2026-11-02")
    base = server.base
    sheet = os.path.join(tempfile.mkdtemp(), "附件1-龙角镇.xlsx")
    attachment1(sheet)

    login(browser, base, "longjiao.clerk")
    browser.get(base + "/offers/import")
    browser.find_element(By.ID, "file").send_keys(sheet)
    click(browser, "import-submit")
    assert "新增 2 条" in browser.find_element(By.ID, "import-result").text
    shot(browser, "clerk-import")
    browser.get(base + "/offers")
    table = browser.find_element(By.ID, "offers").text
    assert "高山脆李" in table and "赵某某" in table

    # The clerk applies for the plum on behalf of the household, then does the township review.
    browser.get(base + "/certifications/new")
    options = browser.find_elements(By.CSS_SELECTOR, "#offerId option")
    next(o for o in options if "高山脆李" in o.text).click()
    browser.find_element(By.ID, "documents").send_keys("产品检测报告、带贫情况说明")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))
    assert "待乡镇初审" in browser.find_element(By.ID, "state").text
    application = browser.current_url.rsplit("/", 1)[1]
    click(browser, "township-approve")
    assert "待县级认定" in browser.find_element(By.ID, "state").text

    login(browser, base, "yunyang.office")
    browser.get(f"{base}/certifications/{application}")
    click(browser, "county-approve")
    click(browser, "publish")
    assert "公示中" in browser.find_element(By.ID, "state").text
    click(browser, "conclude")
    assert "期满后才能认定" in browser.find_element(By.ID, "step-error").text
    browser.get(base + "/publicity")
    assert "高山脆李" in browser.find_element(By.ID, "publicity").text

    # Eight days later (the same database; the session survives the restart).
    fresh_server.stop()
    fresh_server.start(today="2026-11-10")
    browser.get(f"{base}/certifications/{application}")
    click(browser, "conclude")
    assert "已认定" in browser.find_element(By.ID, "state").text
    certificate = browser.find_element(By.ID, "certificate").text
    assert certificate.startswith("帮认500235-2026-")
    shot(browser, "office-certified")

    browser.delete_all_cookies()
    browser.get(base + "/catalogue")
    browser.find_element(By.ID, "q").send_keys("脆李")
    click(browser, "search-submit")
    results = browser.find_element(By.ID, "results")
    assert "高山脆李" in results.text
    results.find_element(By.PARTIAL_LINK_TEXT, "高山脆李").click()
    assert browser.find_element(By.ID, "item-certificate").text == certificate
    assert "赵大勇" not in browser.page_source, "household names never reach the public"
    shot(browser, "public-item")


def test_office_exports_attachment1_that_openpyxl_reads(server, browser):
    login(browser, server, "yunyang.office")
    session = requests.Session()
    for c in browser.get_cookies():
        session.cookies.set(c["name"], c["value"])
    res = session.get(server + "/offers/export?format=xlsx")
    assert res.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(res.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[2][:4] == ["序号", "地区", "贫困户姓名", "产品品种"]
    varieties = {r[3] for r in rows[3:] if r and len(r) > 3}
    assert {"云阳红橙", "土豆"} <= varieties


def test_public_catalogue_lists_the_demo_certified_product(server, browser):
    browser.get(server + "/catalogue")
    assert "云阳红橙" in browser.find_element(By.ID, "results").text
    assert "土蜂蜜" not in browser.find_element(By.ID, "results").text, "still in 公示"
    shot(browser, "public-catalogue")
