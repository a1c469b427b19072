"""The live engine over three replayed sessions: session roll, reconnects with gaps, a restart,
alerts added and paused mid-session, exactly-once delivery with the right session's levels.

Expected firings and levels are computed here by hand from the shipped CSV files (previous close,
Wilder ATR by the textbook loop, the crossing rule by a plain loop over the quotes the engine was
sent), never by the engine's code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import AsyncIterator
from pathlib import Path

import pandas as pd
import pytest

from core.alerts import AlertRule
from integrations.alerts.engine import LiveEngine, LiveStatus
from integrations.alerts.livebars import MinuteBars
from integrations.alerts.monitor import Monitor
from integrations.alerts.replayclock import ReplayClock
from integrations.alerts.store import SqliteAlertStore
from integrations.marketdata.files import FileSource, samples_dir
from integrations.marketdata.remote import Quote
from tests.channels.conftest import hand_wilder_atr

SAMPLES = samples_dir()
KEYS = ("+0.236", "-0.236", "+0.382", "-0.382", "+0.618", "-0.618", "0", "+1", "-1")


def _csv(name: str) -> pd.DataFrame:
    frame = pd.read_csv(next(SAMPLES.glob(f"{name}*.csv")))
    return frame


@functools.cache
def _daily(symbol: str) -> pd.DataFrame:
    frame = _csv(f"{symbol.lower()}_daily")
    frame.index = pd.to_datetime(frame["timestamp"])
    return frame


def _intraday_days(symbol: str) -> set[dt.date]:
    frame = _csv(f"{symbol.lower()}_5min")
    return set(
        pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert("America/New_York").dt.date
    )


@functools.cache
def _hand_levels(symbol: str, day: dt.date) -> tuple[float, float]:
    """(previous close, ATR rounded to the cent) from daily rows strictly before ``day``."""
    before = _daily(symbol).loc[: pd.Timestamp(day) - pd.Timedelta(days=1)]
    return float(before["close"].iloc[-1]), round(hand_wilder_atr(before), 2)


def test_the_replay_clock_replays_the_latest_common_sessions_and_keeps_its_place():
    # by hand: sessions in both 5-minute files whose previous session is in both daily files
    spx, spy = _daily("spx"), _daily("spy")
    days = sorted(_intraday_days("spx") & _intraday_days("spy"))
    usable = [
        d
        for d in days
        if any(t.date() < d for t in spx.index) and spy.index[-1].date() >= d - dt.timedelta(4)
    ]
    clock = ReplayClock(FileSource(SAMPLES), ["SPX", "SPY"], sessions=3, speed=0, loop=False)
    assert (
        clock.days
        == usable[-3:]
        == [dt.date(2026, 2, 11), dt.date(2026, 2, 12), dt.date(2026, 2, 13)]
    )
    assert len(clock) == 3 * 78 * 4 * 2  # four quotes a bar, 78 bars a session, two symbols
    first, second = clock.quote(0), clock.quote(1)
    assert {first.symbol, second.symbol} == {"SPX", "SPY"} and first.time == second.time
    assert f"{first.time:%Y-%m-%d %H:%M:%S%z}" == "2026-02-11 09:30:00-0500"
    spx_first = _csv("spx_5min").set_index("timestamp").loc["2026-02-11T09:30:00-05:00"]
    assert clock.quote(0 if first.symbol == "SPX" else 1).last == spx_first["open"]

    async def take(n: int) -> list[Quote]:
        out = []
        async for quote in clock.stream(["SPX", "SPY"]):
            out.append(quote)
            if len(out) == n:
                break
        return out

    a, b = asyncio.run(take(5)), asyncio.run(take(3))  # reopened: goes on where it stopped
    assert [q.time for q in a + b] == [clock.quote(i).time for i in range(8)]


def test_the_replay_clock_waits_in_proportion_to_market_time():
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    clock = ReplayClock(FileSource(SAMPLES), ["SPX"], sessions=2, speed=60, loop=False, sleep=sleep)

    async def drain() -> int:
        return len([q async for q in clock.stream(["SPX"])])

    assert asyncio.run(drain()) == 2 * 78 * 4
    # a 5-minute bar's four quotes are 75 s apart: 1.25 s at 60x; the night is skipped
    assert set(round(w, 6) for w in waits) == {1.25}
    assert len(waits) == 2 * (78 * 4 - 1)


class Flaky:
    """Wraps the replay clock like a provider that drops the connection: after the given event
    counts it raises, and the next connection starts ``skip`` quotes later (ticks lost while
    down). Records every quote it sent, the input of the hand check."""

    def __init__(self, clock: ReplayClock, drops: list[int], skip: int) -> None:
        self.clock, self.drops, self.skip = clock, list(drops), skip
        self.sent: list[Quote] = []
        self.resets: list[int] = []
        """Indexes into ``sent`` after which the engine's last prices start afresh (restart)."""

    async def stream(self, symbols: list[str]) -> AsyncIterator[Quote]:
        async for quote in self.clock.stream(symbols):
            if self.drops and len(self.sent) == self.drops[0]:
                self.drops.pop(0)
                self.clock.position += self.skip
                raise ConnectionResetError("provider closed the socket")
            self.sent.append(quote)
            yield quote


