"""Argument types and help shared by the command-line modules (argparse-level: importing this
loads nothing beyond the standard library, so ``whispr --help`` stays fast)."""

from __future__ import annotations

import argparse
import datetime as dt

PROVIDER_HELP = (
    "offline|openai|groq|openai-compatible (default: LLM_PROVIDER, a set key, or offline)"
)
"""Help text of every ``--provider`` option."""


def iso_date(text: str) -> dt.date:
    """Return the date in ``text`` (YYYY-MM-DD) or raise argparse's error naming the format."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None
