"""Thread keys that roll each session day, for channels without threads of their own."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def daily_thread(key: str, now: dt.datetime | None = None) -> str:
    """Return ``key`` suffixed with the US/Eastern calendar date of ``now`` (default: the clock).

    A Slack DM or a Discord channel is one endless conversation; keyed per day, a new session's
    questions start a fresh thread, so "yesterday" and "that alert" never reach back to an old
    day's answers and the stored thread stays small. The day turns at midnight New York time.
    ``now`` must be timezone-aware.
    """
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("daily_thread needs a timezone-aware time")
    return f"{key}-{moment.astimezone(EASTERN).date().isoformat()}"
