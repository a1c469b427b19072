"""The columnar frame decoders give the ticks the per-message decoders give (symbol, time to the
nanosecond, price) on frames in each provider's documented format, and the stream hands the
engine whole frames when asked."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest

from integrations.marketdata import alpaca, polygon, schwab
from integrations.marketdata.batches import (
    alpaca_frame,
    alpaca_ticks,
    polygon_frame,
    polygon_ticks,
    schwab_ticks,
    utc_ns,
)

MS = 1_771_000_000_123  # 2026-02-13 ~16:26 UTC, in ms


def _frame(kind: str, n: int = 50) -> bytes:
    rng = np.random.default_rng(3)
    prices = np.round(680 + rng.normal(0, 1, n), 2)
    if kind == "polygon":
        msgs = [
            {"ev": "T", "sym": "SPY", "p": float(p), "s": 100, "t": MS + i}
            for i, p in enumerate(prices)
        ]
        msgs.insert(
            7, {"ev": "AM", "sym": "SPY", "s": MS, "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 9}
        )
        msgs.append({"ev": "V", "T": "I:SPX", "val": 6836.17, "t": MS + n})
        return orjson.dumps(msgs)
    if kind == "alpaca":
        stamp = pd.Timestamp(MS, unit="ms", tz="UTC")
        msgs = [
            {"T": "t", "S": "SPY", "p": float(p), "s": 5,
             "t": (stamp + pd.Timedelta(microseconds=37 * i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
            for i, p in enumerate(prices)
        ]  # fmt: skip
        msgs.insert(3, {"T": "success", "msg": "authenticated"})
        return orjson.dumps(msgs)
    content = [{"key": "SPY", "3": float(p), "35": MS + i} for i, p in enumerate(prices)]
    content.append({"key": "$SPX", "1": 6835.0})  # a bid-only update: no last price
    return orjson.dumps(
        {"data": [{"service": "LEVELONE_EQUITIES", "timestamp": MS, "content": content}]}
    )


def test_polygon_frames_decode_to_the_same_ticks():
    msgs = orjson.loads(_frame("polygon"))
    batch, rest = polygon_ticks(msgs)
    one = [polygon._event(m) for m in msgs if m["ev"] in ("T", "V")]
    assert list(batch.symbols) == [q.symbol for q in one] and batch.symbols[-1] == "SPX"
    assert batch.times_ns.tolist() == [q.time.value for q in one]
    assert batch.prices.tolist() == [q.last for q in one]
    assert [m["ev"] for m in rest] == ["AM"]


def test_alpaca_frames_decode_to_the_same_ticks():
    msgs = orjson.loads(_frame("alpaca"))
    batch, rest = alpaca_ticks(msgs)
    one = [alpaca._event(m) for m in msgs if m["T"] == "t"]
    assert batch.times_ns.tolist() == [q.time.value for q in one]
    assert batch.prices.tolist() == [q.last for q in one] and len(rest) == 1


def test_schwab_frames_decode_to_the_same_ticks():
    msg = orjson.loads(_frame("schwab"))
    batch = schwab_ticks(msg)
    data = msg["data"][0]
    one = [schwab._quote(i, data["timestamp"]) for i in data["content"] if "3" in i]
    assert list(batch.symbols) == [q.symbol for q in one]
    assert batch.times_ns.tolist() == [q.time.value for q in one]
    assert batch.prices.tolist() == [q.last for q in one]
    assert len(batch) == len(data["content"]) - 1  # the bid-only item carries no trade


def _trades_only(kind: str) -> bytes:
    msgs = orjson.loads(_frame(kind))
    keep = ("T", "V") if kind == "polygon" else ("t",)
    field = "ev" if kind == "polygon" else "T"
    return orjson.dumps([m for m in msgs if m[field] in keep])


def test_trade_frames_take_the_typed_path_and_give_the_per_message_ticks():
    for kind, fast, event in (
        ("polygon", polygon_frame, polygon._event),
        ("alpaca", alpaca_frame, alpaca._event),
    ):
        raw = _trades_only(kind)
        batch = fast(raw)
        assert batch is not None, kind
        one = [event(m) for m in orjson.loads(raw)]
        assert list(batch.symbols) == [q.symbol for q in one], kind
        assert batch.times_ns.tolist() == [q.time.value for q in one], kind
        assert batch.prices.tolist() == [q.last for q in one], kind


def test_other_frames_are_left_to_the_general_reader():
    assert polygon_frame(_frame("polygon")) is None  # holds a minute bar
    assert alpaca_frame(_frame("alpaca")) is None  # holds a status message
    no_price = orjson.dumps([{"ev": "T", "sym": "SPY", "s": 100, "t": MS}])
    assert polygon_frame(no_price) is None  # the general reader raises on it, naming the frame
    with pytest.raises(KeyError):
        polygon_ticks(orjson.loads(no_price))
    offset = orjson.dumps([{"T": "t", "S": "SPY", "p": 1.0, "t": "2026-02-13T09:30:00-05:00"}])
    assert alpaca_frame(offset) is None  # not UTC "Z": pandas reads the offset instead
    assert alpaca_ticks(orjson.loads(offset))[0].times_ns.tolist() == [
        pd.Timestamp("2026-02-13 14:30", tz="UTC").value
    ]
    assert polygon_frame(b'{"ev": "status"}') is None


def test_rfc3339_times_read_as_pandas_reads_them():
    same_width = ["2026-02-13T14:30:00.123456Z", "2026-02-14T00:00:01.000001Z"]
    for stamps in (
        same_width,
        ["2021-02-22T15:51:44.208123456Z"],  # nanoseconds
        ["2021-02-22T15:51:44Z", "2021-02-22T15:51:45Z"],  # whole seconds
        ["2021-02-22T15:51:44.208Z", "2021-02-22T15:51:44.20812Z"],  # mixed widths
        ["2024-03-10T06:59:59.999Z", "2024-03-10T07:00:00.000Z"],  # across the DST change
    ):
        want = pd.to_datetime(stamps, utc=True, format="ISO8601").as_unit("ns").asi8.tolist()
        assert utc_ns(stamps).tolist() == want, stamps
    for bad in (
        ["2021-02-22T15:51:44+00:00"],
        ["2021-13-22T15:51:44.208Z"],
        ["2021-02-22T25:51:44Z"],
    ):
        assert utc_ns(bad) is None, bad  # the frame goes to the general reader, which names it
