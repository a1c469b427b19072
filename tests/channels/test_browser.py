"""End-to-end: the chat page in a real headless Chromium against a real uvicorn server.

One server and one browser per module (Debian's ``chromium`` and ``chromedriver``; no network,
no Selenium Manager download). Without them the module skips, unless
``WHISPR_REQUIRE_BROWSER=1`` (CI), where it fails instead.

Expected numbers are worked by hand from the shipped SPY data for 2019-06-12: previous close
288.90 and ATR 3.49, so the put trigger is 288.90 - 0.236 x 3.49 = 288.08 and the call trigger
288.90 + 0.236 x 3.49 = 289.72.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from integrations.alerts.live import replay_engine
from integrations.alerts.monitor import Monitor
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.watchstore import SqliteWatchStore
from integrations.marketdata.files import FileSource, samples_dir
from integrations.web.app import create_app
from tests.channels.conftest import PASSWORD, PUT_TRIGGER_QUESTION, World, hand_wilder_atr

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 20
PUT_TRIGGER = "288.08"  # 288.90 - 0.236 * 3.49
CALL_TRIGGER = "289.72"  # 288.90 + 0.236 * 3.49
TABLE_QUESTION = "SPY day levels for June 12, 2019"
CHART_QUESTION = "show me a chart of SPY levels for June 12, 2019"
XSS = "<img src=x onerror=alert(1)>"
LOCAL_HOSTS = {"127.0.0.1"}
# what reaches a network; chrome:, chrome-untrusted:, data: and blob: URLs stay in the browser
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp"}


def _browser_missing() -> str | None:
    """Return why the browser cannot run here, or None when it can."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


_WHY = _browser_missing()
if _WHY is not None:
    if os.environ.get("WHISPR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"WHISPR_REQUIRE_BROWSER=1 but the browser test cannot run: {_WHY}", False)
    pytest.skip(f"browser end-to-end tests skipped: {_WHY}", allow_module_level=True)

import uvicorn  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _start_replay(app: FastAPI, world: World) -> None:
    """Run the live engine on the offline replay clock (1200× real time) into the app's
    status, as ``whispr serve`` does with no provider; its alert store is its own (empty)."""
    store = SqliteAlertStore(world.settings.home / "replay-alerts.sqlite")
    monitor = Monitor(store, FileSource(samples_dir()), lambda d, m: None)
    engine = replay_engine(
        monitor, monitor.source, ["SPX", "SPY"], speed=1200, sessions=3, status=app.state.live
    )
    threading.Thread(target=asyncio.run, args=(engine.run(),), daemon=True).start()


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    """Yield the base URL of a real uvicorn server running the app on a free local port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(world.service, world.settings)
    _start_replay(app, world)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=3,
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start within 15 s"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Yield a headless Chromium driven by Debian's chromedriver, with its performance log."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not try to download anything
        driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver) -> WebDriverWait:
    """Return a WebDriverWait of ``WAIT_SECONDS`` on ``driver``."""
    return WebDriverWait(driver, WAIT_SECONDS)


def visible(driver: WebDriver, element_id: str) -> WebElement:
    """Return the element ``element_id`` once it is displayed."""
    return wait(driver).until(ec.visibility_of_element_located((By.ID, element_id)))


def open_page(driver: WebDriver, base: str, logged_out: bool = False) -> None:
    """Load the chat page (without the session cookie when ``logged_out``)."""
    driver.get(base + "/")
    if logged_out:
        driver.delete_all_cookies()
        driver.get(base + "/")


def log_in(driver: WebDriver, username: str, password: str) -> None:
    """Fill in and submit the login form (which must be showing)."""
    visible(driver, "login-form")
    for field, value in (("username", username), ("password", password)):
        box = driver.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    driver.find_element(By.ID, "login-button").click()


def signed_in(driver: WebDriver, base: str, username: str = "alice") -> None:
    """Open the page logged in as ``username`` (logging in when needed) on a new chat."""
    open_page(driver, base)
    wait(driver).until(
        lambda d: (
            d.find_element(By.ID, "app").is_displayed()
            or d.find_element(By.ID, "login").is_displayed()
        )
    )
    if driver.find_element(By.ID, "login").is_displayed():
        log_in(driver, username, PASSWORD)
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "who"), f"{username} ("))
    driver.find_element(By.ID, "new-thread").click()
    wait(driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#conversation .msg"))


def ask(driver: WebDriver, question: str) -> WebElement:
    """Send ``question`` through the page; return the finished assistant message element."""
    before = len(driver.find_elements(By.CSS_SELECTOR, "#conversation .msg.assistant"))
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    driver.find_element(By.ID, "send").click()

    def finished(d: WebDriver) -> WebElement | bool:
        answers = d.find_elements(By.CSS_SELECTOR, "#conversation .msg.assistant")
        if len(answers) > before and answers[-1].get_attribute("data-state") == "done":
            return answers[-1]
        return False

    answer = wait(driver).until(finished)
    wait(driver).until(ec.element_to_be_clickable((By.ID, "send")))
    return answer


def thread_items(driver: WebDriver) -> list[WebElement]:
    """Return the sidebar's thread entries."""
    return driver.find_elements(By.CSS_SELECTOR, "#threads li[data-thread]")


def test_login_form_rejects_a_wrong_password_then_logs_in(browser: WebDriver, server: str):
    """The login form shows the server's refusal, then the app view as alice (trader)."""
    open_page(browser, server, logged_out=True)
    assert visible(browser, "login-form")
    assert not browser.find_element(By.ID, "app").is_displayed()

    log_in(browser, "alice", "not the password")
    error = wait(browser).until(
        lambda d: d.find_element(By.ID, "login-error").text.strip() or False
    )
    assert "invalid" in error.lower() or "password" in error.lower(), error
    assert browser.find_element(By.ID, "login-error").is_displayed()
    assert not browser.find_element(By.ID, "app").is_displayed()

    log_in(browser, "alice", PASSWORD)
    visible(browser, "app")
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "who"), "alice (trader)"))
    assert not browser.find_element(By.ID, "login").is_displayed()
    assert browser.find_element(By.ID, "login-error").text == ""


def test_put_trigger_answer_shows_the_number_and_the_tools_that_ran(
    browser: WebDriver, server: str
):
    """The streamed answer holds 288.08 and a badge for the atr_levels call that gave it."""
    signed_in(browser, server)
    answer = ask(browser, PUT_TRIGGER_QUESTION)
    assert PUT_TRIGGER in answer.find_element(By.CSS_SELECTOR, ".body").text
    assert "status-ok" in answer.get_attribute("class")
    tools = answer.find_elements(By.CSS_SELECTOR, ".tools .tool")
    assert [t.find_element(By.CSS_SELECTOR, ".name").text for t in tools] == ["atr_levels"]
    assert "success" in tools[0].get_attribute("class")
    assert "level=-0.236" not in tools[0].text  # compact: the arguments show on click
    tools[0].click()
    assert "level=-0.236" in tools[0].text and tools[0].get_attribute("aria-expanded") == "true"
    user = browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.user")
    assert [u.text for u in user] == [PUT_TRIGGER_QUESTION]
    assert browser.find_element(By.ID, "thread-title").text == PUT_TRIGGER_QUESTION


