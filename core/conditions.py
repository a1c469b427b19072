"""Conditions on level statistics (issue #13 item 3): weekday, where the session opened, and the
pivot-ribbon and phase-oscillator state when the first level was touched.

Session conditions, one value per period (a session in Day mode):
- weekday: of the period's first session, ``mon`` … ``fri``.
- open location: the period's opening price (its first regular-hours bar's open) against its
  levels, where at-or-beyond counts as beyond, as for the gate's ``open`` bucket and exclusion:
  ``below_put_trigger`` open ≤ PC − 0.236·ATR; ``above_call_trigger`` open ≥ PC + 0.236·ATR;
  ``inside_triggers`` strictly between; ``beyond_midrange_up`` open ≥ PC + 0.618·ATR;
  ``beyond_midrange_down`` open ≤ PC − 0.618·ATR; ``above_previous_close`` open > PC;
  ``below_previous_close`` open < PC (an open exactly at PC is neither).

Trigger conditions, read at the bar that touched the first level (the gate's trigger bar):
- ``ribbon``: the spine of ``core.ribbon.ribbon`` (bullish 8 > 13 > 21 > 48, bearish the
  reverse, else mixed); ``po_zone``: ``core.phase.zone`` of the phase oscillator.
- Both are read on the chosen timeframe (5m or 1h, built from the intraday bars with
  ``core.bars.resample``) at the **last bar that had closed when the trigger bar opened**: the
  bar before the one holding the trigger bar's start. Not the trigger bar's own close: the touch
  happens inside that bar, and its close (for 1h, the rest of the hour) comes after the touch,
  possibly after the completion, which may fall in the same bar. So no value after the trigger
  bar's start is used; an ``open``-bucket trigger reads the previous session's last bar.
- Periods without a touch, or whose state is undefined (EMA warm-up, no earlier bar), meet no
  trigger condition. The EMAs run over all the bars given (they are recursive and causal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.bars import NS_PER_MIN, bar_index, resample, timeframe
from core.checks import one_of
from core.errors import InvalidArgumentError
from core.phase import ZONES, phase_oscillator
from core.ribbon import NA, ribbon

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OPEN_LOCATIONS = (
    "below_put_trigger",
    "inside_triggers",
    "above_call_trigger",
    "beyond_midrange_up",
    "beyond_midrange_down",
    "above_previous_close",
    "below_previous_close",
)
RIBBON_STATES = ("bullish", "bearish", "mixed")
PO_ZONES = ZONES
INDICATOR_TIMEFRAMES = ("5m", "1h")
TRIGGER = 0.236
MIDRANGE = 0.618
_DAY_NAMES = np.asarray(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), dtype=object)
_DAY_LABELS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri"}
_OPEN_TEXT = {
    "below_put_trigger": "session opened below the put trigger",
    "inside_triggers": "session opened inside the triggers",
    "above_call_trigger": "session opened above the call trigger",
    "beyond_midrange_up": "session gapped up beyond +0.618",
    "beyond_midrange_down": "session gapped down beyond -0.618",
    "above_previous_close": "session opened above the previous close",
    "below_previous_close": "session opened below the previous close",
}


@dataclass(frozen=True)
class Conditions:
    """Which periods (and which touches) a statistic counts; empty = all of them."""

    weekdays: tuple[str, ...] = ()
    """Keep periods whose first session falls on one of these days (``mon`` … ``fri``)."""
    open_location: str | None = None
    """Keep periods whose open meets this predicate (one of ``OPEN_LOCATIONS``)."""
    ribbon: str | None = None
    """Keep touches with this ribbon spine (``bullish``, ``bearish``, ``mixed``)."""
    po_zone: str | None = None
    """Keep touches with the phase oscillator in this zone (one of ``PO_ZONES``)."""
    timeframe: str = "5m"
    """Bar size the ribbon and oscillator are read on: ``5m`` or ``1h``."""

    def __post_init__(self) -> None:
        for day in self.weekdays:
            one_of(day, WEEKDAYS, "weekday")
        if self.open_location is not None:
            one_of(self.open_location, OPEN_LOCATIONS, "open location")
        if self.ribbon is not None:
            one_of(self.ribbon, RIBBON_STATES, "ribbon state")
        if self.po_zone is not None:
            one_of(self.po_zone, PO_ZONES, "phase-oscillator zone")
        one_of(self.timeframe, INDICATOR_TIMEFRAMES, "indicator timeframe")

    @property
    def empty(self) -> bool:
        """Return True when no condition is set (every period and touch counts)."""
        return not (self.weekdays or self.open_location or self.at_trigger)

    @property
    def at_trigger(self) -> bool:
        """Return True when a condition is read at the touch (ribbon or oscillator)."""
        return self.ribbon is not None or self.po_zone is not None

    def describe(self, verb: str = "triggered", at: str = "the trigger") -> list[str]:
        """Return one human-readable phrase per condition set, in a fixed order.

        Args:
            verb: What happened on the weekday ("triggered", "touched +0.236").
            at: The moment the indicators are read at ("the trigger", "the touch of +0.236").
        """
        out = []
        if self.weekdays:
            days = [_DAY_LABELS[d] for d in WEEKDAYS if d in set(self.weekdays)]
            listed = days[0] if len(days) == 1 else f"{', '.join(days[:-1])} or {days[-1]}"
            out.append(f"{verb} on {listed}")
        if self.open_location is not None:
            out.append(_OPEN_TEXT[self.open_location])
        if self.ribbon is not None:
            out.append(f"ribbon {self.ribbon} ({self.timeframe}) at {at}")
        if self.po_zone is not None:
            zone = self.po_zone.replace("_", " ")
            out.append(f"phase oscillator in {zone} ({self.timeframe}) at {at}")
        return out


def session_context(
    dates: np.ndarray, first_open: np.ndarray, pc: np.ndarray, atr: np.ndarray
) -> pd.DataFrame:
    """Return each period's weekday and where it opened against its levels.

    Args:
        dates: First session date of each period (datetime64[D]).
        first_open: The period's opening price.
        pc: The period's previous close.
        atr: The period's (rounded) ATR.

    Returns:
        One row per period: ``date``, ``weekday`` (mon … sun), ``open``, ``open_location``
        (below_put_trigger, inside_triggers or above_call_trigger) and one boolean column per
        name in ``OPEN_LOCATIONS`` (rules in the module docstring).
    """
    o = np.asarray(first_open, dtype=np.float64)
    p, a = np.asarray(pc, dtype=np.float64), np.asarray(atr, dtype=np.float64)
    day = np.asarray(dates, dtype="datetime64[D]")
    # the levels are added up as level_prices does (pc + sign·k·atr), so they equal it to the bit
    below = o <= p + -1.0 * TRIGGER * a
    above = o >= p + 1.0 * TRIGGER * a
    flags = {
        "below_put_trigger": below,
        "inside_triggers": ~below & ~above,
        "above_call_trigger": above,
        "beyond_midrange_up": o >= p + 1.0 * MIDRANGE * a,
        "beyond_midrange_down": o <= p + -1.0 * MIDRANGE * a,
        "above_previous_close": o > p,
        "below_previous_close": o < p,
    }
    location = np.where(below, "below_put_trigger", np.where(above, "above_call_trigger", ""))
    location = np.where(location == "", "inside_triggers", location)
    return pd.DataFrame(
        {
            "date": day,
            "weekday": _DAY_NAMES[(day.view(np.int64) + 3) % 7],  # 1970-01-01 was a Thursday
            "open": o,
            "open_location": location,
            **flags,
        }
    )


def trigger_states(
    bars: pd.DataFrame, times: pd.DatetimeIndex, timeframe_name: str = "5m"
) -> pd.DataFrame:
    """Return the ribbon spine and oscillator zone in force when each trigger bar opened.

    Args:
        bars: Intraday bars (any size dividing ``timeframe_name``), as much history as there is:
            the EMAs are recursive. Only regular hours are used.
        times: Start times of the trigger bars (tz-aware; NaT where there is no trigger).
        timeframe_name: ``5m`` or ``1h``, the bar size the indicators are read on.

    Returns:
        One row per time: ``as_of`` (start of the bar read: the last one closed by that time, see
        the module docstring; NaT if none), ``ribbon`` (bullish, bearish, mixed or ``"n/a"``) and
        ``po_zone`` (a ``PO_ZONES`` name or ``"n/a"``).
    """
    tf = timeframe(one_of(timeframe_name, INDICATOR_TIMEFRAMES, "indicator timeframe"))
    if times.tz is None:
        raise InvalidArgumentError("trigger times must be timezone-aware")
    ind = resample(bars, tf)
    t = times.as_unit("ns").asi8
    if not len(ind):
        none = np.full(t.size, NA, dtype=object)
        return pd.DataFrame(
            {"as_of": pd.DatetimeIndex([pd.NaT] * t.size), "ribbon": none, "po_zone": none}
        )
    c, h, lo = (ind[k].to_numpy(np.float64) for k in ("close", "high", "low"))
    spine = ribbon(c)["spine"].to_numpy(dtype=object)
    zones = phase_oscillator(h, lo, c)["zone"].to_numpy(dtype=object)
    starts = bar_index(ind).as_unit("ns").asi8
    holding = np.searchsorted(starts, t, side="right") - 1  # last bar starting at or before t
    safe = np.maximum(holding, 0)
    still_open = (holding >= 0) & (t < starts[safe] + tf.minutes * NS_PER_MIN)
    read = np.where(still_open, holding - 1, holding)
    ok = ~np.asarray(times.isna()) & (read >= 0)
    at = np.maximum(read, 0)
    return pd.DataFrame(
        {
            "as_of": bar_index(ind)[at].where(ok),
            "ribbon": np.where(ok, spine[at], NA),
            "po_zone": np.where(ok, zones[at], NA),
        }
    )


def condition_masks(
    where: Conditions,
    context: pd.DataFrame,
    trigger_times: pd.DatetimeIndex,
    indicator_bars: pd.DataFrame,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return which periods meet the session conditions and which touches the trigger ones.

    Args:
        where: The conditions.
        context: ``session_context`` of the periods.
        trigger_times: Per period the start of the touching bar (NaT where none).
        indicator_bars: Bars the ribbon and oscillator are computed on (see ``trigger_states``).

    Returns:
        ``(session_ok, trigger_ok)``, boolean arrays per period: weekday and open location hold;
        ribbon and zone hold at the touch (True everywhere when no such condition is set).
    """
    n = len(context)
    session_ok = np.ones(n, bool)
    if where.weekdays:
        session_ok &= context["weekday"].isin(where.weekdays).to_numpy()
    if where.open_location is not None:
        session_ok &= context[where.open_location].to_numpy(bool)
    trigger_ok = np.ones(n, bool)
    if where.at_trigger:
        states = trigger_states(indicator_bars, trigger_times, where.timeframe)
        if where.ribbon is not None:
            trigger_ok &= (states["ribbon"] == where.ribbon).to_numpy()
        if where.po_zone is not None:
            trigger_ok &= (states["po_zone"] == where.po_zone).to_numpy()
    return session_ok, trigger_ok
