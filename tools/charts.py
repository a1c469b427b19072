"""Chart rendering (matplotlib, PNG bytes): price with ATR levels, and equity with drawdown.

One renderer for every channel: the terminal saves the PNG to a file, chat channels upload it.
Headless: figures are built with matplotlib's object API on an Agg canvas, never through
``pyplot``, whose global figure registry is not safe when the web app, Slack and Discord draw
charts on several threads at once. matplotlib (~0.2 s to import) loads with the first chart, not
with the tools: most commands draw none.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

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


THEMES = {
    "light": {"bg": "white", "fg": "#1b1f24", "grid": "#c9d1d9", "line": "navy",
              "band": "lightsteelblue", "close": "black"},
    "dark": {"bg": "#0f1419", "fg": "#dde3ea", "grid": "#26313c", "line": "#3fa9f5",
             "band": "#26313c", "close": "#dde3ea"},
}  # fmt: skip
"""Chart palettes: light for Slack, Discord and files; dark for the web page (its colours)."""


def chart_theme(value: object) -> str:
    """Return a known theme name (``light`` for anything else)."""
    return str(value) if value in THEMES else "light"


def _figure(figsize: tuple[float, float], theme: str = "light") -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, facecolor=THEMES[theme]["bg"])
    FigureCanvasAgg(fig)
    return fig


def _style(ax: Any, theme: str) -> None:
    """Colour one axes for ``theme``: background, ticks, labels, title, frame and grid."""
    t = THEMES[theme]
    ax.set_facecolor(t["bg"])
    ax.tick_params(colors=t["fg"])
    for spine in ax.spines.values():
        spine.set_color(t["grid"])
    ax.title.set_color(t["fg"])
    ax.yaxis.label.set_color(t["fg"])
    ax.grid(alpha=0.6 if theme == "dark" else 0.3, color=t["grid"])


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", facecolor=fig.get_facecolor())
    return buf.getvalue()


def levels_chart(
    bars: pd.DataFrame, levels: dict[str, float], title: str, theme: str = "light"
) -> bytes:
    """Return a PNG of closes (with the high-low band) and the main ATR levels as lines, in
    the ``light`` or ``dark`` palette."""
    t = THEMES[chart_theme(theme)]
    fig = _figure(figsize=(9, 4.5), theme=chart_theme(theme))
    ax = fig.subplots()
    x = range(len(bars))
    ax.fill_between(x, bars["low"], bars["high"], color=t["band"], alpha=0.5, lw=0)
    ax.plot(x, bars["close"], color=t["line"], lw=1.2, label="close")
    lo, hi = float(bars["low"].min()), float(bars["high"].max())
    span = hi - lo
    for key, (colour, style) in _LEVEL_STYLE.items():
        colour = t["close"] if key == "0" else colour
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
    _style(ax, chart_theme(theme))
    return _png(fig)


def equity_chart(equity: pd.Series, title: str, theme: str = "light") -> bytes:
    """Return a PNG of the equity curve above its drawdown (in % of the running peak), in the
    ``light`` or ``dark`` palette."""
    from matplotlib.ticker import FuncFormatter

    theme = chart_theme(theme)
    fig = _figure(figsize=(9, 5), theme=theme)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    daily = equity.groupby(bar_index(equity).date).last()
    top.plot(list(daily.index), daily.to_numpy(), color=THEMES[theme]["line"], lw=1.2)
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))  # no "+1e5" offset
    top.set_title(title)
    drawdown = (daily / daily.cummax() - 1) * 100
    bottom.fill_between(list(daily.index), drawdown.to_numpy(), 0, color="firebrick", alpha=0.6)
    bottom.set_ylabel("drawdown %")
    for ax in (top, bottom):
        _style(ax, theme)
    return _png(fig)
