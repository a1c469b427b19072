"""Follow-ups that change one thing of the previous answer, and the phrasings set N found
(issue #11): conditions, sides, pairs, anchors, sizing days, objects by position or pointer."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (
            ("from the 618 to the +1 on spy when it opened inside the triggers",
             "what about gap ups above ctrig"),
            ("level_to_level", {"symbol": "SPY", "from_level": "+0.618", "to_level": "+1",
                                "open_location": "above_call_trigger"}),
        ),
        (
            ("bear gg when PO is in mark down, spx", "what if its in accumulation"),
            ("golden_gate_stats", {"symbol": "SPX", "direction": "bear", "po_zone": "accumulation"}),
        ),
        (
            ("bull gg completion when ribbon is bearish", "same for spy", "now only tues and thurs"),
            ("golden_gate_stats", {"symbol": "SPY", "direction": "bull", "ribbon": "bearish",
                                   "weekdays": ["tue", "thu"]}),
        ),
        (
            ("-1 to -1.236 spy", "+ side"),
            ("level_to_level", {"symbol": "SPY", "from_level": "+1", "to_level": "+1.236"}),
        ),
        (
            ("bull gg spx last friday — trigger? complete?", "bear side?"),
            ("session_outcome", {"symbol": "SPX", "date": "2026-02-06", "focus": "-0.382"}),
        ),
        (
            ("how many pts between the triggers spx", "and between the gg's"),
            ("level_distance", {"symbol": "SPX", "start_at": "-0.382", "end_at": "+0.382"}),
        ),
        (
            ("spx levels w/ current close anchor pls", "k now the normal ones"),
            ("atr_levels", {"symbol": "SPX"}),
        ),
        (
            ("30k account, spy long at the call trig stop at pdc, targets mid and +1. shares?",
             "same for tmrw's levels"),
            ("position_size", {"account_size": 30000.0, "entry": "+0.236", "stop": "0",
                               "targets": ["+0.618", "+1"], "symbol": "SPY", "side": "long",
                               "date": "2026-02-17"}),  # 02-16 is Presidents' Day
        ),
        (
            ("2 weeks ago friday spy put trig", "what about the week before"),
            ("atr_levels", {"symbol": "SPY", "date": "2026-01-23", "level": "-0.236"}),
        ),
        (
            ("gg rates q4 2025 spx", "bear side only, afternoon triggers"),
            ("golden_gate_stats", {"symbol": "SPX", "start": "2025-10-01", "end": "2025-12-31",
                                   "direction": "bear", "trigger_buckets": ["12", "13", "14", "15"]}),
        ),
    ],
)  # fmt: skip
def test_one_thing_changed(ask, turns, expected):
    assert ask(*turns) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s p x call trigger for december fifth twenty twenty two",
         ("atr_levels", {"symbol": "SPX", "date": "2022-12-05", "level": "+0.236"})),
        ("yo what was spx midrange on the 5th",  # the latest 5th on or before Fri 2026-02-13
         ("atr_levels", {"symbol": "SPX", "date": "2026-02-05", "levels": ["+0.618", "-0.618"]})),
        ("when spx gaps up over the call trigger does the bull gg usually finish?",
         ("golden_gate_stats", {"symbol": "SPX", "direction": "bull",
                                "open_location": "above_call_trigger"})),
        ("spy gg from 2/20/24 thru 5/17/24 bull",  # the dates are not trigger hours
         ("golden_gate_stats", {"symbol": "SPY", "direction": "bull", "start": "2024-02-20",
                                "end": "2024-05-17"})),
        ("-.618 after -.382 on mondays spx",
         ("level_to_level", {"symbol": "SPX", "from_level": "-0.382", "to_level": "-0.618",
                             "weekdays": ["mon"]})),
        ("momentum gg 1.382 to 1.618 hit rate",
         ("level_to_level", {"symbol": "SPX", "from_level": "+1.382", "to_level": "+1.618"})),
        ("how often does spx go trigger to trigger? like touch ctrig then ptrig same day",
         ("level_to_level", {"symbol": "SPX", "from_level": "+0.236", "to_level": "-0.236"})),
        ("how big was the spy gap on 4/9/25", ("session_outcome", {"symbol": "SPY",
                                                                   "date": "2025-04-09"})),
        ("yearly levels for 2022 spx, where was the -1",
         ("atr_levels", {"symbol": "SPX", "mode": "longterm", "date": "2022-01-03", "level": "-1"})),
        ("6.5k acct what should my risk per trade + daily stop be. say spy 681 w/ stop 679",
         ("position_size", {"account_size": 6500.0, "entry": "681", "stop": "679",
                            "symbol": "SPY"})),
        ("post here when spx tags +1 atr",
         ("create_alert", {"symbol": "SPX", "level": "+1", "direction": "up"})),
        ("history for alert a1b2c3d4", ("alert_history", {"alert_id": "a1b2c3d4"})),
        ("spy briefing 9:15 in here, daily and monthly lvls",
         ("schedule_briefing", {"symbol": "SPY", "at": "09:15", "modes": ["day", "swing"]})),
        ("watch gg bull on spx, post the paper trades in this channel",
         ("watch_strategy", {"strategy": "Golden gate bull", "symbol": "SPX"})),
        ("delete 'am put trig short'", ("delete_strategy", {"ref": "am put trig short"})),
        ("find my strat with the ribbon filter", ("search_strategies", {"query": "ribbon filter"})),
    ],
)  # fmt: skip
def test_set_n_phrasings(ask, text, expected):
    assert ask(text) == [expected]


def test_objects_by_position_and_pointer(ask):
    calls = ask("set alerts on both spx triggers pls", "delete the first one")
    assert calls[0][0] == "change_alert" and calls[0][1]["action"] == "delete"
    assert ask("history for alert a1b2c3d4", "pause it") == [
        ("change_alert", {"alert_id": "a1b2c3d4", "action": "pause"})
    ]
    assert ask("hows my paper journal lookin", "just spy") == [("paper_journal", {"symbol": "SPY"})]
    assert ask("paper trade the put trigger to midrange on spy for me", "how's it done so far") == [
        ("paper_journal", {"symbol": "SPY"})
    ]
    assert ask("every morning 9am post spx day + weekly levels", "list briefings",
               "pause the spx one") == [("change_briefing", {"action": "pause", "symbol": "SPX"})]  # fmt: skip
