"""Back up the state folder (``WHISPR_HOME``) to one .tar.gz, and restore it.

An archive holds ``manifest.json`` (format, version, creation time, and the path, size and
SHA-256 of every other member), the top-level SQLite files (accounts, threads, alerts,
strategies), the ``chroma`` folder and the ``charts`` folder. Each SQLite file, Chroma's
included, is copied with SQLite's online backup API, so a running server's committed writes
(in its WAL) are in the copy and a half-done transaction is not. Other files are copied before
they are hashed, so the archive always matches its manifest.

A restore checks everything before it touches the home: member names (no absolute paths, no
``..``, no links, only the layout above), the manifest's format, and every member's size and
checksum. Only then is the old home moved aside (``--force``) and the new one put in place.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from assistant.private import private_dir, private_file, private_output
from core.errors import InvalidArgumentError, WhisprError

FORMAT = "whispr-backup"
VERSION = 1
"""Format version written; a restore reads this version and older ones."""
MANIFEST = "manifest.json"
FOLDERS = ("chroma", "charts")
"""Folders of the home that are backed up, besides its top-level ``*.sqlite`` files."""
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal")
"""SQLite side files: their committed content is in the snapshot of the database."""
SQLITE_MAGIC = b"SQLite format 3\x00"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    """One archived file: its path in the archive (and the home), size and SHA-256."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupResult:
    """What ``create_backup`` wrote."""

    archive: Path
    members: list[Member]


@dataclass(frozen=True)
class RestoreResult:
    """What ``restore_backup`` did."""

    home: Path
    members: list[Member]
    created: str
    """When the backup was made (ISO 8601, UTC), from its manifest."""
    moved_aside: Path | None
    """Where the home that was replaced now is (None when the home was empty)."""


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def default_archive(home: Path, when: dt.datetime | None = None) -> Path:
    """Return ``<home>/backups/whispr-YYYYmmdd-HHMMSS.tar.gz`` for ``when`` (default now)."""
    return home / "backups" / f"whispr-{(when or _now()):%Y%m%d-%H%M%S}.tar.gz"


def _sources(home: Path) -> Iterator[tuple[str, Path]]:
    """Yield (archive path, file) of every file to back up, in a stable order."""
    for path in sorted(home.glob("*.sqlite")):
        if path.is_file() and not path.is_symlink():
            yield path.name, path
    for folder in FOLDERS:
        root = home / folder
        if not root.is_dir() or root.is_symlink():
            continue
        for path in sorted(root.rglob("*")):
            if (
                path.is_file()
                and not path.is_symlink()
                and not path.name.endswith(SKIPPED_SUFFIXES)
            ):
                yield path.relative_to(home).as_posix(), path


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _snapshot(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target``: SQLite's backup API for a database, else a plain copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _is_sqlite(source):
        shutil.copyfile(source, target)
        return
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _whispr_version() -> str:
    try:
        return version("whispr")
    except PackageNotFoundError:
        return "unknown"


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(mtime)
    return info


def create_backup(home: Path, archive: Path | None = None) -> BackupResult:
    """Write the state of ``home`` to ``archive`` (default ``default_archive(home)``; a folder
    gets the default file name inside it) as a 0600 .tar.gz; return what was written.

    Raises:
        InvalidArgumentError: ``home`` does not exist.
    """
    if not home.is_dir():
        raise InvalidArgumentError(f"no state folder at {home}; set WHISPR_HOME to the right one")
    when = _now()
    if archive is None:
        private_dir(home / "backups")
        archive = default_archive(home, when)
    elif archive.is_dir():
        archive = archive / default_archive(home, when).name
    members: list[Member] = []
    with tempfile.TemporaryDirectory(prefix="whispr-backup-") as tmp:
        stage = Path(tmp)
        for name, source in _sources(home):
            _snapshot(source, stage / name)
            copy = stage / name
            members.append(Member(name, copy.stat().st_size, _sha256(copy)))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "whispr": _whispr_version(),
            "created": when.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "files": [m.__dict__ for m in members],
        }
        body = json.dumps(manifest, indent=2).encode("utf-8")
        with private_output(archive) as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            tar.addfile(_tar_info(MANIFEST, len(body), when.timestamp()), io.BytesIO(body))
            for member in members:
                with (stage / member.path).open("rb") as content:
                    tar.addfile(_tar_info(member.path, member.size, when.timestamp()), content)
    return BackupResult(archive, members)


def _check_name(member: tarfile.TarInfo) -> None:
    """Refuse a member that could write outside the home or is not part of a backup."""
    name = member.name
    path = PurePosixPath(name)
    if not path.parts:
        raise InvalidArgumentError("refused: a member has an empty name")
    if name.startswith(("/", "\\")) or path.is_absolute() or ":" in path.parts[0]:
        raise InvalidArgumentError(f"refused: member {name!r} has an absolute path")
    if ".." in path.parts or "\\" in name:
        raise InvalidArgumentError(f"refused: member {name!r} points outside the home ('..')")
    if not (member.isfile() or member.isdir()):
        raise InvalidArgumentError(f"refused: member {name!r} is a link or device, not a file")
    top = path.parts[0]
    if not (
        name == MANIFEST
        or (len(path.parts) == 1 and top.endswith(".sqlite"))
        or (top in FOLDERS and (len(path.parts) > 1 or member.isdir()))
    ):
        raise InvalidArgumentError(
            f"refused: member {name!r} is not part of a whispr backup (accepted: {MANIFEST}, "
            f"*.sqlite, {'/, '.join(FOLDERS)}/)"
        )


