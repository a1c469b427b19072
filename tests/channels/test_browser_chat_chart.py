"""End-to-end: charts in chat answers are the dashboard's interactive chart component.

Same real Chromium and uvicorn server as ``test_browser`` (its fixtures and helpers; it skips or
fails the same way without a browser). A levels chart's answer carries what it shows (symbol,
mode, session, bar size); the page draws it with ``static/chart.js`` pinned to that session, each
answer's chart its own component (``figure.whisprChart``), the PNG kept as a download and as the
fallback when the chart data cannot be read.

SPY's shipped data for 2019-06-12 has daily bars only, so that chart opens on daily bars; its
call trigger is 288.90 + 0.236 x 3.49 = 289.72 (``test_browser``'s hand computation). The latest
SPY session (2026-03-10, after the last five-minute bar) opens on five-minute bars.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.channels.test_browser import (  # it skips (or fails) the module without a browser
    CALL_TRIGGER,
    CHART_QUESTION,
    By,
    WebDriver,
    WebElement,
    ask,
    browser,
    chart_state,
    chrome_log,
    server,
    signed_in,
    thread_items,
    visible,
    wait,
)

__all__ = ["browser", "server"]  # the fixtures, shared with test_browser
LATEST_QUESTION = "show me a chart of SPY levels for March 10, 2026"
CHART_PNG = "levels-SPY-day-2019-06-12-dark.png"  # the PNG of CHART_QUESTION's answer
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def answer_chart(answer: WebElement) -> WebElement:
    """Return the interactive chart figure of an answer."""
    return answer.find_element(By.CSS_SELECTOR, ".body figure.live-chart")


def drawn(driver: WebDriver, figure: WebElement) -> dict[str, Any]:
    """Return the chart component's state once it has drawn (``chart.js`` ``state()``)."""
    script = "return arguments[0].whisprChart.state()"
    wait(driver).until(lambda d: d.execute_script(script, figure)["ready"])
    return dict(driver.execute_script(script, figure))


def in_view(driver: WebDriver, figure: WebElement) -> bool:
    """Return whether the figure's chart, from its title to the bottom of its time axis, is
    inside the conversation's visible area."""
    return bool(
        driver.execute_script(
            "const head = arguments[0].querySelector('.chart-head').getBoundingClientRect();"
            "const box = arguments[0].querySelector('.chart-box').getBoundingClientRect();"
            "const view = document.getElementById('conversation').getBoundingClientRect();"
            "return head.top >= view.top - 1 && box.bottom <= view.bottom + 1;",
            figure,
        )
    )


def sideways(driver: WebDriver) -> int:
    """Return how far the page scrolls sideways (0: not at all)."""
    return int(
        driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


def test_a_chart_answer_draws_the_interactive_chart_with_labelled_levels(
    browser: WebDriver, server: str
):
    """The chart of SPY's 2019-06-12 levels is a lightweight-charts canvas in the answer, on
    daily bars (no intraday data then), with the 13 Day levels of that session labelled (the
    call trigger by hand), in view once drawn; the PNG stays a download that loads."""
    signed_in(browser, server)
    chrome_log(browser, "browser")  # drop earlier messages
    answer = ask(browser, CHART_QUESTION)
    figure = answer_chart(answer)
    state = drawn(browser, figure)
    assert figure.find_elements(By.CSS_SELECTOR, ".chart-box canvas")
    assert state["symbol"] == "SPY" and state["mode"] == "day" and state["timeframe"] == "D"
    assert state["session"] == "2019-06-12" and state["date"] == "2019-06-12"
    assert state["drawnLines"] == len(state["lines"]) == 13
    call = next(line for line in state["lines"] if line["key"] == "+0.236")
    assert call["label"] == f"call trigger +0.236 {CALL_TRIGGER}"
    assert call["title"] == "call trigger +0.236" and f"{call['drawn']:.2f}" == CALL_TRIGGER
    assert all(n > 0 for n in state["emas"].values()) and state["phase"] > 0
    assert state["candles"] > 50
    assert figure.find_element(By.CSS_SELECTOR, ".chart-title").text == (
        "SPY D · Day levels for 2019-06-12"
    )
    pressed = figure.find_element(By.CSS_SELECTOR, '.chart-tfs button[aria-pressed="true"]')
    assert pressed.text == "D"
    wait(browser).until(lambda d: in_view(d, figure))

    png = figure.find_element(By.CSS_SELECTOR, "a.chart-png")
    assert png.text == "PNG" and png.get_attribute("download") == CHART_PNG
    fetched = browser.execute_async_script(
        "const done = arguments[1];"
        "fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));",
        png.get_attribute("href"),
    )
    assert fetched == [200, "image/png"]
    errors = [e for e in chrome_log(browser, "browser") if e["level"] == "SEVERE"]
    no_5m = "/api/chart/SPY?tf=5m&"  # the first try, answered 404: no 5m bars that day
    assert [e for e in errors if no_5m not in e["message"]] == []  # the CSP included


def test_two_chat_charts_work_independently_beside_the_dashboard(browser: WebDriver, server: str):
    """Two chart answers in one thread are separate components: switching one's bar size leaves
    the other as it was; the dashboard's chart still draws and switches on its own; switching
    threads destroys the chat charts, and reopening the thread draws them again."""
    signed_in(browser, server)
    first = answer_chart(ask(browser, CHART_QUESTION))
    second = answer_chart(ask(browser, LATEST_QUESTION))
    one, two = drawn(browser, first), drawn(browser, second)
    assert (one["session"], one["timeframe"]) == ("2019-06-12", "D")
    assert (two["session"], two["timeframe"]) == ("2026-03-10", "5m")
    assert two["lines"] != one["lines"] and two["drawnLines"] == 13
    assert len(browser.find_elements(By.CSS_SELECTOR, "#conversation .chart-box canvas")) >= 2

    second.find_element(By.CSS_SELECTOR, '.chart-tfs button[data-tf="1h"]').click()
    script = "return arguments[0].whisprChart.state()"
    wait(browser).until(lambda d: d.execute_script(script, second)["timeframe"] == "1h")
    assert browser.execute_script(script, first)["timeframe"] == "D"
    assert browser.execute_script(script, first)["loads"] == one["loads"]

    browser.find_element(By.ID, "tab-dashboard").click()
    visible(browser, "chart")
    wait(browser).until(lambda d: (chart_state(d) or {}).get("ready"))
    assert chart_state(browser)["drawnLines"] == 13
    browser.find_element(By.CSS_SELECTOR, '#chart-tfs button[data-tf="D"]').click()
    wait(browser).until(lambda d: chart_state(d).get("timeframe") == "D")
    assert browser.execute_script(script, second)["timeframe"] == "1h"
    browser.find_element(By.CSS_SELECTOR, '#chart-tfs button[data-tf="5m"]').click()
    wait(browser).until(lambda d: chart_state(d).get("timeframe") == "5m")

    browser.execute_script("window.keptCharts = [arguments[0], arguments[1]]", first, second)
    browser.find_element(By.ID, "new-thread").click()
    wait(browser).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#conversation .msg"))
    gone = browser.execute_script(
        "return window.keptCharts.map(f => [f.whisprChart.state().destroyed,"
        " f.querySelectorAll('canvas').length])"
    )
    assert gone == [[True, 0], [True, 0]]  # the library chart is removed with its canvases
    assert chart_state(browser)["ready"]  # the dashboard's chart is not a chat chart

    thread_items(browser)[0].click()
    wait(browser).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#conversation figure.live-chart")) == 2
    )
    again = browser.find_elements(By.CSS_SELECTOR, "#conversation figure.live-chart")
    assert [drawn(browser, f)["session"] for f in again] == ["2019-06-12", "2026-03-10"]


