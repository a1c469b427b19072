"""State files only their owner can read: a 0700 folder and 0600 files (accounts, sessions,
tokens, threads, alerts and strategies live in them). SQLite gives its journal files the
permissions of the database file, so opening through ``private_file`` covers those too."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and return it with mode 0700."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Return ``path`` as an existing file with mode 0600, created empty if missing, in a 0700
    folder (an existing file keeps its content; only its mode changes)."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path
