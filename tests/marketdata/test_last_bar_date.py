"""``FileSource.last_bar_date``: the last daily bar's date from the files' last lines, always the
date ``load_bars(source, symbol, "1d")`` ends on (which reads and merges the whole files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.errors import DataError, UnknownSymbolError
from core.sources import load_bars
from integrations.marketdata.files import FileSource, samples_dir


def _built(directory: Path, symbol: str) -> dt.date:
    return load_bars(FileSource(directory), symbol, "1d").index[-1].date()


def _daily(path: Path, days: list[str]) -> None:
    rows = [f"{d},100,101,99,100.5,1000" for d in days]
    path.write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n")


def _intraday(path: Path, stamps: list[str]) -> None:
    rows = [f"{s},100,101,99,100.5,10" for s in stamps]
    path.write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n")


def test_the_shipped_samples_end_where_the_built_daily_series_ends():
    files = FileSource(samples_dir())
    for symbol in files.symbols():
        assert files.last_bar_date(symbol) == _built(samples_dir(), symbol)


def test_intraday_bars_after_the_close_do_not_make_a_session(tmp_path):
    _daily(tmp_path / "abc_daily.csv", ["2025-06-02", "2025-06-03"])
    _intraday(
        tmp_path / "abc_5min.csv",
        [
            "2025-06-04T09:30:00-04:00",
            "2025-06-04T15:55:00-04:00",
            "2025-06-04T16:00:00-04:00",  # after the close: dropped by resampling
            "2025-06-05T08:00:00-04:00",  # pre-market of a session that has no regular bar
        ],
    )
    assert FileSource(tmp_path).last_bar_date("ABC") == _built(tmp_path, "ABC")
    assert FileSource(tmp_path).last_bar_date("abc") == dt.date(2025, 6, 4)


def test_a_tail_without_regular_hours_is_answered_by_reading_the_file(tmp_path):
    after_hours = [f"2025-06-04T{h}:{m:02d}:00-04:00" for h in range(16, 20) for m in range(60)]
    premarket = [f"2025-06-05T0{h}:{m:02d}:00-04:00" for h in range(4, 9) for m in range(60)]
    stamps = ["2025-06-04T10:00:00-04:00", *after_hours, *premarket]
    _intraday(tmp_path / "abc_1min.csv", stamps)
    big = (tmp_path / "abc_1min.csv").stat().st_size
    assert big > 16_384  # more than the tail the index reads
    assert FileSource(tmp_path).last_bar_date("ABC") == _built(tmp_path, "ABC")
    assert FileSource(tmp_path).last_bar_date("ABC") == dt.date(2025, 6, 4)


def test_an_appended_file_is_read_again(tmp_path):
    path = tmp_path / "abc_daily_2025-06-02_2025-06-03.csv"
    _daily(path, ["2025-06-02", "2025-06-03"])
    assert FileSource(tmp_path).last_bar_date("ABC") == dt.date(2025, 6, 3)
    with path.open("a") as f:
        f.write("2025-06-04,100,101,99,100.5,1000\n")
    assert FileSource(tmp_path).last_bar_date("ABC") == dt.date(2025, 6, 4)


def test_unsorted_last_lines_fall_back_to_the_full_read_and_its_error(tmp_path):
    _daily(tmp_path / "abc_daily.csv", ["2025-06-02", "2025-06-04", "2025-06-03"])
    with pytest.raises(DataError, match="sorted"):
        FileSource(tmp_path).last_bar_date("ABC")


def test_symbols_without_daily_or_intraday_files_raise_as_load_bars_does(tmp_path):
    _daily(tmp_path / "abc_weekly.csv", ["2025-06-02", "2025-06-09"])
    with pytest.raises(DataError, match="cannot build 1d bars for ABC"):
        FileSource(tmp_path).last_bar_date("ABC")
    with pytest.raises(UnknownSymbolError):
        FileSource(tmp_path).last_bar_date("XYZ")
