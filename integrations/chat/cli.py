"""``whispr serve`` and ``whispr users …`` (accounts, roles, chat identities, API tokens, and the
GDPR pair: ``export`` and ``delete --purge``).

Passwords are read from the terminal without echo, or from standard input with
``--password-stdin`` (scripts); they never appear on the command line, where ``ps`` shows them.
Handlers import the settings, the account store and the web stack when they run (start-up, see
``integrations.cli``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InvalidArgumentError
from integrations.chat.accounts import Role, parse_role

if TYPE_CHECKING:
    from integrations.chat.store import AccountStore


def _accounts() -> AccountStore:
    from integrations.chat.settings import load_settings
    from integrations.chat.store import AccountStore

    return AccountStore(load_settings().accounts_location)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidArgumentError("the two passwords differ")
    return first


def _need(found: bool, what: str) -> int:
    if not found:
        raise InvalidArgumentError(f"no {what}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from integrations.chat.settings import load_settings
    from integrations.web.serve import serve

    settings = load_settings()
    if args.host:
        settings = dataclasses.replace(settings, host=args.host)
    if args.port is not None:
        settings = dataclasses.replace(settings, port=args.port)
    return serve(settings, watch=args.watch)


def _add(args: argparse.Namespace) -> int:
    user = _accounts().add_user(args.username, _password(args), parse_role(args.role))
    print(f"created {user.username} ({user.role.value})")
    return 0


def _list(args: argparse.Namespace) -> int:
    accounts = _accounts()
    for user in accounts.users():
        ids = ", ".join(f"{c}:{e}" for c, e in accounts.identities(user.username))
        state = " (disabled)" if user.disabled else ""
        print(f"{user.username}  {user.role.value}{state}{'  ' + ids if ids else ''}")
    return 0


def _role(args: argparse.Namespace) -> int:
    _need(_accounts().set_role(args.username, parse_role(args.role)), f"user {args.username!r}")
    print(f"{args.username} is now {args.role}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    disabled = args.users_command == "disable"
    _need(_accounts().set_disabled(args.username, disabled), f"user {args.username!r}")
    print(f"{args.username} {'disabled' if disabled else 'enabled'}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    _need(_accounts().set_password(args.username, _password(args)), f"user {args.username!r}")
    print(f"password of {args.username} changed; their web sessions ended")
    return 0


def _link(args: argparse.Namespace) -> int:
    channel = "slack" if args.slack else "discord"
    _accounts().link(args.username, channel, args.slack or args.discord)
    print(f"{channel} user {args.slack or args.discord} is now {args.username}")
    return 0


def _token(args: argparse.Namespace) -> int:
    accounts = _accounts()
    if accounts.get(args.username) is None:
        raise InvalidArgumentError(f"no user {args.username!r}")
    info, secret = accounts.new_token(args.username, args.name)
    print(f"token {info.id} for {info.username} (shown once; keep it secret):\n{secret}")
    return 0


def _tokens(args: argparse.Namespace) -> int:
    for t in _accounts().tokens(args.username):
        made = dt.datetime.fromtimestamp(t.created).strftime("%Y-%m-%d %H:%M")
        state = "revoked" if t.revoked else "active"
        print(f"{t.id}  {t.username}  {t.name}  created {made}  {state}")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    _need(_accounts().revoke_token(args.token_id, None), f"active token {args.token_id!r}")
    print(f"token {args.token_id} revoked")
    return 0


def _export(args: argparse.Namespace) -> int:
    from assistant.private import private_output
    from integrations.chat.settings import load_settings
    from integrations.chat.userdata import export_user, open_stores

    data = export_user(open_stores(load_settings()), args.username)
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    with private_output(Path(args.out)) as handle:
        handle.write(text.encode("utf-8"))
    print(f"wrote everything stored about {data['username']} to {args.out} (mode 0600)")
    return 0


def _confirmed(args: argparse.Namespace, what: str) -> bool:
    if args.yes:
        return True
    try:
        answer = input(f"{what} Type the username to confirm: ")
    except EOFError:
        answer = ""
    return answer.strip().lower() == args.username.strip().lower()


def _pause_alerts(location: Path | str, name: str) -> int:
    """Pause every alert of ``name`` (a deleted account's alerts must not fire) in the alert
    store at ``location`` (a SQLite file, left uncreated when missing, or a database URL);
    return how many."""
    from integrations.alerts.store import SqliteAlertStore

    if isinstance(location, Path) and not location.exists():
        return 0
    store = SqliteAlertStore(location)
    return sum(store.set_paused(name, a.rule.rule_id, True) for a in store.alerts(name))


def _delete(args: argparse.Namespace) -> int:
    from integrations.chat.settings import load_settings

    name = args.username.strip().lower()
    if args.purge:
        from integrations.chat.userdata import open_stores, purge_user

        what = (
            f"Delete {name} and purge everything stored about them (account, tokens, audit, "
            "transcripts, alerts, strategies, memory, threads, charts)? This cannot be undone."
        )
        if not _confirmed(args, what):
            print("cancelled; nothing was deleted")
            return 1
        gone = purge_user(open_stores(load_settings()), name)
        print(f"purged {name}: " + ", ".join(f"{k} {v}" for k, v in gone.items()))
        return 0
    from integrations.chat.activity import ActivityStore
    from integrations.chat.store import AccountStore

    settings = load_settings()
    accounts = AccountStore(settings.accounts_location)
    if accounts.get(name) is None:
        raise InvalidArgumentError(f"no user {name!r}")
    what = f"Delete the account {name} (their audit log and other data are kept)?"
    if not _confirmed(args, what):
        print("cancelled; nothing was deleted")
        return 1
    accounts.set_disabled(name, True)
    accounts.delete_user(name)
    ActivityStore(settings.accounts_location).audit(name, "cli", "account_deleted", "success")
    paused = _pause_alerts(settings.store_location("alerts.sqlite"), name)
    print(
        f"deleted the account {name} (sessions, tokens and chat links with it); {paused} of "
        "their alerts paused so nothing fires for a deleted account; their audit log, "
        f"transcripts, alerts and strategies are kept: `whispr users delete {name} --purge` "
        "removes them"
    )
    return 0


def add_channel_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``whispr serve`` and ``whispr users …`` to the command line."""
    p = sub.add_parser("serve", help="web chat + API (+ Slack/Discord bots when configured)")
    p.add_argument("--host", help="listen address (default WHISPR_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default WHISPR_PORT or 8000)")
    p.add_argument(
        "--watch",
        nargs="*",
        metavar="SYMBOL",
        help="also run live alerts on the provider's stream (default symbols: WHISPR_SYMBOLS)",
    )
    p.set_defaults(handler=_serve)

    users = sub.add_parser(
        "users", help="accounts: add, list, role, link, tokens, export, delete …"
    )
    cmds = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = cmds.add_parser("add", help="create a user (asks for the password)")
    p.add_argument("username")
    p.add_argument("--role", default=Role.TRADER.value, help="admin, trader or viewer")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(handler=_add)
    cmds.add_parser("list", help="every user").set_defaults(handler=_list)
    p = cmds.add_parser("role", help="change a user's role")
    p.add_argument("username")
    p.add_argument("role", help="admin, trader or viewer")
    p.set_defaults(handler=_role)
    for action in ("disable", "enable"):
        p = cmds.add_parser(action, help=f"{action} a user")
        p.add_argument("username")
        p.set_defaults(handler=_disable)
    p = cmds.add_parser("password", help="set a user's password (ends their sessions)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(handler=_set_password)
    p = cmds.add_parser("link", help="map a Slack or Discord user id to a user")
    p.add_argument("username")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--slack", metavar="USER_ID", help="e.g. U012AB3CD")
    who.add_argument("--discord", metavar="USER_ID", help="e.g. 80351110224678912")
    p.set_defaults(handler=_link)
    p = cmds.add_parser("token", help="create an API token for a user")
    p.add_argument("username")
    p.add_argument("--name", default="cli")
    p.set_defaults(handler=_token)
    p = cmds.add_parser("tokens", help="list API tokens")
    p.add_argument("username", nargs="?")
    p.set_defaults(handler=_tokens)
    p = cmds.add_parser("revoke", help="revoke an API token by id")
    p.add_argument("token_id")
    p.set_defaults(handler=_revoke)
    p = cmds.add_parser(
        "export",
        help="everything stored about a user, as JSON (GDPR access)",
        description="Print (or write to --out, mode 0600) one JSON document of everything "
        "stored about a user: account (no password hash), API tokens (ids, names, times; never "
        "secrets), sessions, audit log, transcripts, alert inbox, alerts and firings, "
        "strategies they own (every version), remembered facts, thread ids and chart names.",
    )
    p.add_argument("username")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=_export)
    p = cmds.add_parser(
        "delete",
        help="delete a user's account (--purge: and all their data, GDPR erasure)",
        description="Without --purge: disable the account and delete it with its sessions, "
        "API tokens and chat links; the audit log and the user's other data stay. With "
        "--purge: also delete their audit entries, transcripts, inbox, alerts and firings, "
        "strategies (and their search entries), remembered facts, conversation checkpoints and "
        "charts. Asks for the username first unless --yes.",
    )
    p.add_argument("username")
    p.add_argument("--purge", action="store_true", help="delete everything stored about them")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=_delete)
