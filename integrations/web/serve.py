"""``whispr serve``: the web app, the Slack and Discord bots and (optionally) live alerts, in
one process over one ``ChatService``.

What starts depends on the environment (see ``integrations.chat.settings``):
- always: the HTTP API and chat page on ``WHISPR_HOST:WHISPR_PORT``;
- ``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``: Slack's HTTP events at ``/slack/events``;
- ``SLACK_APP_TOKEN`` (with ``SLACK_BOT_TOKEN``): Slack Socket Mode (no public URL needed);
- ``DISCORD_BOT_TOKEN``: the Discord bot, on its own thread and event loop;
- the live engine (``integrations.alerts.engine``): alerts on the configured provider's stream
  (``--watch SYMBOL …`` picks the symbols and insists on a provider), or, with no streaming
  provider, on the offline replay clock of the latest sessions (``WHISPR_LIVE``,
  ``WHISPR_REPLAY_SPEED``); status at ``/api/live``, lag and deliveries at ``/metrics``.

``WHISPR_LOG_FORMAT=json`` switches every log line, uvicorn's included, to one JSON object with
the request id (``integrations.logs``).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import socket
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import uvicorn
from fastapi import FastAPI

from assistant.private import private_dir
from integrations.alerts.delivery import ChannelRouter, channel_router
from integrations.alerts.monitor import Monitor
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings
from integrations.chat.setup import bootstrap_admin, build_service
from integrations.logs import configure_logging
from integrations.web.app import create_app

log = logging.getLogger(__name__)


@dataclass
class Server:
    """Everything ``whispr serve`` runs, built but not started."""

    settings: ChannelSettings
    service: ChatService
    app: FastAPI
    router: ChannelRouter
    admin_password: str | None = None
    """Set when a first admin was just created with a generated password (print it once)."""
    started: list[str] = field(default_factory=list)
    """What runs besides the web app, for the banner."""


def admin_password_file(settings: ChannelSettings) -> Path:
    """Return the file holding a generated first-admin password (mode 0600, under the home)."""
    return settings.home / "first-admin-password.txt"


def _keep_password(settings: ChannelSettings, password: str) -> None:
    path = admin_password_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(password + "\n")


def build_server(settings: ChannelSettings, service: ChatService | None = None) -> Server:
    """Return the server for ``settings``: the chat service (default: built from settings), the
    first admin if no user exists, the app, and Slack's events route when configured."""
    service = service or build_service(settings)
    password = bootstrap_admin(service.accounts, settings)
    if password:
        _keep_password(settings, password)  # never printed: stdout often ends up in logs
    app = create_app(service, settings)
    router = channel_router(
        slack_bot_token=settings.slack_bot_token,
        discord_bot_token=settings.discord_bot_token,
        inbox=service.activity,
    )
    server = Server(settings, service, app, router, password)
    if settings.slack_bot_token and settings.slack_signing_secret:
        from integrations.slack_app import build_slack_app, mount_events

        try:
            bolt = build_slack_app(
                service,
                bot_token=settings.slack_bot_token,
                signing_secret=settings.slack_signing_secret,
            )
        except Exception as exc:  # Bolt checks the token with Slack at start
            server.started.append(f"NOT Slack events: {_reason(exc)}")
        else:
            mount_events(app, bolt)
            server.started.append("Slack events at /slack/events")
    return server


def _reason(exc: Exception) -> str:
    """Return a one-line reason for a channel that failed to start (never a token)."""
    return (
        f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:160]}"
        if str(exc)
        else (exc.__class__.__name__)
    )


def _start_slack_socket(server: Server) -> None:
    from integrations.slack_app import build_slack_app, socket_mode_handler

    settings = server.settings
    try:
        bolt = build_slack_app(
            server.service,
            bot_token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret,
        )
        socket_mode_handler(bolt, settings.slack_app_token or "").connect()
    except Exception as exc:  # the web app still serves; the banner says why Slack did not
        server.started.append(f"NOT Slack Socket Mode: {_reason(exc)}")
        return
    server.started.append("Slack Socket Mode")


def _start_discord(server: Server) -> None:
    from integrations.discord_bot import build_bot

    bot = build_bot(server.service)
    token = server.settings.discord_bot_token or ""
    thread = threading.Thread(
        target=lambda: bot.run(token, log_handler=None), name="discord", daemon=True
    )
    thread.start()
    server.started.append("Discord bot")


