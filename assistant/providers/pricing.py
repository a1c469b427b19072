"""Estimated LLM cost per turn from token usage (USD per 1M tokens, input/output; domain §6).

Prices are list prices at the time of writing and only an estimate; unknown models cost None.
"""

from __future__ import annotations

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "llama3-8b-8192": (0.05, 0.08),
    "llama-3.1-8b-instant": (0.05, 0.08),
    "llama3-70b-8192": (0.59, 0.79),
    "llama-3.3-70b-versatile": (0.59, 0.79),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
}


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """Return the estimated USD cost of a turn, or None for a model without a known price."""
    price = PRICES_PER_MILLION.get(model)
    if price is None:
        return None
    return (input_tokens * price[0] + output_tokens * price[1]) / 1_000_000
