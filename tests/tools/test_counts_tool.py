"""session_counts and average_true_range on the real shipped data, every number cross-checked
with the independent per-session loop of tests/core/test_counts.py (exact decimals, TA-Lib ATR),
and their renderings."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
import talib

from assistant.grounding import check_grounding
from assistant.render import render_result
from tests.core.test_counts import Csv, naive_count, naive_levels
from tools import ToolContext, ToolError, run_tool
from tools.market import daily_bars


@pytest.fixture
def ctx(source):
    return ToolContext(source=source)


@pytest.fixture(scope="module")
def merged(source):
    """The tools' daily series (the daily file, then sessions built from 5-minute bars) as the
    naive loop's input: prices as the decimals their floats print as."""
    out = {}
    for sym in ("SPX", "SPY"):
        d = daily_bars(source, sym)
        data = Csv(
            [f"{t:%Y-%m-%d}" for t in d.index],
            *([Decimal(repr(float(x))) for x in d[k]] for k in ("open", "high", "low", "close")),
        )
        out[sym] = (data, naive_levels(data))
    return out


def half_up(value: float | Decimal, places: str = "0.01") -> float:
    """The domain's rounding: half away from zero, after snapping float noise to 9 decimals."""
    exact = Decimal(f"{value:.9f}") if isinstance(value, float) else value
    return float(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def counts(ctx, **args):
    r = run_tool(ctx, "session_counts", args)
    assert not isinstance(r, ToolError), r
    return r


def test_spx_tagged_plus_one_atr_in_2025(ctx, merged):
    r = counts(ctx, symbol="SPX", event="touch", level="+1", start="2025-01-01", end="2025-12-31",
               list_dates=True)  # fmt: skip
    dates, n = naive_count(*merged["SPX"], "touch", "1", start="2025-01-01", end="2025-12-31")
    assert (r.count, r.sessions, r.percent) == (len(dates), n, 13.2) == (33, 250, 13.2)
    assert [d.isoformat() for d in r.dates] == dates and r.dates_listed == 33
    assert (r.first_session, r.last_session) == (dt.date(2025, 1, 2), dt.date(2025, 12, 31))
    assert r.gaps == [] and r.excluded_sessions == 0 and not r.dates_cut
    assert r.description == "sessions that touched +1 ATR (high at or above it)"
    assert dt.date(2025, 4, 9) in r.dates  # high 5481.34 vs PC 4982.77 + ATR 160.51


@pytest.mark.parametrize(
    ("symbol", "args", "naive"),
    [
        ("SPY", {"event": "close_above", "level": "+0.236"}, ("close_above", "0.236")),
        ("SPY", {"event": "close_above", "level": "0"}, ("close_above", "0")),
        ("SPX", {"event": "close_inside", "level": "0.236"}, ("close_inside", "0.236")),
        ("SPX", {"event": "close_below", "level": "-1"}, ("close_below", "-1")),
        ("SPY", {"event": "touch", "level": "-0.618"}, ("touch", "-0.618")),
        ("SPY", {"event": "open_beyond", "level": "0.382"}, ("open_beyond", "0.382", "either")),
        ("SPY", {"event": "open_beyond", "level": "-0.382"}, ("open_beyond", "0.382", "below")),
    ],
)
def test_all_data_counts_match_the_naive_loop(ctx, merged, symbol, args, naive):
    r = counts(ctx, symbol=symbol, **args)
    dates, n = naive_count(*merged[symbol], *naive)
    assert (r.count, r.sessions) == (len(dates), n) and r.excluded_sessions == 15
    assert r.percent == half_up(Decimal(100 * len(dates)) / n, "0.1")
    first, last = merged[symbol][0].dates[15], merged[symbol][0].dates[-1]
    assert (r.first_session.isoformat(), r.last_session.isoformat()) == (first, last)


def test_descriptions_say_exactly_what_was_counted(ctx):
    def said(**args):
        return counts(ctx, symbol="SPY", start="2024-01-01", **args).description

    assert said(event="close_above", level="+0.236") == (
        "sessions whose close was above the call trigger (+0.236)"
    )
    assert (
        said(event="close_below", level="0")
        == "sessions whose close was below the previous close (0)"
    )
    assert said(event="close_inside", level="±0.236") == (
        "sessions whose close was inside the triggers (±0.236), strictly between -0.236 and +0.236"
    )
    assert said(event="open_beyond", level="0.382") == (
        "sessions that opened beyond the golden gates (±0.382), at or above +0.382 or at or "
        "below -0.382"
    )
    assert said(event="open_beyond", level="0.382", side="above") == (
        "sessions that opened at or above the bullish golden gate (+0.382)"
    )
    assert (
        said(event="touch", level="-0.5")
        == "sessions that touched the -0.5 ATR level (low at or below it)"
    )


def test_listed_dates_stop_at_250_latest_and_say_so(ctx, merged):
    r = counts(ctx, symbol="SPY", event="close_above", level="+1", list_dates=True)
    dates, _ = naive_count(*merged["SPY"], "close_above", "1")
    assert r.count == len(dates) > 250 and r.dates_cut and r.dates_listed == 250
    assert [d.isoformat() for d in r.dates] == dates[-250:]
    assert counts(ctx, symbol="SPY", event="close_above", level="+1").dates is None


def test_a_range_before_the_data_names_the_gap(ctx, merged):
    r = counts(ctx, symbol="SPY", event="close_above", level="0", start="1990-01-01",
               end="1993-12-31")  # fmt: skip
    dates, n = naive_count(*merged["SPY"], "close_above", "0", end="1993-12-31")
    assert (r.count, r.sessions) == (len(dates), n)
    assert [(g.start, g.end) for g in r.gaps] == [(dt.date(1990, 1, 1), dt.date(1993, 1, 28))]
    assert r.first_session == dt.date(1993, 2, 22) and r.excluded_sessions == 15
    text = render_result("session_counts", r)
    assert "No data 1990-01-01 to 1993-01-28." in text
    assert f"{r.count} of {r.sessions} sessions ({r.percent:.1f}%)" in text


def test_stale_opens_get_a_note_where_they_matter(ctx):
    old = counts(ctx, symbol="SPX", event="open_beyond", level="0.382")
    assert old.note and "opened exactly at the previous close" in old.note
    recent = counts(ctx, symbol="SPX", event="open_beyond", level="0.382", start="2014-01-01")
    assert recent.note is None


def test_today_inside_the_data_ends_the_default_range_there(source):
    ctx = ToolContext(source=source, today=dt.date(2025, 6, 30))
    r = counts(ctx, symbol="SPY", event="touch", level="+0.236")
    assert r.last_session == dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"event": "touch", "level": "+0.3"}, "not on the grid; accepted: -3, "),
        ({"event": "close_inside", "level": "0"}, "magnitude above 0 such as 0.236"),
        ({"event": "touch", "level": "+1", "side": "above"}, "applies to open_beyond only"),
        ({"event": "open_beyond", "level": "+0.382", "side": "below"}, "but side is 'below'"),
        ({"event": "crosses", "level": "+1"}, "event: Input should be 'close_above'"),
        ({"event": "touch", "level": "1", "start": "1980-01-01", "end": "1980-12-31"},
         "SPY: no sessions from 1980-01-01 to 1980-12-31: that range is before the data; the data "
         "covers 1993-01-29 to 2026-03-09"),
        ({"event": "touch", "level": "1", "start": "2024-06-01", "end": "2024-06-02"},
         "holds no session"),
        ({"event": "touch", "level": "1", "start": "2030-01-01"},
         "no SPY data from 2030-01-01: that is after today"),
        ({"event": "touch", "level": "1", "start": "2024-06-01", "end": "2024-05-01"},
         "starts 2024-06-01 after it ends 2024-05-01"),
        ({"event": "touch", "level": "1", "end": "1993-02-19"}, "first with levels is 1993-02-22"),
    ],
)  # fmt: skip
def test_errors_name_what_was_wrong_and_what_is_accepted(ctx, args, message):
    r = run_tool(ctx, "session_counts", {"symbol": "SPY", **args})
    assert isinstance(r, ToolError) and message in r.error, r


