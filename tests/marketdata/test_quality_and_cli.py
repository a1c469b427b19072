"""Data-quality reports, the provider registry, and the ``whispr data`` commands."""

from __future__ import annotations

import pytest

from core.errors import InvalidArgumentError
from integrations.cli import main
from integrations.marketdata.cache import CachedSource
from integrations.marketdata.files import FileSource
from integrations.marketdata.quality import check_bars
from integrations.marketdata.registry import get_source


def test_gapped_session_and_bad_bars_are_reported(source):
    bars = source.bars("SPY", "5m").loc["2025-06-02":"2025-06-03"].copy()
    bars = bars.drop(bars.index[[3, 4, 90]])
    bars.iloc[10, bars.columns.get_loc("high")] = bars["low"].iloc[10] - 1  # high below low
    report = check_bars(bars, "5m")
    assert report.gaps == [("2025-06-02", 2), ("2025-06-03", 1)]
    assert report.bad_ohlc == [str(bars.index[10])]
    assert not report.ok and any("missing bars: 2" in line for line in report.lines())


def test_early_close_sessions_are_not_gaps(source):
    half_day = source.bars("SPY", "5m").loc["2025-11-28"]
    assert len(half_day) == 42 and check_bars(half_day, "5m").ok


def test_registry(monkeypatch, tmp_path):
    assert isinstance(get_source("files"), FileSource)
    monkeypatch.setenv("WHISPR_CACHE_DIR", str(tmp_path))
    polygon = get_source("polygon")
    assert isinstance(polygon, CachedSource) and polygon.remote.name == "polygon"
    with pytest.raises(InvalidArgumentError, match="accepted: files, schwab, alpaca, polygon"):
        get_source("yahoo")


def test_data_commands(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WHISPR_CACHE_DIR", str(tmp_path))
    assert main(["data", "list"]) == 0
    assert "SPY: 1m, 5m, 1d" in capsys.readouterr().out
    assert main(["data", "check", "SPX", "--bar", "5m"]) == 0
    out = capsys.readouterr().out
    assert "19782 bars, 255 sessions" in out and "no problems found" in out
