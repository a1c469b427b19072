"""Deterministic plain-text rendering of tool results.

Used by the terminal, by the offline planner's answers, and as the grounded fallback when a
language model's answer fails the grounding check. Every number shown comes from the result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from core.calendar import holiday_name
from tools.base import TOOLS, ToolError
from tools.levels import LEVEL_NAMES

_RENDERERS: dict[str, Callable[[Any], str]] = {}


def renders(name: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register a renderer for the results of tool ``name``."""

    def register(func: Callable[[Any], str]) -> Callable[[Any], str]:
        _RENDERERS[name] = func
        return func

    return register


def render_result(name: str, result: BaseModel) -> str:
    """Return a trader-readable text for one tool result (errors included)."""
    if isinstance(result, ToolError):
        return f"I couldn't do that: {result.error}"
    if name in _RENDERERS:
        return _RENDERERS[name](result)
    return "\n".join(f"{k}: {v}" for k, v in result.model_dump(mode="json").items())


def table(rows: list[list[str]], header: list[str] | None = None) -> str:
    """Return rows as an aligned plain-text table (first column left, others right aligned)."""
    body = ([header] if header else []) + rows
    widths = [max(len(r[i]) for r in body) for i in range(len(body[0]))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(r) for r in body]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


DEFAULT_LEVELS = (
    "+1",
    "+0.786",
    "+0.618",
    "+0.5",
    "+0.382",
    "+0.236",
    "0",
    "-0.236",
    "-0.382",
    "-0.5",
    "-0.618",
    "-0.786",
    "-1",
)


MODE_WORDS = {
    "day": "day",
    "scalp": "scalp (4h)",
    "multiday": "multiday (weekly)",
    "swing": "swing (monthly)",
    "position": "position (quarterly)",
    "longterm": "long-term (yearly)",
}


def _moved(r: Any) -> list[str]:
    if not getattr(r, "requested_date", None):
        return []
    day = r.requested_date
    holiday = holiday_name(day)
    what = (
        f"a {day:%A}"
        if day.weekday() >= 5
        else f"a market holiday ({holiday}; the market was closed)"
        if holiday
        else "not a trading session (the market was closed)"
    )
    return [
        f"{day:%Y-%m-%d} is {what}: these are the levels for the next session, {r.date:%a %Y-%m-%d}."
    ]


@renders("atr_levels")
def _levels(r: Any) -> str:
    when = r.period_label or f"{r.date:%a %Y-%m-%d}"
    if r.period_label:
        when += f" (as of {r.date:%Y-%m-%d})"
    head = (
        f"{r.symbol} {MODE_WORDS.get(r.mode, r.mode)} levels for {when} "
        f"(previous close {r.previous_close:.2f} on {r.previous_close_date}, ATR {r.atr:.2f}"
        f" = {r.atr_pct:.2f}% of it)"
    )
    moved = _moved(r)
    if r.level:
        line = f"{r.symbol} {r.level_name} ({r.level}), {MODE_WORDS.get(r.mode, r.mode)} levels for {when}: {r.level_value:.2f}"
        return "\n".join([*moved, line, head])
    if r.asked:
        parts = [f"{LEVEL_NAMES.get(k, k)} ({k}) {v:.2f}" for k, v in r.asked.items()]
        line = f"{r.symbol} {MODE_WORDS.get(r.mode, r.mode)} levels for {when}: " + ", ".join(parts)
        return "\n".join([*moved, line, head])
    keys = [k for k in reversed(list(r.levels)) if k in DEFAULT_LEVELS]
    rows = [[k, f"{r.levels[k]:.2f}", LEVEL_NAMES.get(k, "")] for k in keys]
    return "\n".join(
        [
            *moved,
            head,
            table(rows, ["level", "price", ""]),
            r.calls_label,
            r.puts_label,
            r.range_label,
            f"Trend on {r.trend_timeframe} ({r.trend_basis}): {r.trend}",
            *([f"Chart: {r.chart}"] if r.chart else []),
        ]
    )


@renders("level_distance")
def _distance(r: Any) -> str:
    when = r.period_label or f"{r.date:%a %Y-%m-%d}"
    start = r.start_name if r.start_name == "price" else f"{r.start_name} ({r.start_at})"
    end = r.end_name if r.end_name == "price" else f"{r.end_name} ({r.end_at})"
    return (
        f"{r.symbol} {MODE_WORDS.get(r.mode, r.mode)} levels for {when}: from {start} "
        f"{r.start_price:.2f} to {end} {r.end_price:.2f} is {r.points:+.2f} points, "
        f"{r.percent:+.2f}%, {r.atr_multiple:+.3f} ATR ({abs(r.points):.2f} pts / "
        f"{abs(r.percent):.2f}% / {abs(r.atr_multiple):.3f} ATR {'down' if r.points < 0 else 'up'}; "
        f"ATR {r.atr:.2f})."
        + (
            f" For {r.quantity:g} x {r.multiplier:g} per point: ${r.dollars:,.2f}."
            if (r.quantity, r.multiplier) != (1, 1)
            else ""
        )
    )


