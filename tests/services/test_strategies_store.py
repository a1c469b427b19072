"""The strategies store on both backends (SQLite file, PostgreSQL): saved, versioned, listed,
shared, deleted and purged the same way; versions numbered once when workers save together;
vectors in Chroma either way."""

from __future__ import annotations

from pathlib import Path

from core.spec import StrategySpec
from core.strategies import builtin_strategies
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client
from tests.concurrency import together
from tests.services.conftest import Location


def _spec(name: str = "My gate", spec_id: str = "gate1", description: str = "") -> StrategySpec:
    return builtin_strategies()[0].model_copy(
        update={"name": name, "spec_id": spec_id, "description": description}
    )


def test_versions_are_kept_and_the_newest_is_listed(location: Location):
    store = SqliteStrategyStore(location("whispr.sqlite"))
    assert store.list("alice") == []
    first = store.save("alice", _spec(description="first"))
    second = store.save("alice", _spec(description="second"))
    assert (first.version, second.version) == (1, 2)
    assert [s.description for s in store.versions("alice", "gate1")] == ["first", "second"]
    assert store.get("alice", "MY GATE").description == "second"  # by name, any case
    assert store.get("alice", "gate1", version=1).description == "first"
    assert store.get("alice", "gate1", version=3) is None
    store.save("alice", _spec("Other", "other1"))
    assert [(s.name, s.version) for s in store.list("alice")] == [("My gate", 2), ("Other", 1)]
    # a restart (a new store on the same database) reads the same, and numbers on from there
    again = SqliteStrategyStore(location("whispr.sqlite"))
    assert [(s.name, s.version) for s in again.list("alice")] == [("My gate", 2), ("Other", 1)]
    assert again.save("alice", _spec(description="third")).version == 3


def test_sharing_shows_a_strategy_under_its_owners_name_and_only_the_owner_changes_it(
    location: Location,
):
    store = SqliteStrategyStore(location("whispr.sqlite"))
    store.save("alice", _spec())
    assert store.list("bob") == [] and store.get("bob", "alice/my gate") is None
    assert not store.share("bob", "alice/my gate") and not store.share("bob", "gate1")
    assert store.share("alice", "my gate")
    assert [s.name for s in store.list("bob")] == ["alice/My gate"]
    assert store.get("bob", "alice/gate1").name == "alice/My gate"
    # bob's own strategy of the same name never replaces hers; his own is listed first
    store.save("bob", _spec(spec_id="bobs"))
    assert [s.name for s in store.list("bob")] == ["My gate", "alice/My gate"]
    assert store.get("bob", "my gate").spec_id == "bobs"
    assert [s.name for s in store.list("alice")] == ["My gate"]  # bob's is not shared
    # only the owner deletes it, every version
    store.save("alice", _spec(description="v2"))
    assert not store.delete("bob", "alice/my gate")
    assert store.delete("alice", "alice/my gate")
    assert not store.delete("alice", "my gate")
    assert [s.name for s in store.list("bob")] == ["My gate"]
    assert store.versions("alice", "gate1") == []


def test_owned_and_purge_cover_every_version_of_the_owner_only(location: Location):
    store = SqliteStrategyStore(location("whispr.sqlite"))
    store.save("alice", _spec())
    store.save("alice", _spec(description="v2"))
    store.share("alice", "gate1")
    store.save("bob", _spec(spec_id="bobs"))
    owned = store.owned("alice")
    assert [(o["spec_id"], o["version"], o["shared"]) for o in owned] == [
        ("gate1", 1, True),
        ("gate1", 2, True),
    ]
    assert owned[1]["spec"]["description"] == "v2" and isinstance(owned[0]["created"], float)
    assert store.purge_owner("alice") == 2
    assert store.owned("alice") == [] and [s.spec_id for s in store.list("bob")] == ["bobs"]


def test_workers_saving_one_strategy_together_get_distinct_versions(location: Location):
    workers = [SqliteStrategyStore(location("whispr.sqlite")) for _ in range(2)]
    saved = together(6, lambda i: workers[i % 2].save("alice", _spec(description=f"w{i}")))
    assert sorted(s.version for s in saved) == [1, 2, 3, 4, 5, 6]
    assert [s.version for s in workers[0].versions("alice", "gate1")] == [1, 2, 3, 4, 5, 6]


def test_search_and_the_restart_index_use_chroma_on_either_backend(
    location: Location, tmp_path: Path
):
    fade = _spec("Quiet squeeze fade", "fade1", "fade a quiet squeeze")
    # the crash: the database commit happened, the index write never did
    SqliteStrategyStore(location("whispr.sqlite")).save("alice", fade)
    vectors = VectorStore(make_client(tmp_path / "chroma"))
    store = SqliteStrategyStore(location("whispr.sqlite"), vectors)  # the restart indexes it
    assert store.reconcile() == 0
    assert [s.name for s, _ in store.search("alice", "quiet squeeze fade", k=1)] == [fade.name]
    assert store.search("bob", "quiet squeeze fade", k=1) == []
    assert store.share("alice", "fade1")
    assert [s.name for s, _ in store.search("bob", "quiet squeeze fade", k=1)] == [
        "alice/Quiet squeeze fade"
    ]
    assert store.delete("alice", "fade1") and store.search("alice", "quiet squeeze", k=1) == []