def _rule(rule_id: str, symbol: str, key: str, direction: str) -> AlertRule:
    return AlertRule(
        rule_id=rule_id,
        owner="trader",
        destination="web:trader",
        symbol=symbol,
        level=key,
        direction=direction,
    )


def _expected(
    sent: list[Quote], rules: dict[str, tuple[AlertRule, int, int | None]], resets: list[int]
) -> dict[tuple[str, str], float]:
    """Hand check: (rule id, session) → level price, for the first crossing of each rule per
    session among the quotes sent, counting a rule from the quote index it was added at (until
    the index it was paused at); last prices start afresh each session and after a restart."""
    fired: dict[tuple[str, str], float] = {}
    last: dict[str, float] = {}
    session = None
    for i, quote in enumerate(sent):
        day = quote.time.date()
        if day != session or i in resets:
            last = {} if day != session else {}
            session = day
        p, q = last.get(quote.symbol), quote.last
        last[quote.symbol] = q
        if p is None:
            continue
        for rule_id, (rule, added, paused) in rules.items():
            if rule.symbol != quote.symbol or i < added or (paused is not None and i >= paused):
                continue
            pc, atr = _hand_levels(rule.symbol, day)
            level = pc + float(rule.level) * atr
            up = p <= level < q
            down = p >= level > q
            key = (rule_id, f"{day:%Y-%m-%d}")
            if key not in fired and (up if rule.direction == "up" else down):
                fired[key] = level
    return fired


