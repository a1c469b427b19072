"""The questions the planner asks instead of guessing, and how an answer completes them: an
unreadable or ambiguous date ("2/30/21", "06.11.2020"), a level off the grid, "that week" when
two weeks were answered, "the bear one" when the level is already bearish."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.understand.dates import read_date
from assistant.understand.dateslot import two_digit_year
from assistant.understand.reading import Reading
from assistant.understand.turns import Turn
from assistant.understand.vocab import alternation, months


def which_period(r: Reading, turn: Turn | None) -> str | None:
    """Return a question when "that week/month" could mean the period of either of the last two
    sessions answered (they fall in different periods), else None."""
    m = re.search(r"\bthat (?:whole |same |entire )?(week|month)\b", r.t)
    if not m or turn is None or turn.earlier is None or not turn.earlier.calls or not turn.calls:
        return None
    days = [str((c.calls[0].get("result") or {}).get("date") or "") for c in (turn.earlier, turn)]
    if not all(days):
        return None
    span = 7 if m[1] == "week" else 31
    a, b = (dt.date.fromisoformat(d[:10]) for d in days)
    key = (
        (lambda d: d - dt.timedelta(days=d.weekday()))
        if span == 7
        else (lambda d: d.replace(day=1))
    )
    if key(a) == key(b):
        return None
    return f"Which {m[1]}: the one with {a:%Y-%m-%d} or the one with {b:%Y-%m-%d}?"


def same_side(r: Reading, turn: Turn | None) -> str | None:
    """Return a question when "the bear one" is asked about a level already on the bear side
    (the put trigger): which bearish level is meant is unclear, so it is asked, not repeated."""
    m = re.search(
        r"^(?:and |now |ok )?(?:the )?(bear|bull|bearish|bullish)(?: one| side| version)?\W*$", r.t
    )
    if turn is None or not turn.calls or m is None:
        return None
    level = turn.calls[0]["args"].get("level")
    sign = "-" if m[1].startswith("bear") else "+"
    if isinstance(level, str) and level[:1] == sign and level != "0":
        side = "bearish" if sign == "-" else "bullish"
        return (
            f"{level} is already {side}: which {side} level do you mean (golden gate "
            f"{sign}0.382, midrange {sign}0.618, {sign}1 ATR)?"
        )
    return None


def complete(pending: dict[str, Any], r: Reading) -> str | None:
    """Return the earlier message completed with this answer (the unreadable part replaced)."""
    before, span = pending["text"], pending.get("span") or ""
    said = r.date.weekday
    if span and said is not None and not r.date.date and span in before:  # "oh, tuesday"
        written = read_date(span, r.setting.today).date
        if written is not None:
            day = written + dt.timedelta(days=said - written.weekday())
            fixed = before.replace(span, day.isoformat())
            return re.sub(
                r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\w*\b",
                " ",
                fixed,
                flags=re.IGNORECASE,
            )
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})", span)
    month = re.fullmatch(rf"(?:the )?({alternation(months())})\W*", r.t)
    if dotted and month and span in before:  # "06.11.2020?" — "june": the other number is the day
        a, b, year = int(dotted[1]), int(dotted[2]), dotted[3]
        day_of_month = b if months()[month[1]] == a else a
        return before.replace(span, f"{month[1]} {day_of_month} {year}")
    if span and (r.date.found or re.search(r"\d", r.t)) and span in before:
        answer = re.sub(
            r"^(?:(?:sorry|oops|my bad|typo|oh|ah|um|er|no|i meant|meant|i mean|should be)\W*)+",
            "",
            r.text.strip(" ?.!"),
            flags=re.IGNORECASE,
        )
        # the year the trader wrote, kept: "13/45/21" then "1/23" is 1/23/21; "13/32" has none
        year = re.search(r"\d[./-]\d{1,2}[./-](\d{4}|\d{2})$|\b((?:19|20)\d\d)$", span)
        if year and not re.search(r"(?:19|20)\d\d|'\d\d|\d+/\d+/\d+", answer):
            typed = str(year[1] or year[2])
            full = typed if len(typed) == 4 else str(two_digit_year(int(typed), r.setting.today))
            answer += f"/{full}" if re.fullmatch(r"\d{1,2}/\d{1,2}", answer) else f" {full}"
        fixed = before.replace(span, answer)
        return re.sub(
            r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\w*\b",
            " ",
            fixed,
            flags=re.IGNORECASE,
        )
    if r.levels.keys or r.levels.unsided or r.symbols:  # "spy call trigger going up": all of it
        return f"{before}, {r.text}"
    if re.search(r"\b(?:above|over|up|reclaim\w*|breakout)\b", r.t):
        return re.sub(r"\b(?:above|below|over|under|crosses|breaks)\b", "", before) + " reclaims"
    if re.search(r"\b(?:below|under|down|lose|loses|breakdown)\b", r.t):
        return re.sub(r"\b(?:above|below|over|under|crosses|breaks)\b", "", before) + " loses"
    return f"{before}, {r.text}"


def problem(r: Reading, intent: str) -> str | None:
    """Return a question when the message holds something unreadable the intent would use."""
    if intent in ("explain", "remember", "recall", "forget", "strategies", "search_strategies"):
        return None
    if r.date.problem and intent not in ("sizing",):
        return r.date.problem
    if r.levels.problem and intent in ("levels", "distance", "create_alert", "level_stats"):
        return r.levels.problem + " Which level did you mean?"
    if r.has(r"\bnext (?:mon|tues|wednes|thurs|fri)day\b") and intent in ("levels", "context"):
        return "Levels exist only up to the next session; which date do you mean?"
    event = re.search(r"\b(fomc|cpi|nfp|opex|jobs report|fed|earnings|ppi) day\b", r.t)
    if event and not r.date.found:  # "levels for fomc day": no event calendar here
        return f"Which date is {event[1].upper()} day? I have no event calendar; give the date."
    return None


def span(r: Reading) -> str:
    if r.date.problem:
        return r.date.text
    m = re.search(r"[+-]\s?\d(?:\.\d+)?", r.t)
    return m.group(0) if m else ""
