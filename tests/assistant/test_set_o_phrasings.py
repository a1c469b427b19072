"""Phrasings set O found (issue #11): newer traders' loose names and fast follow-up chains,
objects referred to by pointer, conditions dropped or swapped, refusals that keep the symbol."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (("spx weekly levels for two fridays ago",),  # the 2nd Friday before Fri 2026-02-13
         ("atr_levels", {"symbol": "SPX", "mode": "multiday", "date": "2026-01-30"})),
        (("po on the 4h spy", "what about tsla 4h PO"),  # the new ticker, not SPY again
         ("indicator_state", {"symbol": "TSLA", "timeframe": "4h"})),
        (("spy levels thu 4/28/21", "weekly ones for the week of 4/26/21"),  # asked back, SPY kept
         ("atr_levels", {"symbol": "SPY", "mode": "multiday", "date": "2021-04-26"})),
        (("whats the half atr level on spx monthly",),
         ("atr_levels", {"symbol": "SPX", "mode": "swing", "levels": ["+0.5", "-0.5"]})),
        (("the 23 percent line on spy for last friday?",),
         ("atr_levels", {"symbol": "SPY", "date": "2026-02-06", "levels": ["+0.236", "-0.236"]})),
        (("spy levels off the current close, not yesterdays",),
         ("atr_levels", {"symbol": "SPY", "use_current_close": True})),
        (("spy mthly mids", "qtrly", "yrly"),
         ("atr_levels", {"symbol": "SPY", "mode": "longterm", "levels": ["+0.618", "-0.618"]})),
        (("whats the chance the bear gate completes on a wednesday if it hits at 9:45",),
         ("golden_gate_stats", {"symbol": "SPX", "direction": "bear", "trigger_buckets": ["09"],
                                "weekdays": ["wed"]})),
        (("if spx gaps up over the call trigger, what % of bull GGs finish?",),
         ("golden_gate_stats", {"symbol": "SPX", "direction": "bull",
                                "open_location": "above_call_trigger"})),
        (("Is the golden gate more reliable when the phase oscillator is in the mark up zone? bull side on SPX",
          "what about when its in the launch box", "and with no PO filter at all?"),
         ("golden_gate_stats", {"symbol": "SPX", "direction": "bull"})),
        (("gg stats for spx since september, both sides", "only days that open above pdc",
          "now below pdc"),
         ("golden_gate_stats", {"symbol": "SPX", "start": "2025-09-01",
                                "open_location": "below_previous_close"})),
        (("spy bull gg mark down PO zone",),
         ("golden_gate_stats", {"symbol": "SPY", "direction": "bull", "po_zone": "mark_down"})),
        (("chance of hitting the midrange once the gg is hit, bear side, spy",
          "if the ribbon is bearish when it hits?", "and mixed"),
         ("level_to_level", {"symbol": "SPY", "from_level": "-0.382", "to_level": "-0.618",
                             "ribbon": "mixed"})),
        (("how likely is the -0.5 after the bear 38.2 gets tagged",),
         ("level_to_level", {"symbol": "SPX", "from_level": "-0.382", "to_level": "-0.5"})),
        (("what was the spx range on april 7 2025 as a % of atr?", "and the gap at the open?"),
         ("session_outcome", {"symbol": "SPX", "date": "2025-04-07"})),
        (("can you tell me when spy hits the gold gate on the upside?", "thanks! what price is that?"),
         ("atr_levels", {"symbol": "SPY", "level": "+0.382"})),
        (("ping me if spy loses the put trigger before 11", "also one for the bear gg, same window"),
         ("create_alert", {"symbol": "SPY", "level": "-0.382", "direction": "down",
                           "before": "11:00"})),
        (("set an alert", "spy call trigger going up"),
         ("create_alert", {"symbol": "SPY", "level": "+0.236", "direction": "up"})),
        (("remove the time window on my spx alert, want it all day",),  # an edit, never a delete
         ("edit_alert", {"symbol": "SPX", "any_time": True})),
        (("buy 10 spy calls for me at the open", "ok fine, what's the call trigger so i can do it myself"),
         ("atr_levels", {"symbol": "SPY", "level": "+0.236"})),
        (("run the vomy strategy as a live watch on spx",
          "also a spy briefing at 8:45 with monthly + quarterly levels"),
         ("schedule_briefing", {"symbol": "SPY", "at": "08:45", "modes": ["swing", "position"]})),
        (("remember that i trade a 25k account and risk 1% a trade",),
         ("remember", {"fact": "i trade a 25k account and risk 1% a trade"})),
    ],
)  # fmt: skip
def test_set_o_phrasings(ask, turns, expected):
    assert ask(*turns) == [expected]


def test_a_refused_trade_is_never_drafted(ask):
    assert ask("buy 10 spy calls for me at the open") == []


def test_strategy_objects_by_pointer_and_indicator_drafts(ask):
    draft = (
        "build me a strategy: long spx when it crosses the call trigger with a bullish ribbon, "
        "only 9:30-11, target the midrange, stop at pdc. call it Morning ctrig"
    )
    assert ask(draft, "looks good save it", "backtest it", "change the target to +1 atr") == [
        ("update_strategy", {"ref": "Morning ctrig", "target": "+1"})
    ]
    assert ask("show my Morning ctrig strategy", "set its stop to the put trigger and save") == [
        ("update_strategy", {"ref": "Morning ctrig", "stop": "-0.236", "save": True})
    ]
    ((name, args),) = ask(
        "new idea - short spy when it loses the bear gg and the PO is in mark down. stop at the "
        "put trigger, target -1 atr, one entry per day. name it Bear fade"
    )
    assert args["spec"]["entry"] == [
        {"kind": "level_cross", "level": "-0.382", "direction": "down"},
        {"kind": "po_zone", "zones": ["mark_down"]},
    ]
    ((name, args),) = ask(
        "can I test an ivomy setup on the daily chart using weekly levels? long when ivomy "
        "forms, target weekly +1, stop weekly bear gg, hold overnight until one hits. name: "
        "Weekly ivomy"
    )
    spec = args["spec"]
    assert (name, spec["name"], spec["bar"], spec["mode"]) == (
        "draft_strategy", "Weekly ivomy", "1d", "multiday"
    )  # fmt: skip
    assert spec["exit"] == {"target": "+1", "stop": "-0.382", "session_end": False}