def test_three_sessions_with_disconnects_a_restart_and_alerts_added_mid_session(tmp_path: Path):
    source = FileSource(SAMPLES)
    clock = ReplayClock(source, ["SPX", "SPY"], sessions=3, speed=0, loop=False)
    per_session = len(clock) // 3
    flaky = Flaky(clock, drops=[200, per_session + 400], skip=40)
    store = SqliteAlertStore(tmp_path / "alerts.sqlite")
    rules: dict[str, tuple[AlertRule, int, int | None]] = {}
    for symbol in ("SPX", "SPY"):
        for key in KEYS:
            for direction in ("up", "down"):
                rule = _rule(f"{symbol}{key}{direction}", symbol, key, direction)
                store.add(rule)
                rules[rule.rule_id] = (rule, 0, None)
    delivered: list[tuple[str, str]] = []
    failures = {"left": 1}

    def deliver(destination: str, message: str) -> None:
        if failures["left"]:  # the first delivery fails once: retried, still delivered once
            failures["left"] -= 1
            raise ConnectionError("web inbox down")
        delivered.append((destination, message))

    now = {"t": 0.0}

    def wall() -> float:
        now["t"] += 1.0  # a second of wall time per look: the store is re-read at every event
        return now["t"]

    async def nap(seconds: float) -> None:
        return None

    def engine(status: LiveStatus, reconnects: int) -> LiveEngine:
        monitor = Monitor(store, source, deliver, sleep=lambda s: None)
        return LiveEngine(
            monitor,
            ["SPX", "SPY"],
            flaky.stream,
            status=status,
            sleep=nap,
            wall=wall,
            max_reconnects=reconnects,
        )

    # first process: into session 2, through both drops, then it "crashes"
    status = LiveStatus()
    first = engine(status, 2)
    asyncio.run(first.run(max_events=per_session + 200))
    for symbol, key, way in (
        ("SPX", "-0.5", "down"),
        ("SPY", "+0.5", "up"),
        ("SPY", "-0.5", "down"),
    ):
        rule = _rule(f"late-{symbol}{key}", symbol, key, way)  # added in session 2
        store.add(rule)
        rules[rule.rule_id] = (rule, len(flaky.sent), None)
    asyncio.run(first.run(max_events=250))
    assert clock.quote(clock.position).time.date() == dt.date(2026, 2, 12)  # still session 2
    assert status.reconnects == 2 and len(status.gaps) == 2
    gap = status.gaps[0]
    assert gap.seconds == pytest.approx(
        (flaky.sent[200].time - flaky.sent[199].time).total_seconds()
    )
    assert gap.seconds > 25 * 60  # 40 quotes lost: five 5-minute bars of two symbols
    # pause one alert before the restart; from then on it must not fire
    store.set_paused("trader", "SPX-0.236down", True)
    rule, added, _ = rules["SPX-0.236down"]
    rules["SPX-0.236down"] = (rule, added, len(flaky.sent))
    # the restart: a new process on the same alert store, ticks lost while it was down
    clock.position += 40
    flaky.resets.append(len(flaky.sent))
    second = engine(LiveStatus(), 0)
    asyncio.run(second.run())
    assert second.status.state == "finished"

    expected = _expected(flaky.sent, rules, flaky.resets)
    assert len(expected) >= 20  # the check has teeth: many firings over three sessions
    assert {r for r, _ in expected if r.startswith("late-")}  # an alert added mid-run fired
    unpaused = dict(rules, **{"SPX-0.236down": (rules["SPX-0.236down"][0], 0, None)})
    stopped = set(_expected(flaky.sent, unpaused, flaky.resets)) - set(expected)
    assert stopped and {r for r, _ in stopped} == {"SPX-0.236down"}
    assert len(delivered) == len(expected)  # each exactly once, the failed attempt retried
    messages = [m for _, m in delivered]
    for (rule_id, session), level in expected.items():
        rule = rules[rule_id][0]
        verb = "crossed above" if rule.direction == "up" else "lost"
        name = f"({rule.level}) at {level:.2f}"
        hits = [
            m
            for m in messages
            if m.startswith(f"{rule.symbol} {verb}") and name in m and f"on {session}" in m
        ]
        assert len(hits) == 1, (rule_id, session, level)
    for session in ("2026-02-11", "2026-02-12", "2026-02-13"):
        assert store.fired(session) == {r for r, s in expected if s == session}
    assert all("(replay)" not in m and "(live)" in m for m in messages)  # mode "live" here