def test_levels_table_renders_as_an_html_table(browser: WebDriver, server: str):
    """A levels answer is an HTML table; the -0.236 row reads 288.08, prices right-aligned."""
    signed_in(browser, server)
    answer = ask(browser, TABLE_QUESTION)
    table = answer.find_element(By.CSS_SELECTOR, ".body table")
    header = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    assert header[:2] == ["level", "price"]
    rows = {}
    for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = tr.find_elements(By.TAG_NAME, "td")
        rows[cells[0].text] = cells
    assert rows["-0.236"][1].text == PUT_TRIGGER
    assert rows["+0.236"][1].text == CALL_TRIGGER
    assert rows["0"][1].text == "288.90"
    price = rows["-0.236"][1]
    assert price.value_of_css_property("text-align") == "right"
    assert rows["-0.236"][0].value_of_css_property("text-align") == "left"
    assert rows["-0.236"][2].text == "put trigger"


def test_chart_answer_offers_its_png_which_loads(browser: WebDriver, server: str):
    """A chart answer (drawn interactively: test_browser_chat_chart) keeps its PNG as a download
    from /api/charts/ on this server, and the image really loads."""
    signed_in(browser, server)
    answer = ask(browser, CHART_QUESTION)
    link = answer.find_element(By.CSS_SELECTOR, ".body figure.live-chart a.chart-png")
    path = urlsplit(link.get_attribute("href"))
    assert path.netloc == urlsplit(server).netloc
    assert path.path.startswith("/api/charts/") and path.path.endswith(".png")
    size = browser.execute_async_script(
        "const done = arguments[1]; const img = new Image();"
        "img.onload = () => done([img.naturalWidth, img.naturalHeight]);"
        "img.onerror = () => done(null); img.src = arguments[0];",
        link.get_attribute("href"),
    )
    assert size is not None and size[0] > 0 and size[1] > 0


def test_threads_list_new_chat_reopen_and_reload(browser: WebDriver, server: str):
    """Threads: listed after asking, New chat clears, reopening reloads, reload keeps the login."""
    signed_in(browser, server)
    ask(browser, PUT_TRIGGER_QUESTION)
    wait(browser).until(
        lambda d: any("active" in (t.get_attribute("class") or "") for t in thread_items(d))
    )
    active = next(t for t in thread_items(browser) if "active" in t.get_attribute("class"))
    thread_id = active.get_attribute("data-thread")
    assert PUT_TRIGGER_QUESTION in active.text

    browser.find_element(By.ID, "new-thread").click()
    wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#conversation .msg"))
    assert browser.find_element(By.ID, "thread-title").text == "New chat"

    selector = f'#threads li[data-thread="{thread_id}"]'
    browser.find_element(By.CSS_SELECTOR, selector).click()
    wait(browser).until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "#conversation .msg.assistant"), PUT_TRIGGER
        )
    )
    assert browser.find_element(By.ID, "thread-title").text == PUT_TRIGGER_QUESTION
    assert [u.text for u in browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.user")] == [
        PUT_TRIGGER_QUESTION
    ]

    browser.refresh()
    visible(browser, "app")
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "who"), "alice (trader)"))
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))
    assert not browser.find_element(By.ID, "login").is_displayed()


def test_follow_up_keeps_the_thread_context(browser: WebDriver, server: str):
    """'and the call trigger?' after the put trigger answers 289.72 for the same symbol and day."""
    signed_in(browser, server)
    first = ask(browser, PUT_TRIGGER_QUESTION)
    assert PUT_TRIGGER in first.text
    second = ask(browser, "and the call trigger?")
    body = second.find_element(By.CSS_SELECTOR, ".body").text
    assert CALL_TRIGGER in body and "2019-06-12" in body
    badge = second.find_element(By.CSS_SELECTOR, ".tools .tool")
    badge.click()  # the badge's details: the arguments the follow-up carried over
    assert "level=+0.236" in badge.text and "symbol=SPY" in badge.text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.assistant")) == 2
    active = [t for t in thread_items(browser) if "active" in t.get_attribute("class")]
    assert len(active) == 1 and PUT_TRIGGER_QUESTION in active[0].text


def test_a_thread_is_renamed_and_deleted_from_the_sidebar(
    browser: WebDriver, server: str, world: World
):
    """The sidebar's rename button prompts for a title (an empty one shows the server's rule);
    its delete button asks first, and deleting the open thread starts a new chat."""
    kept = world.client.post(
        "/api/ask",
        json={"question": TABLE_QUESTION, "thread": "ui-kept"},
        headers=world.auth("alice"),
    )
    assert kept.status_code == 200, kept.text
    signed_in(browser, server)
    ask(browser, PUT_TRIGGER_QUESTION)
    wait(browser).until(
        lambda d: any("active" in (t.get_attribute("class") or "") for t in thread_items(d))
    )
    active = next(t for t in thread_items(browser) if "active" in t.get_attribute("class"))
    thread_id = active.get_attribute("data-thread")
    selector = f'#threads li[data-thread="{thread_id}"]'
    rename = active.find_element(By.CSS_SELECTOR, "button.rename")
    assert rename.get_attribute("aria-label") == f"Rename thread \u201c{PUT_TRIGGER_QUESTION}\u201d"
    assert active.find_element(By.CSS_SELECTOR, "button.delete").get_attribute("aria-label")

    rename.click()
    prompt = wait(browser).until(ec.alert_is_present())
    assert "title" in prompt.text.lower()
    prompt.send_keys("  SPY put trigger, June 2019  ")
    prompt.accept()
    wait(browser).until(
        ec.text_to_be_present_in_element(
            (By.CSS_SELECTOR, f"{selector} .title"), "SPY put trigger, June 2019"
        )
    )
    assert browser.find_element(By.ID, "thread-title").text == "SPY put trigger, June 2019"
    title = world.client.get(f"/api/threads/{thread_id}", headers=world.auth("alice")).json()
    assert title["title"] == "SPY put trigger, June 2019"

    browser.find_element(By.CSS_SELECTOR, f"{selector} button.rename").click()
    prompt = wait(browser).until(ec.alert_is_present())
    prompt.send_keys("   ")
    prompt.accept()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "thread-error"), "1-120"))
    assert browser.find_element(By.ID, "thread-title").text == "SPY put trigger, June 2019"

    browser.find_element(By.CSS_SELECTOR, f"{selector} button.delete").click()
    wait(browser).until(ec.alert_is_present()).dismiss()  # cancelled: nothing happens
    assert browser.find_elements(By.CSS_SELECTOR, selector)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#conversation .msg")) == 2

    browser.find_element(By.CSS_SELECTOR, f"{selector} button.delete").click()
    confirm = wait(browser).until(ec.alert_is_present())
    assert "SPY put trigger, June 2019" in confirm.text
    confirm.accept()
    wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, selector))
    assert browser.find_element(By.ID, "thread-title").text == "New chat"
    assert not browser.find_elements(By.CSS_SELECTOR, "#conversation .msg")
    assert browser.find_elements(By.CSS_SELECTOR, '#threads li[data-thread="ui-kept"]')
    assert browser.find_element(By.ID, "thread-error").text == ""
    gone = world.client.get(f"/api/threads/{thread_id}", headers=world.auth("alice"))
    assert gone.status_code == 404
    saver = world.service.checkpointer
    assert saver is not None
    key = {"configurable": {"thread_id": f"alice/{thread_id}", "checkpoint_ns": ""}}
    assert saver.get_tuple(key) is None
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018


