"""The grounding check: every number in an answer must come from this turn's tool results or
from the user's message.

A number counts as grounded when it equals (to its own shown precision) a number found in the
tool results or the message, after the usual display transformations: rounding to the decimals
shown, an ATR fraction shown as a percent (0.382 → 38.2 %), and thousands separators. Single-digit
integers are exempt (list numbering, "1 ATR", "3 levels") and so are the digits of dates and
times that appear in the results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[-+]?\$?\d+(?:\.\d+)?"
)


@dataclass(frozen=True)
class Grounding:
    """The result of a grounding check."""

    grounded: bool
    ungrounded: tuple[str, ...]
    """Numbers in the answer that no source supports."""


def numbers_in(text: str) -> list[str]:
    """Return the numeric tokens of ``text`` as written (sign and $ stripped, commas removed)."""
    out = []
    for m in _NUMBER.finditer(text):
        token = m.group(0).lstrip("+-$").replace(",", "")
        out.append(token)
    return out


def _values(obj: object) -> Iterable[float]:
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield float(obj)
    elif isinstance(obj, str):
        for token in numbers_in(obj):
            yield float(token)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _values(key)
            yield from _values(value)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _values(item)


def allowed_values(tool_results: Iterable[object], user_text: str) -> set[float]:
    """Return every number the answer may show, with percent forms of ATR fractions."""
    values: set[float] = set()
    for result in tool_results:
        data = json.loads(result) if isinstance(result, str) else result
        for v in _values(data):
            values.update({v, abs(v), abs(v) * 100, abs(v) / 100})
    for token in numbers_in(user_text):
        v = float(token)
        values.update({v, v * 100, v / 100})
    return values


def _matches(token: str, allowed: set[float]) -> bool:
    value = float(token)
    decimals = len(token.split(".")[1]) if "." in token else 0
    tolerance = 0.5 * 10 ** (-decimals) + 1e-9
    return any(abs(value - a) <= tolerance for a in allowed)


def check_grounding(answer: str, tool_results: Iterable[object], user_text: str) -> Grounding:
    """Return whether every number in ``answer`` is supported by the results or the message."""
    allowed = allowed_values(tool_results, user_text)
    bad = []
    for token in numbers_in(answer):
        if "." not in token and len(token) == 1:
            continue
        if not _matches(token, allowed):
            bad.append(token)
    return Grounding(not bad, tuple(bad))
