"""The backtester: runs a strategy spec over bars with one compiled, path-dependent loop.

Fill rules (applied to every strategy alike):
- Signals are read on a bar's close and filled at the **next bar's open** (± slippage against
  the trade). A signal on a session's last bar is dropped when the strategy is flat by the session
  close, so it never fills in the next session.
- Stops and targets are fixed at the fill: a level key uses the levels in force on the fill bar,
  an ATR fraction is measured from the fill price with that bar's ATR.
- From the bar after the fill, an open beyond the stop or target fills there at the **open**
  (gaps are not forgiven). Inside a bar, a touch fills at the stop or target price; when both are
  inside one bar the **stop is assumed first** (conservative: bars do not show the path).
- Then, on the bar's close: max bars held, the session end, or exit conditions (filled at the next
  open) close the trade. An open trade at the end of the data is closed at the last close.
- One position at a time; commission per unit on each side; no look-ahead: bar t's decisions use
  data up to t's close, and fills happen at t+1.
- An entry whose fill price is already at or beyond its own target or stop is skipped.
Sizing: fixed units, or floor(equity × risk % / |entry − stop|) at the fill (no trade if < 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.errors import SpecError
from core.signals import signals
from core.spec import StrategySpec

REASONS = ("target", "stop", "session_end", "max_bars", "exit_signal", "end_of_data")


@numba.njit(cache=True, nogil=True)
def _loop(  # noqa: C901 - one compiled pass over the bars; splitting it costs speed
    o: NDArray[np.float64],
    h: NDArray[np.float64],
    lo: NDArray[np.float64],
    c: NDArray[np.float64],
    entry: NDArray[np.bool_],
    exit_sig: NDArray[np.bool_],
    tgt_px: NDArray[np.float64],
    stp_px: NDArray[np.float64],
    tgt_atr: float,
    stp_atr: float,
    tgt_default: float,
    stp_default: float,
    atr: NDArray[np.float64],
    last: NDArray[np.bool_],
    side: int,
    session_end: bool,
    max_bars: int,
    risk_mode: bool,
    units: int,
    risk_pct: float,
    equity0: float,
    commission: float,
    slippage: float,
    out_trades: NDArray[np.float64],
    equity: NDArray[np.float64],
) -> int:  # pragma: no cover - jit
    n = o.size
    cash = equity0
    qty = 0
    entry_px = 0.0
    stop = np.nan
    target = np.nan
    entry_i = -1
    pending_entry = False
    pending_exit = False
    k = 0
    for i in range(n):
        if qty > 0 and pending_exit:
            px = o[i] - side * slippage
            cash += side * qty * (px - entry_px) - commission * qty
            out_trades[k, 1] = i
            out_trades[k, 3] = px
            out_trades[k, 5] = 4
            k += 1
            qty = 0
            pending_exit = False
        if pending_entry and qty == 0:
            pending_entry = False
            px = o[i] + side * slippage
            if stp_px.size == o.size:
                stop = stp_px[i]
            elif not np.isnan(stp_atr):
                stop = px - side * stp_atr * atr[i]
            else:
                stop = stp_default
            if tgt_px.size == o.size:
                target = tgt_px[i]
            elif not np.isnan(tgt_atr):
                target = px + side * tgt_atr * atr[i]
            else:
                target = tgt_default
            size = units
            if (target - px) * side <= 0 or (px - stop) * side <= 0:
                size = 0  # the fill is already beyond its target or stop: no trade
            elif risk_mode:
                risk = abs(px - stop)
                size = int(np.floor(cash * risk_pct / 100.0 / risk + 1e-9)) if risk > 0 else 0
            if size >= 1:
                qty = size
                entry_px = px
                entry_i = i
                cash -= commission * qty
                out_trades[k, 0] = i
                out_trades[k, 2] = px
                out_trades[k, 4] = qty
                out_trades[k, 6] = stop
        if qty > 0:
            exit_px = np.nan
            reason = -1
            if i > entry_i:
                gap_stop = (o[i] <= stop) if side > 0 else (o[i] >= stop)
                gap_tgt = (o[i] >= target) if side > 0 else (o[i] <= target)
                if gap_stop:
                    exit_px, reason = o[i], 1
                elif gap_tgt:
                    exit_px, reason = o[i], 0
            if reason < 0:
                hit_stop = (lo[i] <= stop) if side > 0 else (h[i] >= stop)
                hit_tgt = (h[i] >= target) if side > 0 else (lo[i] <= target)
                if hit_stop:
                    exit_px, reason = stop, 1
                elif hit_tgt:
                    exit_px, reason = target, 0
            if reason < 0:
                if max_bars > 0 and i - entry_i + 1 >= max_bars:
                    exit_px, reason = c[i], 3
                elif session_end and last[i]:
                    exit_px, reason = c[i], 2
                elif i == n - 1:
                    exit_px, reason = c[i], 5
            if reason >= 0:
                px = exit_px - side * slippage
                cash += side * qty * (px - entry_px) - commission * qty
                out_trades[k, 1] = i
                out_trades[k, 3] = px
                out_trades[k, 5] = reason
                k += 1
                qty = 0
            elif exit_sig[i]:
                pending_exit = True
        equity[i] = cash + (side * qty * (c[i] - entry_px) if qty > 0 else 0.0)
        if qty == 0 and entry[i] and i + 1 < n and not (session_end and last[i]):
            pending_entry = True
    return k


def first_signals(
    entry: NDArray[np.bool_], session_last: NDArray[np.bool_], keep: int
) -> NDArray[np.bool_]:
    """Return ``entry`` with only the first ``keep`` signals of each session left (sessions end
    where ``session_last`` is true)."""
    session = np.concatenate(([0], np.cumsum(session_last[:-1], dtype=np.int64)))
    order = np.cumsum(entry, dtype=np.int64)
    starts = np.concatenate(([0], order[:-1]))  # signals before each bar
    first_of_session = np.r_[0, np.flatnonzero(np.diff(session)) + 1]
    before_session = np.repeat(
        starts[first_of_session], np.diff(np.r_[first_of_session, len(entry)])
    )
    kept: NDArray[np.bool_] = entry & (order - before_session <= keep)
    return kept


@dataclass
class BacktestResult:
    """Trades, the equity curve and the spec that produced them."""

    spec: StrategySpec
    trades: pd.DataFrame
    equity: pd.Series
    bars: int
    exposure_bars: int


def backtest(
    spec: StrategySpec, bars: pd.DataFrame, daily: pd.DataFrame, *, capital: float = 100_000.0
) -> BacktestResult:
    """Return the backtest of ``spec`` over ``bars`` (its bar size) with ``daily`` bars for the
    levels. See the module docstring for every fill assumption."""
    if len(bars) < 2:
        raise SpecError("need at least two bars to backtest")
    sig = signals(spec, bars, daily)
    if spec.entries_per_session:
        sig["entry"] = first_signals(sig["entry"], sig["session_last"], spec.entries_per_session)
    away = np.inf if spec.side == "long" else -np.inf  # a stop/target that can never be hit
    # level stops/targets are per-bar arrays; ATR-fraction or absent ones are constants
    no_level = np.array([np.nan])
    stop_px = sig["stop_px"] if sig["stop_px"] is not None else no_level
    target_px = sig["target_px"] if sig["target_px"] is not None else no_level
    stop_atr = sig["stop_atr"] if (spec.exit.stop or spec.exit.stop_atr) else np.nan
    target_atr = sig["target_atr"] if (spec.exit.target or spec.exit.target_atr) else np.nan
    stop_default = -away if not (spec.exit.stop or spec.exit.stop_atr) else np.nan
    target_default = away if not (spec.exit.target or spec.exit.target_atr) else np.nan
    o, h, lo, c = (
        np.ascontiguousarray(bars[k].to_numpy(dtype=np.float64, copy=False))
        for k in ("open", "high", "low", "close")
    )
    trades = np.full((int(sig["entry"].sum()) + 1, 7), np.nan)  # at most one trade per signal
    equity = np.empty(len(bars))
    count = _loop(
        o,
        h,
        lo,
        c,
        sig["entry"],
        sig["exit"],
        target_px,
        stop_px,
        target_atr,
        stop_atr,
        target_default,
        stop_default,
        sig["atr"],
        sig["session_last"],
        1 if spec.side == "long" else -1,
        spec.exit.session_end,
        spec.exit.max_bars or 0,
        spec.sizing.mode == "risk_pct",
        spec.sizing.units,
        spec.sizing.risk_pct,
        capital,
        spec.commission,
        spec.slippage,
        trades,
        equity,
    )
    return BacktestResult(
        spec,
        _trade_frame(trades[:count], bars, spec),
        pd.Series(equity, index=bars.index, name="equity"),
        len(bars),
        int(_exposure(trades[:count])),
    )


def _exposure(rows: np.ndarray) -> float:
    return float(np.sum(rows[:, 1] - rows[:, 0] + 1)) if len(rows) else 0.0


def _trade_frame(rows: np.ndarray, bars: pd.DataFrame, spec: StrategySpec) -> pd.DataFrame:
    side = 1 if spec.side == "long" else -1
    entry_i, exit_i = rows[:, 0].astype(int), rows[:, 1].astype(int)
    qty = rows[:, 4]
    pnl = side * qty * (rows[:, 3] - rows[:, 2]) - 2 * spec.commission * qty
    risk = np.abs(rows[:, 2] - rows[:, 6])
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(
            np.isfinite(risk) & (risk > 0), side * (rows[:, 3] - rows[:, 2]) / risk, np.nan
        )
    return pd.DataFrame(
        {
            "entry_time": bars.index[entry_i],
            "exit_time": bars.index[exit_i],
            "entry_bar": entry_i,
            "exit_bar": exit_i,
            "side": pd.Categorical.from_codes(
                np.zeros(len(rows), dtype=np.int8), pd.Index([spec.side])
            ),
            "qty": qty.astype(int),
            "entry_price": rows[:, 2],
            "exit_price": rows[:, 3],
            "stop": np.where(np.isfinite(rows[:, 6]), rows[:, 6], np.nan),
            "reason": pd.Categorical.from_codes(rows[:, 5].astype(np.int8), pd.Index(REASONS)),
            "pnl": pnl,
            "r_multiple": r,
        }
    )
