"""The domain's built-in strategies (spec §4), shipped as ordinary specs."""

from __future__ import annotations

from typing import NotRequired, TypedDict, Unpack

from core.spec import (
    Condition,
    ConvictionArrow,
    Exits,
    LevelCross,
    PhaseDot,
    Ribbon,
    Side,
    StrategySpec,
    TimeWindow,
    Vomy,
)


class _BuiltinFields(TypedDict):
    """The ``StrategySpec`` fields a built-in sets itself (id, symbol and tags are common)."""

    name: str
    side: Side
    description: str
    entry: list[Condition]
    exit: Exits
    bar: NotRequired[str]
    entries_per_session: NotRequired[int]


def builtin_strategies(symbol: str = "SPX") -> list[StrategySpec]:
    """Return the built-in strategies for ``symbol`` (ids ``builtin-…``, shared with everyone)."""

    def spec(sid: str, **kw: Unpack[_BuiltinFields]) -> StrategySpec:
        return StrategySpec(spec_id=f"builtin-{sid}", symbol=symbol, tags=["builtin"], **kw)

    return [
        spec(
            "gg-bull",
            name="Golden gate bull",
            side="long",
            description="Cross of +38.2% triggers; +61.8% completes; back under +23.6% fails.",
            entry=[LevelCross(level="+0.382")],
            exit=Exits(target="+0.618", stop="+0.236"),
            entries_per_session=1,  # the golden gate triggers once a session
        ),
        spec(
            "gg-bear",
            name="Golden gate bear",
            side="short",
            description="Cross below -38.2% triggers; -61.8% completes; back over -23.6% fails.",
            entry=[LevelCross(level="-0.382", direction="down")],
            exit=Exits(target="-0.618", stop="-0.236"),
            entries_per_session=1,
        ),
        spec(
            "trigger-long",
            name="Call trigger to midrange",
            side="long",
            description="Long the +23.6% trigger, target +61.8%, stop at the previous close.",
            entry=[LevelCross(level="+0.236")],
            exit=Exits(target="+0.618", stop="0"),
        ),
        spec(
            "trigger-short",
            name="Put trigger to midrange",
            side="short",
            description="Short the -23.6% trigger, target -61.8%, stop at the previous close.",
            entry=[LevelCross(level="-0.236", direction="down")],
            exit=Exits(target="-0.618", stop="0"),
        ),
        spec(
            "gg-bull-morning",
            name="Golden gate bull, morning, bullish ribbon",
            side="long",
            description="Trade craft §4.8: +38.2% cross with a bullish ribbon before 11:00.",
            entry=[
                LevelCross(level="+0.382"),
                Ribbon(state="bullish"),
                TimeWindow(start="09:30", end="11:00"),
            ],
            exit=Exits(target="+0.618", stop="+0.236"),
            entries_per_session=1,  # the golden gate triggers once a session
        ),
        spec(
            "vomy",
            name="Vomy",
            side="short",
            bar="1h",
            description="Short when 8<13<21<48 first forms; stop 1 ATR; target 1 ATR.",
            entry=[Vomy(variant="vomy")],
            exit=Exits(stop_atr=1.0, target_atr=1.0, session_end=False, max_bars=35),
        ),
        spec(
            "ivomy",
            name="iVomy",
            side="long",
            bar="1h",
            description="Long when 8>13>21>48 first forms; stop 1 ATR; target 1 ATR.",
            entry=[Vomy(variant="ivomy")],
            exit=Exits(stop_atr=1.0, target_atr=1.0, session_end=False, max_bars=35),
        ),
        spec(
            "po-dot-4h",
            name="4-hour PO dot",
            side="long",
            bar="4h",
            description="Bullish 4h phase-oscillator dot (leaving accumulation / extreme down); "
            "hold up to two weeks (20 four-hour bars).",
            entry=[PhaseDot(dot="bullish")],
            exit=Exits(stop_atr=1.0, session_end=False, max_bars=20),
        ),
        spec(
            "conviction-1h",
            name="Hourly conviction arrow",
            side="long",
            bar="1h",
            description="Bullish 1h EMA13/48 arrow; follow-up after 2-3 trading days (21 bars).",
            entry=[ConvictionArrow(direction="bullish")],
            exit=Exits(session_end=False, max_bars=21, when=[ConvictionArrow(direction="bearish")]),
        ),
    ]
