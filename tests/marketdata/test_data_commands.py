"""``whispr data fetch|list|check`` end to end: settings from environment variables, a local
server speaking Polygon's format, the cache on disk, and a deliberately gapped data file."""

from __future__ import annotations

from core.sources import BarSource
from integrations.cli import main
from integrations.marketdata.cache import CachedSource
from integrations.marketdata.registry import get_source
from tests.marketdata.servers import FakePolygon

FETCH = ["data", "fetch", "spy", "--provider", "polygon", "--bar", "5m"]
DAYS = ["--start", "2025-06-02", "--end", "2025-06-03"]


def test_fetch_caches_so_a_repeat_sends_no_request_and_list_shows_it(
    source, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("WHISPR_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("POLYGON_API_KEY", "pk")
    with FakePolygon(source.bars("SPY", "5m").loc["2025-06-02":"2025-06-06"]) as server:
        monkeypatch.setenv("WHISPR_POLYGON_BASE_URL", server.url)
        assert main([*FETCH, *DAYS]) == 0
        out = capsys.readouterr().out
        assert "156 5m bars of SPY from polygon (2025-06-02 to 2025-06-03)" in out
        assert "no problems found" in out
        requests = len(server.requests)
        assert main([*FETCH, *DAYS]) == 0
        assert len(server.requests) == requests  # answered from the cache
        monkeypatch.setenv("POLYGON_API_KEY", "wrong")
        assert main([*FETCH, "--start", "2025-06-09", "--end", "2025-06-10"]) == 2
        assert "credentials rejected (HTTP 401)" in capsys.readouterr().err
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "SPY: 1m, 5m, 1d" in out  # the shipped data directory
    assert "polygon SPY 5m: 156 bars, 2025-06-02 09:30:00-04:00 to 2025-06-03 15:55:00-04:00" in out


def test_check_reports_a_gapped_session_with_exit_code_1(source, monkeypatch, capsys, tmp_path):
    bars = source.bars("SPY", "5m").loc["2025-06-02":"2025-06-03"]
    gapped = bars.drop(bars.index[[10, 11, 12, 100]])
    frame = gapped.reset_index()
    frame["timestamp"] = frame["timestamp"].map(lambda t: t.isoformat())
    frame.to_csv(tmp_path / "spy_5min_gapped.csv", index=False)
    monkeypatch.setenv("WHISPR_DATA_DIR", str(tmp_path))
    assert main(["data", "check", "SPY", "--bar", "5m"]) == 1
    out = capsys.readouterr().out
    assert "152 bars, 2 sessions" in out
    assert "sessions with missing bars: 2: 2025-06-02 (3 missing), 2025-06-03 (1 missing)" in out


def test_registry_follows_the_environment(monkeypatch):
    monkeypatch.setenv("WHISPR_DATA_PROVIDER", "alpaca")
    chosen = get_source(None)
    assert isinstance(chosen, CachedSource) and chosen.remote.name == "alpaca"
    assert isinstance(chosen, BarSource) and isinstance(chosen.remote, BarSource)
    assert get_source("files").name.startswith("data directory")
