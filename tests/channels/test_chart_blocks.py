"""A levels chart's image block says what the chart shows (symbol, mode, session, bar size), so
the web page can draw it as its interactive chart; the PNG name stays, and the thread keeps it."""

from __future__ import annotations

from integrations.chat.render import chart_specs
from tests.channels.conftest import World

CHART_QUESTION = "show me a chart of SPY levels for June 12, 2019"


def test_chart_specs_describe_levels_charts_only():
    calls = [
        {"name": "atr_levels", "result": {"symbol": "SPX", "mode": "multiday",
                                          "date": "2026-03-02", "chart": "/x/levels-a.png"}},
        {"name": "backtest", "result": {"chart": "/x/equity-b.png", "trades": 3}},
        {"name": "atr_levels", "result": {"symbol": "SPY", "mode": "day", "date": "2019-06-12"}},
        {"name": "atr_levels", "result": "refused"},
    ]  # fmt: skip
    assert chart_specs(calls) == {
        "levels-a.png": {"symbol": "SPX", "mode": "multiday", "date": "2026-03-02", "tf": "1h"}
    }


def test_a_chart_answer_block_carries_what_the_chart_shows(world: World):
    reply = world.client.post(
        "/api/ask", json={"question": CHART_QUESTION}, headers=world.auth("alice")
    ).json()
    (image,) = [b for b in reply["blocks"] if b["kind"] == "image"]
    assert image == {
        "kind": "image",
        "name": "levels-SPY-day-2019-06-12-dark.png",
        "symbol": "SPY",
        "mode": "day",
        "date": "2019-06-12",
        "tf": "5m",
    }
    thread = world.client.get(f"/api/threads/{reply['thread']}", headers=world.auth("alice"))
    stored = thread.json()["messages"][-1]["blocks"]
    assert image in stored  # a reopened thread draws the same chart
