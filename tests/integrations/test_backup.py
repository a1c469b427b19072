"""``whispr backup`` / ``whispr restore``: a home filled through the real stores survives a
round trip; damaged archives, path traversal and a non-empty home are refused."""

from __future__ import annotations

import io
import json
import shutil
import stat
import tarfile
from pathlib import Path

import pytest

from core.errors import InvalidArgumentError
from integrations.cli import main
from integrations.operations.backup import create_backup, restore_backup
from tests.integrations.homes import fill, open_stores


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def _write(archive: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A backup of a home where alice and bob have data in every store."""
    home = tmp_path_factory.mktemp("source") / "home"
    fill(home)
    # the stores are open in WAL mode: recent commits are still in the -wal files, not yet in
    # the databases, and the backup must carry them
    assert (home / "accounts.sqlite-wal").stat().st_size > 0
    return create_backup(home, tmp_path_factory.mktemp("backups") / "b.tar.gz").archive


def test_round_trip_restores_every_store(archive, tmp_path, monkeypatch, capsys):
    home = tmp_path / "restored"
    monkeypatch.setenv("WHISPR_HOME", str(home))
    assert main(["restore", str(archive)]) == 0
    assert "restored 4 databases" in capsys.readouterr().out
    s = open_stores(home)
    assert [u.username for u in s.accounts.users()] == ["alice", "bob"]
    assert s.accounts.authenticate("alice", "correct horse battery").username == "alice"
    assert [t.name for t in s.accounts.tokens("alice")] == ["alice-laptop"]
    assert s.accounts.user_for("slack", "UBOB").username == "bob"
    assert [m["role"] for m in s.activity.messages("alice", "alice-t1")] == ["user", "assistant"]
    assert any(e.tool == "atr_levels" for e in s.activity.audit_log("alice"))
    assert [a.rule.rule_id for a in s.alerts.alerts("bob")] == ["a-bob"]
    assert s.alerts.fired("2024-01-02") == {"a-alice", "a-bob"}
    assert [n["message"] for n in s.activity.notifications("alice")] == ["alice's alert fired"]
    assert [x.name for x in s.strategies.list("alice")] == ["alice trigger long"]
    assert [t for _, t in s.memory.list("bob")] == ["bob trades SPX 0DTE"]
    hits = s.vectors.search("user_context", "what does bob trade", "bob", k=1)
    assert [h.text for h in hits] == ["bob trades SPX 0DTE"]  # the vector index works too
    assert s.thread("alice/alice-t1") is not None
    chart = home / "charts" / "users" / "alice" / "alice-levels.png"
    assert chart.read_bytes() == b"\x89PNG fake alice"
    assert _mode(home) == 0o700 and _mode(chart) == 0o600 and _mode(chart.parent) == 0o700
    assert _mode(home / "accounts.sqlite") == 0o600


def test_archive_is_private_and_lists_every_member_with_its_checksum(archive):
    assert _mode(archive) == 0o600
    members = _members(archive)
    manifest = json.loads(members.pop("manifest.json"))
    assert (manifest["format"], manifest["version"]) == ("whispr-backup", 1)
    assert manifest["created"].endswith("+00:00")
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members)
    assert {"accounts.sqlite", "alerts.sqlite", "threads.sqlite", "whispr.sqlite"} <= set(listed)
    assert "chroma/chroma.sqlite3" in listed and "charts/users/bob/bob-levels.png" in listed
    assert not any(p.endswith(("-wal", "-shm")) for p in listed)


def test_default_path_is_in_the_home_and_backups_are_not_backed_up(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("WHISPR_HOME", str(home))
    (home / "charts").mkdir(parents=True)
    (home / "charts" / "c.png").write_bytes(b"png")
    assert main(["backup"]) == 0
    first = next((home / "backups").glob("whispr-*.tar.gz"))
    assert str(first) in capsys.readouterr().out
    assert _mode(home / "backups") == 0o700 and _mode(first) == 0o600
    second = create_backup(home, tmp_path / "second.tar.gz")
    assert [m.path for m in second.members] == ["charts/c.png"]


def test_a_changed_byte_is_refused_naming_the_member(archive, tmp_path):
    members = _members(archive)
    body = bytearray(members["alerts.sqlite"])
    body[len(body) // 2] ^= 0xFF
    members["alerts.sqlite"] = bytes(body)
    tampered = tmp_path / "tampered.tar.gz"
    _write(tampered, members)
    home = tmp_path / "home"
    with pytest.raises(InvalidArgumentError, match="'alerts.sqlite' does not match the checksum"):
        restore_backup(tampered, home)
    assert not home.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tampered.tar.gz"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.sqlite", "points outside the home"),
        ("charts/../../evil.png", "points outside the home"),
        ("/tmp/evil.sqlite", "absolute path"),
        ("notes.txt", "not part of a whispr backup"),
    ],
)
def test_traversal_and_foreign_members_are_refused(archive, tmp_path, name, message):
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    manifest["files"].append({"path": name, "size": 4, "sha256": "0" * 64})
    members["manifest.json"] = json.dumps(manifest).encode()
    members[name] = b"evil"
    bad = tmp_path / "bad.tar.gz"
    _write(bad, members)
    with pytest.raises(InvalidArgumentError, match=f"member {name!r} .*{message}"):
        restore_backup(bad, tmp_path / "sub" / "home")
    assert not (tmp_path / "evil.sqlite").exists() and not (tmp_path / "sub").exists()


def test_a_link_member_is_refused(archive, tmp_path):
    bad = tmp_path / "link.tar.gz"
    _write(bad, _members(archive), links={"charts/x.png": "/etc/passwd"})
    with pytest.raises(InvalidArgumentError, match="'charts/x.png' is a link"):
        restore_backup(bad, tmp_path / "home")


def test_a_non_empty_home_needs_force_and_is_moved_aside(archive, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "alerts.sqlite").write_bytes(b"mine")
    monkeypatch.setenv("WHISPR_HOME", str(home))
    assert main(["restore", str(archive)]) == 2
    assert "is not empty (alerts.sqlite)" in capsys.readouterr().err
    assert (home / "alerts.sqlite").read_bytes() == b"mine"
    assert main(["restore", str(archive), "--force"]) == 0
    out = capsys.readouterr().out
    (aside,) = tmp_path.glob("home.before-restore-*")
    assert str(aside) in out
    assert (aside / "alerts.sqlite").read_bytes() == b"mine"
    assert [a.rule.rule_id for a in open_stores(home).alerts.alerts("alice")] == ["a-alice"]


def test_a_home_with_only_its_backups_folder_counts_as_empty(archive, tmp_path):
    home = tmp_path / "home"
    (home / "backups").mkdir(parents=True)
    shutil.copy(archive, home / "backups" / "b.tar.gz")
    done = restore_backup(home / "backups" / "b.tar.gz", home)
    assert done.moved_aside is None
    assert (home / "backups" / "b.tar.gz").is_file() and (home / "whispr.sqlite").is_file()