def _away(lv: Any) -> str:
    """'+0.236 6897.81 (18.93 pts away)': a nearby level with its distance from price."""
    return f"{lv.key} {lv.price:.2f} ({abs(lv.distance):.2f} pts away)"


@renders("price_context")
def _context(r: Any) -> str:
    above = ", ".join(_away(lv) for lv in r.nearest_above) or "none"
    below = ", ".join(_away(lv) for lv in r.nearest_below) or "none"
    lines = [
        f"{r.symbol} {r.price:.2f} ({r.price_source}, {r.as_of}) vs {r.mode} levels for {r.date}: "
        f"{r.atr_fraction:+.3f} ATR from the previous close {r.previous_close:.2f} "
        f"(ATR {r.atr:.2f}), zone {r.zone}.",
        f"Above: {above}. Below: {below}.",
    ]
    if r.session_high is not None:
        lines.append(
            f"Session range {r.session_low:.2f}-{r.session_high:.2f}; levels touched: "
            f"{', '.join(r.levels_touched) or 'none'}."
        )
    lines.append(f"Golden gate: bull {r.golden_gate_bull}; bear {r.golden_gate_bear}.")
    if getattr(r, "session_close", None) is not None and r.session_close != r.price:
        lines.append(
            f"Official close {r.session_close:.2f} ({r.session_close_atr:+.3f} ATR from the "
            "previous close)."
        )
    return "\n".join(lines)


@renders("position_size")
def _size(r: Any) -> str:
    unit = "shares" if r.multiplier == 1 else f"contracts (x{r.multiplier:g})"
    what = f"{r.symbol} " if r.symbol else ""
    lines = [
        f"{r.direction.title()} {r.units} {what}{unit}: entry {r.entry:.2f}, stop {r.stop:.2f} "
        f"({r.risk_per_unit:.2f} risk per unit, risking {r.risk_pct:g}% of the account).",
        f"Risk budget {r.risk_budget:,.2f}; loss at the stop {r.dollar_risk:,.2f}.",
    ]
    for t in r.targets:
        lines.append(f"Target {t.target} at {t.price:.2f}: {t.r_multiple:.2f}R.")
    per_trade = r.risk_ranges["per_trade"]
    daily = r.risk_ranges["daily_stop"]
    lines.append(
        f"Guide for this account: risk {per_trade[0]:,.2f}-{per_trade[1]:,.2f} per trade, "
        f"stop for the day after losing {daily[0]:,.2f}-{daily[1]:,.2f}."
    )
    if r.levels_from:
        lines.append(f"Level keys from {r.levels_from}.")
    return "\n".join(lines)


@renders("explain_term")
def _explain(r: Any) -> str:
    return f"{r.term}: {r.explanation}"


def render_json(name: str, content: str) -> str:
    """Return the rendering of a tool result serialised as JSON (as stored in a ToolMessage)."""
    data = json.loads(content)
    if isinstance(data, dict) and set(data) == {"error", "kind"}:
        return render_result(name, ToolError.model_validate(data))
    if name in TOOLS:
        return render_result(name, TOOLS[name].result_model.model_validate(data))
    return content


