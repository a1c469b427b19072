"""Clock times of the session as traders say them: after 1pm, before 11, first hour, power hour.

``read_window`` returns the (start, end) ET window a message names (alerts and strategies use
it); ``trigger_buckets`` maps it to golden-gate trigger buckets (``open``, ``09`` … ``15``).
Hours 1–4 without am/pm mean the afternoon: nobody trades 2 am.
"""

from __future__ import annotations

import re

BUCKETS = ("open", "09", "10", "11", "12", "13", "14", "15")
_H = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_NOT_TIME = r"(?!\s*(?:%|atr|years?|days?|sessions?|weeks?|months?|pts|points|dte|r\b|x\b|ema|k\b|shares|contracts))"


def _hour24(hour: int, ampm: str | None) -> int:
    ampm = ampm.replace(".", "")[:2] if ampm and "clock" not in ampm else None
    if ampm == "pm" and hour < 12:
        return hour + 12
    if ampm is None and 1 <= hour <= 5:
        return hour + 12
    return hour


def _clock(m: re.Match[str], first: int) -> str | None:
    hour = _hour24(int(m.group(first)), m.group(first + 2))
    minute = int(m.group(first + 1) or 0)
    if not (9 <= hour <= 16 and minute < 60):
        return None
    return f"{hour:02d}:{minute:02d}"


def _clock_hour(hour: int, ampm: str) -> str | None:
    h = _hour24(hour, ampm)
    return f"{h:02d}:00" if 9 <= h <= 16 else None


def read_window(t: str) -> tuple[str, str] | None:
    """Return the (start, end) ET window a normalised message names, or None."""
    m = re.search(rf"\bbetween {_H} (?:and|&|-|to) {_H}{_NOT_TIME}", t) or re.search(
        rf"\bfrom {_H} (?:to|-|till|until) {_H}{_NOT_TIME}", t
    )
    if m:
        a, b = _clock(m, 1), _clock(m, 4)
        if a and b:
            return (max(a, "09:30"), b)
    m = re.search(rf"(?<![\d/.-]){_H}\s?-\s?{_H}(?![\d/.-]){_NOT_TIME}", t)
    if m and (
        m.group(3)
        or m.group(6)
        or re.search(r"\(\s*$|\bhour\b|\btrigger|\bbetween\b|\bwindow\b", t)
    ):
        a, b = _clock(m, 1), _clock(m, 4)
        if m.group(6) and not m.group(3) and a and b and a > b:
            a = _clock_hour(int(m.group(1)), m.group(6))
        if a and b and a < b:
            return (max(a, "09:30"), b)
    m = re.search(rf"\b(?:after|past|from|post|later than|no earlier than) {_H}{_NOT_TIME}", t)
    if m and _clock(m, 1):
        return (max(_clock(m, 1) or "09:30", "09:30"), "16:00")
    m = re.search(rf"\b(?:before|by|until|till|no later than|prior to) {_H}{_NOT_TIME}", t)
    if m and _clock(m, 1):
        return ("09:30", _clock(m, 1) or "16:00")
    phrases = [
        (r"\bfirst (?:30|half hour|30 min\w*)\b", ("09:30", "10:00")),
        (r"\bfirst hour\b|\bopening hour\b", ("09:30", "10:30")),
        (r"\b(?:last|final|power) hour\b|\binto the close\b|\bend of day\b", ("15:00", "16:00")),
        (r"\bafter lunch\b", ("13:00", "16:00")),
        (r"\bafternoons?\b|\bpm session\b", ("12:00", "16:00")),
        (r"\bmornings?\b|\bthis am\b|\bam session\b", ("09:30", "12:00")),
        (r"\blunch\b|\bmidday\b|\bmid-day\b", ("12:00", "13:00")),
    ]
    for pattern, window in phrases:
        if re.search(pattern, t):
            return window
    return None


def trigger_buckets(t: str) -> list[str] | None:
    """Return the golden-gate trigger buckets a message asks about ("after 1pm" → 13, 14, 15;
    "at the open" → open; "first hour" → open, 09), or None for all of them."""
    t = re.sub(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b", " ", t)  # dates
    if re.search(
        r"\b(?:at|on) the open\b.{0,12}\b(?:or|and|\+)\b.{0,12}\bfirst (?:30|half hour|30 min\w*)\b",
        t,
    ):
        return ["open", "09"]  # "at the open or in the first 30 min"
    pair = re.search(
        r"\b(?:in|during) the (\d{1,2})(?: or | and |/|-| to )(\d{1,2})(?: (?:hour|o'?clock)s?)?\b",
        t,
    )
    if pair:  # "in the 11 or 12 hour"
        first, last = _hour24(int(pair[1]), None), _hour24(int(pair[2]), None)
        if 9 <= first <= last <= 15:
            return [f"{h:02d}" for h in range(first, last + 1)]
    if re.search(
        r"\bat the open\b|\bon the open\b|\bopens? (?:above|below|beyond|through|over|under)\b"
        r"|\bgap(?:s|ped)? (?:above|below|over|through|up|down)|\bopening (?:print|bar)\b"
        r"|\bopen (?:bucket|trigger|triggers|bar)\b",
        t,
    ):
        return ["open"]
    m = re.search(rf"\b(?:at|around|in the) {_H}(?: hour)?{_NOT_TIME}", t)
    if m and _clock(m, 1):
        return [f"{max(9, min(15, int((_clock(m, 1) or '09')[:2]))):02d}"]
    if re.search(r"\bfirst (?:30|half hour|30 min\w*)\b", t):
        return ["09"]
    later = re.search(
        r"(?<![\d:.$])(\d{1,2})(?::\d{2})?\s*(am|pm)?\s*(?:or later|and later|onwards?|or after|and after|\+)",
        t,
    )
    if later:  # "2pm or later": that hour's bucket to the close
        first = _hour24(int(later[1]), later[2] or ("pm" if int(later[1]) < 9 else "am"))
        if 9 <= first <= 15:
            return [f"{h:02d}" for h in range(first, 16)]
    window = read_window(t)
    bare = re.search(
        r"(?<![\d:.$])(\d{1,2})(?::(\d{2}))?\s*(am|pm|o'?clock)\b|(?<![\d:.$])(\d{1,2}):(\d{2})(?!\d)",
        t,
    )
    if window is None and bare:
        hour = _hour24(int(bare[1] or bare[4]), bare[3])
        return [f"{max(9, min(15, hour)):02d}"] if 9 <= hour <= 16 else None
    if window is None:
        return None
    start, end = window
    hours = [
        f"{h:02d}"
        for h in range(9, 16)
        if (f"{h:02d}:00" >= start or (h == 9 and start == "09:30"))
        and (f"{h + 1:02d}:00" <= end or (h == 15 and end >= "16:00"))
    ]
    if not hours and start < end:  # a window inside one hour: that hour's bucket
        hours = [start[:2]]
    return (["open"] if start == "09:30" else []) + hours or None
