"""Backtest metrics (domain spec §7): counts, win rate, R, expectancy, profit factor, drawdown,
Sharpe from daily returns, CAGR, exposure, and by-hour / by-weekday breakdowns."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from core.backtest import BacktestResult
from core.bars import bar_index


def metrics(result: BacktestResult, capital: float = 100_000.0) -> dict[str, Any]:
    """Return the metrics of a backtest as plain numbers (NaN-free: None when undefined).

    Sharpe = mean / σ of daily equity returns × √252 (σ with ddof=1); max drawdown in % of the
    running peak; CAGR over the calendar span of the bars; exposure = bars in a trade / all bars.
    """
    t = result.trades
    pnl = t["pnl"].to_numpy() if len(t) else np.array([])
    wins, losses = pnl[pnl > 0], pnl[pnl < 0]
    equity = result.equity
    daily = equity.groupby(bar_index(equity).date).last()
    rets = daily.pct_change().dropna()
    peak = equity.cummax()
    drawdown = ((equity - peak) / peak).min() if len(equity) else 0.0
    years = (equity.index[-1] - equity.index[0]).days / 365.25 if len(equity) > 1 else 0.0
    final = float(equity.iloc[-1]) if len(equity) else capital
    sharpe = (
        float(rets.mean() / rets.std() * math.sqrt(252))
        if len(rets) > 1 and rets.std() > 0
        else None
    )
    r = t["r_multiple"].dropna() if len(t) else pd.Series(dtype=float)
    return {
        "trades": int(len(t)),
        "wins": int(wins.size),
        "losses": int(losses.size),
        "win_rate_pct": 100.0 * wins.size / len(t) if len(t) else None,
        "total_pnl": float(pnl.sum()),
        "total_return_pct": 100.0 * (final / capital - 1),
        "avg_r": float(r.mean()) if len(r) else None,
        "expectancy": float(pnl.mean()) if len(t) else None,
        "profit_factor": float(wins.sum() / -losses.sum()) if losses.size else None,
        "max_drawdown_pct": float(-100.0 * drawdown),
        "sharpe": sharpe,
        "cagr_pct": 100.0 * ((final / capital) ** (1 / years) - 1)
        if years > 0 and final > 0
        else None,
        "exposure_pct": 100.0 * result.exposure_bars / max(result.bars, 1),
        "avg_bars_held": float((t["exit_bar"] - t["entry_bar"] + 1).mean()) if len(t) else None,
        "by_hour": _breakdown(t, t["entry_time"].dt.hour if len(t) else None),
        "by_weekday": _breakdown(t, t["entry_time"].dt.day_name().str[:3] if len(t) else None),
    }


def _breakdown(trades: pd.DataFrame, key: pd.Series | None) -> dict[str, dict[str, float]]:
    if key is None:
        return {}
    out = {}
    for k, group in trades.groupby(key):
        out[str(k)] = {
            "trades": int(len(group)),
            "pnl": float(group["pnl"].sum()),
            "win_rate_pct": 100.0 * float((group["pnl"] > 0).mean()),
        }
    return out