def test_average_true_range_matches_talib_and_the_hand_mean(ctx, merged, source):
    data, _ = merged["SPY"]
    d = daily_bars(source, "SPY")
    h, lo, c = (d[k].to_numpy() for k in ("high", "low", "close"))
    r = run_tool(ctx, "average_true_range", {"symbol": "SPY"})
    assert (r.sessions, r.last_session, r.first_session) == (
        14, dt.date(2026, 3, 9), dt.date(2026, 2, 18)
    )  # fmt: skip
    assert r.wilder_atr == half_up(float(talib.ATR(h, lo, c, 14)[-1]))
    trs = [
        max(data.h[t] - data.lo[t], abs(data.h[t] - data.c[t - 1]), abs(data.lo[t] - data.c[t - 1]))
        for t in range(len(data.dates) - 14, len(data.dates))
    ]
    assert r.mean_true_range == half_up(sum(trs) / 14) and r.history_start == dt.date(1993, 1, 29)
    r = run_tool(
        ctx, "average_true_range", {"symbol": "SPX", "sessions": 250, "date": "2025-04-12"}
    )
    x = daily_bars(source, "SPX")
    i = int(np.searchsorted(x.index.tz_localize(None), np.datetime64("2025-04-11"), side="right"))
    atr = talib.ATR(*(x[k].to_numpy()[:i] for k in ("high", "low", "close")), 250)[-1]
    assert r.wilder_atr == half_up(float(atr)) and r.last_session == dt.date(2025, 4, 11)
    assert r.requested_date == dt.date(2025, 4, 12)
    bad = run_tool(ctx, "average_true_range", {"symbol": "SPY", "sessions": 251})
    assert isinstance(bad, ToolError) and "less than or equal to 250" in bad.error
    bad = run_tool(ctx, "average_true_range", {"symbol": "SPY", "date": "2026-06-01"})
    assert isinstance(bad, ToolError) and "covers 1993-01-29 to 2026-03-09" in bad.error