def test_an_alert_added_while_streaming_is_watched_within_the_refresh_interval(tmp_path: Path):
    """The store is re-read at most ``refresh_seconds`` (wall clock) apart: an alert added
    between two ticks is not seen while less than a second has passed, and is after."""
    store = SqliteAlertStore(tmp_path / "a.sqlite")
    monitor = Monitor(store, FileSource(SAMPLES), lambda d, m: None)
    now = {"t": 0.0}
    engine = LiveEngine(monitor, ["SPY"], None, wall=lambda: now["t"], refresh_seconds=1.0)  # type: ignore[arg-type]
    pc, atr = _hand_levels("SPY", dt.date(2026, 2, 12))
    trigger = pc + 0.236 * atr
    t0 = pd.Timestamp("2026-02-12 10:00", tz="America/New_York")

    def tick(seconds: int, price: float) -> list[str]:
        return engine.handle(Quote("SPY", t0 + pd.Timedelta(seconds=seconds), price))

    tick(0, trigger - 1)
    store.add(_rule("new", "SPY", "+0.236", "up"))
    now["t"] = 0.5
    assert tick(1, trigger - 0.5) == [] and engine.status.alerts_watched == 0
    now["t"] = 1.5  # past the refresh interval: the next tick sees the new alert
    (message,) = tick(2, trigger + 0.25)
    assert f"at {trigger:.2f}" in message and engine.status.alerts_watched == 1
    store.set_paused("trader", "new", True)
    now["t"] = 3.0
    tick(3, trigger - 1)
    assert engine.status.alerts_watched == 0


def test_minute_bars_keep_only_minutes_seen_whole(tmp_path: Path):
    """The first minute after (re)connecting and the minute cut by a gap are dropped."""
    got: list[pd.DataFrame] = []
    bars = MinuteBars(lambda symbol, frame: got.append(frame))
    ticks = {
        "10:00:30": 100.0,
        "10:01:05": 101.0,
        "10:01:20": 102.0,
        "10:01:50": 99.5,
        "10:02:10": 100.5,
        "10:02:40": 100.7,
    }
    for clock, price in ticks.items():
        bars.add("SPY", pd.Timestamp(f"2026-02-12 {clock}", tz="America/New_York"), price)
    bars.flush()
    (frame,) = got
    # 10:00 began before the stream was seen: dropped; 10:01 whole; 10:02 still in progress
    assert list(frame.index.strftime("%H:%M")) == ["10:01"]
    assert frame.iloc[0][["open", "high", "low", "close"]].tolist() == [101.0, 102.0, 99.5, 99.5]
    bars.gap()  # 10:02 is cut by a disconnect
    for clock, price in (("10:03:20", 101.0), ("10:04:00", 101.5)):  # 10:03: first after it
        bars.add("SPY", pd.Timestamp(f"2026-02-12 {clock}", tz="America/New_York"), price)
    bars.flush()
    assert len(got) == 1


def test_day_state_follows_the_golden_gates_by_hand():
    """PC 100, ATR 10: bull gate trigger 103.82, target 106.18; bear 96.18 and 93.82."""
    from integrations.alerts.daystate import DayState

    def at(hhmm: str) -> pd.Timestamp:
        return pd.Timestamp(f"2026-02-12 {hhmm}", tz="America/New_York")

    day = DayState(100.0, 10.0)
    assert day.snapshot() == {"previous_close": 100.0, "atr": 10.0}
    for clock, price in (("09:30", 101.0), ("10:05", 103.9), ("10:40", 102.0), ("11:15", 106.2)):
        day.update(at(clock), price)
    snap = day.snapshot()
    assert snap["gates"]["bull"] == "completed at 11:15 (triggered at 10:05)"
    assert snap["gates"]["bear"] == "not triggered (trigger 96.18)"
    assert (snap["open"], snap["high"], snap["low"], snap["last"]) == (101.0, 106.2, 101.0, 106.2)
    assert snap["range_pct_of_atr"] == 52.0 and snap["change_atr"] == 0.62
    assert snap["below"] == {"level": "+0.618", "price": 106.18}
    assert snap["above"] == {"level": "+0.786", "price": 107.86}
    gap_up = DayState(100.0, 10.0)
    gap_up.update(at("09:30"), 104.5)  # opens between the bull trigger and its target
    assert gap_up.snapshot()["gates"]["bull"] == "triggered at the open (09:30), target 106.18"
    gap_down = DayState(100.0, 10.0)
    gap_down.update(at("09:30"), 93.0)  # opens beyond the bear completion
    gap_down.update(at("09:35"), 97.0)
    assert gap_down.snapshot()["gates"]["bear"] == "no gate: opened beyond the completion 93.82"
