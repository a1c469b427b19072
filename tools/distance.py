"""Tool: the distance between two levels, or from a price to a level, in points, % and ATR.

Every number a trader derives from levels ("how many points between the triggers", "from 2701.72
to the upper midrange", "how many ATRs is +1.618 from the close") is computed here, so the
answer stays grounded in a tool result.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, field_validator

from core.errors import InvalidArgumentError
from core.levels import LevelSet, mode, parse_level_key, round_price
from tools.base import SessionDate, ToolContext, tool
from tools.levels import LEVEL_NAMES, levels_for_session, period_label
from tools.market import through_day


class DistanceArgs(BaseModel):
    """Arguments of ``level_distance``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    start_at: str = Field(
        description="From: a level key ('0' previous close, '+0.236' call trigger…), a price "
        "('2701.72'), or 'close' (the session's close; the latest close for today)."
    )
    end_at: str = Field(description="To: a level key, a price or 'close', as for start_at.")
    mode: str = Field(default="day", description="Levels mode (day, multiday, swing…).")
    end_mode: str | None = Field(
        default=None,
        description="Mode of end_at's level when it differs ('weekly +1 vs daily +1').",
    )
    date: SessionDate | None = Field(
        default=None, description="Session (YYYY-MM-DD); omit for latest."
    )
    quantity: float = Field(default=1.0, gt=0, description="Shares or contracts, for the $ value.")
    multiplier: float = Field(
        default=1.0, gt=0, description="Dollars per point per unit: 1 shares, 100 options, 50 ES."
    )

    @field_validator("start_at", "end_at")
    @classmethod
    def _point(cls, value: str) -> str:
        text = str(value).strip().lower()
        if text == "close":
            return text
        if text[:1] in "+-" or text == "0" or text.endswith("%"):
            return parse_level_key(text)
        try:
            price = float(text.replace(",", "").lstrip("$"))
        except ValueError:
            raise InvalidArgumentError(
                f"{value!r} is neither a level key (+0.236), a price (450.25) nor 'close'"
            ) from None
        if not 0 < price < 1e7:
            raise InvalidArgumentError(f"price {value!r} must be positive")
        return f"{price:g}"


class DistanceResult(BaseModel):
    """The two points and the distance between them (end minus start)."""

    symbol: str
    mode: str
    date: dt.date
    period_label: str
    start_at: str
    start_name: str
    start_price: float
    end_at: str
    end_name: str
    end_price: float
    points: float = Field(description="end - start in points, from the cent-rounded prices.")
    percent: float = Field(description="points / start price × 100, rounded to 2 decimals.")
    atr: float
    atr_multiple: float = Field(description="points / ATR, rounded to 3 decimals.")
    quantity: float = 1.0
    multiplier: float = 1.0
    dollars: float = Field(description="points × quantity × multiplier, rounded to the cent.")


@tool("level_distance", DistanceArgs, DistanceResult, memo=True)
def level_distance(ctx: ToolContext, args: DistanceArgs) -> DistanceResult:
    """Get the distance between two ATR levels, or between a price and a level, in points,
    percent and ATR multiples ("points between the triggers", "from 2701.72 to +0.618").

    Prices are the displayed (cent-rounded) level values, so the distance equals the difference
    a trader computes from the levels table.
    """
    sym, session, ls, daily = levels_for_session(ctx, args.symbol, args.mode, args.date)
    end_ls = ls
    if args.end_mode is not None and mode(args.end_mode).name != mode(args.mode).name:
        end_ls = levels_for_session(ctx, args.symbol, args.end_mode, args.date)[2]

    def point(ref: str, levels: LevelSet = ls) -> tuple[str, float]:
        if ref == "close":
            known = through_day(daily, session)
            return f"close of {known.index[-1]:%Y-%m-%d}", round_price(
                float(known["close"].iloc[-1])
            )
        if ref[:1] in "+-" or ref == "0":
            name = LEVEL_NAMES.get(ref, ref)
            if levels is not ls:
                name = f"{mode(levels.mode).name} {name}"
            return name, round_price(levels.levels[ref])
        return "price", float(ref)

    start_name, start = point(args.start_at)
    end_name, end = point(args.end_at, end_ls)
    points = round(end - start, 2)
    return DistanceResult(
        symbol=sym,
        mode=mode(args.mode).name,
        date=session,
        period_label=period_label(mode(args.mode).name, ls.period_start.date()),
        start_at=args.start_at,
        start_name=start_name,
        start_price=start,
        end_at=args.end_at,
        end_name=end_name,
        end_price=end,
        points=points,
        percent=round(points / start * 100, 2),
        atr=ls.atr,
        atr_multiple=round(points / ls.atr, 3),
        quantity=args.quantity,
        multiplier=args.multiplier,
        dollars=round(abs(points) * args.quantity * args.multiplier, 2),
    )
