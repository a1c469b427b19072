"""The understanding layer (assistant/understand): each slot parser on the forms traders write,
and the planner's behaviour the issue names (questions instead of defaults, alert direction,
follow-ups, "today" per symbol). Expected dates and values are worked out by hand in comments or
taken from a direct tool call, never from the planner."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from assistant.understand.clock import read_window, trigger_buckets
from assistant.understand.dates import read_date, two_digit_year
from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.money import read_sizing
from assistant.understand.ranges import read_range
from assistant.understand.vocab import normalize
from tools import ToolContext, run_tool

TODAY = dt.date(2026, 2, 13)  # a Friday; Monday 2026-02-16 is Presidents' Day


@pytest.mark.parametrize(
    ("yy", "year"), [(97, 1997), (21, 2021), (26, 2026), (27, 1927), (5, 2005)]
)
def test_two_digit_years_are_the_most_recent_past_year(yy, year):
    assert two_digit_year(yy, TODAY) == year


@pytest.mark.parametrize(
    ("text", "date", "mode"),
    [
        ("put trig spx 10/6/97 pls", "1997-10-06", None),
        ("Spx GG up for jan 15 '21", "2021-01-15", None),
        ("Spy +/-1 ATR 18th may 2021", "2021-05-18", None),
        ("the 6th of July 2020 levels", "2020-07-06", None),
        ("spy call trigger 8.24.15", "2015-08-24", None),
        ("spx gg 20190102", "2019-01-02", None),
        ("Spy ctrig + ptrig wed 4/28/21", "2021-04-28", None),  # a Wednesday: the date stands
        ("monthly call side GG for spy Aug 2018?", "2018-08-01", "swing"),  # Wed Aug 1 2018
        ("position +0.382 lvl for Spx q2 2024?", "2024-04-01", "position"),  # Mon Apr 1 2024
        ("spx yearly 2022, put trigger", "2022-01-03", "longterm"),  # Jan 1 2022 was a Saturday
        ("week of 3/4/24 spy weekly", "2024-03-04", "multiday"),
        ("spy call trig the day after thanksgiving 2023", "2023-11-24", None),  # 4th Thu: Nov 23
        ("spy +1 atr good friday 2024", "2024-03-29", None),  # Easter 2024 was March 31
        ("spx levels for monday", "2026-02-16", None),  # asked on a Friday: the coming Monday
    ],
)
def test_dates_and_periods(text, date, mode):
    slot = read_date(normalize(text), TODAY)
    assert slot.problem is None
    assert slot.date == dt.date.fromisoformat(date)
    assert slot.mode == mode


@pytest.mark.parametrize(
    ("text", "date"),
    [("spy put trigger yday", "2026-02-12"), ("tmrw", "2026-02-17"), ("last fri", "2026-02-06")],
)
def test_relative_dates_follow_the_nyse_calendar(text, date):
    assert read_date(normalize(text), TODAY).resolve(TODAY) == dt.date.fromisoformat(date)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("spy call trig 2/30/21", "February 2021 has 28 days"),
        ("levels for 13/13/24 spx", "there is no month 13"),
        ("SPY call trigger tue 4/28/21", "2021-04-28 is a Wednesday, not a Tue"),
        ("spx levels for the 31st of june 2021", "June 2021 has 30 days"),
    ],
)
def test_unreadable_or_contradictory_dates_become_questions(text, says):
    problem = read_date(normalize(text), TODAY).problem
    assert problem is not None and says in problem and problem.endswith("?")


def test_statistics_windows():
    assert read_range(normalize("in 2025"), TODAY) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert read_range(normalize("since sept"), TODAY) == (dt.date(2025, 9, 1), None)
    assert read_range(normalize("last 3 years"), TODAY) == (dt.date(2023, 2, 13), None)
    span = read_range(normalize("from 3/1/25 to 6/30/25"), TODAY)
    assert span == (dt.date(2025, 3, 1), dt.date(2025, 6, 30))


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Spy ctrig + ptrig", ["+0.236", "-0.236"]),
        ("calls and puts triggers spx", ["+0.236", "-0.236"]),
        ("Spy +/-1 ATR", ["+1", "-1"]),
        ("bear gg spx", ["-0.382"]),
        ("Spx GG up", ["+0.382"]),
        ("spy lower mid", ["-0.618"]),
        ("-23.6 spy", ["-0.236"]),
        ("spy 0.236/0.382/0.618 calls side", ["+0.236", "+0.382", "+0.618"]),
        ("spy ext levels 1.236 1.618 2 upside", ["+1.236", "+1.618", "+2"]),
        ("SPY gg completion level bull side", ["+0.618"]),
        ("spy gg", ["+0.382", "-0.382"]),  # no side named: both
    ],
)
def test_level_names(text, keys):
    t = normalize(text)
    assert resolve_unsided(read_levels(t), t) == keys


def test_a_level_off_the_grid_is_reported():
    assert "not one of the ATR levels" in (read_levels(normalize("spx +0.45 level")).problem or "")


def test_sizing_phrases():
    z = read_sizing(normalize("short $SPY 392 stop 394.81, acct 100K, risk 2 pct, # of shares?"))
    assert (z.account, z.risk_pct, z.entry, z.stop, z.side) == (100000, 2, "392", "394.81", "short")
    z = read_sizing(normalize("short Spy at the ptrig, stop at the ctrig - 25k net liq, 1% risk"))
    assert (z.account, z.entry, z.stop) == (25000, "-0.236", "+0.236")
    z = read_sizing(normalize("short spx 4/7/25 at the put trigger stop at pdc, 30k, 1%, in MES"))
    assert (z.entry, z.stop, z.multiplier) == ("-0.236", "0", 5.0)  # the date is not a price
    assert read_sizing(normalize("risk $500 long 450 stop 448")).risk_amount == 500
    # a count before the instrument is not the entry; the premium or price after "at" is
    z = read_sizing(normalize("size me: long 10 spx 0dte calls at 5.20 stop 3.10 acct 30k 1%"))
    assert (z.entry, z.stop, z.multiplier, z.account) == ("5.20", "3.10", 100.0, 30000)
    z = read_sizing(normalize("short 5 es at 5000 stop 5010 100k 1%"))
    assert (z.entry, z.stop, z.multiplier, z.side) == ("5000", "5010", 50.0, "short")
    # the account follows its word here: the stop before "acct" is not the account
    z = read_sizing(normalize("long 3 mes @ 6000 stop 5990 acct 20k 2%"))
    assert (z.account, z.entry, z.stop, z.risk_pct) == (20000, "6000", "5990", 2)
    assert "can't be right" in (
        read_sizing(normalize("account -50000 long 450 stop 449")).problem or ""
    )


@pytest.mark.parametrize(
    ("text", "buckets"),
    [
        ("after 1pm", ["13", "14", "15"]),
        ("before 11am", ["open", "09", "10"]),
        ("first hour", ["open", "09"]),
        ("between noon and 2", ["12", "13"]),
        ("triggered 10-11am", ["10"]),
        ("power hour", ["15"]),
    ],
)
def test_trigger_hours(text, buckets):
    assert trigger_buckets(normalize(text)) == buckets


def test_alert_windows():
    assert read_window(normalize("between 10 and 11:30")) == ("10:00", "11:30")
    assert read_window(normalize("after 1")) == ("13:00", "16:00")


@pytest.fixture
def assistant(source, tmp_path):
    from eval.firstcontact import user_services

    services = {**user_services(tmp_path), "destination": "web:trader"}
    ctx = ToolContext(source=source, user_id="trader", today=TODAY, services=services)
    return Assistant(ctx, "offline")


def _calls(reply):
    return [(c["name"], c["args"]) for c in reply.tool_calls]


@pytest.mark.parametrize(
    ("text", "direction", "extra"),
    [
        ("alert me when SPY crosses the put trigger after 1pm", "down", {"after": "13:00"}),
        ("alert me when spy reclaims the put trigger", "up", {}),
        ("alert if spy fails the bull golden gate (back under it)", "down", {}),
        ("alert me when SPY crosses above the -78.6% level", "up", {}),
    ],
)
def test_alert_direction_follows_the_verb_then_the_side(assistant, text, direction, extra):
    ((name, args),) = _calls(assistant.ask(text))
    assert name == "create_alert" and args["direction"] == direction
    assert {k: args[k] for k in extra} == extra


@pytest.mark.parametrize(
    "text",
    [
        "alert me on a bullish breakdown of -1 atr on spy",
        "alert me when spx triggers the bear golden gate to the upside",
        "alert me when spy loses the call trigger going up",
    ],
)
def test_contradictory_alert_words_are_asked_about(assistant, text):
    reply = assistant.ask(text)
    assert reply.tool_calls == [] and reply.answer.endswith("?")


def test_follow_ups_keep_the_session_and_shift_from_the_one_answered(assistant, source):
    ctx = ToolContext(source=source, today=TODAY)
    assistant.ask("Spx lvls 10/31/24", "f")
    bull = assistant.ask("bull GG?", "f")
    assert _calls(bull) == [
        ("atr_levels", {"symbol": "SPX", "date": "2024-10-31", "level": "+0.382"})
    ]
    nxt = assistant.ask("and the next day?", "f")
    direct = run_tool(ctx, "atr_levels", {"symbol": "SPX", "date": "2024-11-01", "level": "+0.382"})
    assert f"{direct.level_value:.2f}" in nxt.answer and "2024-11-01" in nxt.answer
    bear = assistant.ask("the bear one", "f")
    assert _calls(bear)[0][1]["level"] == "-0.382" and _calls(bear)[0][1]["date"] == "2024-11-01"


def test_answers_restate_what_they_answered(assistant):
    reply = assistant.ask("put trig spx 10/6/97 pls")
    assert reply.answer.startswith("SPX put trigger (-0.236), day levels for Mon 1997-10-06:")
    weekend = assistant.ask("SPY call trigger sat 6/15/19")
    assert weekend.answer.startswith("2019-06-15 is a Saturday: these are the levels for the next")


def test_unreadable_date_is_asked_and_the_answer_completes_the_question(assistant):
    asked = assistant.ask("spy call trig 2/30/21", "q")
    assert asked.tool_calls == [] and asked.answer.endswith("?")
    answered = assistant.ask("3/1/21", "q")
    assert _calls(answered) == [
        ("atr_levels", {"symbol": "SPY", "date": "2021-03-01", "level": "+0.236"})
    ]


def test_an_unreadable_date_in_a_follow_up_is_asked_not_replaced(assistant):
    """Found in the browser: after a dated answer, "spy call trig 2/30/21" was answered for the
    previous date. It must be a question, and the answer to it completes the request."""
    assistant.ask("Spy +/-1 ATR 18th may 2021", "u")
    asked = assistant.ask("spy call trig 2/30/21", "u")
    assert asked.tool_calls == [] and "2/30/21" in asked.answer and asked.answer.endswith("?")
    answered = assistant.ask("3/1/21", "u")
    assert _calls(answered)[0][1]["date"] == "2021-03-01"


def test_today_and_yesterday_are_per_symbol(source):
    """With no fixed date, "today" for each symbol is its own latest session. SPY's bars (daily
    file, then the 5-minute file) end 2026-03-09 and SPX's end 2026-02-27, so SPY's yesterday is
    2026-03-09 and SPX's is 2026-02-27, not a date after the SPX data ends."""
    assistant = Assistant(ToolContext(source=source), "offline")
    spy = assistant.ask("spy put trigger yday")
    spx = assistant.ask("spx put trigger yday")
    assert _calls(spy)[0][1]["date"] == "2026-03-09"
    assert _calls(spx)[0][1]["date"] == "2026-02-27"
    assert "2026-02-27" in spx.answer and spx.tool_calls[0]["result"]["level_value"]


def test_spoken_dates_and_days_of_the_month():
    import datetime as dt

    from assistant.understand.dateslot import month_day_only
    from assistant.understand.spoken import spoken_dates

    assert (
        spoken_dates("s p x levels december fifth twenty twenty two")
        == "spx levels december 5th 2022"
    )
    assert (
        spoken_dates("the twenty first of march nineteen ninety nine") == "the 21st of march 1999"
    )
    assert spoken_dates("first hour gg odds") == "first hour gg odds"  # no month: left alone
    friday = dt.date(2026, 2, 13)
    assert "2026-02-05" in month_day_only("spx mid on the 5th", friday)
    assert "2026-01-20" in month_day_only("spx mid for the 20th", friday)  # not yet this month
    assert "2025-12-31" in month_day_only("levels for the 31st", dt.date(2026, 1, 15))
    assert month_day_only("the week starting the 17th", friday) == "the week starting the 17th"
