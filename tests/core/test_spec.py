"""Strategy specs: validation with specific errors, versions, plain-words echo, built-ins."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.spec import Exits, LevelCross, Ribbon, Sizing, StrategySpec, TimeWindow, bump, describe
from core.strategies import builtin_strategies


def test_target_below_the_entry_for_a_long_is_refused():
    with pytest.raises(
        ValidationError, match="target 0 must be above the entry level \\+0.236 for a long"
    ):
        StrategySpec(name="x", entry=[LevelCross(level="+0.236")], exit=Exits(target="0"))
    with pytest.raises(ValidationError, match="stop -0.618 must be above the entry level -0.236"):
        StrategySpec(
            name="x",
            side="short",
            entry=[LevelCross(level="-0.236", direction="down")],
            exit=Exits(stop="-0.618"),
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: LevelCross(level="0.3"), "not on the grid"),
        (lambda: TimeWindow(start="11:00", end="09:30"), "ends before it starts"),
        (lambda: TimeWindow(start="9:30"), "HH:MM"),
        (lambda: StrategySpec(name="x", entry=[], exit=Exits()), "at least 1 item"),
        (
            lambda: StrategySpec(name="x", entry=[Ribbon()], sizing=Sizing(mode="risk_pct")),
            "needs a stop",
        ),
    ],
)
def test_specific_errors(build, message):
    with pytest.raises((ValidationError, ValueError), match=message):
        build()


def test_versions_keep_the_old_spec():
    v1 = StrategySpec(
        name="trigger", entry=[LevelCross(level="+23.6%")], exit=Exits(target="+61.8%", stop="0")
    )
    v2 = bump(v1, exit=Exits(target="+1", stop="0"))
    assert (v1.version, v2.version, v1.spec_id) == (1, 2, v2.spec_id)
    assert v1.exit.target == "+0.618" and v2.exit.target == "+1"


def test_describe_in_plain_words():
    spec = StrategySpec(
        name="morning gg",
        symbol="SPY",
        entry=[
            LevelCross(level="+0.236"),
            Ribbon(state="bullish"),
            TimeWindow(start="09:30", end="11:00"),
        ],
        exit=Exits(target="+0.382", stop="0"),
    )
    text = describe(spec)
    assert "go long SPY" in text and "crosses above the call trigger (+23.6%)" in text
    assert "the ribbon is bullish" in text and "between 09:30 and 11:00 ET" in text
    assert (
        "Target the bullish golden gate (+38.2%)" in text and "Stop at the previous close" in text
    )


def test_builtins_are_valid_specs_and_round_trip_json():
    specs = builtin_strategies()
    assert len(specs) >= 9 and len({s.spec_id for s in specs}) == len(specs)
    for spec in specs:
        assert StrategySpec.model_validate_json(spec.model_dump_json()) == spec
