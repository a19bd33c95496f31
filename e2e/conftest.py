"""Browser tests: the real server binary on a fresh SQLite file, driven by headless chromium."""
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "e2e" / "screenshots"
DEMO_PASSWORD = "Bangfu2026demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real binary on a SQLite file in its own directory; restartable with another "today"."""

    def __init__(self):
        self.var = tempfile.mkdtemp(prefix="bangfu-e2e-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self, today=""):
        env = dict(os.environ, BANGFU_VAR_DIR=self.var, BANGFU_DEMO="1", DATABASE_URL="", BANGFU_TODAY=today)
        binary = os.environ.get("BANGFU_BIN", str(ROOT / ".build/debug/bangfu"))
        log = open(os.path.join(self.var, "server.log"), "a")
        self.proc = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(open(os.path.join(self.var, "server.log")).read())
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self):
        """SIGTERM, as a service manager stops it. The server finishes what runs (an answer, a job under way, SQLite's
        last checkpoint) within Vapor's ten seconds for open connections, then exits; past 30 s the test fails with
        the log's end, which says what it waited for."""
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            tail = open(os.path.join(self.var, "server.log"), errors="replace").read()[-3000:]
            raise AssertionError("the server did not stop within 30 s of SIGTERM; its log ends:\n" + tail)

    def remove(self):
        shutil.rmtree(self.var, ignore_errors=True)


# The shared server's "today" is fixed: the demo dates its rows from it and the tests name their months, so a run
# on another day (or after 16:00 UTC, when Shanghai's day has turned) sees the same ledger.
SESSION_TODAY = "2026-11-30"


@pytest.fixture(scope="session")
def server():
    s = Server().start(today=SESSION_TODAY)
    yield s.base
    s.stop()
    s.remove()


@pytest.fixture
def fresh_server():
    s = Server()
    yield s
    if s.proc and s.proc.poll() is None:
        s.stop()
    s.remove()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def login(driver, base, username, password=DEMO_PASSWORD):
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    # Wait for the answer page to replace the form (a signed-in user's login page has a user bar too).
    submit(driver, driver.find_element(By.ID, "login-submit"))
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "who") or d.find_elements(By.ID, "login-error"))


def submit(driver, element):
    """Clicks a submit button and waits until the answer page has replaced this one and loaded.
    A mark on the old window object tells the pages apart without holding on to old DOM nodes."""
    driver.execute_script("window.__bangfuOldPage = true")
    element.click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return window.__bangfuOldPage === undefined && document.readyState === 'complete'"))


def finish_job(driver):
    """On a job's page (it reloads itself while the job waits or runs): waits for the end, checks it went well,
    and follows the page's link back to where the result is shown. Returns the job's sentence."""
    # The page reloads itself while the job runs: an element read during a reload is stale, and read again.
    WebDriverWait(driver, 60, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_elements(By.ID, "job")
        and d.find_element(By.ID, "job").get_attribute("data-state") not in ("queued", "running"))
    job = driver.find_element(By.ID, "job")
    assert job.get_attribute("data-state") == "done", job.text
    said = driver.find_element(By.ID, "job-result").text
    shot(driver, "job-" + driver.find_element(By.TAG_NAME, "h1").text)
    submit(driver, driver.find_element(By.ID, "job-back"))
    return said


def shot(driver, name):
    SHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
