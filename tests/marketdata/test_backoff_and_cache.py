"""Rate-limit backoff and the Parquet cache, against a local server speaking Polygon's format."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pandas as pd
import pytest

from core.bars import validate_bars
from core.errors import DataError
from integrations.marketdata.cache import CachedSource, PartialFetchError, cache_entries
from integrations.marketdata.http import ProviderError, Retry, get_json
from integrations.marketdata.polygon import PolygonConfig, PolygonSource
from tests.marketdata.servers import FakePolygon, JsonServer

ET = "America/New_York"


def _et(text: str) -> dt.datetime:
    return pd.Timestamp(text, tz=ET).to_pydatetime()


def _ms(text: str) -> int:
    return int(pd.Timestamp(text, tz=ET).value // 1_000_000)


@pytest.fixture(scope="module")
def week(source):
    """Five real SPY 5-minute sessions, 2025-06-02 to 2025-06-06."""
    return source.bars("SPY", "5m").loc["2025-06-02":"2025-06-06"]


def _cached(server: FakePolygon, tmp_path, now: str = "2025-07-01", attempts: int = 3):
    clock_value = [pd.Timestamp(now, tz=ET).timestamp()]
    slept: list[float] = []
    remote = PolygonSource(
        PolygonConfig(api_key="pk", base_url=server.url),
        retry=Retry(attempts=attempts, sleep=slept.append),
    )
    return CachedSource(remote, tmp_path, clock=lambda: clock_value[0]), clock_value, slept


def test_retry_delay_honours_retry_after_in_seconds_or_date_and_reset_time_with_a_cap():
    policy = Retry(base=1.0, cap=30.0, clock=lambda: 1_000_000.0)

    def delay(attempt, **headers):
        return policy.delay(attempt, httpx.Response(429, headers=headers))

    assert delay(1, **{"Retry-After": "7"}) == 7.0
    assert delay(1, **{"Retry-After": "600"}) == 30.0  # capped
    date = "Mon, 12 Jan 1970 13:46:50 GMT"  # epoch 1_000_010
    assert delay(1, **{"Retry-After": date}) == pytest.approx(10.0)
    assert delay(1, **{"X-RateLimit-Reset": "1000004"}) == pytest.approx(4.0)
    assert [delay(n) for n in (1, 2, 3, 7)] == [1.0, 2.0, 4.0, 30.0]  # exponential, bounded


def test_get_json_backs_off_on_429_and_5xx_then_gives_up_with_a_clear_error():
    answers = [(429, {}, {}), (503, {}, {}), (200, {"ok": 1}, {})]
    slept: list[float] = []

    def flaky(path, query, headers, body):
        return answers.pop(0)

    def always(path, query, headers, body):
        return 429, {"message": "too many"}, {"Retry-After": "2"}

    routes = {("GET", "/flaky"): flaky, ("GET", "/always"): always}
    with JsonServer(routes) as server, httpx.Client() as client:
        policy = Retry(attempts=3, sleep=slept.append)
        assert get_json(client, "p", f"{server.url}/flaky", retry=policy) == {"ok": 1}
        assert slept == [1.0, 2.0]
        with pytest.raises(ProviderError, match=r"HTTP 429 \(rate limited\).*after 3 attempts"):
            get_json(client, "p", f"{server.url}/always", retry=policy)
        assert slept[2:] == [2.0, 2.0]
        closed = server.url
    with httpx.Client() as client, pytest.raises(ProviderError, match="cannot reach"):
        get_json(client, "p", f"{closed}/x", retry=Retry(attempts=2, sleep=slept.append))


def test_cache_fetches_only_the_part_of_a_request_it_lacks(week, tmp_path):
    with FakePolygon(week) as server:
        cached, _, _ = _cached(server, tmp_path)
        first = cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-04"))
        assert len(first) == 156 and len(server.requests) == 4  # 50 bars a page
        again = cached.fetch("SPY", "5m", _et("2025-06-02 12:00"), _et("2025-06-03 16:00"))
        assert len(server.requests) == 4 and len(again) == 48 + 78
        wider = cached.fetch("SPY", "5m", _et("2025-06-03"), _et("2025-06-06"))
        assert server.ranges[-1] == (_ms("2025-06-04"), _ms("2025-06-06"))
        assert len(wider) == 3 * 78 and wider.index.is_unique
        validate_bars(wider)
    (entry,) = cache_entries(tmp_path)
    assert (entry.provider, entry.symbol, entry.bar, entry.bars) == ("polygon", "SPY", "5m", 312)
    assert entry.first == "2025-06-02 09:30:00-04:00"


def test_unfinished_bars_are_fetched_again(week, tmp_path):
    with FakePolygon(week) as server:
        cached, clock, _ = _cached(server, tmp_path, now="2025-06-03 12:02")
        cached.fetch("SPY", "5m", _et("2025-06-03"), _et("2025-06-04"))
        clock[0] += 3600
        cached.fetch("SPY", "5m", _et("2025-06-03"), _et("2025-06-04"))
        # covered only up to now minus one bar: the 11:55 bar may still have been forming
        assert server.ranges[-1] == (_ms("2025-06-03 11:57"), _ms("2025-06-04"))


def test_a_failure_after_a_partial_fetch_keeps_the_fetched_part_and_says_what_failed(
    week, tmp_path
):
    with FakePolygon(week) as server:
        cached, _, slept = _cached(server, tmp_path, attempts=2)
        cached.fetch("SPY", "5m", _et("2025-06-03"), _et("2025-06-04"))
        outage = {"on": True}

        def fail(lo, hi, query):
            if outage["on"] and lo >= _ms("2025-06-04"):
                return 500, {"status": "ERROR", "error": "internal"}, {}
            return None

        server.fail = fail
        with pytest.raises(PartialFetchError, match="failed: polygon: HTTP 500") as info:
            cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-05"))
        assert len(info.value.bars) == 156 and slept == [1.0]
        assert "2025-06-04 04:00 to 2025-06-05 04:00 UTC" in str(info.value)
        outage["on"] = False
        done = cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-05"))
        assert server.ranges[-1] == (_ms("2025-06-04"), _ms("2025-06-05")) and len(done) == 234


def test_nothing_fetched_raises_the_provider_error_and_caches_nothing(week, tmp_path):
    with FakePolygon(week) as server:
        server.fail = lambda *a: (429, {"status": "ERROR"}, {"Retry-After": "5"})
        cached, _, slept = _cached(server, tmp_path, attempts=3)
        with pytest.raises(ProviderError, match="429") as info:
            cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-03"))
        assert not isinstance(info.value, PartialFetchError) and slept == [5.0, 5.0]
    assert cache_entries(tmp_path) == []


def test_cached_data_is_validated_like_files(week, tmp_path):
    with FakePolygon(week) as server:
        cached, _, _ = _cached(server, tmp_path)
        cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-03"))
        path = tmp_path / "polygon" / "SPY_5m.parquet"
        bad = pd.read_parquet(path)
        bad.iloc[5, bad.columns.get_loc("high")] = bad["low"].iloc[5] - 1
        bad.to_parquet(path)
        with pytest.raises(DataError, match=r"SPY_5m.parquet: row 5 .* high >= max"):
            cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-03"))
        path.write_bytes(b"not parquet")
        with pytest.raises(DataError, match="cannot be read.*delete it to refetch"):
            cached.cached("SPY", "5m")
        path.unlink()  # coverage without data counts for nothing: fetched again
        assert len(cached.fetch("SPY", "5m", _et("2025-06-02"), _et("2025-06-03"))) == 78
        assert json.loads((tmp_path / "polygon" / "SPY_5m.json").read_text())
