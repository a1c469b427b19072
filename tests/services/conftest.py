"""Fixtures on the real shared services: PostgreSQL and Redis.

The servers are ``WHISPR_TEST_DATABASE_URL`` (default ``postgresql://root@127.0.0.1:5432/test``)
and ``WHISPR_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). A test that needs one
that does not answer is skipped with a message naming the service and its URL, unless
``WHISPR_REQUIRE_SERVICES=1`` (CI), where it fails instead.

Isolation: each test gets its own PostgreSQL schema (created empty, put first on the
connections' ``search_path`` through the URL's ``options``, dropped after the test) and its own
Redis key prefix (its keys deleted after the test), so parallel runs and reruns never meet.

``location`` runs a test on both backends: ``sqlite`` (files in ``tmp_path``, no service) and
``postgresql`` (the test's schema).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
import redis

from integrations.storage.sql import redact

DATABASE_URL = os.environ.get("WHISPR_TEST_DATABASE_URL") or "postgresql://root@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("WHISPR_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"

Location = Callable[[str], "Path | str"]
"""Where a store lives, given its SQLite file name: that file, or the test's database URL."""


def _unavailable(service: str, url: str, exc: Exception) -> None:
    message = (
        f"{service} is not reachable at {redact(url)} ({exc.__class__.__name__}: "
        f"{' '.join(str(exc).split())[:200]}); start it or point WHISPR_TEST_"
        f"{'DATABASE' if service == 'PostgreSQL' else 'REDIS'}_URL at one"
    )
    if os.environ.get("WHISPR_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (WHISPR_REQUIRE_SERVICES=1: the services tests may not skip)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Return the PostgreSQL server's URL once it answered a query (else skip or fail)."""
    try:
        with psycopg.connect(DATABASE_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        _unavailable("PostgreSQL", DATABASE_URL, exc)
    return DATABASE_URL


@pytest.fixture(scope="session")
def redis_server() -> str:
    """Return the Redis server's URL once it answered PING (else skip or fail)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable("Redis", REDIS_URL, exc)
    finally:
        client.close()
    return REDIS_URL


def with_search_path(url: str, schema: str) -> str:
    """Return ``url`` with ``options=-csearch_path=<schema>`` added to its query: every
    connection made from it creates and finds its tables in ``schema``."""
    parts = urlsplit(url)
    option = "options=" + quote(f"-csearch_path={schema}", safe="")
    query = f"{parts.query}&{option}" if parts.query else option
    return urlunsplit(parts._replace(query=query))


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """Return a database URL whose tables live in a new, empty schema of this test only."""
    schema = f"whispr_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield with_search_path(postgres_server, schema)
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def redis_prefix(redis_server: str) -> Iterator[str]:
    """Return a Redis key prefix of this test only; its keys are deleted after the test."""
    prefix = f"whispr-test:{uuid.uuid4().hex[:16]}:"
    yield prefix
    client = redis.Redis.from_url(redis_server)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """Return where a store lives on the parametrized backend (see ``Location``)."""
    if request.param == "sqlite":
        return lambda filename: tmp_path / filename
    url = request.getfixturevalue("pg_url")
    return lambda filename: url
