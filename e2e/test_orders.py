"""Issue 14 in the browser: a school's weekly need matched with its paired village first, ordered, confirmed and
shipped by the cooperative with a waybill, tracked by a carrier's file, accepted in part on a phone, paid and
evaluated; the ledger row appears with its households and the office sees it counted."""
import re
import tempfile

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit


def logout(browser, server):
    browser.delete_all_cookies()
    browser.get(server + "/login")


def tracking_workbook(number):
    """A carrier's tracking export as 顺丰 writes its columns, by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["运单号", "时间", "地点", "状态"])
    ws.append([number, "2026-11-30 09:05:00", "云阳县龙角镇", "已揽收"])
    ws.append([number, "2026-11-30 16:40:00", "云阳县城", "已签收"])
    path = tempfile.mktemp(suffix=".xlsx")
    wb.save(path)
    return path


def test_a_schools_weekly_need_becomes_an_order_shipped_tracked_accepted_and_counted(server, browser):
    login(browser, server, "yunyang.jiaowei")
    browser.get(server + "/needs")
    Select(browser.find_element(By.ID, "buyerUnitId")).select_by_visible_text("云阳县实验中学")
    for field, value in {"variety": "云阳红橙", "quantity": "100斤", "priceCeiling": "5元/斤", "from": "2026-12-01",
                         "to": "2027-01-15", "deliveryRegionCode": "云阳县", "deliveryAddress": "县实验中学食堂"}.items():
        element = browser.find_element(By.ID, field)
        if element.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.send_keys(value)
    Select(browser.find_element(By.ID, "everyDays")).select_by_value("7")
    submit(browser, browser.find_element(By.ID, "need-submit"))
    assert "/needs/" in browser.current_url, browser.find_element(By.TAG_NAME, "main").text
    assert "每7天" in browser.find_element(By.ID, "deliveries").text
    first = browser.find_elements(By.CSS_SELECTOR, "#matches tr.match")[0]
    assert "结对/帮扶地区" in first.find_element(By.CLASS_NAME, "reasons").text, "the paired village first"
    shot(browser, "need-matches")
    first.find_element(By.NAME, "freight").send_keys("20")
    submit(browser, first.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    order_url = browser.current_url
    assert re.search(r"/orders/\d+$", order_url), browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "order-state").text == "已下单"
    assert browser.find_element(By.ID, "receivable").text == "450.00元", "freight is the school's own line"

    logout(browser, server)
    login(browser, server, "longjiao.coop")
    browser.get(server + "/")
    assert "待确认订单" in browser.find_element(By.ID, "tiles").text
    browser.get(order_url)
    submit(browser, browser.find_element(By.ID, "confirm-submit"))
    assert browser.find_element(By.ID, "order-state").text == "供方已确认"
    Select(browser.find_element(By.ID, "carrier")).select_by_visible_text("顺丰速运")
    browser.find_element(By.ID, "number").send_keys("SF2026113001")
    submit(browser, browser.find_element(By.ID, "ship-submit"))
    assert browser.find_element(By.ID, "order-state").text == "已发货"
    browser.get(order_url + "/slip")
    assert "SF2026113001" in browser.find_element(By.ID, "slip").text
    shot(browser, "packing-slip")
    browser.get(server + "/orders/tracking")
    Select(browser.find_element(By.ID, "carrier")).select_by_visible_text("顺丰速运")
    browser.find_element(By.ID, "file").send_keys(tracking_workbook("SF2026113001"))
    submit(browser, browser.find_element(By.ID, "tracking-submit"))
    assert "新增 2 条" in browser.find_element(By.ID, "tracking-result").text

    logout(browser, server)
    browser.set_window_size(390, 844)
    login(browser, server, "yunyang.jiaowei")
    browser.get(order_url)
    assert "已签收" in browser.find_element(By.CLASS_NAME, "events").text, "the carrier's events on the order"
    line = browser.find_element(By.CSS_SELECTOR, "#accept-form input[id^=accepted_]")
    line.clear()
    line.send_keys("90")
    browser.find_element(By.CSS_SELECTOR, "#accept-form input[id^=reason_]").send_keys("10斤破损拒收")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the acceptance page is {width}px wide on a phone"
    shot(browser, "accept-on-phone")
    submit(browser, browser.find_element(By.ID, "accept-submit"))
    assert "付款" in browser.find_element(By.ID, "ledger-state").text, "未完成 until paid and evaluated"
    browser.set_window_size(1280, 900)
    browser.find_element(By.ID, "reference").send_keys("BANK2026113001")
    submit(browser, browser.find_element(By.ID, "pay-submit"))
    Select(browser.find_element(By.ID, "score")).select_by_value("5")
    browser.find_element(By.ID, "text").send_keys("新鲜，准时")
    submit(browser, browser.find_element(By.ID, "evaluate-submit"))
    assert browser.find_element(By.ID, "order-state").text == "已完成"
    assert "已计入采购台账" in browser.find_element(By.ID, "ledger-state").text
    shot(browser, "order-completed")
    purchase = browser.find_element(By.CSS_SELECTOR, "#lines a").get_attribute("href")

    logout(browser, server)
    login(browser, server, "yunyang.office")
    browser.get(purchase)
    assert "已计入" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.ID, "households").text == "2户", "the households the offer links"
    assert "405.00元" in browser.find_element(By.ID, "purchase").text, "90斤 × 4.5元: the goods accepted"
    browser.find_element(By.ID, "trace-link").click()
    assert "下单时在认定有效期内" in browser.find_element(By.ID, "lines").text
    shot(browser, "order-trace")