def _requested_urls(driver: WebDriver) -> set[str]:
    """Return every URL the browser requested, from its performance log and the page's timing."""
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
    urls.update(
        driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([location.href])"
        )
    )
    return urls


def test_logout_and_no_request_leaves_localhost(browser: WebDriver, server: str):
    """Logging out shows the login form and clears the page; no request went beyond 127.0.0.1."""
    signed_in(browser, server)
    ask(browser, CHART_QUESTION)
    browser.find_element(By.ID, "logout").click()
    visible(browser, "login-form")
    assert not browser.find_element(By.ID, "app").is_displayed()
    assert browser.find_element(By.ID, "who").text == ""
    assert not thread_items(browser)

    browser.refresh()  # the session cookie is gone: the login form again
    visible(browser, "login-form")

    urls = _requested_urls(browser)
    assert any("/api/chart/SPY?" in u for u in urls)  # the chat chart's data
    assert any(u.endswith("/static/app.js") for u in urls)
    network = [u for u in urls if urlsplit(u).scheme in NETWORK_SCHEMES]
    foreign = sorted(u for u in network if urlsplit(u).hostname not in LOCAL_HOSTS)
    assert foreign == []


def test_markup_in_a_question_is_shown_as_text(browser: WebDriver, server: str):
    """Markup typed as a question is shown as text: no injected element, no alert, no JS error."""
    signed_in(browser, server)
    browser.get_log("browser")  # drop earlier messages (the logged-out page's 401s)
    answer = ask(browser, XSS)
    assert answer.text
    user = browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.user")
    assert user[-1].text == XSS
    assert browser.find_element(By.ID, "thread-title").text == XSS
    wait(browser).until(lambda d: any(t.text.endswith(XSS) for t in thread_items(d)))
    injected = browser.execute_script(
        "return [...document.querySelectorAll('img')].filter("
        "i => i.getAttribute('src') === 'x' || i.hasAttribute('onerror')).length"
    )
    assert injected == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_screenshot_of_a_conversation(browser: WebDriver, server: str, tmp_path: Path):
    """The page with a conversation fits the window; a PNG goes to $WHISPR_SCREENSHOT (or tmp)."""
    signed_in(browser, server)
    ask(browser, PUT_TRIGGER_QUESTION)
    ask(browser, TABLE_QUESTION)
    browser.execute_script("document.getElementById('conversation').scrollTop = 0")
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways"
    shot = Path(os.environ.get("WHISPR_SCREENSHOT", tmp_path / "whispr-chat.png"))
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_an_empty_thread_offers_examples_that_ask_when_clicked(browser: WebDriver, server: str):
    """A new thread shows example questions; clicking one asks it and the examples go away."""
    signed_in(browser, server)
    examples = browser.find_elements(By.CSS_SELECTOR, "#examples .example")
    assert "SPX day levels" in [e.text for e in examples]
    before = len(browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.assistant"))
    next(e for e in examples if e.text == "SPX day levels").click()
    wait(browser).until(
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, "#conversation .msg.assistant[data-state=done]"))
            > before
        )
    )
    assert not browser.find_elements(By.ID, "examples")
    users = [u.text for u in browser.find_elements(By.CSS_SELECTOR, "#conversation .msg.user")]
    assert users == ["SPX day levels"]


def test_a_table_exports_as_csv(browser: WebDriver, server: str):
    """Each table has a CSV button; the file it builds has the table's header and rows."""
    signed_in(browser, server)
    answer = ask(browser, TABLE_QUESTION)
    csv = browser.execute_script(
        "return tableCsv({header: ['level', 'price'], rows: [['-0.236', '288.08'], ['a \"b\"', 'x,y']]})"
    )
    assert csv == '"level","price"\r\n"-0.236","288.08"\r\n"a ""b""","x,y"\r\n'
    buttons = [b.text for b in answer.find_elements(By.CSS_SELECTOR, ".table-tools button")]
    assert buttons == ["CSV", "Copy"]


def test_phone_width_has_no_sideways_scroll_and_send_is_visible(
    browser: WebDriver, server: str, tmp_path: Path
):
    """At 390 px (a phone) a wide levels table and an alert list scroll inside their answer;
    the page itself never scrolls sideways and Send stays on screen."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        signed_in(browser, server)
        ask(browser, TABLE_QUESTION)
        ask(browser, "alert me when SPY loses the put trigger after 2pm")
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert width == 390
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "the page scrolls sideways at phone width"
        send = browser.find_element(By.ID, "send").rect
        assert send["x"] >= 0 and send["x"] + send["width"] <= 390, send
        shot = tmp_path / "whispr-phone.png"
        assert browser.save_screenshot(str(shot))
        for action in ("rename", "delete"):  # the open thread's buttons fit on screen too
            button = browser.find_element(By.CSS_SELECTOR, f"#threads li.active button.{action}")
            browser.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", button)
            box = button.rect
            assert button.is_displayed() and 0 <= box["x"] and box["x"] + box["width"] <= 390, box
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


ALERT_QUESTION = "alert me when SPY loses the put trigger"
POLL_MS = 300  # the page's inbox poll in these tests (10 s by default)


@pytest.fixture
def fast_poll(browser: WebDriver, server: str) -> Iterator[None]:
    """Make the page poll its inbox every ``POLL_MS`` (from the next load) for one test."""
    open_page(browser, server)
    browser.execute_script(f"localStorage.setItem('whispr.pollMs', '{POLL_MS}')")
    yield
    browser.execute_script("localStorage.removeItem('whispr.pollMs')")


def alert_items(driver: WebDriver) -> list[WebElement]:
    """Return the sidebar's alert entries."""
    return driver.find_elements(By.CSS_SELECTOR, "#alert-list li[data-alert]")


def api_alerts(world: World, name: str) -> list[dict]:
    """Return ``name``'s alerts as the API lists them."""
    response = world.client.get("/api/alerts", headers=world.auth(name))
    assert response.status_code == 200, response.text
    return response.json()["alerts"]


def api_notifications(world: World, name: str) -> list[dict]:
    """Return ``name``'s notifications as the API lists them."""
    response = world.client.get("/api/notifications", headers=world.auth(name))
    assert response.status_code == 200, response.text
    return response.json()


