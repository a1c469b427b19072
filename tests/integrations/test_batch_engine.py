"""The live engine's batch path gives what its per-tick path gives: the same firings (each
exactly once), the same session state and the same stored minute bars, over three replayed
sessions fed as frames of 1 to 97 ticks (frames cross session boundaries too)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core.alerts import AlertRule
from integrations.alerts.engine import LiveEngine, LiveStatus
from integrations.alerts.livebars import MinuteBars
from integrations.alerts.monitor import Monitor
from integrations.alerts.replayclock import ReplayClock
from integrations.alerts.store import SqliteAlertStore
from integrations.marketdata.batches import TickBatch
from integrations.marketdata.files import FileSource, samples_dir

KEYS = ("+0.236", "-0.236", "+0.382", "-0.382", "+0.618", "-0.618", "0", "+1", "-1")


def _engine(tmp: Path, name: str, bars: list[tuple[str, pd.DataFrame]]) -> LiveEngine:
    store = SqliteAlertStore(tmp / f"{name}.sqlite")
    for symbol in ("SPX", "SPY"):
        for key in KEYS:
            for way in ("up", "down"):
                rule = AlertRule(
                    rule_id=f"{symbol}{key}{way}", owner="t", destination="web:t",
                    symbol=symbol, level=key, direction=way,
                )  # fmt: skip
                store.add(rule)
    sent: list[str] = []
    monitor = Monitor(store, FileSource(samples_dir()), lambda d, m: sent.append(m))
    recorder = MinuteBars(lambda sym, frame: bars.append((sym, frame)))
    return LiveEngine(monitor, ["SPX", "SPY"], None, status=LiveStatus(), recorder=recorder)  # type: ignore[arg-type]


def test_batches_give_the_per_tick_results(tmp_path: Path):
    clock = ReplayClock(FileSource(samples_dir()), ["SPX", "SPY"], sessions=3, speed=0, loop=False)
    quotes = [clock.quote(i) for i in range(len(clock))]
    per_tick_bars: list[tuple[str, pd.DataFrame]] = []
    batch_bars: list[tuple[str, pd.DataFrame]] = []
    one, many = _engine(tmp_path, "one", per_tick_bars), _engine(tmp_path, "many", batch_bars)
    for q in quotes:
        one.handle(q)
    sizes = np.random.default_rng(7).integers(1, 98, size=len(quotes))
    i = 0
    for size in sizes:
        part = quotes[i : i + int(size)]
        if not part:
            break
        many.handle_batch(
            TickBatch(
                np.array([q.symbol for q in part]),
                np.array([q.time.value for q in part], dtype=np.int64),
                np.array([q.last for q in part]),
            )
        )
        i += len(part)
    one.recorder.flush()  # type: ignore[union-attr]
    many.recorder.flush()  # type: ignore[union-attr]
    for session in ("2026-02-11", "2026-02-12", "2026-02-13"):
        fired = one.store.fired(session)
        assert fired and many.store.fired(session) == fired, session
    assert one.store.pending() == many.store.pending() == []
    snap_one, snap_many = one.status.snapshot(), many.status.snapshot()
    for key in ("session", "last_price", "last_tick", "today", "levels", "events"):
        assert snap_many[key] == snap_one[key], key
    assert len(batch_bars) and len(per_tick_bars)
    joined = {
        name: pd.concat([f for s, f in bars if s == sym]).sort_index()
        for name, bars in (("one", per_tick_bars), ("many", batch_bars))
        for sym in ("SPY",)
    }
    pd.testing.assert_frame_equal(joined["one"], joined["many"])
