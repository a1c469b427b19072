"""Slack DMs and Discord channels have no threads of their own: their conversation rolls each
US/Eastern day (issue #16, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.chat.daily import daily_thread

UTC = dt.UTC


def test_the_key_rolls_at_midnight_new_york_time_not_utc():
    # 2026-12-08 03:59 UTC is 22:59 on the 7th in New York (EST, UTC-5): still the 7th
    assert daily_thread("discord-42", dt.datetime(2026, 12, 8, 3, 59, tzinfo=UTC)) == (
        "discord-42-2026-12-07"
    )
    assert daily_thread("discord-42", dt.datetime(2026, 12, 8, 5, 0, tzinfo=UTC)) == (
        "discord-42-2026-12-08"
    )
    # in summer (EDT, UTC-4) the day turns at 04:00 UTC
    assert daily_thread("slack-D1", dt.datetime(2026, 7, 1, 3, 30, tzinfo=UTC)).endswith(
        "2026-06-30"
    )
    assert daily_thread("slack-D1", dt.datetime(2026, 7, 1, 4, 30, tzinfo=UTC)).endswith(
        "2026-07-01"
    )


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        daily_thread("slack-D1", dt.datetime(2026, 7, 1, 12, 0))
