"""The dashboard chart's data (``GET /api/chart/{symbol}``): candles of one bar size, the levels
of one mode for the latest session shown, the pivot ribbon's EMAs and the phase oscillator, each
computed by the core and tools functions the rest of Whispr uses (``core.ribbon.ribbon``,
``core.phase.phase_oscillator``, ``tools.levels.levels_for_session``, ``core.levels``).

**Time axis.** lightweight-charts reads a bar's ``time`` as UTC epoch seconds and labels its axis
in UTC. Every ``time`` here is instead the bar's US/Eastern wall-clock start written as if it were
UTC: the UTC instant plus the Eastern offset in force then (−5 h in winter, −4 h in summer;
``core.bars.local_ns``). So the 09:30 ET bar is labelled 09:30 on any date, either side of a DST
change, and daily and weekly bars sit at 00:00 of their Eastern date. The page shifts live tick
times the same way (the ISO time without its offset, read as UTC). The real instant is ``time``
minus that offset; nothing on the page needs it.

**History.** The EMAs and the oscillator are recursive, so they run over the whole history of
the bar size (domain spec §0: never a short buffer) and only the last ``bars`` points are sent.
With ``until`` everything is as it stood at that moment (``chartbars``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from core.bars import bar_index, local_ns, period_start, rth_mask
from core.calendar import is_session, previous_session
from core.errors import DateOutOfRangeError, InvalidArgumentError
from core.levels import LevelSet, compute_levels, current_period_start, level_key, mode, round_price
from core.phase import phase_oscillator
from core.ribbon import RIBBON_LENGTHS, ribbon
from integrations.web.chartbars import bars_until, eastern
from tools.base import ToolContext
from tools.levels import LEVEL_NAMES, levels_for_session
from tools.market import day_start, normalize_symbol

TIMEFRAMES = {"5m": "5m", "1h": "1h", "4h": "4h", "D": "1d", "W": "1w"}
"""The chart's bar sizes (as the page names them) and their ``core.bars`` names."""
DEFAULT_BARS, MAX_BARS = 300, 2000
PO_LINES = (100.0, 61.8, 23.6, 0.0, -23.6, -61.8, -100.0)
"""The phase oscillator's reference lines (domain spec §3)."""
_NAMES = {
    **LEVEL_NAMES,
    "+0.618": "bullish midrange",  # the tools' "(golden gate completion)" is too long for an axis
    "-0.618": "bearish midrange",
}


def chart_timeframe(name: str) -> str:
    """Return the ``core.bars`` name of a chart bar size (``5m``, ``1h``, ``4h``, ``D``, ``W``,
    case-insensitive); raise ``InvalidArgumentError`` naming the accepted ones otherwise."""
    found = {k.lower(): v for k, v in TIMEFRAMES.items()}.get(str(name).strip().lower())
    if found is None:
        raise InvalidArgumentError(f"unknown timeframe {name!r}; accepted: {', '.join(TIMEFRAMES)}")
    return found


def drawn_keys(trigger_percentage: float = 0.236) -> list[str]:
    """Return the level keys the chart draws, lowest first: the previous close, the triggers and
    every Fibonacci level out to ±1 ATR (the Saty script's defaults: all Fibonacci levels on,
    extensions off)."""
    upper = sorted({trigger_percentage, 0.382, 0.5, 0.618, 0.786, 1.0})
    return [level_key(f) for f in (*(-f for f in reversed(upper)), 0.0, *upper)]


def level_label(key: str, price: float) -> str:
    """Return a level's label: ``call trigger +0.236 6852.24``, ``previous close 6836.12``,
    ``+1 ATR 6900.50``, ``+0.5 6870.00`` (levels without a name)."""
    name = _NAMES.get(key)
    if name is None:
        return f"{key} {price:.2f}"
    if key == "0" or key in name:
        return f"{name} {price:.2f}"
    return f"{name} {key} {price:.2f}"


def level_lines(ls: LevelSet) -> list[dict[str, Any]]:
    """Return the drawn levels of ``ls`` as ``{key, name, price, label}``, lowest first; prices
    rounded for display as the levels tool rounds them (2 decimals, half away from zero)."""
    out = []
    for key in drawn_keys(ls.trigger_percentage):
        price = round_price(ls.levels[key])
        out.append(
            {
                "key": key,
                "name": _NAMES.get(key, key),
                "price": price,
                "label": level_label(key, price),
            }
        )
    return out


def chart_times(index: pd.DatetimeIndex) -> np.ndarray:
    """Return the chart ``time`` of each bar: its Eastern wall-clock start as epoch seconds (see
    the module docstring)."""
    return local_ns(index) // 1_000_000_000


def _points(times: np.ndarray, values: np.ndarray, digits: int) -> list[dict[str, float]]:
    ok = np.isfinite(values)
    rounded = np.round(values[ok], digits).tolist()
    return [{"time": t, "value": v} for t, v in zip(times[ok].tolist(), rounded, strict=True)]