def deliver(world: World, destination: str, message: str) -> None:
    """Post ``message`` to ``destination`` the way a firing alert does."""
    from integrations.alerts.delivery import ChannelRouter

    ChannelRouter(inbox=world.service.activity)(destination, message)


def read_all(world: World, name: str) -> None:
    """Mark every notification of ``name`` read (earlier tests may have left some)."""
    response = world.client.post(
        "/api/notifications/read", json={"up_to": 10**9}, headers=world.auth(name)
    )
    assert response.status_code == 200, response.text


def badge(driver: WebDriver) -> str:
    """Return the unread badge's text, or '' when it is hidden."""
    element = driver.find_element(By.ID, "badge")
    return element.text if element.is_displayed() else ""


def test_alert_made_in_chat_is_listed_paused_resumed_and_deleted(
    browser: WebDriver, server: str, world: World
):
    """An alert asked for in chat shows in the sidebar; Pause, Resume and Delete reach the API."""
    for alert in api_alerts(world, "alice"):
        world.client.delete(f"/api/alerts/{alert['id']}", headers=world.auth("alice"))
    signed_in(browser, server)
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "alert-list"), "No alerts yet"))
    answer = ask(browser, ALERT_QUESTION)
    names = [t.text for t in answer.find_elements(By.CSS_SELECTOR, ".tools .tool .name")]
    assert names == ["create_alert"]

    item = wait(browser).until(lambda d: alert_items(d)[0] if alert_items(d) else False)
    alert_id = item.get_attribute("data-alert")
    assert [a["id"] for a in api_alerts(world, "alice")] == [alert_id]
    text = item.text
    for expected in ("SPY", "down", "-0.236", "web:alice", "Pause", "Delete"):
        assert expected in text, (expected, text)
    assert item.get_attribute("data-paused") == "false"
    selector = f'#alert-list li[data-alert="{alert_id}"]'

    def entry_paused(value: str):
        located = (By.CSS_SELECTOR, f'{selector}[data-paused="{value}"]')
        return ec.presence_of_element_located(located)

    item.find_element(By.CSS_SELECTOR, "button.toggle").click()
    item = wait(browser).until(entry_paused("true"))
    assert "paused" in item.find_element(By.CSS_SELECTOR, ".state").text.lower()
    assert item.find_element(By.CSS_SELECTOR, ".toggle").text == "Resume"
    assert api_alerts(world, "alice")[0]["paused"] is True

    item.find_element(By.CSS_SELECTOR, "button.toggle").click()
    item = wait(browser).until(entry_paused("false"))
    assert not item.find_elements(By.CSS_SELECTOR, ".state")
    assert api_alerts(world, "alice")[0]["paused"] is False

    browser.find_element(By.CSS_SELECTOR, f"{selector} button.delete").click()
    wait(browser).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, f"{selector} .delete"), "Delete?")
    )
    assert api_alerts(world, "alice") != []  # the first click only asks
    browser.find_element(By.CSS_SELECTOR, f"{selector} button.delete").click()
    wait(browser).until(lambda d: not alert_items(d))
    assert api_alerts(world, "alice") == []
    assert browser.find_element(By.ID, "alert-error").text == ""


def test_delivered_notification_shows_a_badge_a_toast_and_is_marked_read(
    browser: WebDriver, server: str, world: World, fast_poll: None
):
    """A notification for alice appears by polling (badge 1, toast); opening the list reads it."""
    read_all(world, "alice")
    signed_in(browser, server)
    wait(browser).until(lambda d: not d.find_element(By.ID, "badge").is_displayed())
    message = f"SPY lost the put trigger (-0.236) at {PUT_TRIGGER} (test 2)"
    deliver(world, "web:alice", message)

    wait(browser).until(lambda d: badge(d) == "1")
    toast = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#toasts .toast"))
    )
    assert PUT_TRIGGER in toast.text and message in toast.text
    assert not browser.find_element(By.ID, "notices").is_displayed()
    assert api_notifications(world, "alice")[-1]["read"] is False

    browser.find_element(By.ID, "bell").click()
    visible(browser, "notices")
    newest = browser.find_element(By.CSS_SELECTOR, "#notice-list li[data-notice]")
    assert message in newest.text
    wait(browser).until(lambda d: badge(d) == "")
    assert browser.find_element(By.ID, "bell").get_attribute("aria-expanded") == "true"
    latest = api_notifications(world, "alice")[-1]
    assert latest["message"] == message and latest["read"] is True
    assert not browser.find_elements(By.CSS_SELECTOR, "#toasts .toast")

    browser.find_element(By.ID, "bell").click()  # closes the list again
    wait(browser).until(lambda d: not d.find_element(By.ID, "notices").is_displayed())


def test_notifications_reach_only_their_own_user(
    browser: WebDriver, server: str, world: World, fast_poll: None
):
    """A message to web:alice is not bob's; one to web:bob never shows on alice's page."""
    read_all(world, "alice")
    bob_before = len(api_notifications(world, "bob"))
    signed_in(browser, server)
    for_alice = f"SPY lost the put trigger (-0.236) at {PUT_TRIGGER} (for alice)"
    for_bob = "SPY reclaimed the call trigger (+0.236) at 289.72 (for bob)"

    deliver(world, "web:alice", for_alice)
    assert len(api_notifications(world, "bob")) == bob_before
    assert all(n["message"] != for_alice for n in api_notifications(world, "bob"))
    deliver(world, "web:bob", for_bob)
    assert api_notifications(world, "bob")[-1]["message"] == for_bob
    assert all(n["message"] != for_bob for n in api_notifications(world, "alice"))

    deliver(world, "web:alice", for_alice + " again")  # after bob's, so one poll covers both
    wait(browser).until(lambda d: badge(d) == "2")
    browser.find_element(By.ID, "bell").click()
    visible(browser, "notices")
    wait(browser).until(lambda d: badge(d) == "")
    shown = [
        li.text for li in browser.find_elements(By.CSS_SELECTOR, "#notice-list li[data-notice]")
    ]
    assert for_alice + " again" in shown[0] and for_alice in shown[1]  # newest first
    assert not any(for_bob in text for text in shown)
    assert "for bob" not in browser.find_element(By.ID, "toasts").text
    browser.find_element(By.ID, "bell").click()


