"""US/Eastern wall-clock times of a batch of ticks as integers, for the live engine's hot path.

A provider frame holds up to thousands of trades; turning each time stamp into a tz-aware
pandas object costs more than evaluating the alerts. The UTC offset only changes on the hour
(at DST transitions), so ``EasternClock`` keeps the offset of each UTC hour it has seen and
turns a batch into local nanoseconds with one addition; ``Moments`` makes a ``pd.Timestamp``
only for the few ticks that are read one by one (the first, the last, a crossing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from core.bars import EASTERN, NS_PER_DAY, NS_PER_HOUR, NS_PER_MIN, offset_segments

EPOCH = dt.date(1970, 1, 1)


def eastern(stamp: Any) -> pd.Timestamp:
    """Return ``stamp`` in US/Eastern; a naive stamp or an integer is taken as UTC (as providers
    send)."""
    moment = pd.Timestamp(stamp)
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    return moment.tz_convert(EASTERN)


class Moments:
    """The ticks' times as a read-only sequence of US/Eastern timestamps, made on access."""

    def __init__(self, utc_ns: np.ndarray) -> None:
        self.utc_ns = utc_ns

    def __len__(self) -> int:
        return len(self.utc_ns)

    def __getitem__(self, i: int) -> pd.Timestamp:
        return eastern(int(self.utc_ns[i]))


class EasternClock:
    """Local (US/Eastern) wall-clock nanoseconds of UTC times, offsets kept per UTC hour."""

    def __init__(self) -> None:
        self._hours: dict[int, int] = {}

    def local(self, utc_ns: np.ndarray) -> np.ndarray:
        """Return ``utc_ns`` (sorted) as local wall-clock int64 nanoseconds."""
        first, last = int(utc_ns[0]) // NS_PER_HOUR, int(utc_ns[-1]) // NS_PER_HOUR
        a, b = self._hours.get(first), self._hours.get(last)
        if a is not None and a == b and last - first <= 24:  # DST changes are months apart
            return utc_ns + a
        starts, offsets = offset_segments(utc_ns)
        if len(offsets) == 1:
            if len(self._hours) > 10_000:
                self._hours.clear()
            self._hours[first] = self._hours[last] = int(offsets[0])
            return utc_ns + int(offsets[0])
        return utc_ns + np.repeat(offsets, np.diff(np.r_[starts, len(utc_ns)]))


def day_of(local_ns: int) -> dt.date:
    """Return the calendar date of a local wall-clock nanosecond time."""
    return EPOCH + dt.timedelta(days=local_ns // NS_PER_DAY)


def minute_of_day(local_ns: np.ndarray) -> np.ndarray:
    """Return the minute of the day (0..1439) of local wall-clock nanosecond times."""
    return (local_ns % NS_PER_DAY) // NS_PER_MIN
