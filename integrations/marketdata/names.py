"""The names of the market-data providers (no provider code: the command line's choices)."""

from __future__ import annotations

PROVIDERS = ("files", "schwab", "alpaca", "polygon")
"""Every provider ``get_source`` accepts; ``files`` is the data directory."""
