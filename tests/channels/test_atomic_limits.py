"""Limits that hold under concurrency, and logins that do not reveal usernames (issue #12,
defects 8 and 10). Before: 4 simultaneous turns passed a 1-turn limit in 7 of 200 trials
(check and insert were separate statements), parallel wrong passwords all passed the lockout
check, and an unknown username answered in 2 ms against 73 ms for a known one."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from integrations.chat.accounts import AuthError, Role
from tests.channels.conftest import make_service
from tests.concurrency import together


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    svc, _ = make_service(Path(tmp_path_factory.mktemp("atomic")))
    svc.accounts.add_user("carol", "correct horse battery", Role.TRADER)
    return svc


def test_simultaneous_turns_never_pass_a_one_turn_limit(service):
    activity = service.activity
    for trial in range(60):
        user = f"racer{trial}"
        waits = together(4, lambda _, user=user: activity.take_turn(user, 1, 60.0))
        assert sorted(w == 0.0 for w in waits) == [False, False, False, True], waits


def test_parallel_wrong_passwords_cannot_exceed_the_lockout(service):
    accounts = service.accounts

    def guess(i: int) -> str:
        try:
            accounts.authenticate("carol", f"wrong guess {i}")
        except AuthError as exc:
            return str(exc)
        return "in"

    answers = together(16, guess)
    wrong = [a for a in answers if a == "wrong username or password"]
    assert len(wrong) <= 10 and len(answers) == 16
    with pytest.raises(AuthError, match="too many failed logins"):
        accounts.authenticate("carol", "correct horse battery")


def test_unknown_usernames_take_as_long_as_known_ones(service):
    accounts = service.accounts
    accounts.add_user("dave", "correct horse battery", Role.TRADER)

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(AuthError):
            accounts.authenticate(name, "not the password")
        return time.perf_counter() - start

    timed("nobody-at-all")  # the dummy hash is made on first use
    known = statistics.median(timed("dave") for _ in range(5))
    unknown = statistics.median(timed(f"nobody{i}") for i in range(5))
    assert unknown > 0.3 * known, (known, unknown)  # ~1x now; was ~0.03x


def test_failed_logins_are_limited_per_client_address(service):
    """Defect 8: the lockout was per username only, so one address could try every name."""
    accounts = service.accounts
    refused = []
    for i in range(32):
        try:
            accounts.authenticate(f"someone{i}", "guess", client="203.0.113.9")
        except AuthError as exc:
            refused.append(str(exc))
    assert refused[:30] == ["wrong username or password"] * 30
    assert refused[30:] == ["too many failed logins from this address; wait 5 minutes"] * 2
    accounts.add_user("erin", "correct horse battery", Role.TRADER)
    assert (
        accounts.authenticate("erin", "correct horse battery", client="198.51.100.7").username
        == "erin"
    )


def test_a_password_change_revokes_api_tokens(service):
    """Defect 8: a changed password ended web sessions but left API tokens working."""
    accounts = service.accounts
    accounts.add_user("frank", "correct horse battery", Role.TRADER)
    _, secret = accounts.new_token("frank", "laptop")
    assert accounts.token_user(secret).username == "frank"
    accounts.set_password("frank", "another horse battery")
    with pytest.raises(AuthError):
        accounts.token_user(secret)


def test_first_admin_is_made_even_when_traders_exist(tmp_path):
    """Defect 8: users added before the first serve stopped the admin from ever being made."""
    from dataclasses import replace

    from integrations.chat.settings import ChannelSettings
    from integrations.chat.setup import bootstrap_admin

    svc, settings = make_service(tmp_path)
    svc.accounts.add_user("trader1", "correct horse battery", Role.TRADER)
    settings = replace(settings, admin_password="admin horse battery")
    assert bootstrap_admin(svc.accounts, settings) is None  # the given password, not printed
    admin = svc.accounts.authenticate(settings.admin_user, "admin horse battery")
    assert admin.role == Role.ADMIN
    assert bootstrap_admin(svc.accounts, settings) is None and len(svc.accounts.users()) == 2
    assert isinstance(settings, ChannelSettings)
