"""Hand-made 5-minute sessions for golden-gate and level-to-level tests (domain §10 ex. 4, 7).

Levels: PC 4500, ATR 40 → ±0.236 4509.44/4490.56, ±0.382 4515.28/4484.72,
±0.618 4524.72/4475.28, +1 4540.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ET = "America/New_York"
PC, ATR = 4500.0, 40.0
BULL_QUIET = (4512.0, 4513.0, 4511.0, 4512.0)
"""A bar between the call trigger (4509.44) and the bull gate (4515.28): touches nothing."""
BEAR_QUIET = (4487.0, 4488.0, 4486.0, 4487.0)
"""A bar between the bear gate (4484.72) and the put trigger (4490.56): touches nothing."""

Bar = tuple[float, float, float, float]


def session(
    day: str = "2024-03-13",
    bars: dict[str, Bar] | None = None,
    quiet: Bar = BULL_QUIET,
    first_open: float | None = None,
) -> pd.DataFrame:
    """Return a 09:30-15:55 session of 5-minute bars: ``bars`` maps "HH:MM" to (open, high, low,
    close), every other bar is ``quiet``; ``first_open`` replaces the 09:30 open (high/low widen)."""
    times = pd.date_range(f"{day} 09:30", f"{day} 15:55", freq="5min", tz=ET)
    given = bars or {}
    rows = np.array([given.get(t.strftime("%H:%M"), quiet) for t in times], dtype=float)
    if first_open is not None and "09:30" not in given:
        rows[0, 0] = first_open
        rows[0, 1] = max(rows[0, 1], first_open)
        rows[0, 2] = min(rows[0, 2], first_open)
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=times.as_unit("ns"))
    frame["volume"] = 0.0
    return frame


def levels_for(days: list[str], pc: float = PC, atr: float = ATR) -> pd.DataFrame:
    """Return Day levels (previous_close, atr) for the given session dates."""
    index = pd.DatetimeIndex(days).tz_localize(ET).as_unit("ns")
    return pd.DataFrame({"previous_close": pc, "atr": atr}, index=index)


def combine(*frames: pd.DataFrame) -> pd.DataFrame:
    """Return several sessions as one bar frame, in time order."""
    return pd.concat(frames).sort_index()
