"""State files only their owner can read: a 0700 folder and 0600 files (accounts, sessions,
tokens, threads, alerts and strategies live in them). SQLite gives its journal files the
permissions of the database file, so opening through ``private_file`` covers those too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


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


@contextmanager
def private_output(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` with mode 0600 when the block ends without an
    error (nothing is left behind on an error, and a reader never sees half a file). A missing
    folder is created 0700; an existing folder keeps its mode (it may be shared, e.g. /tmp)."""
    if not path.parent.exists():
        private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    handle = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    try:
        with handle:
            os.fchmod(handle.fileno(), 0o600)  # whatever the umask
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
