"""Pick the market-data source by name: files (default), schwab, alpaca, polygon.

The remote providers' modules (httpx, websockets, the Parquet cache) load when one is chosen, so
the data directory, the default, starts without them.
"""

from __future__ import annotations

from assistant.settings import get_settings
from core.checks import one_of
from core.sources import BarSource
from integrations.marketdata.files import FileSource
from integrations.marketdata.names import PROVIDERS

__all__ = ["PROVIDERS", "get_source"]


def get_source(name: str | None = None) -> BarSource:
    """Return the source named ``name``, else ``WHISPR_DATA_PROVIDER``, else the data directory.
    Remote providers are wrapped in the local Parquet cache."""
    chosen = one_of(
        (name or get_settings().whispr_data_provider).lower(),
        PROVIDERS,
        "data provider",
    )
    if chosen == "files":
        return FileSource()
    from integrations.marketdata.alpaca import AlpacaSource
    from integrations.marketdata.cache import CachedSource
    from integrations.marketdata.polygon import PolygonSource
    from integrations.marketdata.schwab import SchwabSource

    remote = {"schwab": SchwabSource, "alpaca": AlpacaSource, "polygon": PolygonSource}[chosen]()
    return CachedSource(remote)