def test_the_page_opens_on_a_dashboard_that_moves_with_the_replay(
    browser: WebDriver, server: str, tmp_path: Path
):
    """After login the dashboard shows SPX and SPY from the live engine (the offline replay
    clock here): prices move within 2 s, the Day levels match a hand computation, both golden
    gates have a state; at 1400 and 390 px it fits; screenshots go to $WHISPR_SCREENSHOT_DIR (or
    tmp) for review."""
    open_page(browser, server)
    wait(browser).until(
        lambda d: (
            d.find_element(By.ID, "app").is_displayed()
            or d.find_element(By.ID, "login").is_displayed()
        )
    )
    if browser.find_element(By.ID, "login").is_displayed():
        log_in(browser, "alice", PASSWORD)
    visible(browser, "dashboard")
    assert not browser.find_element(By.ID, "chat-view").is_displayed()

    def texts(d: WebDriver, css: str) -> list[str]:  # read in one go: rows update every tick
        script = "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)"
        return list(d.execute_script(script, css))

    def rows(d: WebDriver) -> list[str]:
        return texts(d, "#watchlist tbody tr")

    wait(browser).until(lambda d: len(rows(d)) == 2 and all("–" not in r for r in rows(d)))
    first_line = browser.find_element(By.ID, "live-line").text
    assert first_line.startswith("Replay of 2026-02-11, 2026-02-12, 2026-02-13")
    before = rows(browser)
    WebDriverWait(browser, 2).until(lambda d: rows(d) != before)  # moved within 2 s
    assert [r.split()[0] for r in rows(browser)] == ["SPX", "SPY"]
    session = browser.find_element(By.ID, "live-line").text.split("session ")[1][:10]
    daily = FileSource(samples_dir()).bars("SPX", "1d")
    prior = daily.loc[: str(dt.date.fromisoformat(session) - dt.timedelta(days=1))]
    pc, atr = float(prior["close"].iloc[-1]), round(hand_wilder_atr(prior), 2)
    day = texts(browser, "#modes tbody tr")[0].split()
    assert day[:3] == ["Day", f"{pc:.2f}", f"{atr:.2f}"]
    assert day[7] == f"{pc + 0.236 * atr:.2f}"  # the call trigger, by hand
    modes = [r.split()[0] for r in texts(browser, "#modes tbody tr")]
    assert modes == ["Day", "Weekly", "Monthly", "Quarterly", "Yearly"]
    gates = texts(browser, "#gates li")
    assert [g.split()[0] for g in gates] == ["Bull", "Bear"]
    browser.find_element(By.CSS_SELECTOR, "#watchlist tbody tr[data-symbol=SPY]").click()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "detail-title"), "SPY today"))
    folder = Path(os.environ.get("WHISPR_SCREENSHOT_DIR", tmp_path))
    size = browser.get_window_size()
    browser.set_window_size(1400, 900)
    try:
        assert browser.save_screenshot(str(folder / "whispr-dashboard-1400.png"))
    finally:
        browser.set_window_size(size["width"], size["height"])
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "the dashboard scrolls sideways at phone width"
        assert browser.save_screenshot(str(folder / "whispr-dashboard-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.find_element(By.ID, "tab-chat").click()
    visible(browser, "question")


def chart_state(driver: WebDriver) -> dict:
    """Return the page's ``window.whisprChart``: what the dashboard chart has drawn."""
    return driver.execute_script("return window.whisprChart")


def test_dashboard_chart_draws_the_levels_moves_switches_and_fits_a_phone(
    browser: WebDriver, server: str, tmp_path: Path
):
    """The dashboard's candlestick chart (vendored lightweight-charts) shows SPX with the 13 Day
    levels of the replayed session as labelled price lines (the call trigger matches a hand
    computation), the five ribbon EMAs and the oscillator; it moves with the replay, its bar-size
    buttons re-draw it, it logs no error (CSP included) and fits 390 px; screenshots at 1400 and
    390 px go to $WHISPR_SCREENSHOT_DIR (or tmp)."""
    open_page(browser, server)
    wait(browser).until(
        lambda d: (
            d.find_element(By.ID, "app").is_displayed()
            or d.find_element(By.ID, "login").is_displayed()
        )
    )
    if browser.find_element(By.ID, "login").is_displayed():
        log_in(browser, "alice", PASSWORD)
    browser.get_log("browser")  # drop earlier messages (the logged-out page's 401s)
    visible(browser, "chart")
    wait(browser).until(lambda d: (chart_state(d) or {}).get("symbol") == "SPX")
    drawn = chart_state(browser)
    assert drawn["timeframe"] == "5m" and drawn["mode"] == "day" and drawn["candles"] > 50
    assert drawn["drawnLines"] == len(drawn["lines"]) == 13
    assert all(n > 0 for n in drawn["emas"].values()) and set(drawn["emas"]) == {
        "ema8", "ema13", "ema21", "ema48", "ema200"
    }  # fmt: skip
    assert drawn["phase"] > 0
    assert browser.find_elements(By.CSS_SELECTOR, "#chart canvas")

    session = drawn["session"]
    daily = FileSource(samples_dir()).bars("SPX", "1d")
    prior = daily.loc[: str(dt.date.fromisoformat(session) - dt.timedelta(days=1))]
    pc, atr = float(prior["close"].iloc[-1]), round(hand_wilder_atr(prior), 2)
    call = next(line for line in drawn["lines"] if line["key"] == "+0.236")
    assert f"{call['price']:.2f}" == f"{pc + 0.236 * atr:.2f}"
    assert call["label"] == f"call trigger +0.236 {pc + 0.236 * atr:.2f}"
    assert call["title"] == "call trigger +0.236"  # on the chart; the price is on the axis
    assert call["drawn"] == call["price"]
    last = drawn["last"]
    minute = last["time"] % 86400 // 60  # the axis time is the Eastern wall clock
    assert 9 * 60 + 30 <= minute < 16 * 60, minute

    def moved(d: WebDriver) -> bool:
        now = chart_state(d)
        return now["last"] != last or now["loads"] > drawn["loads"]

    WebDriverWait(browser, 5).until(moved)  # live: the last candle or a new bar

    for tf, step, anchor in (("1h", 3600, 34200), ("D", 86400, 0), ("5m", 300, 34200)):
        browser.find_element(By.CSS_SELECTOR, f'#chart-tfs button[data-tf="{tf}"]').click()
        wait(browser).until(lambda d, tf=tf: chart_state(d).get("timeframe") == tf)
        state = chart_state(browser)
        assert (state["last"]["time"] - anchor) % step == 0, state  # 09:30-anchored; midnight
        pressed = browser.find_element(By.CSS_SELECTOR, f'#chart-tfs button[data-tf="{tf}"]')
        assert pressed.get_attribute("aria-pressed") == "true"
        assert state["drawnLines"] == 13
    assert browser.find_element(By.ID, "chart-title").text.startswith("SPX 5m · Day levels for")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

    folder = Path(os.environ.get("WHISPR_SCREENSHOT_DIR", tmp_path))
    scroll = "document.getElementById('chart-panel').scrollIntoView({block: 'start'})"
    size = browser.get_window_size()
    browser.set_window_size(1400, 900)
    try:
        browser.execute_script(scroll)
        assert browser.save_screenshot(str(folder / "whispr-chart-1400.png"))
    finally:
        browser.set_window_size(size["width"], size["height"])
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        browser.execute_script(scroll)
        wait(browser).until(lambda d: d.find_element(By.ID, "chart").rect["width"] <= 390)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "the chart makes the page scroll sideways at phone width"
        box = browser.find_element(By.ID, "chart").rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box

        def key_titles(d: WebDriver) -> bool:  # on a phone the lines are labelled by key only
            return all(x["title"] == x["key"] for x in chart_state(d)["lines"])

        wait(browser).until(key_titles)
        assert browser.save_screenshot(str(folder / "whispr-chart-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# ---- the Trading tab: alerts, strategies, paper trading and briefings without a command ----


def chrome_log(driver: WebDriver, kind: str) -> list[dict[str, Any]]:
    """Return (and clear) Chromium's ``kind`` log: ``browser`` or ``performance``."""
    return cast(webdriver.Chrome, driver).get_log(kind)


def trading(driver: WebDriver, base: str, page: str) -> WebElement:
    """Open the Trading tab's ``page`` (alerts, strategies, paper or briefings) as alice."""
    signed_in(driver, base)
    driver.find_element(By.ID, "tab-work").click()
    driver.find_element(By.ID, f"work-tab-{page}").click()
    return visible(driver, f"work-{page}")


def fill(form: WebElement, **values: str) -> None:
    """Type ``values`` into the form's inputs, or pick them in its selects, by field name."""
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        else:
            field.clear()
            field.send_keys(value)


def listed(driver: WebDriver, list_id: str) -> list[WebElement]:
    """Return the entries of a Trading-tab list (alerts, watches, briefings) that have an id."""
    return driver.find_elements(By.CSS_SELECTOR, f"#{list_id} li[data-id]")


def entry(driver: WebDriver, list_id: str, item_id: str, paused: str | None = None) -> WebElement:
    """Wait for the entry ``item_id`` of ``list_id`` (in that paused state when given)."""
    selector = f'#{list_id} li[data-id="{item_id}"]'
    if paused is not None:
        selector += f'[data-paused="{paused}"]'
    return wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, selector)))


def delete_entry(driver: WebDriver, list_id: str, item_id: str) -> None:
    """Delete an entry with its two clicks (the first only asks) and wait until it is gone."""
    selector = f'#{list_id} li[data-id="{item_id}"] button.delete'
    driver.find_element(By.CSS_SELECTOR, selector).click()
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, selector), "Delete?"))
    driver.find_element(By.CSS_SELECTOR, selector).click()
    wait(driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, selector))