def test_renderings_restate_the_question_and_every_number_is_grounded(ctx):
    r = counts(ctx, symbol="SPX", event="touch", level="+1", start="2025-01-01", end="2025-12-31",
               list_dates=True)  # fmt: skip
    text = render_result("session_counts", r)
    first = text.splitlines()[0]
    assert first == (
        "SPX from 2025-01-01 to 2025-12-31: sessions that touched +1 ATR (high at or above it)."
    )
    assert "33 of 250 sessions (13.2%)" in text and "Dates (33): 2025-01-03, " in text
    assert check_grounding(text, [r.model_dump_json()], "").grounded
    cut = counts(ctx, symbol="SPY", event="close_above", level="+1", list_dates=True)
    text = render_result("session_counts", cut)
    assert f"Dates (the latest 250 of {cut.count}): " in text
    assert check_grounding(text, [cut.model_dump_json()], "").grounded
    none = counts(ctx, symbol="SPY", event="close_above", level="+3", start="2026-03-02",
                  list_dates=True)  # fmt: skip
    assert none.count == 0 and "Dates: none." in render_result("session_counts", none)
    atr = run_tool(
        ctx, "average_true_range", {"symbol": "SPX", "sessions": 5, "date": "2025-04-12"}
    )
    text = render_result("average_true_range", atr)
    assert text.splitlines()[0].startswith("2025-04-12 is not a session in the data")
    assert (
        f"SPX average true range over the 5 sessions 2025-04-07 to 2025-04-11: Wilder ATR(5) "
        f"{atr.wilder_atr:.2f}, simple mean of the true ranges {atr.mean_true_range:.2f}."
    ) in text
    assert check_grounding(text, [atr.model_dump_json()], "").grounded


def test_average_true_range_also_gives_the_atr_the_sessions_levels_use(ctx, source):
    """'spx atr on 3/16/20' reads two ways: ATR(14) including 3/16 (TA-Lib at 3/16) and the ATR
    the 3/16 Day levels use (TA-Lib at 3/13); both are in the answer."""
    x = daily_bars(source, "SPX")
    hlc = [x[k].to_numpy() for k in ("high", "low", "close")]
    dates = list(x.index.date)
    at = dates.index(dt.date(2020, 3, 16))
    r = run_tool(ctx, "average_true_range", {"symbol": "SPX", "date": "2020-03-16"})
    assert r.wilder_atr == half_up(float(talib.ATR(*(a[: at + 1] for a in hlc), 14)[-1]))
    assert r.levels_atr == half_up(float(talib.ATR(*(a[:at] for a in hlc), 14)[-1]))
    assert r.levels_atr == run_tool(ctx, "atr_levels", {"symbol": "SPX", "date": "2020-03-16"}).atr
    text = render_result("average_true_range", r)
    assert f"Day levels use ATR {r.levels_atr:.2f}" in text and f"{r.wilder_atr:.2f}" in text
    other = run_tool(ctx, "average_true_range", {"symbol": "SPX", "sessions": 20})
    assert other.levels_atr is None  # only the levels' own length, 14
