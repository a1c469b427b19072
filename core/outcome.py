"""What happened in one session against its ATR levels: first touches, golden gates, gap, range,
close-to-close change and where it closed (domain spec §1.4, §1.5, §4.1).

Rules (* marks a decision the spec leaves open):
- Bars: one session's bars in time order, labelled by their **start** (converted to ET).
  Intraday bars (``bar_minutes`` given) carry times and only regular hours count (bars that
  start 09:30-16:00 ET; pre- and post-market bars are dropped, as in every statistic); a single daily bar carries none (every
  touch then reports the bar's date label and ``intraday`` is False). A partial session (the
  bars so far) is answered as of the end of its last bar.
- Touching a level: the first bar whose high ≥ the level when the level lies above the session's
  open, or whose low ≤ it when it lies below. *A level the session opened at or beyond (``+k``:
  open ≥ level, ``-k``: open ≤ level, the previous close: open exactly at it) is touched at the
  open: the first bar, flagged ``at_open``. The touch time is the touching bar's start (ET): the
  touch happened somewhere inside that bar. This is ``core.levelstats``' touch for every level
  but the previous close, where levelstats asks for low ≤ PC ≤ high inside one bar; here a bar
  that opens across PC from the previous bar's close also touched it.
- Golden gate: exactly ``core.goldengate``'s rules, computed by the same ``levelstats.trace``.
  Bull (bear mirrors with lows and the minus levels): *opened at or beyond +0.618 → status
  ``opened_beyond`` (no gate). Trigger = the first bar whose high ≥ +0.382 (at the open, bucket
  ``open``, when it opened at or above it). Completion = the first bar at or after the trigger
  bar whose high ≥ +0.618: *a trigger and a completion inside one bar count as completed.
  Failure = a bar whose low ≤ +0.236 before the completion bar: *inside the trigger bar it counts
  only when that bar opened at or above +0.382 (the session's open, or a gap between bars: then
  the dip surely came after the trigger); the completion bar never counts. So a bar whose order
  of high and low decides is resolved in the gate's favour: no failure is claimed that the bars
  cannot prove. With one daily bar: completed when high ≥ +0.618; failed only when it opened at
  or above +0.382, its low ≤ +0.236 and it did not complete. Status: ``opened_beyond``, ``not_triggered``, ``triggered`` (neither completed nor
  failed yet), ``failed`` (fell back and did not complete), ``completed`` (``failure_time`` is
  also set when it fell back first and came back to complete, as the statistics count it).
- Numbers: gap = open − PC, change = close − PC, range = high − low, up/down = (high − PC)/ATR
  and (low − PC)/ATR (signed: a negative ``up_atr`` means the session never traded above PC).
  Every comparison uses unrounded values; the result is rounded once, here: prices and points to
  the cent (half away from zero), percentages of PC to 2 decimals, ATR multiples to 3, and the
  range as a whole percent of ATR (the §1.4 label). ``close`` defaults to the last bar's close;
  pass the official close when it is known (the SPX daily close is the closing auction's, not
  the 15:55 bar's).
The scan is vectorised over the bars: one (bars × levels) comparison for the touches and the
levelstats ``reduceat`` scans for the gates; no Python loop per bar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.bars import EASTERN, NS_PER_DAY, NS_PER_MIN, bar_index, local_ns, rth_mask
from core.checks import positive_int
from core.errors import DataError, InvalidArgumentError
from core.levels import nearest_levels, round_half_up, round_price, zone
from core.levelstats import BUCKETS, SessionScan, level_prices, trace

TRIGGER, COMPLETION, FAILURE = 0.382, 0.618, 0.236
"""ATR fractions of the golden gate: trigger, completion (midrange) and the fall-back level."""
STATUSES = ("opened_beyond", "not_triggered", "triggered", "failed", "completed")


@dataclass(frozen=True)
class Touch:
    """The first touch of one level in the session."""

    time: pd.Timestamp
    """Start (ET) of the first bar that touched the level (the daily bar's label without times)."""
    at_open: bool
    """The session opened at or beyond the level: touched by the opening print."""


@dataclass(frozen=True)
class Move:
    """A price change from the previous close."""

    points: float
    """In index/share points, rounded to the cent."""
    pct: float
    """In percent of the previous close, 2 decimals."""
    atr: float
    """In multiples of the ATR, 3 decimals."""


@dataclass(frozen=True)
class Gate:
    """One golden gate's outcome in the session (see the module docstring for the rules)."""

    side: str
    """``bull`` or ``bear``."""
    status: str
    """One of ``STATUSES``."""
    trigger_level: float
    completion_level: float
    failure_level: float
    trigger_time: pd.Timestamp | None
    trigger_at_open: bool
    trigger_bucket: str | None
    """``open``, or the ET hour ``09``…``15`` of the trigger bar; None untriggered or no times."""
    completion_time: pd.Timestamp | None
    failure_time: pd.Timestamp | None


@dataclass(frozen=True)
class SessionOutcome:
    """What one session did against its levels; prices in cents, times bar starts in ET."""

    previous_close: float
    atr: float
    open: float
    high: float
    low: float
    close: float
    first_bar: pd.Timestamp
    last_bar: pd.Timestamp
    as_of: pd.Timestamp
    """End of the last bar (its start + ``bar_minutes``); the daily bar's label without times."""
    intraday: bool
    """True when the bars carry times (intraday bars), False for one daily bar."""
    bar_count: int
    levels: dict[str, float]
    """Every level given, rounded to the cent, ascending by price."""
    touches: dict[str, Touch | None]
    """Level key → its first touch, None when the session never traded at it."""
    bull: Gate
    bear: Gate
    gap: Move
    change: Move
    range_points: float
    range_atr: float
    range_pct: int
    up_atr: float
    """(high − PC)/ATR: how far up the session went."""
    down_atr: float
    """(low − PC)/ATR: how far down it went (negative below PC)."""
    close_zone: str
    """``core.levels.zone`` of the close."""
    above_close: list[tuple[str, float]]
    """Up to 3 levels strictly above the close, nearest first (key, price in cents)."""
    below_close: list[tuple[str, float]]


def _session_frame(bars: pd.DataFrame, bar_minutes: int | None) -> pd.DataFrame:
    """Return the bars with an ET index after checking the rules this module relies on."""
    missing = [c for c in ("open", "high", "low", "close") if c not in bars.columns]
    if missing:
        raise InvalidArgumentError(f"bars lack column(s) {missing}; need open, high, low, close")
    if len(bars) == 0:
        raise DataError("no bars for the session")
    idx = bars.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise DataError("session bars must be indexed by timezone-aware timestamps")
    if len(idx) > 1 and not (np.diff(idx.asi8) > 0).all():
        raise DataError("session bars must be sorted by time without duplicates")
    if bar_minutes is None and len(bars) != 1:
        raise InvalidArgumentError(
            f"without bar_minutes the bars must be one daily bar, got {len(bars)} bars; "
            "pass bar_minutes for intraday bars"
        )
    prices = bars[["open", "high", "low", "close"]].to_numpy(np.float64)
    if not np.isfinite(prices).all():
        raise DataError("session bars hold a missing or non-finite price")
    o, h, lo, c = prices.T
    if (lo > np.minimum(o, c)).any() or (h < np.maximum(o, c)).any():
        raise DataError("session bars break low <= open, close <= high")
    out = bars.set_axis(idx.tz_convert(EASTERN))
    local = local_ns(bar_index(out))
    if (local // NS_PER_DAY != local[0] // NS_PER_DAY).any():
        raise InvalidArgumentError("session bars span more than one ET date; pass one session")
    if bar_minutes is None:
        return out
    regular = out[rth_mask(local)]
    if len(regular) == 0:
        raise DataError("no regular-hours bars (09:30-16:00 ET) in the session")
    return regular


def _scan(bars: pd.DataFrame, previous_close: float, atr: float) -> SessionScan:
    """Return the session as a one-period ``SessionScan`` so levelstats' scans apply as they are."""
    idx = bar_index(bars)
    local = local_ns(idx)
    n = len(idx)
    return SessionScan(
        index=idx,
        open=bars["open"].to_numpy(np.float64),
        high=bars["high"].to_numpy(np.float64),
        low=bars["low"].to_numpy(np.float64),
        minute=(local % NS_PER_DAY) // NS_PER_MIN,
        starts=np.zeros(1, np.int64),
        ends=np.full(1, n, np.int64),
        period_of_bar=np.zeros(n, np.intp),
        dates=(local[:1] // NS_PER_DAY).astype("datetime64[D]"),
        pc=np.array([previous_close], np.float64),
        atr=np.array([atr], np.float64),
        without_levels=0,
    )


def _level_arrays(
    levels: Mapping[str, float], previous_close: float, atr: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return (keys, prices, ATR fractions); raise when a key is not a fraction or a price does
    not belong to this previous close and ATR."""
    keys = list(levels)
    try:
        frac = np.array([float(k) for k in keys], np.float64)
    except ValueError:
        raise InvalidArgumentError(
            f"level keys must be ATR fractions such as '+0.382' or '0', got {keys}"
        ) from None
    price = np.array([levels[k] for k in keys], np.float64)
    pc, a = np.array([previous_close]), np.array([atr])
    expected = np.array([level_prices(pc, a, f)[0] for f in frac])
    off = np.flatnonzero(~np.isclose(price, expected, rtol=0.0, atol=1e-6))
    if off.size:
        k = keys[int(off[0])]
        raise InvalidArgumentError(
            f"level {k} is {levels[k]}, but previous close {previous_close} and ATR {atr} put it "
            f"at {expected[int(off[0])]}: pass the levels built from them"
        )
    return keys, price, frac


def _first_touches(
    scan: SessionScan, price: np.ndarray, frac: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return per level (first touching bar or -1, touched at the open), vectorised over bars."""
    o = scan.open[0]
    at_open = np.where(frac > 0, o >= price, np.where(frac < 0, o <= price, o == price))
    hit = np.where(price > o, scan.high[:, None] >= price, scan.low[:, None] <= price)
    first = np.where(hit.any(axis=0), hit.argmax(axis=0), -1)
    return np.where(at_open, 0, first), at_open


def _gate(scan: SessionScan, side: str, intraday: bool) -> Gate:
    """Return one gate's outcome: the ``core.goldengate`` rules on this one session."""
    s = 1.0 if side == "bull" else -1.0
    gate = trace(scan, s * TRIGGER, s * COMPLETION)
    back = int(trace(scan, s * TRIGGER, s * FAILURE).reach[0])
    t, c = int(gate.touch[0]), int(gate.reach[0])
    failed = t >= 0 and back >= 0 and (c < 0 or back < c)
    if bool(gate.excluded[0]):
        status = "opened_beyond"
    elif t < 0:
        status = "not_triggered"
    else:
        status = "completed" if c >= 0 else "failed" if failed else "triggered"
    at_open = bool(gate.at_open[0])
    code = int(scan.bucket_codes(gate.touch, gate.at_open)[0])
    bucket = BUCKETS[code] if code >= 0 and (intraday or at_open) else None

    def when(bar: int) -> pd.Timestamp | None:
        return scan.index[bar] if bar >= 0 else None

    def price(f: float) -> float:
        return round_price(float(level_prices(scan.pc, scan.atr, s * f)[0]))

    return Gate(
        side=side,
        status=status,
        trigger_level=price(TRIGGER),
        completion_level=price(COMPLETION),
        failure_level=price(FAILURE),
        trigger_time=when(t),
        trigger_at_open=at_open,
        trigger_bucket=bucket,
        completion_time=when(c),
        failure_time=when(back) if failed else None,
    )


def _checked_scalars(
    previous_close: float, atr: float, bar_minutes: int | None, close: float | None
) -> tuple[float, float]:
    """Return (PC, ATR) as floats; raise ``InvalidArgumentError`` naming a bad input."""
    if not (np.isfinite(previous_close) and previous_close > 0):
        raise InvalidArgumentError(f"previous close must be a positive price, got {previous_close}")
    if not (np.isfinite(atr) and atr > 0):
        raise InvalidArgumentError(f"ATR must be positive, got {atr}")
    if bar_minutes is not None:
        positive_int(bar_minutes, "bar_minutes")
    if close is not None and not (np.isfinite(close) and close > 0):
        raise InvalidArgumentError(f"close must be a positive price, got {close}")
    return float(previous_close), float(atr)


def _move(points: float, previous_close: float, atr: float) -> Move:
    return Move(
        points=round_price(points),
        pct=round_half_up(points / previous_close * 100.0, 2),
        atr=round_half_up(points / atr, 3),
    )


def session_outcome(
    previous_close: float,
    atr: float,
    levels: Mapping[str, float],
    bars: pd.DataFrame,
    *,
    bar_minutes: int | None = None,
    close: float | None = None,
) -> SessionOutcome:
    """Return what one session did against its ATR levels (rules in the module docstring).

    Args:
        previous_close: The levels' previous close (PC).
        atr: The levels' ATR as every level uses it (rounded to 2 decimals by ``core.levels``).
        levels: Level key (ATR fraction: ``"+0.382"``, ``"0"``…) → unrounded price, e.g.
            ``LevelSet.levels``; every price must equal PC + fraction·ATR as the grid builds it.
        bars: The session's bars (open, high, low, close; tz-aware start times, one ET date):
            intraday bars so far, or one daily bar.
        bar_minutes: Length of each intraday bar in minutes; None for one daily bar (no times).
        close: The session's official close when known; default the last bar's close.

    Returns:
        A ``SessionOutcome``: prices rounded to the cent, times bar starts in ET.
    """
    pc, a = _checked_scalars(previous_close, atr, bar_minutes, close)
    frame = _session_frame(bars, bar_minutes)
    scan = _scan(frame, pc, a)
    keys, price, frac = _level_arrays(levels, pc, a)
    first, at_open = _first_touches(scan, price, frac)
    intraday = bar_minutes is not None
    o, h, lo = float(scan.open[0]), float(scan.high.max()), float(scan.low.min())
    c = float(frame["close"].iloc[-1]) if close is None else float(close)
    last = scan.index[-1]
    above, below = nearest_levels(dict(levels), c)
    return SessionOutcome(
        previous_close=pc,
        atr=a,
        open=round_price(o),
        high=round_price(h),
        low=round_price(lo),
        close=round_price(c),
        first_bar=scan.index[0],
        last_bar=last,
        as_of=last + pd.Timedelta(minutes=bar_minutes) if bar_minutes else last,
        intraday=intraday,
        bar_count=len(frame),
        levels={
            k: round_price(float(p))
            for k, p in sorted(zip(keys, price, strict=True), key=lambda kv: kv[1])
        },
        touches={
            k: Touch(scan.index[int(i)], bool(flag)) if i >= 0 else None
            for k, i, flag in zip(keys, first, at_open, strict=True)
        },
        bull=_gate(scan, "bull", intraday),
        bear=_gate(scan, "bear", intraday),
        gap=_move(o - pc, pc, a),
        change=_move(c - pc, pc, a),
        range_points=round_price(h - lo),
        range_atr=round_half_up((h - lo) / a, 3),
        range_pct=int(round_half_up((h - lo) / a * 100.0, 0)),
        up_atr=round_half_up((h - pc) / a, 3),
        down_atr=round_half_up((lo - pc) / a, 3),
        close_zone=zone(c, pc, a),
        above_close=[(k, round_price(v)) for k, v in above],
        below_close=[(k, round_price(v)) for k, v in below],
    )


__all__ = ["STATUSES", "Gate", "Move", "SessionOutcome", "Touch", "session_outcome"]