def api_list(world: World, path: str, key: str) -> list[dict]:
    """Return alice's ``key`` list from the API at ``path``."""
    response = world.client.get(path, headers=world.auth("alice"))
    assert response.status_code == 200, response.text
    return response.json()[key]


def paper_trades(world: World) -> None:
    """Journal a closed trade (+1.5, 1.2 R) and an open one for alice's first watch, as the
    live runner records them (not posted)."""
    store = SqliteWatchStore(world.home / "watches.sqlite")
    watch = store.watches("alice")[0]
    closed = {"entry_time": "2026-02-12T10:05:00-05:00", "side": "long", "qty": 1,
              "entry_price": 689.5, "stop": 688.25, "exit_time": "2026-02-12T11:40:00-05:00",
              "exit_price": 691.0, "reason": "target", "pnl": 1.5, "r_multiple": 1.2}  # fmt: skip
    store.record_entry(watch, closed, "entry", post=False)
    store.record_exit(watch, closed, "exit", post=False)
    still_open = {**closed, "entry_time": "2026-02-13T09:45:00-05:00"}
    store.record_entry(watch, still_open, "entry", post=False)


def test_trading_alert_form_creates_edits_pauses_and_deletes_an_alert(
    browser: WebDriver, server: str, world: World
):
    """The alert form makes an alert (the level's friendly name, hours and ribbon as asked); an
    unknown symbol's 404 shows as an error next to the form; Edit refuses an empty window in
    place, then changes the hours and drops the ribbon filter; Pause and the two-click Delete
    reach the API; the sidebar follows the tab, and the tab the sidebar."""
    for alert in api_list(world, "/api/alerts", "alerts"):
        world.client.delete(f"/api/alerts/{alert['id']}", headers=world.auth("alice"))
    page = trading(browser, server, "alerts")
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "work-alert-list"), "No alerts yet")
    )
    form = page.find_element(By.ID, "alert-form")
    fill(form, symbol="ZZZZ")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait(browser).until(ec.visibility_of_element_located((By.ID, "alert-form-error")))
    assert "no data for symbol 'ZZZZ'" in error.text
    assert api_list(world, "/api/alerts", "alerts") == []

    fill(form, symbol="SPY", level="+0.382")
    direction = Select(form.find_element(By.NAME, "direction")).first_selected_option
    assert direction.get_attribute("value") == "up"  # picked for a level above the close
    fill(form, ribbon="bullish", after="13:00")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: listed(d, "work-alert-list"))
    assert browser.find_element(By.ID, "alert-form-error").text == ""
    [made] = api_list(world, "/api/alerts", "alerts")
    assert (made["symbol"], made["level"], made["direction"]) == ("SPY", "+0.382", "up")
    assert (made["ribbon"], made["window"], made["destination"]) == (
        "bullish", "13:00-16:00", "web:alice"
    )  # fmt: skip
    item = entry(browser, "work-alert-list", made["id"])
    for expected in ("SPY", "crosses above the bull golden gate (+0.382)", "13:00-16:00 ET",
                     "bullish ribbon", "web:alice"):  # fmt: skip
        assert expected in item.text, (expected, item.text)
    wait(browser).until(lambda d: alert_items(d))  # the sidebar lists it too

    item.find_element(By.CSS_SELECTOR, "button.edit").click()
    editor = item.find_element(By.CSS_SELECTOR, "form.item-edit")
    assert editor.find_element(By.NAME, "after").get_attribute("value") == "13:00"
    fill(editor, before="12:00")  # before "after": refused, and the editor stays open
    editor.find_element(By.CSS_SELECTOR, "button.save").click()
    refused = (By.CSS_SELECTOR, "form.item-edit .error")
    wait(browser).until(ec.text_to_be_present_in_element(refused, "13:00-12:00 ET is empty"))
    assert api_list(world, "/api/alerts", "alerts")[0]["window"] == "13:00-16:00"
    fill(editor, before="15:00", ribbon="")
    editor.find_element(By.CSS_SELECTOR, "button.save").click()
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "work-alert-list"), "13:00-15:00 ET")
    )
    [edited] = api_list(world, "/api/alerts", "alerts")
    assert (edited["window"], edited["ribbon"]) == ("13:00-15:00", None)
    assert "any ribbon" in entry(browser, "work-alert-list", made["id"]).text
    # History: when it fired, from the alert store (recorded here as the live engine would)
    world.service.services["alerts"].record(
        made["id"], "2026-02-12", "2026-02-12T13:05:00", 684.52, 684.41, "fired"
    )
    entry(browser, "work-alert-list", made["id"]).find_element(By.CSS_SELECTOR, ".history").click()
    shown = (By.CSS_SELECTOR, f'#work-alert-list [data-id="{made["id"]}"] .alert-history')
    wait(browser).until(ec.text_to_be_present_in_element(shown, "2026-02-12 13:05:00 ET"))
    assert "684.52 (level 684.41)" in browser.find_element(*shown).text

    entry(browser, "work-alert-list", made["id"]).find_element(By.CSS_SELECTOR, ".toggle").click()
    paused = entry(browser, "work-alert-list", made["id"], paused="true")
    assert paused.find_element(By.CSS_SELECTOR, ".toggle").text == "Resume"
    assert api_list(world, "/api/alerts", "alerts")[0]["paused"] is True
    sidebar = f'#alert-list li[data-alert="{made["id"]}"]'
    wait(browser).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, sidebar), "Resume"))
    browser.find_element(By.CSS_SELECTOR, f"{sidebar} button.toggle").click()
    entry(browser, "work-alert-list", made["id"], paused="false")  # the tab follows the sidebar
    delete_entry(browser, "work-alert-list", made["id"])
    assert api_list(world, "/api/alerts", "alerts") == []
    wait(browser).until(lambda d: not alert_items(d))
    assert browser.find_element(By.ID, "work-alert-error").text == ""