@renders("indicator_state")
def _indicators(r: Any) -> str:
    emas = " ".join(f"{k}:{v:.2f}" for k, v in r.ema.items())
    lines = [
        f"{r.symbol} {r.timeframe} as of {r.as_of}: close {r.close:.2f}, trend {r.trend}.",
        f"Ribbon: spine {r.spine}, fast cloud {r.fast_cloud}, slow cloud {r.slow_cloud}, "
        f"conviction {r.conviction} (EMA {emas}).",
    ]
    above = [k for k, v in r.ema.items() if r.close >= v]
    below = [k for k, v in r.ema.items() if r.close < v]
    if not below or not above:
        where = "above" if not below else "below"
        lines.append(f"Close {r.close:.2f} is {where} every EMA ({', '.join(r.ema)}).")
    else:
        lines.append(
            f"Close {r.close:.2f} is above EMA {', '.join(above)}; below EMA {', '.join(below)}."
        )
    if r.last_arrow:
        lines.append(
            f"Last conviction arrow {r.last_arrow}, {r.bars_since_arrow} bars ago: "
            f"{r.arrow_guidance}."
        )
    squeeze = "compressed" if r.compressed else "not compressed"
    dots = f"; dots now: {', '.join(r.po_dots)}" if r.po_dots else ""
    lines.append(
        f"Phase oscillator {r.phase_oscillator:.2f} ({r.po_zone.replace('_', ' ')}, {squeeze}, "
        f"{r.po_color}){dots}."
    )
    if r.last_dot:
        lines.append(f"Last PO dot: {r.last_dot}.")
    if r.vomy != "none":
        lines.append(f"Stack: {r.vomy}.")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _conditions(r: Any) -> str:
    words = list(getattr(r, "conditions", None) or [])
    if not words:
        return ""
    of = "" if r.sessions == r.sessions_scanned else f" (of {r.sessions_scanned} sessions scanned)"
    return f"; conditions: {'; '.join(words)}{of}"


def _gaps(r: Any) -> str:
    """Return ", no data A to B" for each data gap of the result's range ("" when none)."""
    return "".join(f", no data {a} to {b}" for a, b in getattr(r, "gaps", None) or [])


def _gate_outcomes(side: Any, median: str, open_beyond: str = "excluded") -> str:
    """Return one side's line whose parts add up to its triggers: completed, fell back and never
    completed, neither (still between the trigger and the midrange at the close)."""
    return (
        f"{side.direction}: {side.completions} of {side.triggers} triggers completed "
        f"({_pct(side.completion_pct)}); {side.failures} fell back through the trigger first "
        f"({side.failed_then_completed} of them still completed, {side.failed_not_completed} "
        f"never did); {side.neither} neither completed nor fell back by the close{median}; "
        f"{side.excluded_sessions} sessions opened beyond the midrange "
        + ("(no gate)." if open_beyond == "excluded" else "(counted as open completions).")
    )


@renders("golden_gate_stats")
def _gate_stats(r: Any) -> str:
    every = ["open", "09", "10", "11", "12", "13", "14", "15"]
    only = "" if list(r.buckets) == every else f", triggers in {', '.join(r.buckets)} only"
    out = [
        f"{r.symbol} golden gate completion, {r.sessions} sessions {r.first_date} to "
        f"{r.last_date}{_gaps(r)}{only}{_conditions(r)}:"
    ]
    for side in r.sides:
        if r.conditions and not side.triggers:
            out.append(f"{side.direction}: no trigger met the conditions.")
            continue
        rows = [
            [row.bucket, str(row.triggers), str(row.completions), _pct(row.completion_pct)]
            for row in side.rows
        ]
        rows.append(["all", str(side.triggers), str(side.completions), _pct(side.completion_pct)])
        median = (
            ""
            if side.median_minutes_to_complete is None
            else f"; median {side.median_minutes_to_complete:.0f} min to complete"
        )
        out.append(_gate_outcomes(side, median, r.open_beyond))
        out.append(table(rows, ["trigger", "n", "done", "rate"]))
    if r.open_beyond_treatment:
        out.append(r.open_beyond_treatment)
    return "\n".join(out)


_READING_NAMES = {"every_session": "every-session", "touched_first": "touched-first"}


@renders("level_to_level")
def _level_stats(r: Any) -> str:
    scanned = f"{r.sessions} sessions" + ("" if r.conditions else " scanned")
    sample = f"{r.first_date} to {r.last_date}{_gaps(r)}, {scanned}{_conditions(r)}"
    if r.from_level != "0":  # one reading only: touch, then reach
        return (
            f"{r.symbol}: after touching {r.from_level}, price reached {r.to_level} the same "
            f"session in {r.reached} of {r.touched} sessions ({_pct(r.rate_pct)}), {sample}."
        )
    lines = [
        f"{r.symbol} {r.from_level} → {r.to_level}, {_READING_NAMES[r.reading]} reading: "
        f"{_pct(r.rate_pct)} ({r.reached} of {r.out_of}), {r.counted}; {sample}."
    ]
    if r.other_reading:
        lines.append(
            f"{_READING_NAMES[r.other_reading].capitalize()} reading: "
            f"{_pct(r.other_rate_pct)} ({r.other_reached} of {r.other_out_of}), "
            f"{r.other_counted}."
        )
    return "\n".join(lines)


@renders("list_strategies")
def _list_strategies(r: Any) -> str:
    rows = [
        [s.name, s.side, s.bar, "built-in" if s.builtin else f"v{s.version}"] for s in r.strategies
    ]
    return "Strategies you can backtest:\n" + table(rows, ["name", "side", "bar", ""])


