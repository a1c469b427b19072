"""The strategy spec: a typed, versioned, validated description of a trade setup.

Entry conditions are building blocks ANDed together (a discriminated union on ``kind``); exits
are a target, a stop, time and bar limits and exit conditions. The built-in strategies of the
domain ship as specs in this same format (``core.strategies``): there is no special-case code.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from core.errors import SpecError
from core.levels import parse_level_key

Side = Literal["long", "short"]


def _level(value: str) -> str:
    try:
        return parse_level_key(value)
    except ValueError as exc:
        raise SpecError(str(exc)) from None


class LevelCross(BaseModel):
    """Price crosses an ATR level of the mode's current period (up: close[t-1] ≤ L < close[t])."""

    kind: Literal["level_cross"] = "level_cross"
    level: str
    direction: Literal["up", "down"] = "up"
    _check = field_validator("level")(lambda cls, v: _level(v))


class PriceVsLevel(BaseModel):
    """The close is above or below an ATR level."""

    kind: Literal["price_vs_level"] = "price_vs_level"
    level: str
    relation: Literal["above", "below"] = "above"
    _check = field_validator("level")(lambda cls, v: _level(v))


class Ribbon(BaseModel):
    """The pivot ribbon's spine: bullish 8>13>21>48, bearish 8<13<21<48, or mixed."""

    kind: Literal["ribbon"] = "ribbon"
    state: Literal["bullish", "bearish", "mixed"] = "bullish"


class PhaseZone(BaseModel):
    """The phase oscillator is in one of these zones."""

    kind: Literal["po_zone"] = "po_zone"
    zones: list[
        Literal[
            "extended_up",
            "distribution",
            "mark_up",
            "launch_box",
            "mark_down",
            "accumulation",
            "extended_down",
        ]
    ]


class PhaseDot(BaseModel):
    """A phase-oscillator dot fires on this bar."""

    kind: Literal["po_dot"] = "po_dot"
    dot: Literal[
        "leaving_accumulation",
        "leaving_extreme_down",
        "leaving_distribution",
        "leaving_extreme_up",
        "bullish",
        "bearish",
    ] = "bullish"
    """``bullish`` = leaving accumulation or extreme down; ``bearish`` the mirror."""


class MovingAverageCross(BaseModel):
    """A fast moving average crosses a slow one on this bar."""

    kind: Literal["ma_cross"] = "ma_cross"
    fast: int = Field(default=8, ge=1)
    slow: int = Field(default=21, ge=2)
    average: Literal["ema", "sma"] = "ema"
    direction: Literal["up", "down"] = "up"

    @model_validator(mode="after")
    def _order(self) -> MovingAverageCross:
        if self.fast >= self.slow:
            raise SpecError(
                f"the fast average ({self.fast}) must be shorter than the slow ({self.slow})"
            )
        return self


class ConvictionArrow(BaseModel):
    """The EMA13/EMA48 conviction arrow prints on this bar."""

    kind: Literal["conviction_arrow"] = "conviction_arrow"
    direction: Literal["bullish", "bearish"] = "bullish"


class Vomy(BaseModel):
    """The 8/13/21/48 stack forms on this bar: vomy (bearish) or ivomy (bullish)."""

    kind: Literal["vomy"] = "vomy"
    variant: Literal["vomy", "ivomy"] = "vomy"


class TimeWindow(BaseModel):
    """The bar starts inside an Eastern-time window, e.g. 09:30-11:00 (end exclusive)."""

    kind: Literal["time_window"] = "time_window"
    start: str = "09:30"
    end: str = "16:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise SpecError(f"time {value!r} must be HH:MM (24-hour, Eastern)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.start >= self.end:
            raise SpecError(f"the window {self.start}-{self.end} ends before it starts")
        return self


class DayOfWeek(BaseModel):
    """The session falls on one of these weekdays."""

    kind: Literal["day_of_week"] = "day_of_week"
    days: list[Literal["mon", "tue", "wed", "thu", "fri"]]


Condition = Annotated[
    LevelCross
    | PriceVsLevel
    | Ribbon
    | PhaseZone
    | PhaseDot
    | MovingAverageCross
    | ConvictionArrow
    | Vomy
    | TimeWindow
    | DayOfWeek,
    Field(discriminator="kind"),
]


class Exits(BaseModel):
    """How a trade ends. Target and stop are ATR level keys or ATR fractions from the entry."""

    target: str | None = None
    target_atr: float | None = Field(default=None, gt=0)
    stop: str | None = None
    stop_atr: float | None = Field(default=None, gt=0)
    session_end: bool = True
    """Flat at the close of the session's last bar (day strategies)."""
    max_bars: int | None = Field(default=None, ge=1)
    when: list[Condition] = Field(default_factory=list)
    """Exit at the next open when all these conditions hold on a bar's close."""

    @field_validator("target", "stop")
    @classmethod
    def _levels(cls, value: str | None) -> str | None:
        return None if value is None else _level(value)


class Sizing(BaseModel):
    """Fixed units, or risk a percent of equity between entry and stop."""

    mode: Literal["units", "risk_pct"] = "units"
    units: int = Field(default=1, ge=1)
    risk_pct: float = Field(default=1.0, gt=0, le=100)


