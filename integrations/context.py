"""What every command builds from its arguments: the tools' context."""

from __future__ import annotations

import argparse

from integrations.marketdata.files import FileSource
from integrations.marketdata.registry import get_source
from tools import ToolContext


def tool_context(args: argparse.Namespace) -> ToolContext:
    """Return the tools' context of a command: ``--data-dir`` files, else the configured source,
    for ``--user`` (default ``local``)."""
    data_dir = getattr(args, "data_dir", None)
    source = FileSource(data_dir) if data_dir else get_source(None)
    return ToolContext(source=source, user_id=getattr(args, "user", None) or "local")