def test_a_chart_without_data_falls_back_to_the_png(browser: WebDriver, server: str):
    """When the chart data cannot be read (here: a session before SPY's first bar) the answer
    shows the tool's PNG instead, and the chart component is gone."""
    signed_in(browser, server)
    drawn(browser, answer_chart(ask(browser, CHART_QUESTION)))
    figure = browser.execute_script(
        "const f = renderChartBlock({kind: 'image', name: arguments[0], symbol: 'SPY',"
        " mode: 'day', date: '1990-01-02', tf: '5m'});"
        "document.querySelector('#conversation .msg.assistant:last-child .body').append(f);"
        "window.failedChart = f.whisprChart; return f;",
        CHART_PNG,
    )
    assert figure is not None
    img = wait(browser).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.assistant:last-child figure.chart img")
    )[0]
    wait(browser).until(
        lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img)
    )
    assert browser.execute_script("return window.failedChart.state().destroyed")
    assert "no SPY" in (img.find_element(By.XPATH, "..").get_attribute("title") or "")


def test_chat_chart_screenshots_at_1400_and_390_px_without_sideways_scroll(
    browser: WebDriver, server: str, tmp_path: Path
):
    """A chart answer at 1400 px, then at 390 px (a phone): the chart fits the message column,
    the page never scrolls sideways, the level lines are labelled by key; screenshots go to
    $WHISPR_SCREENSHOT_DIR (or tmp) for review."""
    folder = Path(os.environ.get("WHISPR_SCREENSHOT_DIR", tmp_path))
    size = browser.get_window_size()
    browser.set_window_size(1400, 900)
    try:
        signed_in(browser, server)
        figure = answer_chart(ask(browser, LATEST_QUESTION))
        drawn(browser, figure)
        wait(browser).until(lambda d: in_view(d, figure))
        assert sideways(browser) <= 0
        assert browser.save_screenshot(str(folder / "whispr-chat-chart-1400.png"))
    finally:
        browser.set_window_size(size["width"], size["height"])
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        signed_in(browser, server)
        figure = answer_chart(ask(browser, LATEST_QUESTION))
        state = drawn(browser, figure)
        assert all(line["title"] == line["key"] for line in state["lines"])
        wait(browser).until(lambda d: in_view(d, figure))
        assert browser.execute_script("return document.documentElement.clientWidth") == 390
        assert sideways(browser) <= 0, "a chat chart makes the page scroll sideways at 390 px"
        box = figure.find_element(By.CSS_SELECTOR, ".chart-box").rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        head = figure.find_element(By.CSS_SELECTOR, ".chart-head").rect
        assert head["x"] + head["width"] <= 390, head
        assert browser.save_screenshot(str(folder / "whispr-chat-chart-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