class StrategySpec(BaseModel):
    """A complete, backtestable strategy."""

    spec_id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    version: int = Field(default=1, ge=1)
    name: str
    description: str = ""
    symbol: str = "SPX"
    bar: str = "5m"
    mode: str = "day"
    side: Side = "long"
    entry: list[Condition] = Field(min_length=1)
    exit: Exits = Field(default_factory=Exits)
    entries_per_session: int | None = Field(
        default=None,
        ge=1,
        description="At most this many entries in a session (1 = first signal only, as a golden "
        "gate, which triggers once a session); None = every signal while flat.",
    )

    @field_validator("name", "description", "symbol")
    @classmethod
    def _printable(cls, value: str) -> str:
        if re.search("[\ud800-\udfff]", value):
            raise SpecError("the text contains an invalid character (a lone UTF-16 surrogate)")
        return value

    sizing: Sizing = Field(default_factory=Sizing)
    commission: float = Field(default=0.0, ge=0, description="Per unit, each side.")
    slippage: float = Field(default=0.0, ge=0, description="Price units, against you, each fill.")
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> StrategySpec:
        sign = 1 if self.side == "long" else -1
        anchor = next(
            (c.level for c in self.entry if isinstance(c, (LevelCross, PriceVsLevel))), None
        )
        ex = self.exit
        if ex.target and ex.target_atr:
            raise SpecError("give the target as a level or as an ATR fraction, not both")
        if ex.stop and ex.stop_atr:
            raise SpecError("give the stop as a level or as an ATR fraction, not both")
        if anchor is not None:
            a = float(anchor)
            if ex.target and (float(ex.target) - a) * sign <= 0:
                where = "above" if sign > 0 else "below"
                raise SpecError(
                    f"target {ex.target} must be {where} the entry level {anchor} for a {self.side}"
                )
            if ex.stop and (a - float(ex.stop)) * sign <= 0:
                where = "below" if sign > 0 else "above"
                raise SpecError(
                    f"stop {ex.stop} must be {where} the entry level {anchor} for a {self.side}"
                )
        if self.sizing.mode == "risk_pct" and not (ex.stop or ex.stop_atr):
            raise SpecError("risk-% sizing needs a stop (a level or an ATR fraction)")
        return self


def bump(spec: StrategySpec, **changes: object) -> StrategySpec:
    """Return a new version of ``spec`` with ``changes``; the original is left intact."""
    data = spec.model_dump()
    data.update(changes)
    data["version"] = spec.version + 1
    data["spec_id"] = spec.spec_id
    return StrategySpec.model_validate(data)


_LEVEL_WORDS = {
    "+0.236": "the call trigger (+23.6%)",
    "-0.236": "the put trigger (-23.6%)",
    "+0.382": "the bullish golden gate (+38.2%)",
    "-0.382": "the bearish golden gate (-38.2%)",
    "+0.618": "the bullish midrange (+61.8%)",
    "-0.618": "the bearish midrange (-61.8%)",
    "0": "the previous close",
    "+1": "+1 ATR",
    "-1": "-1 ATR",
}


def _lv(key: str) -> str:
    return _LEVEL_WORDS.get(key, f"the {key} ATR level")


def _condition_words(c: object) -> str:
    if isinstance(c, LevelCross):
        return f"price crosses {'above' if c.direction == 'up' else 'below'} {_lv(c.level)}"
    if isinstance(c, PriceVsLevel):
        return f"price is {c.relation} {_lv(c.level)}"
    if isinstance(c, Ribbon):
        return f"the ribbon is {c.state}"
    if isinstance(c, PhaseZone):
        return f"the phase oscillator is in {' or '.join(c.zones)}"
    if isinstance(c, PhaseDot):
        return f"a {c.dot.replace('_', ' ')} phase-oscillator dot prints"
    if isinstance(c, MovingAverageCross):
        return (
            f"the {c.average.upper()}{c.fast} crosses {'above' if c.direction == 'up' else 'below'} "
            f"the {c.average.upper()}{c.slow}"
        )
    if isinstance(c, ConvictionArrow):
        return f"a {c.direction} conviction arrow prints"
    if isinstance(c, Vomy):
        return f"a {c.variant} stack forms"
    if isinstance(c, TimeWindow):
        return f"between {c.start} and {c.end} ET"
    if isinstance(c, DayOfWeek):
        return f"on {', '.join(d.title() for d in c.days)}"
    return str(c)


def describe(spec: StrategySpec) -> str:
    """Return the spec in plain trader words, to echo it back before it is saved."""
    entry = " and ".join(_condition_words(c) for c in spec.entry)
    parts = [
        f"{spec.name} (v{spec.version}): go {spec.side} {spec.symbol} on {spec.bar} bars "
        f"({spec.mode} levels) when {entry}."
    ]
    ex = spec.exit
    if ex.target:
        parts.append(f"Target {_lv(ex.target)}.")
    elif ex.target_atr:
        parts.append(f"Target {ex.target_atr:g} ATR from the entry.")
    if ex.stop:
        parts.append(f"Stop at {_lv(ex.stop)}.")
    elif ex.stop_atr:
        parts.append(f"Stop {ex.stop_atr:g} ATR from the entry.")
    if ex.when:
        parts.append("Exit when " + " and ".join(_condition_words(c) for c in ex.when) + ".")
    if ex.max_bars:
        parts.append(f"Exit after {ex.max_bars} bars at most.")
    if ex.session_end:
        parts.append("Flat by the session close.")
    unit = "unit" if spec.sizing.units == 1 else "units"
    size = (
        f"{spec.sizing.units} {unit}"
        if spec.sizing.mode == "units"
        else f"risk {spec.sizing.risk_pct:g}% of equity per trade"
    )
    parts.append(f"Size: {size}.")
    return " ".join(parts)