def test_trading_strategy_backtest_shows_metrics_trades_and_the_equity_curve(
    browser: WebDriver, server: str, world: World
):
    """Picking a built-in strategy and Run backtest shows the API's metrics, its last trades and
    the equity-curve image (loaded); Watch it live opens paper trading with it selected."""
    page = trading(browser, server, "strategies")
    wait(browser).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#strategy-list .pick")) >= 9
    )
    names = [p.text.split("\n")[0] for p in page.find_elements(By.CSS_SELECTOR, ".pick")]
    assert {"Golden gate bull", "Vomy", "iVomy"} <= set(names)
    browser.find_element(By.CSS_SELECTOR, '#strategy-list .pick[data-id="builtin-vomy"]').click()
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "strategy-name"), "Vomy"))
    assert "short · 1h bars · v1 · built-in" in browser.find_element(By.ID, "strategy-meta").text
    browser.find_element(By.ID, "backtest-run").click()
    result = wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#backtest-result .stats"))
    )
    expected = world.client.post(
        "/api/strategies/builtin-vomy/backtest", json={}, headers=world.auth("alice")
    ).json()
    stats = dict(
        (s.find_element(By.TAG_NAME, "dt").text.lower(), s.find_element(By.TAG_NAME, "dd").text)
        for s in result.find_elements(By.CSS_SELECTOR, ".stat")
    )
    metrics = expected["metrics"]
    assert stats["trades"] == f"{metrics['trades']} ({metrics['wins']} won)"
    assert stats["win rate"] == f"{metrics['win_rate_pct']:.2f}%"
    assert stats["total p&l"] == f"{metrics['total_pnl']:+,.2f}"
    rows = browser.find_elements(By.CSS_SELECTOR, "#backtest-result > .table-wrap tbody tr")
    assert len(rows) == len(expected["last_trades"]) > 0
    newest = expected["last_trades"][-1]
    assert rows[0].text.startswith(f"{newest['entry']} {newest['exit']}")
    img = browser.find_element(By.CSS_SELECTOR, "#backtest-result figure.equity img")
    assert (img.get_attribute("src") or "").endswith(expected["chart"])
    wait(browser).until(lambda d: d.execute_script("return arguments[0].naturalWidth", img) > 0)

    browser.find_element(By.ID, "strategy-watch").click()
    visible(browser, "work-paper")
    strategy = browser.find_element(By.CSS_SELECTOR, "#watch-form select[name=strategy]")
    wait(browser).until(lambda d: Select(strategy).first_selected_option.text.startswith("Vomy"))


def test_trading_lists_your_strategy_first_with_its_versions_and_deletes_it(
    browser: WebDriver, server: str, world: World
):
    """A strategy of yours saved twice is listed first as v2, shows both versions when picked,
    and its two-click Delete removes it (every version) from the page and the API."""
    text = "long SPY when price crosses above the call trigger, target the midrange, stop at 0"
    drafted = world.client.post(
        "/api/strategies/draft", json={"text": text}, headers=world.auth("alice")
    )
    spec = drafted.json()["spec"]
    for target in ("+0.618", "+1"):
        spec["exit"]["target"] = target
        saved = world.client.post(
            "/api/strategies", json={"spec": spec}, headers=world.auth("alice")
        )
        assert saved.status_code == 201, saved.text
    trading(browser, server, "strategies")
    first = (By.CSS_SELECTOR, "#strategy-list li:first-child .pick")
    pick = wait(browser).until(ec.element_to_be_clickable(first))
    assert pick.get_attribute("data-id") == spec["spec_id"]
    assert pick.text.endswith("long · 5m bars · v2 · yours")
    pick.click()
    versions = (By.CSS_SELECTOR, "#strategy-versions li")
    wait(browser).until(lambda d: len(d.find_elements(*versions)) == 2)
    assert "Target +1 ATR" in browser.find_elements(*versions)[1].text
    remove = (By.CSS_SELECTOR, "#strategy-delete button.delete")
    browser.find_element(*remove).click()
    wait(browser).until(ec.text_to_be_present_in_element(remove, "Delete?"))
    browser.find_element(*remove).click()
    gone = (By.CSS_SELECTOR, f'#strategy-list .pick[data-id="{spec["spec_id"]}"]')
    wait(browser).until(lambda d: not d.find_elements(*gone))
    ids = [s["id"] for s in api_list(world, "/api/strategies", "strategies")]
    assert spec["spec_id"] not in ids
    assert browser.find_element(By.ID, "backtest-error").text == ""


def test_trading_watch_is_started_paused_deleted_and_the_journal_downloads(
    browser: WebDriver, server: str, world: World, tmp_path: Path
):
    """A watch started from the form is listed (and in the API), paused and deleted; the empty
    journal says so; once it holds a closed and an open trade the table marks the open one and
    the totals match; Download CSV saves the API's text/csv file."""
    page = trading(browser, server, "paper")
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "journal-empty"), "No paper trades yet")
    )
    assert not browser.find_element(By.ID, "journal-table").is_displayed()
    form = page.find_element(By.ID, "watch-form")
    wait(browser).until(
        lambda d: form.find_elements(By.CSS_SELECTOR, "select[name=strategy] option")
    )
    fill(form, strategy="builtin-gg-bull", symbol="SPY")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: listed(d, "watch-list"))
    [watch] = api_list(world, "/api/watches", "watches")
    assert [watch["strategy"], watch["symbol"]] == ["Golden gate bull", "SPY"]
    assert watch["paused"] is False
    item = entry(browser, "watch-list", watch["id"])
    assert "Golden gate bull v1" in item.text and "web:alice" in item.text

    paper_trades(world)

    item.find_element(By.CSS_SELECTOR, ".toggle").click()
    entry(browser, "watch-list", watch["id"], paused="true")
    assert api_list(world, "/api/watches", "watches")[0]["paused"] is True
    delete_entry(browser, "watch-list", watch["id"])
    assert api_list(world, "/api/watches", "watches") == []

    browser.find_element(By.ID, "work-tab-paper").click()  # reloads the page's data
    wait(browser).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#journal-table tbody tr")) == 2
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#journal-table tbody tr")  # newest first
    assert "open" in (rows[0].get_attribute("class") or "")
    assert rows[0].find_element(By.CSS_SELECTOR, ".open-mark").text == "OPEN"
    assert rows[1].text.split() == ["2026-02-12", "10:05", "SPY", "Golden", "gate", "bull",
                                    "long", "\u00d71", "689.50", "688.25", "2026-02-12", "11:40",
                                    "691.00", "target", "+1.20", "+1.50"]  # fmt: skip
    totals = browser.find_element(By.ID, "journal-totals").text.split("\n")
    assert totals == ["CLOSED", "1", "OPEN", "1", "WINS", "1", "WIN RATE", "100.00%",
                      "TOTAL P&L", "+1.50", "AVERAGE R", "+1.20"]  # fmt: skip

    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    chrome_log(browser, "performance")  # only the download's requests from here
    browser.find_element(By.ID, "journal-csv").click()
    saved = tmp_path / "paper-journal.csv"
    wait(browser).until(lambda d: saved.exists() and saved.read_text().count("\n") == 3)
    header, first, _ = saved.read_text().splitlines()
    assert header.startswith("watch_id,symbol,strategy,side,qty,entry_time")
    assert first.startswith(f"{watch['id']},SPY,Golden gate bull,long,1,2026-02-12T10:05")
    types = [
        message["params"]["response"]["mimeType"]
        for message in (
            json.loads(e["message"])["message"] for e in chrome_log(browser, "performance")
        )
        if message.get("method") == "Network.responseReceived"
        and message["params"]["response"]["url"].endswith("/api/journal.csv")
    ]
    assert types == ["text/csv"]
    assert browser.find_element(By.ID, "journal-error").text == ""


