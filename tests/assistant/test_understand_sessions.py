"""Questions about sessions and periods as traders write them: month spans and half years as
statistics windows, what happened in one session, counts over a period, the average true range,
and conditions that no tool can apply named in the answer instead of dropped. Expected windows
are worked out by hand; expected numbers come from direct tool calls, never from the planner."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from assistant.understand.ranges import read_range
from assistant.understand.vocab import normalize
from tools import ToolContext, run_tool

TODAY = dt.date(2026, 2, 13)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("gg odds aug 2025 thru jan 2026", "2025-08-01", "2026-01-31"),
        ("ptrig to -1 jun25-jan26", "2025-06-01", "2026-01-31"),
        (
            "oct 25 - jan 26",
            "2025-10-01",
            "2026-01-31",
        ),  # a number beside a month in a span is its year
        ("jul to dec 25", "2025-07-01", "2025-12-31"),
        ("(mar 2025 - feb 2026)", "2025-03-01", "2026-02-28"),
        ("h1 2025", "2025-01-01", "2025-06-30"),
        ("2nd half of 2025", "2025-07-01", "2025-12-31"),
        ("2025-04-01 to 2025-09-30", "2025-04-01", "2025-09-30"),
        ("spy from the gg to the 78.6, 2025", "2025-01-01", "2025-12-31"),  # levels, then a year
    ],
)
def test_statistics_windows(text, start, end):
    got = read_range(normalize(text), TODAY)
    assert (got[0].isoformat(), got[1].isoformat()) == (start, end)


@pytest.fixture
def assistant(source, tmp_path):
    ctx = ToolContext(source=source, user_id="trader", today=TODAY)
    return Assistant(ctx, "offline")


def _calls(reply):
    return [(c["name"], c["args"]) for c in reply.tool_calls]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        (
            "did spx trigger the gg on 6/3/25",
            ("session_outcome", {"symbol": "SPX", "date": "2025-06-03"}),
        ),
        (
            "what time did spy hit the call trigger 6/3/25",
            ("session_outcome", {"symbol": "SPY", "date": "2025-06-03", "focus": "+0.236"}),
        ),
        (
            "how many times did SPX tag +1 ATR in 2025",
            (
                "session_counts",
                {
                    "symbol": "SPX",
                    "event": "touch",
                    "level": "+1",
                    "start": "2025-01-01",
                    "end": "2025-12-31",
                },
            ),
        ),
        (
            "what % of days does SPY close above the call trigger",
            ("session_counts", {"symbol": "SPY", "event": "close_above", "level": "+0.236"}),
        ),
        (
            "how often does spx close inside +/-0.236",
            ("session_counts", {"symbol": "SPX", "event": "close_inside", "level": "0.236"}),
        ),
        ("spy 20 day atr", ("average_true_range", {"symbol": "SPY", "sessions": 20})),
    ],
)
def test_session_questions_reach_their_tools(assistant, text, call):
    assert _calls(assistant.ask(text)) == [call]


def test_a_count_answers_with_the_tools_number(source, assistant):
    direct = run_tool(
        ToolContext(source=source, today=TODAY),
        "session_counts",
        {
            "symbol": "SPX",
            "event": "touch",
            "level": "+1",
            "start": "2025-01-01",
            "end": "2025-12-31",
        },
    )
    answer = assistant.ask("how many times did SPX tag +1 ATR in 2025").answer
    assert f"{direct.count} of {direct.sessions} sessions" in answer


def test_a_level_named_with_plus_atr_is_not_an_atr_length(assistant):
    # "+1 atr 10/6/97" is the +1 ATR level on a date, not an average over 10 sessions
    calls = _calls(assistant.ask("spx +1 atr 10/6/97"))
    assert calls == [("atr_levels", {"symbol": "SPX", "date": "1997-10-06", "level": "+1"})]


def test_a_condition_no_tool_applies_is_named_not_dropped(assistant):
    reply = assistant.ask("how often does spx close above pdc when vix is above 20")
    assert _calls(reply) == [
        ("session_counts", {"symbol": "SPX", "event": "close_above", "level": "0"})
    ]
    assert "Not applied: 'vix is above 20'" in reply.answer


def test_an_open_location_condition_is_not_read_as_the_level_asked(assistant):
    # the put trigger here says where the session opened; the odds asked are the golden gate's
    reply = assistant.ask("gg bull odds spx when it opens below the put trigger")
    ((name, args),) = _calls(reply)
    assert name == "golden_gate_stats" and args["direction"] == "bull"
    applied = args.get("open_location") == "below_put_trigger"
    assert applied or "Not applied: 'opens below the put trigger'" in reply.answer


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("spy put trig 2 weeks ago", "2026-01-30"),  # 2026-02-13 - 14 days
        ("spx ctrig a week ago", "2026-02-06"),
        ("por favor spy nivel +1 atr dia 10 dic 2025", "2025-12-10"),  # Spanish month
    ],
)
def test_dates_in_other_words(text, date):
    from assistant.understand.dates import read_date

    assert read_date(normalize(text), TODAY).date.isoformat() == date


def test_ema_lengths_are_not_a_date_and_last_month_is_the_calendar_month():
    from assistant.understand.dates import read_date

    assert read_date(normalize("spx daily trend 8/21/34 as of 2025-04-08"), TODAY).date == dt.date(
        2025, 4, 8
    )
    # today 2026-02-13: last month is January 2026, whole
    assert read_range(normalize("closes above the call trig last month"), TODAY) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
    )
