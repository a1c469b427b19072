"""The file-directory market-data source: CSV or Parquet files named ``<symbol>_<bar>_*.csv``.

File format (see the shipped samples): columns ``timestamp,open,high,low,close,volume``.
Daily and longer bars carry a plain date (``2019-06-12``); intraday bars an ISO 8601 timestamp
with its UTC offset (``2025-05-12T09:30:00-04:00``), the bar's start time. Symbol and bar size
come from the file name: ``spy_daily_1993.csv`` is SPY daily, ``spx_5min_rth.csv`` SPX 5-minute.

The symbol list comes from the file names and each symbol's last session from a small index of
its files' last lines (``FileSource.last_bar_date``), so neither reads whole files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from assistant.settings import get_settings
from core.bars import (
    COLUMNS,
    EASTERN,
    local_ns,
    make_bars,
    rth_mask,
    timeframe,
    validate_bars,
)
from core.errors import DataError, UnknownSymbolError
from core.sources import load_bars

_NAME = re.compile(r"^(?P<symbol>[A-Za-z0-9.^$]+)_(?P<bar>[0-9]*[A-Za-z]+)(?:_.*)?$")
_SUFFIXES = (".csv", ".parquet", ".pq")
_BAR_WORDS = {"min": "m", "minute": "m", "hour": "h", "hr": "h"}
_TAIL_BYTES = 16_384
_LAST_DATES: dict[tuple[str, int, int, str], dt.date | None] = {}
"""The index behind ``last_session_date``: (path, size, mtime, bar) -> date; a file that changes
gets a new key, so an entry is never stale."""


def samples_dir() -> Path:
    """Return the directory of the market-data samples shipped with Whispr."""
    return Path(str(resources.files("integrations.marketdata") / "samples"))


def default_data_dir() -> Path:
    """Return ``$WHISPR_DATA_DIR`` if set, else the shipped samples directory."""
    return get_settings().data_dir or samples_dir()


def _bar_name(token: str) -> str:
    m = re.fullmatch(r"(\d*)([a-zA-Z]+)", token)
    if not m:
        raise ValueError(token)
    num, word = m.group(1) or "1", m.group(2)
    if word.lower() in _BAR_WORDS:
        return f"{num}{_BAR_WORDS[word.lower()]}"
    return timeframe(token if m.group(1) else word).name


def parse_file_name(path: Path) -> tuple[str, str] | None:
    """Return (SYMBOL, bar size) from a data file name, or None if the name does not fit."""
    if path.suffix.lower() not in _SUFFIXES:
        return None
    m = _NAME.match(path.stem)
    if not m:
        return None
    try:
        bar = timeframe(_bar_name(m.group("bar"))).name
    except (ValueError, DataError):
        return None
    return m.group("symbol").upper().lstrip("$^"), bar


def read_bar_file(path: Path) -> pd.DataFrame:
    """Return the validated bar frame stored in a CSV or Parquet file; raise ``DataError``."""
    try:
        if path.suffix.lower() == ".csv":
            raw = pd.read_csv(path, dtype={"timestamp": str})
        else:
            raw = pd.read_parquet(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path.name}: cannot be read ({exc})") from exc
    missing = [c for c in ("timestamp", *COLUMNS) if c not in raw.columns]
    if missing:
        raise DataError(
            f"{path.name}: missing column(s) {', '.join(missing)}; "
            f"expected timestamp,{','.join(COLUMNS)}"
        )
    line0 = 2 if path.suffix.lower() == ".csv" else 0  # line 1 of a CSV is the header
    index = _parse_timestamps(raw["timestamp"], path.name, line0)
    values = {}
    for col in COLUMNS:
        num = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(np.isnan(num))
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{path.name}: row {i + line0} has {col}={raw[col].iloc[i]!r}; expected a number"
            )
        values[col] = num
    where = f"{path.name} (line numbers count the header as line 1)" if line0 else path.name
    return validate_bars(make_bars(index, values), where, row_offset=line0)


def _parse_timestamps(col: pd.Series, name: str, line0: int) -> pd.DatetimeIndex:
    if pd.api.types.is_datetime64_any_dtype(col):
        idx = pd.DatetimeIndex(col)
        return idx if idx.tz is not None else idx.tz_localize(EASTERN)
    text = col.astype(str)
    daily = text.str.len().le(10)
    try:
        if daily.all():
            return pd.DatetimeIndex(pd.to_datetime(text, format="%Y-%m-%d")).tz_localize(EASTERN)
        if daily.any():
            i = int(np.flatnonzero(daily.to_numpy())[0])
            raise DataError(
                f"{name}: row {i + line0} has timestamp {text.iloc[i]!r}, a date among intraday "
                "timestamps; use one form per file"
            )
        return pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601")).tz_convert(
            EASTERN
        )
    except (ValueError, TypeError) as exc:
        bad = pd.to_datetime(text, errors="coerce", utc=not daily.all(), format="mixed")
        i = int(np.flatnonzero(bad.isna().to_numpy())[0]) if bad.isna().any() else 0
        raise DataError(
            f"{name}: row {i + line0} has timestamp {text.iloc[i]!r}; expected YYYY-MM-DD for "
            "daily bars or ISO 8601 with a UTC offset (2025-05-12T09:30:00-04:00) for intraday"
        ) from exc


def _tail(path: Path) -> tuple[str, list[str]]:
    """Return (header line, the complete non-empty lines of the file's last ``_TAIL_BYTES``)."""
    with path.open("rb") as f:
        header = f.readline().decode("utf-8", "replace").rstrip("\r\n")
        start = f.tell()
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(start, end - _TAIL_BYTES))
        block = f.read().decode("utf-8", "replace")
    lines = block.splitlines()
    if end - _TAIL_BYTES > start:
        lines = lines[1:]  # the block starts inside a line
    return header, [line for line in lines if line.strip()]