def _start_live(server: Server, symbols: Sequence[str] | None) -> None:
    """Start the live engine on its own thread: the provider's stream when one is configured
    (or ``--watch`` asks for it), else the offline replay clock; ``WHISPR_LIVE=off`` starts
    nothing. Its status is ``/api/live``; lag and deliveries go to ``/metrics``."""
    from assistant.settings import get_settings
    from integrations.alerts.briefings import BriefingRunner
    from integrations.alerts.live import provider_engine, replay_engine, streaming
    from integrations.alerts.strategywatch import WatchRunner

    config = get_settings()
    if config.whispr_live == "off" and symbols is None:
        return
    service = server.service
    store: Any = service.services.get("alerts")
    monitor = Monitor(store, service.source, server.router, stats=server.app.state.metrics.live)
    wanted = [s.upper().lstrip("$") for s in symbols or []] or service.source.symbols()
    status = server.app.state.live
    try:
        remote = None if config.whispr_live == "replay" else streaming(service.source)
    except Exception:
        if symbols is not None:
            raise  # --watch asked for the provider's stream: say how to get one
        remote = None
    try:
        if remote is not None:
            engine = provider_engine(monitor, service.source, wanted, status=status)
        else:
            engine = replay_engine(
                monitor,
                service.source,
                [s for s in wanted if s in ("SPX", "SPY")] or wanted,
                speed=config.whispr_replay_speed,
                sessions=config.whispr_replay_sessions,
                status=status,
            )
    except Exception as exc:  # the web app still serves; the banner says why live did not
        server.started.append(f"NOT live engine: {_reason(exc)}")
        return

    watches: Any = service.services.get("watches")
    if watches is not None:
        engine.watches = WatchRunner(watches, service.source, label=engine.label)
    briefings: Any = service.services.get("briefings")
    if briefings is not None:
        engine.briefings = BriefingRunner(briefings, service.source, label=engine.label)

    def run() -> None:
        try:
            asyncio.run(engine.run())
        except Exception:
            log.exception("the live engine stopped")
            status.state = "stopped"

    threading.Thread(target=run, name="live", daemon=True).start()
    what = (
        f"{engine.status.mode}'s stream"
        if remote is not None
        else f"a replay of {', '.join(engine.status.replaying)} at {config.whispr_replay_speed:g}x"
    )
    server.started.append(f"live engine on {', '.join(engine.status.symbols)}: {what}")


def banner(server: Server) -> str:
    """Return what ``whispr serve`` prints at start: the URL, how to log in, what runs."""
    s = server.settings
    host = "localhost" if s.host in ("127.0.0.1", "0.0.0.0", "::") else s.host
    lines = [f"Whispr is running at http://{host}:{s.port}/  (API docs: /docs)"]
    if server.admin_password:
        lines.append(
            f"First admin created: user {s.admin_user!r}; its password is in "
            f"{admin_password_file(s)} (readable only by you; change it with "
            "`whispr users password`, then delete the file)."
        )
    else:
        lines.append("Log in with your Whispr account (`whispr users add NAME` makes one).")
    lines += [f"Also running: {item}" for item in server.started]
    lines.append("Stop with Ctrl-C.")
    return "\n".join(lines)


def state_lock(home: Path) -> IO[str] | None:
    """Return the open lock file of the state folder ``home``, or None when another
    ``whispr serve`` already holds it (two servers on one folder would both deliver alerts and
    race on the SQLite and Chroma files)."""
    private_dir(home)
    handle = (home / "serve.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def bind(host: str, port: int) -> socket.socket:
    """Return a listening socket on ``host:port``; raise ``OSError`` when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(settings: ChannelSettings, *, watch: Sequence[str] | None = None) -> int:
    """Build and run everything until interrupted; return the exit code. The state folder is
    locked for this process, and the port is bound before "running at" is printed."""
    if settings.log_format == "json":
        configure_logging("json")
    lock = state_lock(settings.home)
    if lock is None:
        print(
            f"error: another whispr serve is using {settings.home}; stop it first, or give "
            "this one its own WHISPR_HOME",
            file=sys.stderr,
        )
        return 1
    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        print(
            f"error: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    server = build_server(settings)
    if settings.slack_app_token and settings.slack_bot_token:
        _start_slack_socket(server)
    if settings.discord_bot_token:
        _start_discord(server)
    _start_live(server, watch)
    print(banner(server), flush=True)
    # log_config=None: uvicorn's loggers propagate to ours (JSON when asked) instead of its own
    config = uvicorn.Config(
        server.app,
        log_level="warning",
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
    uvicorn.Server(config).run(sockets=[sock])
    lock.close()
    return 0
