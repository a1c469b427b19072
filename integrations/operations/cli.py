"""``whispr backup`` and ``whispr restore``.

Handlers import the backup code and the settings when they run (start-up, see
``integrations.cli``).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count / 1e3:.1f} kB"


def _summary(paths: list[str]) -> str:
    """Return "4 databases, 12 Chroma files, 3 charts" for member paths."""
    databases = sum("/" not in p for p in paths)
    chroma = sum(p.startswith("chroma/") for p in paths)
    charts = sum(p.startswith("charts/") for p in paths)
    return f"{databases} databases, {chroma} Chroma files, {charts} charts"


def _backup(args: argparse.Namespace) -> int:
    from assistant.settings import get_settings
    from integrations.operations.backup import create_backup

    settings = get_settings()
    done = create_backup(settings.home, Path(args.path).expanduser() if args.path else None)
    total = done.archive.stat().st_size
    print(
        f"backed up {_summary([m.path for m in done.members])} from {settings.home} to "
        f"{done.archive} ({_size(total)}, mode 0600)"
    )
    if settings.whispr_chroma_url:
        print(
            f"note: the vectors live on the Chroma server at {settings.whispr_chroma_url}; "
            "back that server up separately"
        )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from assistant.settings import get_settings
    from integrations.operations.backup import restore_backup

    home = get_settings().home
    done = restore_backup(Path(args.path).expanduser(), home, force=args.force)
    print(f"verified {len(done.members)} files against the manifest (backup of {done.created})")
    if done.moved_aside is not None:
        print(f"moved the previous home aside to {done.moved_aside}")
    print(f"restored {_summary([m.path for m in done.members])} into {done.home}")
    return 0


def add_backup_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``whispr backup`` and ``whispr restore`` to the command line."""
    p = sub.add_parser(
        "backup",
        help="write the state (WHISPR_HOME) to one .tar.gz",
        description="Write accounts, threads, alerts and strategies (SQLite, copied with the "
        "online backup API, so a running server is fine), the Chroma folder and the charts to "
        "one .tar.gz with a manifest of SHA-256 checksums. The file is mode 0600.",
    )
    p.add_argument(
        "path",
        nargs="?",
        help="archive file or folder (default: $WHISPR_HOME/backups/whispr-YYYYmmdd-HHMMSS.tar.gz)",
    )
    p.set_defaults(handler=_backup)
    p = sub.add_parser(
        "restore",
        help="restore the state from a `whispr backup` archive",
        description="Check every member's checksum against the manifest and refuse absolute "
        "paths, '..' and links; then restore into WHISPR_HOME. A home that is not empty is "
        "refused unless --force, which moves it aside to <home>.before-restore-<time>. Stop "
        "`whispr serve` first.",
    )
    p.add_argument("path", help="the .tar.gz written by `whispr backup`")
    p.add_argument(
        "--force", action="store_true", help="replace a non-empty home (moved aside, not deleted)"
    )
    p.set_defaults(handler=_restore)