def _tail_timestamps(path: Path) -> pd.DatetimeIndex | None:
    """Return the Eastern timestamps of a CSV's last lines, parsed as ``read_bar_file`` parses
    them, or None when the lines do not parse (then the whole file is read)."""
    header, lines = _tail(path)
    names = header.split(",")
    if "timestamp" not in names or not lines:
        return None
    col = names.index("timestamp")
    try:
        text = pd.Series([line.split(",")[col].strip('"') for line in lines])
        index = _parse_timestamps(text, path.name, 0)
    except (IndexError, DataError):
        return None
    return index if index.is_monotonic_increasing and index.is_unique else None


def last_session_date(path: Path, bar: str) -> dt.date | None:
    """Return the Eastern date of the last session in a daily or intraday CSV file from its last
    lines: the last bar's date for daily and longer bars, the last regular-hours bar's for
    intraday ones (resampling drops the rest). None when the last lines cannot tell (Parquet, an
    unreadable tail, no regular-hours bar in it): read the file then. Kept in a small index
    keyed by the file's path, size and modification time."""
    if path.suffix.lower() != ".csv":
        return None
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, bar)
    if key not in _LAST_DATES:
        index = _tail_timestamps(path)
        if index is not None and timeframe(bar).intraday:
            index = index[rth_mask(local_ns(index))]
        _LAST_DATES[key] = index[-1].date() if index is not None and len(index) else None
    return _LAST_DATES[key]


class FileSource:
    """A ``BarSource`` over a directory of bar files. Files are read lazily and cached."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_data_dir()
        self.name = f"data directory {self.directory}"
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}
        self.derived: dict[tuple[str, str], pd.DataFrame] = {}
        """Frames ``core.sources.load_bars`` built from these files (they are read once)."""

    @cached_property
    def _files(self) -> dict[tuple[str, str], Path]:
        if not self.directory.is_dir():
            raise DataError(
                f"data directory {self.directory} does not exist; set WHISPR_DATA_DIR to a folder "
                "of <symbol>_<bar>_*.csv or .parquet files"
            )
        found: dict[tuple[str, str], Path] = {}
        for path in sorted(self.directory.iterdir()):
            key = parse_file_name(path)
            if key is None:
                continue
            if key in found:
                raise DataError(
                    f"{self.directory}: two files hold {key[0]} {key[1]} bars "
                    f"({found[key].name}, {path.name}); keep one"
                )
            found[key] = path
        return found

    def symbols(self) -> list[str]:
        """Return the symbols that have at least one file, sorted."""
        return sorted({sym for sym, _ in self._files})

    def native_timeframes(self, symbol: str) -> list[str]:
        """Return the bar sizes that ``symbol`` has files for."""
        return [bar for sym, bar in self._files if sym == symbol.upper()]

    def last_bar_date(self, symbol: str) -> dt.date:
        """Return the date of ``symbol``'s last daily bar, as ``load_bars(self, symbol, "1d")``
        would build it (its daily and intraday files merged) but from the files' last lines
        (``last_session_date``); a file whose last lines cannot tell is read whole."""
        sym = symbol.upper().lstrip("$^")
        day = timeframe("1d")
        bars = [b for b in self.native_timeframes(sym) if timeframe(b).rank <= day.rank]
        found = [last_session_date(self.path(sym, b), b) for b in bars]
        if not bars or None in found:
            last: dt.date = load_bars(self, sym, day).index[-1].date()
            return last
        return max(d for d in found if d is not None)

    def path(self, symbol: str, bar: str) -> Path:
        """Return the file holding ``symbol``'s ``bar`` bars."""
        key = (symbol.upper(), timeframe(bar).name)
        if key not in self._files:
            raise UnknownSymbolError(f"no {key[1]} file for {key[0]} in {self.directory}")
        return self._files[key]

    def bars(self, symbol: str, timeframe_name: str) -> pd.DataFrame:
        """Return the validated bars of one file (read once, then cached)."""
        key = (symbol.upper(), timeframe(timeframe_name).name)
        if key not in self._cache:
            self._cache[key] = read_bar_file(self.path(*key))
        return self._cache[key]
