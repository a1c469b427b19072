"""Strategy drafts beyond level crosses (issue #11, set N): indicator entries, daily bars, the
levels' mode, overnight holds, bar-count exits, ATR-sized exits revised in place."""

from __future__ import annotations

from assistant.authoring import is_authoring, parse_strategy
from assistant.understand.vocab import normalize


def _spec(text: str, symbol: str = "SPX") -> dict:
    draft = parse_strategy(text, symbol)
    assert draft.question is None, draft.question
    return draft.spec


def test_a_vomy_entry_with_atr_sized_exits():
    spec = _spec(
        "short spy when vomy forms on the 1h, stop 1 atr target 1 atr, name it vomy 2R", "SPY"
    )
    assert (spec["name"], spec["bar"], spec["side"]) == ("vomy 2R", "1h", "short")
    assert spec["entry"] == [{"kind": "vomy", "variant": "vomy"}]
    assert spec["exit"] == {"stop_atr": 1.0, "target_atr": 1.0}  # a distance, not the ±1 level


def test_a_daily_po_dot_held_overnight_for_at_most_ten_bars():
    text = "spy daily: buy the PO dot leaving accumulation, stop 1 atr, out after 10 bars. name po dot spy daily"
    assert is_authoring(normalize(text))
    spec = _spec(text, "SPY")
    assert (spec["name"], spec["bar"]) == ("po dot spy daily", "1d")
    assert spec["entry"] == [{"kind": "po_dot", "dot": "leaving_accumulation"}]  # no 10:00 window
    assert spec["exit"] == {"stop_atr": 1.0, "session_end": False, "max_bars": 10}


def test_weekly_levels_on_daily_bars_and_a_quoted_name():
    spec = _spec(
        "new strat 'weekly ctrig swing': daily bars, long when spx crosses the weekly call "
        "trigger, target weekly +1, stop weekly pdc, hold overnight ok"
    )
    assert (spec["name"], spec["bar"], spec["mode"]) == ("weekly ctrig swing", "1d", "multiday")
    assert spec["exit"] == {"target": "+1", "stop": "0", "session_end": False}
    # "the daily call trigger" names the day levels, not daily bars
    assert (
        _spec("long when spx crosses the daily call trigger, target mid, stop pdc")["bar"] == "5m"
    )


def test_a_moving_average_cross_with_a_price_filter():
    spec = _spec(
        "draft: spy 15m, long when 8 ema crosses over the 21 and price is above pdc, target half "
        "atr, stop quarter atr. name 8/21 cross long",
        "SPY",
    )
    assert spec["entry"] == [
        {"kind": "ma_cross", "fast": 8, "slow": 21, "average": "ema", "direction": "up"},
        {"kind": "price_vs_level", "level": "0", "relation": "above"},
    ]
    assert (spec["bar"], spec["exit"]) == ("15m", {"stop_atr": 0.25, "target_atr": 0.5})


def test_a_revision_to_an_atr_target_replaces_the_old_target(source):
    import datetime as dt

    from assistant.service import Assistant
    from tools import ToolContext

    assistant = Assistant(ToolContext(source=source, today=dt.date(2026, 2, 13)), "offline")
    assistant.ask(
        "short spy when vomy forms on the 1h, stop 1 atr target 1 atr, name it vomy 2R", "t"
    )
    reply = assistant.ask("lol make it 2R, target 2 atr", "t")
    (call,) = reply.tool_calls
    assert call["args"]["spec"]["exit"] == {"stop_atr": 1.0, "target_atr": 2.0}
    reply = assistant.ask("make it target a third of an atr", "t")
    assert reply.tool_calls[0]["args"]["spec"]["exit"] == {"stop_atr": 1.0, "target_atr": 0.333}
    reply = assistant.ask("backtest that", "t")
    assert reply.tool_calls[0]["name"] == "backtest_strategy"
    assert "error" not in reply.tool_calls[0]["result"]
