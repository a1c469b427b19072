"""Tool: position size from account risk, with entry, stop and targets as prices or ATR levels."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.errors import SpecError
from core.levels import parse_level_key, round_price
from core.sizing import position_size as size_position
from core.sizing import r_multiple, risk_budget_ranges
from tools.base import SessionDate, ToolContext, tool
from tools.levels import levels_for_session

Price = float | str


class PositionSizeArgs(BaseModel):
    """Arguments of ``position_size``."""

    account_size: float = Field(gt=0, description="Account / net liquidation value in dollars.")
    risk_pct: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description="Percent of the account to risk on the trade (default 1).",
    )
    entry: Price = Field(description="Entry as a price (450.25) or an ATR level key ('+0.236').")
    stop: Price = Field(description="Stop as a price or an ATR level key ('0', '-0.236').")
    targets: list[Price] = Field(
        default_factory=list, description="Targets as prices or level keys ('+0.618', '+1')."
    )
    symbol: str | None = Field(default=None, description="Needed when any price is a level key.")
    mode: str = Field(default="day", description="Levels mode for level keys.")
    date: SessionDate | None = Field(
        default=None, description="Session for level keys; default next."
    )
    multiplier: float = Field(
        default=1.0, gt=0, description="Contract size: 1 shares, 100 options, 50 ES futures."
    )
    risk_amount: float | None = Field(
        default=None, gt=0, description="Dollars to risk instead of a percent ('risk $500')."
    )
    side: Literal["long", "short"] | None = Field(
        default=None, description="The side the trader named; checked against entry and stop."
    )


class TargetR(BaseModel):
    """One target and its reward-to-risk."""

    target: str
    price: float
    r_multiple: float


class PositionSizeResult(BaseModel):
    """A position size with its dollar risk and R multiples."""

    units: int = Field(description="Shares or contracts.")
    direction: str
    entry: float
    stop: float
    risk_budget: float
    dollar_risk: float
    risk_per_unit: float
    targets: list[TargetR]
    risk_ranges: dict[str, tuple[float, float]] = Field(
        description="§8 ranges for this account: per trade 1-2 %, daily stop 3-4 %, weekly 7-8 %."
    )
    levels_from: str | None = Field(default=None, description="Which levels resolved level keys.")
    symbol: str | None = None
    multiplier: float = Field(default=1.0, description="1 = shares; 100 options, 50 ES, 5 MES.")
    risk_pct: float = Field(default=1.0, description="The percent of the account risked.")


def _is_level(value: Price) -> bool:
    if isinstance(value, (int, float)):
        return False
    text = str(value).strip()
    return text.startswith(("+", "-")) or text.endswith("%") or text == "0"


@tool("position_size", PositionSizeArgs, PositionSizeResult)
def position_size(ctx: ToolContext, args: PositionSizeArgs) -> PositionSizeResult:
    """Size a position from account size and risk %: units, dollar risk and R to each target.

    Entry, stop and targets may be prices or ATR level keys of a symbol's session levels.
    """
    values = [args.entry, args.stop, *args.targets]
    levels, where = None, None
    if any(_is_level(v) for v in values):
        if not args.symbol:
            raise SpecError("a level key (e.g. '+0.236') needs a symbol to look up its price")
        sym, session, ls, _ = levels_for_session(ctx, args.symbol, args.mode, args.date)
        levels, where = ls.levels, f"{sym} {ls.mode} levels for {session:%Y-%m-%d}"

    def price(value: Price) -> float:
        if levels is not None and _is_level(value):
            return round_price(levels[parse_level_key(str(value))])
        try:
            return float(value)
        except ValueError:
            raise SpecError(f"{value!r} is neither a price nor a level key like '+0.382'") from None

    entry, stop = price(args.entry), price(args.stop)
    if args.side is not None and entry != stop and (args.side == "long") != (stop < entry):
        where_stop = "below" if args.side == "long" else "above"
        raise SpecError(
            f"a {args.side} needs its stop {where_stop} the entry: entry {entry:.2f}, stop "
            f"{stop:.2f}; check the side or swap entry and stop"
        )
    risk_pct = args.risk_pct
    if args.risk_amount is not None:
        risk_pct = args.risk_amount / args.account_size * 100
        if risk_pct > 100:
            raise SpecError(
                f"risking ${args.risk_amount:,.2f} is more than the account ${args.account_size:,.2f}"
            )
    size = size_position(args.account_size, risk_pct, entry, stop, args.multiplier)
    targets = []
    for raw in args.targets:
        tp = price(raw)
        r = r_multiple(entry, stop, tp)
        if r <= 0:
            raise SpecError(
                f"target {raw} ({tp:.2f}) is on the stop's side of the entry {entry:.2f}"
            )
        targets.append(TargetR(target=str(raw), price=tp, r_multiple=round(r, 2)))
    return PositionSizeResult(
        units=size.units,
        direction=size.direction,
        entry=entry,
        stop=stop,
        risk_budget=round_price(size.risk_budget),
        dollar_risk=round_price(size.dollar_risk),
        risk_per_unit=round_price(size.risk_per_unit),
        targets=targets,
        risk_ranges={
            k: (round_price(a), round_price(b))
            for k, (a, b) in risk_budget_ranges(args.account_size).items()
        },
        levels_from=where,
        symbol=args.symbol,
        multiplier=args.multiplier,
        risk_pct=round(risk_pct, 4),
    )
