"""A local Parquet cache in front of a remote provider, so repeated questions do not refetch.

Layout: ``<cache_dir>/<provider>/<SYMBOL>_<bar>.parquet`` plus ``.json`` with the time ranges
already fetched (epoch seconds). A request is split against those ranges and only the uncovered
parts are fetched and merged (a newer bar replaces an older one at the same timestamp). Ranges
are recorded as covered only up to the last bar that can no longer change (now minus one bar),
so today's in-progress bars are fetched again next time. Cached data is validated exactly like
files (``core.bars.validate_bars``); ``quality.check_bars`` reports gaps and bad bars on it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assistant.settings import get_settings
from core.bars import timeframe, validate_bars
from core.errors import DataError, InvalidArgumentError
from integrations.marketdata.http import ProviderError
from integrations.marketdata.remote import DEFAULT_LOOKBACK, RemoteSource, as_utc

_SETTLE_DAYS = {"D": 1, "W": 7, "M": 31, "Q": 92, "Y": 366}
Range = tuple[float, float]


class PartialFetchError(ProviderError):
    """Part of a requested range was fetched and cached, the rest failed; ``bars`` holds the
    bars of the request that are available now. Handled by ``whispr data fetch``."""

    def __init__(self, message: str, bars: pd.DataFrame) -> None:
        super().__init__(message)
        self.bars = bars


def default_cache_dir() -> Path:
    """Return ``$WHISPR_CACHE_DIR`` or ``~/.cache/whispr``."""
    return get_settings().cache_dir


@dataclass(frozen=True)
class CacheEntry:
    """One cached series: provider, symbol, bar size, bar count and first/last bar (ET)."""

    provider: str
    symbol: str
    bar: str
    bars: int
    first: str
    last: str


def cache_entries(cache_dir: Path | None = None) -> list[CacheEntry]:
    """Return every series in the cache directory, sorted by provider, symbol and bar size."""
    root = cache_dir or default_cache_dir()
    out = []
    for path in sorted(root.glob("*/*.parquet")) if root.is_dir() else []:
        symbol, _, bar = path.stem.rpartition("_")
        frame = _read(path)
        first, last = (str(frame.index[i]) if len(frame) else "" for i in (0, -1))
        out.append(CacheEntry(path.parent.name, symbol, bar, len(frame), first, last))
    return out


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cache file {path} cannot be read ({exc}); delete it to refetch") from exc
    return validate_bars(frame, f"cache file {path}")


class CachedSource:
    """A ``BarSource`` that serves a remote provider through the local cache."""

    def __init__(
        self,
        remote: RemoteSource,
        cache_dir: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.remote = remote
        self.name = f"{remote.name} (cached)"
        self.root = (cache_dir or default_cache_dir()) / remote.name
        self.clock = clock

    def symbols(self) -> list[str]:
        """Return the provider's symbols."""
        return self.remote.symbols()

    def native_timeframes(self, symbol: str) -> list[str]:
        """Return the provider's bar sizes."""
        return self.remote.native_timeframes(symbol)

    def _paths(self, symbol: str, bar: str) -> tuple[Path, Path]:
        base = self.root / f"{symbol.upper().lstrip('$^')}_{bar}"
        return base.with_suffix(".parquet"), base.with_suffix(".json")

    def covered(self, symbol: str, bar: str) -> list[Range]:
        """Return the (start, end) epoch-second ranges already fetched for a series."""
        _, meta = self._paths(symbol, timeframe(bar).name)
        try:
            return [(float(a), float(b)) for a, b in json.loads(meta.read_text())]
        except (OSError, ValueError, TypeError):
            return []  # no or unreadable record: everything counts as not fetched

    def cached(self, symbol: str, bar: str) -> pd.DataFrame | None:
        """Return everything cached for a symbol and bar size (validated), or None."""
        data, _ = self._paths(symbol, timeframe(bar).name)
        return _read(data) if data.exists() else None

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars between two moments (inclusive), fetching only what the cache
        lacks. Raises ``PartialFetchError`` (with the bars available) when some part failed
        after another part was fetched, and the provider's error when nothing could be."""
        bar = self.remote.check_bar(bar)
        lo, hi = as_utc(start).timestamp(), as_utc(end).timestamp()
        if hi <= lo:
            raise InvalidArgumentError(f"the end ({end}) must be after the start ({start})")
        have = self.cached(symbol, bar)
        ranges = self.covered(symbol, bar) if have is not None else []
        missing = _missing(ranges, lo, hi)
        failure: tuple[Range, ProviderError] | None = None
        fresh: list[tuple[Range, pd.DataFrame]] = []
        for a, b in missing:
            try:
                fresh.append(((a, b), self.remote.fetch(symbol, bar, _moment(a), _moment(b))))
            except ProviderError as exc:
                failure = ((a, b), exc)
                break
        if failure is not None and not fresh:
            raise failure[1]
        if fresh:
            have = self._store(symbol, bar, have, fresh)
        window = _window(have, lo, hi)
        if failure is not None:
            (a, b), error = failure
            raise PartialFetchError(
                f"{self.remote.name}: fetched and cached {len(window)} {bar} bars of "
                f"{symbol.upper()}, but {_moment(a):%Y-%m-%d %H:%M} to {_moment(b):%Y-%m-%d %H:%M} "
                f"UTC failed: {error}. Run the same request again to fetch only the rest.",
                window,
            ) from error
        return window

    def _store(
        self,
        symbol: str,
        bar: str,
        have: pd.DataFrame | None,
        fresh: list[tuple[Range, pd.DataFrame]],
    ) -> pd.DataFrame:
        data, meta = self._paths(symbol, bar)
        parts = [f for f in ([have] if have is not None else []) + [f for _, f in fresh] if len(f)]
        merged = pd.concat(parts) if parts else fresh[0][1]
        merged = merged[~merged.index.duplicated(keep="last")].sort_index()
        validate_bars(merged, f"cache {data.name}")
        data.parent.mkdir(parents=True, exist_ok=True)
        tmp = data.with_name(data.name + ".tmp")
        merged.to_parquet(tmp)
        os.replace(tmp, data)
        settled = self.clock() - _settle_seconds(bar)
        done = [(a, min(b, settled)) for (a, b), _ in fresh if min(b, settled) > a]
        known = self.covered(symbol, bar) if have is not None else []
        meta.write_text(json.dumps(_union([*known, *done])))
        return merged

    def record_bars(self, symbol: str, bar: str, frame: pd.DataFrame) -> None:
        """Merge bars built from the live stream (complete ones only: ``MinuteBars``) into the
        cache and mark each bar's own span as fetched, so re-analysing a session watched live
        reads them instead of fetching them."""
        if not len(frame):
            return
        bar = timeframe(bar).name
        step = timeframe(bar).minutes * 60
        parts = [
            ((t.timestamp(), t.timestamp() + step), frame.iloc[[i]])
            for i, t in enumerate(frame.index)
        ]
        self._store(symbol, bar, self.cached(symbol, bar), parts)

    def bars(self, symbol: str, timeframe_name: str) -> pd.DataFrame:
        """Return the provider's default lookback (20 years daily, 30 days intraday) up to now,
        through the cache."""
        tf = timeframe(timeframe_name)
        end = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        start = end - DEFAULT_LOOKBACK["intraday" if tf.intraday else "1d"]
        return self.fetch(symbol, tf.name, start, end)


def _settle_seconds(bar: str) -> float:
    tf = timeframe(bar)
    return tf.minutes * 60.0 if tf.intraday else _SETTLE_DAYS[tf.period] * 86400.0


def _moment(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _window(frame: pd.DataFrame | None, lo: float, hi: float) -> pd.DataFrame:
    if frame is None:
        raise DataError("the cache holds no bars for this request")  # pragma: no cover
    index = frame.index
    return frame[
        (index >= pd.Timestamp(lo, unit="s", tz="UTC"))
        & (index <= pd.Timestamp(hi, unit="s", tz="UTC"))
    ]


def _missing(ranges: list[Range], lo: float, hi: float) -> list[Range]:
    """Return the parts of [lo, hi] that no range covers, in order."""
    out, cursor = [], lo
    for a, b in sorted(ranges):
        if b <= cursor:
            continue
        if a >= hi:
            break
        if a > cursor:
            out.append((cursor, a))
        cursor = b
        if cursor >= hi:
            return out
    return [*out, (cursor, hi)]


def _union(ranges: list[Range]) -> list[Range]:
    out: list[list[float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