def _num(value: object, fmt: str = "{:.2f}") -> str:
    return "n/a" if value is None else fmt.format(value)


@renders("backtest_strategy")
def _backtest(r: Any) -> str:
    m = r.metrics
    lines = [
        f"{r.strategy} (v{r.version}) on {r.symbol} {r.bar}, {r.first_bar} to {r.last_bar} "
        f"({r.bars} bars):",
        f"{m['trades']} trades, {m['wins']} wins / {m['losses']} losses "
        f"(win rate {_num(m['win_rate_pct'], '{:.2f}%')}), average R {_num(m['avg_r'])}, "
        f"expectancy {_num(m['expectancy'])} per trade, profit factor {_num(m['profit_factor'])}.",
        f"Total P&L {_num(m['total_pnl'])} ({_num(m['total_return_pct'], '{:.2f}%')}), max drawdown "
        f"{_num(m['max_drawdown_pct'], '{:.2f}%')}, Sharpe {_num(m['sharpe'])}, exposure "
        f"{_num(m['exposure_pct'], '{:.1f}%')}.",
    ]
    if r.data_note:
        lines.insert(0, f"Note: {r.data_note}.")
    if r.last_trades:
        rows = [
            [
                t["entry"],
                t["exit"],
                f"{t['entry_price']:.2f}",
                f"{t['exit_price']:.2f}",
                t["reason"],
                f"{t['pnl']:.2f}",
            ]
            for t in r.last_trades
        ]
        lines.append("Last trades:\n" + table(rows, ["entry", "exit", "in", "out", "why", "pnl"]))
    if r.chart:
        lines.append(f"Equity chart: {r.chart}")
    lines.append(f"Rule: {r.description}")
    lines.append(f"Assumptions: {r.assumptions}.")
    return "\n".join(lines)


@renders("update_strategy")
@renders("draft_strategy")
def _draft(r: Any) -> str:
    return f"Here is the strategy as I understood it:\n{r.description}\n{r.next_step}"


@renders("save_strategy")
def _saved(r: Any) -> str:
    return f"Saved {r.name!r} as version {r.version} (id {r.id}).\n{r.description}"


@renders("search_strategies")
def _search(r: Any) -> str:
    if not r.hits:
        return f"No saved strategy matches {r.query!r}."
    return "\n".join(
        [f"Strategies matching {r.query!r}:"]
        + [f"- {h.name} (v{h.version}, id {h.id}): {h.description}" for h in r.hits]
    )


@renders("show_strategy")
@renders("delete_strategy")
@renders("share_strategy")
def _ref(r: Any) -> str:
    return "\n".join([r.message, *r.versions[:-1]]) if r.versions else r.message


@renders("remember")
@renders("recall")
@renders("forget")
def _facts(r: Any) -> str:
    listed = "\n".join(f"- {f['text']} (id {f['id']})" for f in r.facts) or "nothing yet"
    head = f"{r.message}\n" if r.message else ""
    return f"{head}What I remember about you:\n{listed}"


@renders("compare_strategies")
def _compare(r: Any) -> str:
    rows = [
        [
            x.strategy,
            x.symbol,
            str(x.metrics["trades"]),
            _num(x.metrics["win_rate_pct"], "{:.2f}%"),
            _num(x.metrics["avg_r"]),
            _num(x.metrics["profit_factor"]),
            _num(x.metrics["total_pnl"]),
            _num(x.metrics["max_drawdown_pct"], "{:.2f}%"),
        ]
        for x in r.rows
    ]
    first = r.rows[0]
    return f"Compared on the same data ({first.first_bar} to {first.last_bar}):\n" + table(
        rows, ["strategy", "sym", "trades", "win", "avg R", "PF", "P&L", "max DD"]
    )


@renders("create_alert")
@renders("list_alerts")
@renders("change_alert")
@renders("edit_alert")
def _alerts(r: Any) -> str:
    rows = [
        [
            a.id,
            a.symbol,
            a.direction,
            a.level,
            a.ribbon or "",
            a.window or "",
            a.destination,
            "paused" if a.paused else "",
        ]
        for a in r.alerts
    ]
    listing = (
        table(rows, ["id", "sym", "dir", "level", "ribbon", "hours ET", "to", ""])
        if rows
        else "no alerts"
    )
    return f"{r.message}\n{listing}"


# renderers of further tools live in their own modules; importing them registers them
from assistant import render_counts, render_session, render_watches  # noqa: E402, F401