def _manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict[str, Any]:
    found = [m for m in members if m.name == MANIFEST]
    if len(found) != 1 or not found[0].isfile():
        raise InvalidArgumentError(f"not a whispr backup: it needs exactly one {MANIFEST}")
    handle = tar.extractfile(found[0])
    assert handle is not None  # a regular file
    try:
        manifest = json.loads(handle.read(16 * CHUNK))
        files = manifest["files"]
        known = {str(f["path"]): f for f in files}
        if manifest.get("format") != FORMAT or len(known) != len(files):
            raise ValueError("not a whispr backup manifest")
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidArgumentError(f"the backup's {MANIFEST} is not readable: {exc}") from None
    if not isinstance(manifest.get("version"), int) or manifest["version"] > VERSION:
        raise InvalidArgumentError(
            f"the backup has format version {manifest.get('version')!r}; this whispr reads up "
            f"to {VERSION}: restore it with the whispr version that made it "
            f"({manifest.get('whispr', 'unknown')})"
        )
    manifest["files"] = known
    return manifest


def _extract(handle: IO[bytes], target: Path) -> tuple[int, str]:
    """Write ``handle`` to a new 0600 file ``target``; return its size and SHA-256."""
    private_dir(target.parent)
    digest, size = hashlib.sha256(), 0
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
            out.write(block)
    return size, digest.hexdigest()


def _unpack(archive: Path, stage: Path) -> tuple[dict[str, Any], list[Member]]:
    """Check ``archive`` and unpack it into ``stage``; return its manifest and members."""
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            _check_name(member)
        manifest = _manifest(tar, members)
        expected: dict[str, dict[str, Any]] = manifest["files"]
        done: list[Member] = []
        for member in members:
            if member.isdir() or member.name == MANIFEST:
                continue
            want = expected.get(member.name)
            if want is None or member.name in {m.path for m in done}:
                raise InvalidArgumentError(
                    f"refused: member {member.name!r} is not in the manifest (or is there twice)"
                )
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file
            size, digest = _extract(handle, stage / member.name)
            if digest != want.get("sha256") or size != want.get("size"):
                raise InvalidArgumentError(
                    f"the backup is damaged: member {member.name!r} does not match the checksum "
                    f"in its manifest (sha256 {digest[:16]}…, expected "
                    f"{str(want.get('sha256'))[:16]}…); nothing was restored"
                )
            done.append(Member(member.name, size, digest))
        missing = sorted(set(expected) - {m.path for m in done})
        if missing:
            raise InvalidArgumentError(
                f"the backup is incomplete: {', '.join(missing[:5])} listed in the manifest "
                "but missing; nothing was restored"
            )
    return manifest, done


def _check_not_served(home: Path) -> None:
    lock = home / "serve.lock"
    if not lock.is_file():
        return
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise WhisprError(f"a whispr serve is using {home}; stop it before restoring") from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def _occupied(home: Path) -> list[str]:
    """Return the entries of ``home`` a restore would replace (its ``backups`` folder is kept)."""
    if not home.exists():
        return []
    return sorted(p.name for p in home.iterdir() if p.name != "backups")


def _tighten(home: Path) -> None:
    """Make every folder under ``home`` 0700 and every file 0600."""
    private_dir(home)
    for path in home.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            private_dir(path)
        else:
            private_file(path)


def restore_backup(archive: Path, home: Path, *, force: bool = False) -> RestoreResult:
    """Restore ``archive`` (made by ``create_backup``) into ``home``.

    A ``home`` holding anything but a ``backups`` folder is refused unless ``force``; then it
    is moved aside to ``<home>.before-restore-YYYYmmdd-HHMMSS``, untouched.

    Raises:
        InvalidArgumentError: the archive is missing, unreadable, damaged (a checksum differs;
            the message names the member), has a member with an absolute path, a ``..`` or a
            link, or the home is not empty and ``force`` is off.
        WhisprError: a ``whispr serve`` is running on ``home``.
    """
    if not archive.is_file():
        raise InvalidArgumentError(f"no backup file {archive}")
    home = home.absolute()
    _check_not_served(home)
    occupied = _occupied(home)
    aside = home.with_name(f"{home.name}.before-restore-{_now():%Y%m%d-%H%M%S}")
    if occupied and not force:
        listed = ", ".join(occupied[:6]) + (" …" if len(occupied) > 6 else "")
        raise InvalidArgumentError(
            f"{home} is not empty ({listed}); restore into an empty home (set WHISPR_HOME), or "
            f"pass --force to move it aside to {aside.name}"
        )
    stage = Path(tempfile.mkdtemp(prefix="whispr-restore-"))
    try:
        try:
            manifest, members = _unpack(archive, stage)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise InvalidArgumentError(f"{archive} is not a readable backup: {exc}") from None
        if occupied:
            home.rename(aside)
        home.parent.mkdir(parents=True, exist_ok=True)
        private_dir(home)
        for entry in stage.iterdir():
            shutil.move(entry, home / entry.name)  # a rename, or a copy to another disk
        _tighten(home)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return RestoreResult(home, members, str(manifest.get("created")), aside if occupied else None)
