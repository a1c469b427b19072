"""Chart rendering (matplotlib, PNG bytes): price with ATR levels, and equity with drawdown.

One renderer for every channel: the terminal saves the PNG to a file, chat channels upload it.
Headless: figures are built with matplotlib's object API on an Agg canvas, never through
``pyplot``, whose global figure registry is not safe when the web app, Slack and Discord draw
charts on several threads at once. matplotlib (~0.2 s to import) loads with the first chart, not
with the tools: most commands draw none.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd

from core.bars import bar_index

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_LEVEL_STYLE = {
    "0": ("black", "-"),
    "+0.236": ("green", "--"),
    "-0.236": ("red", "--"),
    "+0.382": ("goldenrod", "-"),
    "-0.382": ("goldenrod", "-"),
    "+0.618": ("darkorange", "-."),
    "-0.618": ("darkorange", "-."),
    "+1": ("gray", ":"),
    "-1": ("gray", ":"),
}


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def levels_chart(bars: pd.DataFrame, levels: dict[str, float], title: str) -> bytes:
    """Return a PNG of closes (with the high-low band) and the main ATR levels as lines."""
    fig = _figure(figsize=(9, 4.5))
    ax = fig.subplots()
    x = range(len(bars))
    ax.fill_between(x, bars["low"], bars["high"], color="lightsteelblue", alpha=0.5, lw=0)
    ax.plot(x, bars["close"], color="navy", lw=1.2, label="close")
    lo, hi = float(bars["low"].min()), float(bars["high"].max())
    span = hi - lo
    for key, (colour, style) in _LEVEL_STYLE.items():
        value = levels.get(key)
        if value is None or not (lo - span <= value <= hi + span):
            continue
        ax.axhline(value, color=colour, ls=style, lw=1)
        ax.text(
            len(bars) - 0.5, value, f" {key}  {value:.2f}", va="center", fontsize=8, color=colour
        )
    step = max(1, len(bars) // 6)
    ax.set_xticks(list(x)[::step], [f"{t:%m-%d %H:%M}" for t in bars.index[::step]], fontsize=8)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return _png(fig)


def equity_chart(equity: pd.Series, title: str) -> bytes:
    """Return a PNG of the equity curve above its drawdown (in % of the running peak)."""
    from matplotlib.ticker import FuncFormatter

    fig = _figure(figsize=(9, 5))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    daily = equity.groupby(bar_index(equity).date).last()
    top.plot(list(daily.index), daily.to_numpy(), color="navy", lw=1.2)
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # no "+1e5" offset
    top.set_title(title)
    top.grid(alpha=0.3)
    drawdown = (daily / daily.cummax() - 1) * 100
    bottom.fill_between(list(daily.index), drawdown.to_numpy(), 0, color="firebrick", alpha=0.6)
    bottom.set_ylabel("drawdown %")
    bottom.grid(alpha=0.3)
    return _png(fig)
