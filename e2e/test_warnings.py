"""滞销监测预警 and emergency 消纳, in the browser: a township clerk reports 地头价 on a phone for several weeks, the
office sees a warning rise and publishes it, opens a campaign from it and invites the unit ranked first (behind its
quota); that unit sees the invitation, pledges and records a delivery, which the office verifies and which then
counts on the unit's progress; the public sees the price chart with the warning."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import login, shot, submit

WEEKS = [("2026-11-02", "2.00"), ("2026-11-09", "2.00"), ("2026-11-16", "2.00"), ("2026-11-23", "1.40"),
         ("2026-11-30", "1.40")]


def report_price(browser, server, day, price):
    browser.get(server + "/prices/report")
    Select(browser.find_element(By.ID, "productId")).select_by_visible_text("红薯")
    browser.execute_script(f"document.getElementById('day').value = '{day}'")
    field = browser.find_element(By.ID, "price")
    field.clear()
    field.send_keys(price)
    Select(browser.find_element(By.ID, "unit")).select_by_visible_text("元/斤")
    submit(browser, browser.find_element(By.ID, "price-submit"))


def test_a_warning_rises_is_published_and_a_campaign_reaches_the_unit_behind_its_quota(server, browser):
    login(browser, server, "yunyang.office")
    browser.get(server + "/warnings")
    browser.find_element(By.ID, "name").send_keys("红薯")
    browser.find_element(By.ID, "aliases").send_keys("番薯，地瓜")
    Select(browser.find_element(By.ID, "category")).select_by_visible_text("蔬菜")
    Select(browser.find_element(By.ID, "seasonFrom")).select_by_visible_text("9月")
    Select(browser.find_element(By.ID, "seasonTo")).select_by_visible_text("12月")
    submit(browser, browser.find_element(By.ID, "product-submit"))
    assert "番薯" in browser.find_element(By.ID, "products").text
    row = browser.find_element(By.XPATH, "//table[@id='products']//tr[td[text()='红薯']]")
    row.find_element(By.TAG_NAME, "summary").click()
    aliases = row.find_element(By.CSS_SELECTOR, "input[name=aliases]")
    aliases.clear()
    aliases.send_keys("番薯，地瓜，山芋")
    submit(browser, row.find_element(By.CSS_SELECTOR, "form button"))
    assert "山芋" in browser.find_element(By.ID, "products").text, "an office adds a name the ledger uses"

    # The clerk, on a phone-sized window: five weeks, the last two well below the weeks before.
    browser.delete_all_cookies()
    browser.set_window_size(390, 844)
    login(browser, server, "longjiao.clerk")
    report_price(browser, server, "2026-11-30", "一块四")
    assert "无法识别" in browser.find_element(By.ID, "error-price").text, "a price in words is refused, named"
    for day, price in WEEKS:
        report_price(browser, server, day, price)
        assert "已报送红薯" in browser.find_element(By.ID, "notice").text
    assert browser.find_element(By.ID, "price-form").size["width"] <= 390
    shot(browser, "clerk-price-report-phone")
    browser.set_window_size(1280, 900)

    login(browser, server, "yunyang.office")
    browser.get(server + "/warnings")
    row = browser.find_element(By.XPATH, "//table[@id='warnings']//tr[td[text()='红薯']]")
    assert "蓝色预警" in row.text and "待审核发布" in row.text, row.text
    assert "近8周均价（无同期历史）" in row.text, "no earlier year: the moving average is the baseline"
    warning = row.get_attribute("id").split("-")[1]
    submit(browser, browser.find_element(By.ID, f"publish-{warning}"))
    assert "已通知" in browser.find_element(By.ID, "notice").text
    shot(browser, "office-warnings")

    browser.find_element(By.ID, f"campaign-from-{warning}").click()
    assert Select(browser.find_element(By.ID, "productId")).first_selected_option.text.startswith("红薯")
    browser.find_element(By.ID, "quantity").send_keys("5000")
    browser.find_element(By.ID, "floorPrice").send_keys("1.5")
    browser.execute_script("document.getElementById('deadline').value = '2026-12-20'")
    submit(browser, browser.find_element(By.ID, "campaign-submit"))
    first = browser.find_element(By.XPATH, "//table[@id='proposals']//tr[td][1]")
    cells = [c.text for c in first.find_elements(By.TAG_NAME, "td")]
    top_unit, reasons = cells[2], cells[4]
    assert cells[1] == "1" and "落后序时进度" in reasons, cells
    campaign = browser.current_url.rstrip("/").split("/")[-1]
    first.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    submit(browser, browser.find_element(By.ID, "invite-submit"))
    assert "已发出邀请" in browser.find_element(By.ID, "notice").text
    shot(browser, "office-campaign")

    # The administrator gives the unit ranked first an account.
    login(browser, server, "admin")
    browser.get(server + "/users/new")
    for field, value in [("username", "e2e.top.unit"), ("displayName", top_unit + "采购员"),
                         ("password", "Bangfu2026demo")]:
        browser.find_element(By.ID, field).send_keys(value)
    Select(browser.find_element(By.ID, "role")).select_by_visible_text("采购单位")
    Select(browser.find_element(By.ID, "buyerUnitId")).select_by_visible_text(top_unit)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))

    login(browser, server, "e2e.top.unit")
    assert "邀请认购" in browser.page_source, "the invitation is on the unit's home page"
    browser.get(server + "/progress")
    before = browser.find_element(By.ID, "progress").text
    browser.get(server + "/campaigns")
    invitation = browser.find_element(By.XPATH, "//table[@id='invitations']//tr[td][1]")
    assert "第1位" in invitation.text and "落后序时进度" in invitation.text, invitation.text
    browser.find_element(By.ID, f"invitation-{campaign}").click()
    browser.find_element(By.ID, "pledge-quantity").send_keys("2000")
    submit(browser, browser.find_element(By.ID, "pledge-submit"))
    assert browser.find_element(By.ID, "pledged").text == "2000斤"

    def deliver(quantity, amount):
        browser.find_element(By.ID, "seller").send_keys("龙角镇红薯合作社")
        browser.find_element(By.ID, "deliver-quantity").send_keys(quantity)
        browser.find_element(By.ID, "amount").send_keys(amount)
        Select(browser.find_element(By.ID, "channel")).select_by_value("fiveInto")
        Select(browser.find_element(By.ID, "purpose")).select_by_value("canteen")
        submit(browser, browser.find_element(By.ID, "deliver-submit"))

    deliver("1000", "1000")
    assert "低于保护价" in browser.find_element(By.ID, "error-belowFloorReason").text
    browser.get(server + f"/campaigns/{campaign}")
    deliver("1000", "1600")
    assert browser.find_element(By.ID, "delivered").text == "1000斤"
    shot(browser, "unit-campaign")
    browser.get(server + "/purchases")
    row = browser.find_element(By.XPATH, "//table[@id='purchases']//tr[td[text()='红薯']]")
    purchase = row.find_element(By.TAG_NAME, "td").text

    login(browser, server, "yunyang.office")
    browser.get(server + "/purchases?awaiting=1")
    browser.find_element(By.ID, f"reason-{purchase}").send_keys("消纳活动验收单已核")
    submit(browser, browser.find_element(By.ID, f"verify-{purchase}"))
    browser.get(server + f"/campaigns/{campaign}")
    assert "1,600.00元 / 1,600.00元" in browser.find_element(By.ID, "paid").text

    login(browser, server, "e2e.top.unit")
    browser.get(server + "/progress")
    assert browser.find_element(By.ID, "progress").text != before, "the verified delivery counts on its quota"

    # The public price page: the chart and its table, with the published warning.
    browser.delete_all_cookies()
    browser.get(server + "/prices")
    browser.find_element(By.LINK_TEXT, "红薯").click()
    assert browser.find_elements(By.CSS_SELECTOR, "#price-chart polyline"), "the weekly price is drawn"
    assert "蓝色预警" in browser.find_element(By.TAG_NAME, "main").text
    assert "1.4元/斤" in browser.find_element(By.ID, "price-table").text
    shot(browser, "public-prices")