def candles(bars: pd.DataFrame, times: np.ndarray) -> list[dict[str, float]]:
    """Return ``{time, open, high, low, close}`` per bar (prices as the data has them)."""
    cols = [bars[c].to_numpy().tolist() for c in ("open", "high", "low", "close")]
    return [
        {"time": t, "open": o, "high": h, "low": lo, "close": c}
        for t, o, h, lo, c in zip(times.tolist(), *cols, strict=True)
    ]


def indicator_series(bars: pd.DataFrame, count: int) -> dict[str, Any]:
    """Return the last ``count`` points of the pivot ribbon EMAs (``ema8`` … ``ema200``: lists of
    ``{time, value}``, warm-up points left out) and of the phase oscillator (``phase``: ``{time,
    value, color}`` with the script's colour, magenta when compressed, else green/red), computed
    over every bar of ``bars``."""
    close, high, low = (bars[c].to_numpy() for c in ("close", "high", "low"))
    tail = slice(max(len(bars) - count, 0), None)
    times = chart_times(bar_index(bars)[tail])
    rib = ribbon(close)
    emas = {f"ema{n}": _points(times, rib[f"ema{n}"].to_numpy()[tail], 4) for n in RIBBON_LENGTHS}
    po = phase_oscillator(high, low, close).iloc[tail]
    values = po["po"].to_numpy()
    points = _points(times, values, 3)
    colours = po["color"].to_numpy()[np.isfinite(values)].tolist()
    for point, colour in zip(points, colours, strict=True):
        point["color"] = colour
    return {"ribbon": emas, "phase": points}


def shown_session(last_day: dt.date, until: pd.Timestamp | None) -> dt.date:
    """Return the session whose levels the chart draws: ``until``'s date when that is a trading
    session right after the data shown (the live engine's session, before or as its first bars
    end), else the latest session shown."""
    if until is not None:
        today = until.date()
        if today > last_day and is_session(today) and previous_session(today) <= last_day:
            return today
    return last_day


def _scalp_levels(
    ctx: ToolContext, sym: str, session: dt.date, until: pd.Timestamp | None
) -> LevelSet:
    """Return the Scalp (4-hour) levels of the period in force at ``until`` (in regular hours),
    else of the session's last 4-hour bar shown (its first when it has none yet)."""
    bars = bars_until(ctx.source, sym, "4h", until).bars
    if (
        until is not None
        and until.date() == session
        and rth_mask(local_ns(pd.DatetimeIndex([until])))[0]
    ):
        start = period_start(until, "4h")
    elif len(bars) and bars.index[-1].date() == session:
        start = bars.index[-1]
    else:
        start = current_period_start(day_start(session), "scalp")
    return compute_levels(bars, start, "scalp")


def chart_levels(
    ctx: ToolContext, sym: str, mode_name: str, session: dt.date, until: pd.Timestamp | None
) -> LevelSet:
    """Return the levels of mode ``mode_name`` in force for ``session`` (Scalp: for its 4-hour
    period at ``until``), built from completed periods only."""
    if mode(mode_name).name == "scalp":
        return _scalp_levels(ctx, sym, session, until)
    return levels_for_session(ctx, sym, mode_name, session)[2]


def chart_payload(
    ctx: ToolContext,
    symbol: str,
    timeframe: str,
    mode_name: str = "day",
    count: int = DEFAULT_BARS,
    until: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return the chart's JSON: ``candles`` (the last ``count`` bars), ``levels`` (mode, session,
    previous close, ATR and the drawn ``lines``), ``ribbon`` and ``phase`` series (see
    ``indicator_series``) and ``phase_lines``; all as known at ``until`` when given.

    Raises ``InvalidArgumentError`` for an unknown bar size or mode, ``UnknownSymbolError`` for a
    symbol without data and ``DateOutOfRangeError`` when no bar is known by ``until``.
    """
    tf = chart_timeframe(timeframe)
    m = mode(mode_name)
    sym = normalize_symbol(ctx.source, symbol)
    moment = None if until is None else eastern(until)
    known = bars_until(ctx.source, sym, tf, moment)
    if known.last_day is None:
        when = "" if moment is None else f" before {moment:%Y-%m-%d %H:%M} ET"
        raise DateOutOfRangeError(f"no {sym} {timeframe} bars{when}")
    session = shown_session(known.last_day, moment)
    ls = chart_levels(ctx, sym, m.name, session, moment)
    bars = known.bars
    tail = bars.iloc[max(len(bars) - count, 0) :]
    return {
        "symbol": sym,
        "timeframe": next(k for k, v in TIMEFRAMES.items() if v == tf),
        "mode": m.name,
        "mode_label": m.label,
        "until": None if moment is None else moment.isoformat(),
        "time_axis": "US/Eastern wall-clock time written as UTC epoch seconds",
        "candles": candles(tail, chart_times(bar_index(tail))),
        "levels": {
            "session": session.isoformat(),
            "period_start": ls.period_start.isoformat(),
            "previous_close": ls.previous_close,
            "atr": ls.atr,
            "lines": level_lines(ls),
        },
        **indicator_series(bars, count),
        "phase_lines": list(PO_LINES),
    }
