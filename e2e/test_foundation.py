"""Main flows of the foundation: an office and a unit log in and see what their role may see."""
from selenium.webdriver.common.by import By

from conftest import login, shot


def menu(driver):
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#menu a")]


def test_office_sees_its_county_and_reads_identities(server, browser):
    login(browser, server, "yunyang.office")
    assert "云阳县（500235000000）" in browser.find_element(By.ID, "scope").text
    assert {"脱贫户", "操作日志", "采购单位"} <= set(menu(browser))
    assert "用户管理" not in menu(browser)
    shot(browser, "office-dashboard")

    browser.get(server + "/households")
    table = browser.find_element(By.ID, "households").text
    assert "张某某" in table and "张大山" not in table, "lists are masked"
    browser.find_element(By.LINK_TEXT, "1").click()
    assert browser.find_element(By.ID, "hh-name").text == "张大山"
    shot(browser, "office-household")

    browser.get(server + "/audit")
    assert "read_identity" in browser.find_element(By.ID, "audit").text


def test_unit_sees_only_its_own_unit(server, browser):
    login(browser, server, "yunyang.hospital")
    assert "云阳县人民医院" in browser.find_element(By.ID, "scope").text
    assert "脱贫户" not in menu(browser)
    browser.get(server + "/buyers")
    rows = browser.find_elements(By.CSS_SELECTOR, "#buyers tr")[1:]
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["云阳县人民医院"]
    shot(browser, "unit-buyers")

    browser.get(server + "/households")
    assert "无权执行此操作" in browser.find_element(By.ID, "error-message").text


def test_office_form_shows_the_error_beside_the_field(server, browser):
    login(browser, server, "longjiao.clerk")
    browser.get(server + "/households/new")
    assert browser.find_elements(By.CSS_SELECTOR, "datalist#places option[value='云阳县龙角镇龙洞村']"), "picked from a list"
    browser.find_element(By.ID, "regionCode").send_keys("云阳县龙角镇龙洞村")
    browser.find_element(By.ID, "name").send_keys("赵六")
    browser.find_element(By.ID, "idNumber").send_keys("110105194912310021")
    browser.find_element(By.CSS_SELECTOR, "form.stack button").click()
    assert "身份证号格式不正确" in browser.find_element(By.ID, "error-idNumber").text
    assert browser.find_element(By.ID, "name").get_attribute("value") == "赵六"
    assert browser.find_element(By.ID, "regionCode").get_attribute("value") == "云阳县龙角镇龙洞村", "the place stays as picked"
    shot(browser, "clerk-form-error")


def test_wrong_password_is_refused(server, browser):
    login(browser, server, "admin", "not-the-password-1")
    assert "用户名或密码错误" in browser.find_element(By.ID, "login-error").text


def test_phone_layout_keeps_the_menu_usable(server, browser):
    browser.set_window_size(390, 844)
    login(browser, server, "admin")
    assert browser.find_element(By.ID, "menu").is_displayed()
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a phone"
    shot(browser, "admin-phone")
