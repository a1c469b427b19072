"""Guards shared by the core: each raises a specific error naming what is accepted."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidArgumentError


def positive_int(value: int, name: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise ``InvalidArgumentError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{name} must be a whole number >= 1, got {value!r}")
    return value


def one_of(value: str, accepted: Iterable[str], name: str) -> str:
    """Return ``value`` if it is in ``accepted``; else raise with a "did you mean" hint."""
    options = list(accepted)
    if value in options:
        return value
    hint = difflib.get_close_matches(str(value), options, n=1)
    suggestion = f" Did you mean {hint[0]!r}?" if hint else ""
    raise InvalidArgumentError(
        f"unknown {name} {value!r}; accepted: {', '.join(options)}.{suggestion}"
    )


def same_shape_floats(*arrays: object) -> list[NDArray[np.float64]]:
    """Return the inputs as float64 arrays; raise if their shapes differ (naming the shapes)."""
    out = [np.asarray(a, dtype=np.float64) for a in arrays]
    if len({a.shape for a in out}) > 1:
        shapes = ", ".join(str(a.shape) for a in out)
        raise InvalidArgumentError(f"inputs must have the same shape, got {shapes}")
    return out
