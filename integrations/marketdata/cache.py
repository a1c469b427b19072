"""A local Parquet cache in front of a remote provider, so repeated questions do not refetch.

Layout: ``<cache_dir>/<provider>/<SYMBOL>_<bar>.parquet`` plus ``.json`` with the date ranges
already fetched. A request whose whole range is covered is answered from disk; otherwise only
the request is fetched and merged (newer bars replace older ones at the same timestamp). Cached
data is validated exactly like files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from core.bars import validate_bars
from integrations.marketdata.remote import RemoteSource, as_utc


def default_cache_dir() -> Path:
    """Return ``$WHISPR_CACHE_DIR`` or ``~/.cache/whispr``."""
    return Path(os.environ.get("WHISPR_CACHE_DIR", "~/.cache/whispr")).expanduser()


class CachedSource:
    """A ``BarSource`` that serves a remote provider through the local cache."""

    def __init__(self, remote: RemoteSource, cache_dir: Path | None = None) -> None:
        self.remote = remote
        self.name = f"{remote.name} (cached)"
        self.root = (cache_dir or default_cache_dir()) / remote.name

    def symbols(self) -> list[str]:
        """Return the provider's symbols."""
        return self.remote.symbols()

    def native_timeframes(self, symbol: str) -> list[str]:
        """Return the provider's bar sizes."""
        return self.remote.native_timeframes(symbol)

    def _paths(self, symbol: str, bar: str) -> tuple[Path, Path]:
        base = self.root / f"{symbol.upper().lstrip('$^')}_{bar}"
        return base.with_suffix(".parquet"), base.with_suffix(".json")

    def _covered(self, meta: Path) -> list[tuple[float, float]]:
        return [tuple(r) for r in json.loads(meta.read_text())] if meta.exists() else []

    def cached(self, symbol: str, bar: str) -> pd.DataFrame | None:
        """Return everything cached for a symbol and bar size (validated), or None."""
        data, _ = self._paths(symbol, bar)
        if not data.exists():
            return None
        frame = pd.read_parquet(data)
        return validate_bars(frame, f"cache {data.name}")

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return bars between two moments, from the cache when it covers the range."""
        bar = self.remote.check_bar(bar)
        lo, hi = as_utc(start).timestamp(), as_utc(end).timestamp()
        data, meta = self._paths(symbol, bar)
        ranges = self._covered(meta)
        have = self.cached(symbol, bar)
        if not any(a <= lo and hi <= b for a, b in ranges):
            fresh = self.remote.fetch(symbol, bar, start, end)
            merged = fresh if have is None else pd.concat([have, fresh])
            merged = merged[~merged.index.duplicated(keep="last")].sort_index()
            validate_bars(merged, f"cache {data.name}")
            data.parent.mkdir(parents=True, exist_ok=True)
            merged.to_parquet(data)
            meta.write_text(json.dumps(_union([*ranges, (lo, hi)])))
            have = merged
        assert have is not None
        window = have[
            (have.index >= pd.Timestamp(lo, unit="s", tz="UTC"))
            & (have.index <= pd.Timestamp(hi, unit="s", tz="UTC"))
        ]
        return window

    def bars(self, symbol: str, timeframe_name: str) -> pd.DataFrame:
        """Return the provider's default lookback through the cache."""
        end = dt.datetime.now(dt.UTC)
        days = 365 * 20 if timeframe_name in ("1d", "1w", "1mo") else 30
        return self.fetch(symbol, timeframe_name, end - dt.timedelta(days=days), end)


def _union(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]
