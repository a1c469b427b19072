"""The one exception tree of Whispr's core.

Every error says what was wrong and what is accepted. The assistant turns these into replies;
anything that is not a ``WhisprError`` is a bug and is logged, never shown in a chat channel.
"""

from __future__ import annotations


class WhisprError(Exception):
    """Base of every error a user can cause and fix. Its message is safe to show to a user."""


class DataError(WhisprError):
    """Market data is malformed or missing: a bad file, an unsorted index, a broken OHLC rule."""


class UnknownSymbolError(DataError):
    """No data is available for the requested symbol."""


class DateOutOfRangeError(DataError):
    """The requested date lies outside the data, or is not a trading session."""


class InvalidArgumentError(WhisprError, ValueError):
    """An argument has a value that is not accepted (unknown mode, bad level name, ...)."""


class SpecError(InvalidArgumentError):
    """A strategy, alert or sizing specification is inconsistent."""