def test_trading_briefing_is_scheduled_listed_paused_and_deleted(
    browser: WebDriver, server: str, world: World
):
    """The briefing form schedules SPX at 09:15 ET with Day and Weekly levels; no mode ticked
    and a time outside 04:00-20:00 are refused next to the form; Pause and Delete work."""
    page = trading(browser, server, "briefings")
    form = page.find_element(By.ID, "briefing-form")
    day = form.find_element(By.CSS_SELECTOR, "input[value=day]")
    day.click()  # unticked: nothing to post
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait(browser).until(ec.visibility_of_element_located((By.ID, "briefing-form-error")))
    assert "Tick at least one" in error.text
    day.click()
    form.find_element(By.CSS_SELECTOR, "input[value=multiday]").click()
    fill(form, symbol="SPX", at="03:00")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "briefing-form-error"), "04:00 to 20:00")
    )
    assert api_list(world, "/api/briefings", "briefings") == []

    fill(form, at="09:15")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: listed(d, "briefing-list"))
    [made] = api_list(world, "/api/briefings", "briefings")
    assert (made["symbol"], made["at"], made["modes"]) == ("SPX", "09:15", ["day", "multiday"])
    item = entry(browser, "briefing-list", made["id"])
    assert "every session at 09:15 ET" in item.text and "Day, Weekly levels" in item.text
    assert browser.find_element(By.ID, "briefing-form-error").text == ""
    item.find_element(By.CSS_SELECTOR, ".toggle").click()
    entry(browser, "briefing-list", made["id"], paused="true")
    assert api_list(world, "/api/briefings", "briefings")[0]["paused"] is True
    delete_entry(browser, "briefing-list", made["id"])
    assert api_list(world, "/api/briefings", "briefings") == []


TRADING_SHOWN = {
    "alerts": "#work-alert-list li[data-id], #work-inbox li.notice",
    "strategies": "#backtest-result .stats",
    "paper": "#watch-list li[data-id], #journal-table tbody tr",
    "briefings": "#briefing-list li[data-id]",
}
"""What each Trading page shows once its data has loaded (every selector must match)."""
TRADING_PARTS = {"strategies": ("backtest", "backtest-result"), "paper": ("journal", "journal")}
"""Parts further down a page that get a screenshot of their own: (name, element id)."""


def test_trading_pages_fit_a_phone_and_are_screenshot(
    browser: WebDriver, server: str, world: World, tmp_path: Path
):
    """Each Trading page (with an alert, the inbox, a backtest, a watch, the journal and a
    briefing shown) logs no error and has no sideways scroll at 390 px; screenshots of each at
    1400 and 390 px, and of the backtest result and the journal, go to $WHISPR_SCREENSHOT_DIR
    (or tmp) for review."""
    for path, body in (
        ("/api/alerts", {"symbol": "SPY", "level": "-0.236", "direction": "down",
                         "ribbon": "bearish", "after": "13:00"}),
        ("/api/watches", {"strategy": "builtin-vomy", "symbol": "SPX"}),
        ("/api/briefings", {"symbol": "SPX", "at": "09:00", "modes": ["day", "multiday"]}),
    ):  # fmt: skip
        assert world.client.post(path, json=body, headers=world.auth("alice")).status_code == 201
    deliver(world, "web:alice", f"SPY lost the put trigger (-0.236) at {PUT_TRIGGER} (screenshot)")
    if not api_list(world, "/api/journal", "trades"):  # when run alone
        paper_trades(world)
    trading(browser, server, "strategies")
    chrome_log(browser, "browser")  # drop earlier messages
    gg_bull = (By.CSS_SELECTOR, '#strategy-list .pick[data-id="builtin-gg-bull"]')
    wait(browser).until(ec.element_to_be_clickable(gg_bull)).click()
    browser.find_element(By.ID, "backtest-run").click()
    folder = Path(os.environ.get("WHISPR_SCREENSHOT_DIR", tmp_path))
    phone = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    size = browser.get_window_size()

    def shoot(name: str, at_phone: bool, scroll_to: str = "work") -> None:
        script = f"document.getElementById('{scroll_to}').scrollIntoView({{block: 'start'}})"
        browser.execute_script(script)
        if at_phone:
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at phone width"
        assert browser.save_screenshot(str(folder / name))

    try:
        for page, shown in TRADING_SHOWN.items():
            browser.set_window_size(1400, 900)
            browser.find_element(By.ID, f"work-tab-{page}").click()
            for css in shown.split(", "):
                wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
            shoot(f"whispr-trading-{page}-1400.png", False)
            if page in TRADING_PARTS:
                name, element = TRADING_PARTS[page]
                shoot(f"whispr-trading-{name}-1400.png", False, element)
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", phone)
            try:
                wait(browser).until(lambda d: d.find_element(By.ID, "work").rect["width"] <= 390)
                shoot(f"whispr-trading-{page}-390.png", True)
                if page in TRADING_PARTS:
                    name, element = TRADING_PARTS[page]
                    shoot(f"whispr-trading-{name}-390.png", True, element)
            finally:
                browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    finally:
        browser.set_window_size(size["width"], size["height"])
    errors = [e for e in chrome_log(browser, "browser") if e["level"] == "SEVERE"]
    assert errors == []
    for kind in ("alerts", "watches", "briefings"):
        for thing in api_list(world, f"/api/{kind}", kind):
            world.client.delete(f"/api/{kind}/{thing['id']}", headers=world.auth("alice"))
