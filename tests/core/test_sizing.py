"""Position sizing against domain §10 ex. 10 and hand arithmetic."""

from __future__ import annotations

import pytest

from core.errors import SpecError
from core.sizing import position_size, r_multiple, risk_budget_ranges


def test_example_10_capital_100k_entry_450_stop_441():
    size = position_size(100_000, 2, 450, 441)
    assert size.units == 222  # floor(2000 / 9) = floor(222.2)
    assert size.risk_budget == 2000 and size.dollar_risk == 222 * 9 and size.direction == "long"


def test_example_10_net_liq_6500_ranges():
    ranges = risk_budget_ranges(6_500)
    assert ranges["per_trade"] == (65, 130)
    assert ranges["daily_stop"] == (195, 260)
    assert ranges["weekly_stop"] == (455, 520)


def test_short_and_contract_multiplier():
    size = position_size(50_000, 1, 10.0, 12.5, multiplier=100)  # option premium per share
    assert size.units == 2 and size.direction == "short"  # 500 / 250


def test_exact_fit_is_not_lost_to_float_noise():
    assert position_size(10_000, 1, 100.3, 100.2).units == 1000  # 100 / 0.1 (0.0999999 in binary)


def test_r_multiple():
    assert r_multiple(450, 441, 468) == 2.0
    assert r_multiple(450, 459, 432) == 2.0  # short


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        ((0, 1, 10, 9), "account size"),
        ((1000, 0, 10, 9), "risk %"),
        ((1000, 1, 10, 10), "stop equals the entry"),
        ((1000, 1, -1, 9), "positive prices"),
    ],
)
def test_bad_inputs(args, msg):
    with pytest.raises(SpecError, match=msg):
        position_size(*args)
