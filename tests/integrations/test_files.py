"""The file-directory source: the shipped samples load, bad files fail with row and rule."""

from __future__ import annotations

import pytest

from core.errors import DataError, UnknownSymbolError
from core.sources import load_bars
from integrations.marketdata.files import FileSource, parse_file_name

HEADER = "timestamp,open,high,low,close,volume\n"


def test_samples_load_with_documented_row_counts(source):
    assert source.symbols() == ["SPX", "SPY"]
    assert len(source.bars("SPY", "1d")) == 8317
    assert len(source.bars("SPX", "1d")) == 16147
    assert len(source.bars("SPY", "1m")) == 24570
    assert len(source.bars("SPY", "5m")) == 16038
    assert len(source.bars("SPX", "5m")) == 19782
    first = source.bars("SPY", "5m").index[0]
    assert str(first) == "2025-05-12 09:30:00-04:00" and str(first.tz) == "America/New_York"


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("spy_daily_1993-01-29_2026-02-12.csv", ("SPY", "1d")),
        ("spx_5min_rth_2025.csv", ("SPX", "5m")),
        ("qqq_1min.parquet", ("QQQ", "1m")),
        ("es_1h.csv", ("ES", "1h")),
        ("notes.txt", None),
        ("README.md", None),
    ],
)
def test_file_names(tmp_path, name, parsed):
    assert parse_file_name(tmp_path / name) == parsed


def _write(tmp_path, body, name="abc_daily_x.csv"):
    (tmp_path / name).write_text(HEADER + body)
    return FileSource(tmp_path)


def test_bad_ohlc_row_is_named_with_its_line(tmp_path):
    src = _write(tmp_path, "2024-01-02,10,11,9,10,5\n2024-01-03,10,9.5,9,10,5\n")
    with pytest.raises(DataError, match=r"abc_daily_x.csv .* row 3 .*high >= max\(open, close\)"):
        src.bars("ABC", "1d")


def test_unsorted_file(tmp_path):
    src = _write(tmp_path, "2024-01-03,10,11,9,10,5\n2024-01-02,10,11,9,10,5\n")
    with pytest.raises(DataError, match="row 3 .*sorted ascending"):
        src.bars("ABC", "1d")


def test_non_numeric_price(tmp_path):
    src = _write(tmp_path, "2024-01-02,10,11,abc,10,5\n")
    with pytest.raises(DataError, match="row 2 has low='abc'; expected a number"):
        src.bars("ABC", "1d")


def test_bad_timestamp(tmp_path):
    src = _write(tmp_path, "2024-01-02,10,11,9,10,5\n2024-13-45,10,11,9,10,5\n")
    with pytest.raises(DataError, match="row 3 has timestamp '2024-13-45'"):
        src.bars("ABC", "1d")


def test_missing_column(tmp_path):
    (tmp_path / "abc_daily.csv").write_text("timestamp,open,high,low,close\n2024-01-02,1,1,1,1\n")
    with pytest.raises(DataError, match="missing column.*volume"):
        FileSource(tmp_path).bars("ABC", "1d")


def test_parquet_files_work_like_csv(tmp_path, source):
    bars = source.bars("SPY", "1d").iloc[-300:]
    frame = bars.reset_index()
    frame.to_parquet(tmp_path / "xyz_daily.parquet")
    loaded = FileSource(tmp_path).bars("XYZ", "1d")
    assert loaded["close"].tolist() == bars["close"].tolist()
    assert load_bars(FileSource(tmp_path), "xyz", "1w").index[-1].weekday() == 0


def test_unknown_symbol_and_missing_directory(tmp_path, source):
    with pytest.raises(UnknownSymbolError, match="available: SPX, SPY"):
        load_bars(source, "QQQ", "1d")
    with pytest.raises(DataError, match="does not exist; set WHISPR_DATA_DIR"):
        FileSource(tmp_path / "nope").symbols()
