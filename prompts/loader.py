"""Versioned prompt files: ``<name>.v<N>.md`` in this package; the highest version wins."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def load_prompt(name: str, version: int | None = None) -> tuple[str, int]:
    """Return (template text, version) of prompt ``name``; the newest unless ``version`` is given."""
    files = {}
    for entry in resources.files("prompts").iterdir():
        m = re.fullmatch(rf"{re.escape(name)}\.v(\d+)\.md", entry.name)
        if m:
            files[int(m.group(1))] = entry
    if not files:
        raise FileNotFoundError(f"no prompt named {name!r} in the prompts package")
    chosen = version if version is not None else max(files)
    if chosen not in files:
        raise FileNotFoundError(f"prompt {name!r} has versions {sorted(files)}, not {chosen}")
    return files[chosen].read_text(encoding="utf-8"), chosen
