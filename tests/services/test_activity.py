"""The activity store on both backends (audit, transcripts, notifications, retried deliveries,
personal data), and per-user rate limits in the database and in Redis: the same answers, and
never more turns than the limit when several workers take turns at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from integrations.chat.activity import ActivityStore
from tests.concurrency import together
from tests.services.conftest import Location


@pytest.fixture
def activity(location: Location) -> ActivityStore:
    return ActivityStore(location("accounts.sqlite"))


def test_the_audit_log_is_per_user_newest_first_with_arguments_as_json(activity: ActivityStore):
    activity.audit("alice", "web", "tool_call", "ok", "atr_levels", {"symbol": "SPY", "n": 2})
    activity.audit("bob", "slack", "turn", "success")
    activity.audit("alice", "web", "turn", "bad \ud800 text")
    mine = activity.audit_log("alice")
    assert [e.event for e in mine] == ["turn", "tool_call"]
    assert mine[1].args == {"n": 2, "symbol": "SPY"} and mine[1].tool == "atr_levels"
    assert mine[0].outcome == "bad ? text"  # a lone surrogate is replaced (_safe_text)
    assert [e.username for e in activity.audit_log(None)] == ["alice", "bob", "alice"]
    assert len(activity.audit_log(None, limit=1)) == 1


def test_threads_and_messages_stay_with_their_user(activity: ActivityStore):
    activity.add_message("alice", "t1", "web", "user", {"text": "SPX day levels?"})
    activity.add_message("alice", "t1", "web", "assistant", {"text": "here", "tools": ["x"]})
    activity.add_message("bob", "t1", "slack", "user", {"text": "bob's"})
    (thread,) = activity.threads("alice")
    assert (thread.thread_id, thread.title, thread.channel) == ("t1", "SPX day levels?", "web")
    assert [m["role"] for m in activity.messages("alice", "t1")] == ["user", "assistant"]
    assert activity.messages("alice", "t1")[1]["tools"] == ["x"]
    assert activity.rename_thread("alice", "t1", "levels")
    assert activity.thread("alice", "t1").title == "levels"
    assert activity.thread("carol", "t1") is None
    assert activity.delete_thread("alice", "t1") and activity.messages("alice", "t1") == []
    assert activity.messages("bob", "t1")[0]["text"] == "bob's"


def test_notifications_get_increasing_ids_and_are_marked_read(activity: ActivityStore):
    ids = [activity.add_notification("alice", f"fired {i}") for i in range(3)]
    activity.add_notification("bob", "not alice's")
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [n["message"] for n in activity.notifications("alice", after=ids[0])] == [
        "fired 1",
        "fired 2",
    ]
    assert activity.mark_read("alice", ids[1]) == 2
    assert [n["read"] for n in activity.notifications("alice")] == [True, True, False]


def test_a_retried_delivery_is_seen_once_even_from_several_workers(location: Location):
    workers = [ActivityStore(location("accounts.sqlite")) for _ in range(4)]
    firsts = together(8, lambda i: workers[i % 4].first_delivery("slack", "Ev1"))
    assert sorted(firsts) == [False] * 7 + [True]
    assert workers[0].first_delivery("discord", "Ev1")  # another channel's id


def test_a_users_records_are_exported_and_purged_alone(activity: ActivityStore):
    activity.audit("alice", "web", "turn", "success")
    activity.add_message("alice", "t1", "web", "user", {"text": "hi"})
    activity.add_notification("alice", "fired")
    activity.take_turn("alice", 10, 60.0)
    activity.take_turn("any:alice", 10, 60.0)
    activity.take_turn("bob", 10, 60.0)
    records = activity.user_records("alice")
    assert sorted(t["key"] for t in records["turns"]) == ["alice", "any:alice"]
    assert len(records["audit"]) == 1 and len(records["transcripts"][0]["messages"]) == 1
    assert activity.purge_user("alice") == 1 + 2 + 1 + 2  # audit, thread + message, inbox, turns
    assert activity.user_records("alice")["turns"] == [] and activity.turns_taken("bob", 60) == 1


# rate limits ----------------------------------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
def limiter(request: pytest.FixtureRequest, location: Location) -> Callable[[], ActivityStore]:
    """Return a function opening one worker's store, counting turns in the parametrized
    backend's database or in Redis (the test's own key prefix)."""
    if request.param == "database":
        return lambda: ActivityStore(location("accounts.sqlite"))
    url = request.getfixturevalue("redis_server")
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: ActivityStore(location("accounts.sqlite"), redis_url=url, redis_prefix=prefix)


def test_a_limit_counts_turns_then_says_how_long_to_wait(limiter):
    store = limiter()
    assert [store.take_turn("alice", 3, 60.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = store.take_turn("alice", 3, 60.0)
    assert 59.0 < wait <= 60.0
    assert store.turns_taken("alice", 60.0) == 3  # a refused turn is not counted
    assert store.take_turn("any:alice", 3, 60.0) == 0.0  # another key, its own count
    assert store.turns_taken("bob", 60.0) == 0


def test_turns_older_than_the_window_are_free_again(limiter):
    store = limiter()
    assert store.take_turn("alice", 1, 0.3) == 0.0
    assert store.take_turn("alice", 1, 0.3) == 1.0  # waits are whole seconds at least
    threading.Event().wait(0.35)
    assert store.turns_taken("alice", 0.3) == 0
    assert store.take_turn("alice", 1, 0.3) == 0.0


def test_workers_taking_turns_at_once_never_exceed_the_limit(limiter):
    workers = [limiter() for _ in range(4)]  # each with its own connections
    for trial in range(5):
        user = f"racer{trial}"
        waits = together(12, lambda i, user=user: workers[i % 4].take_turn(user, 5, 60.0))
        assert sorted(w == 0.0 for w in waits) == [False] * 7 + [True] * 5, waits
        assert workers[0].turns_taken(user, 60.0) == 5
