"""The HTTP API's security: every route needs a user, roles gate writes, tokens and sessions can
be revoked, the cookie path needs the CSRF header, and bad input gets a 4xx that says why."""

from __future__ import annotations

import json
import re

import pytest

from tests.channels.conftest import PASSWORD, PUT_TRIGGER_QUESTION, World, make_world

PUBLIC = {"/api/login", "/health"}
SAMPLE_PATH_VALUES = {
    "symbol": "SPY",
    "thread_id": "t1",
    "name": "x.png",
    "token_id": "abc",
    "username": "alice",
    "ref": "golden-gate-bull",
    "alert_id": "a1",
    "owner": "bob",
    "watch_id": "w1234abcd",
    "briefing_id": "b1234abcd",
}


def api_routes(world: World) -> list[tuple[str, str]]:
    """Return (method, concrete path) for every API route of the app (as its OpenAPI document
    lists them), path values filled in."""
    out = []
    for template, methods in world.client.app.openapi()["paths"].items():
        if not template.startswith("/api") or template in PUBLIC:
            continue
        path = re.sub(r"{(\w+)}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], template)
        out += [(m.upper(), path) for m in sorted(methods)]
    return out


def test_every_api_route_refuses_anonymous_and_bad_tokens(world: World):
    routes = api_routes(world)
    assert len(routes) >= 30  # auth, chat, data, strategies, alerts, notifications
    for method, path in routes:
        for headers in (
            {},
            {"Authorization": "Bearer wsp_not-a-token"},
            {"Authorization": "Basic x"},
        ):
            r = world.client.request(method, path, json={}, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.status_code, r.text)
            assert r.json()["error"]


def test_viewer_cannot_write_strategies_alerts_or_users(world: World):
    spec_body = {"spec": {"id": "v-spec", "name": "v", "entry": []}}
    writes = [
        ("POST", "/api/strategies", spec_body),
        ("DELETE", "/api/strategies/golden-gate-bull", None),
        ("POST", "/api/strategies/golden-gate-bull/share", None),
        ("POST", "/api/alerts", {"symbol": "SPY", "level": "-0.236", "direction": "down"}),
        ("PATCH", "/api/alerts/a1", {"paused": True}),
        ("DELETE", "/api/alerts/a1", None),
        ("POST", "/api/watches", {"strategy": "golden gate bull"}),
        ("PATCH", "/api/watches/w1234abcd", {"action": "pause"}),
        ("DELETE", "/api/watches/w1234abcd", None),
        ("POST", "/api/briefings", {"symbol": "SPX"}),
        ("DELETE", "/api/briefings/b1234abcd", None),
        ("GET", "/api/users", None),
        ("POST", "/api/users", {"username": "eve", "password": "long enough pw"}),
    ]
    for method, path, body in writes:
        r = world.client.request(method, path, json=body, headers=world.auth("vera"))
        assert r.status_code == 403, (method, path, r.text)
        assert "viewer" in r.json()["error"]
    # reads are fine for a viewer
    assert world.client.get("/api/strategies", headers=world.auth("vera")).status_code == 200
    assert world.client.get("/api/alerts", headers=world.auth("vera")).status_code == 200


def test_viewer_asking_in_chat_for_an_alert_gets_a_polite_no(world: World):
    r = world.client.post(
        "/api/ask",
        json={"question": "alert me when SPY loses the put trigger"},
        headers=world.auth("vera"),
    )
    assert r.status_code == 200
    body = r.json()
    assert [c["status"] for c in body["tool_calls"]] == ["error"]
    assert "viewer" in body["answer"] and "Traceback" not in body["answer"]
    listed = world.client.get("/api/alerts", headers=world.auth("vera")).json()
    assert listed["alerts"] == []


def test_login_cookie_needs_csrf_header_for_writes_and_logout_ends_it(world: World):
    client = world.client
    bad = client.post("/api/login", json={"username": "alice", "password": "wrong password"})
    assert bad.status_code == 401 and bad.json()["error"] == "wrong username or password"
    ok = client.post("/api/login", json={"username": "Alice", "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["role"] == "trader"
    cookie = ok.cookies.get("whispr_session")
    assert cookie and "httponly" in ok.headers["set-cookie"].lower()
    assert "samesite=strict" in ok.headers["set-cookie"].lower()
    client.cookies.set("whispr_session", cookie)
    try:
        assert client.get("/api/me").json()["username"] == "alice"
        no_csrf = client.post("/api/ask", json={"question": PUT_TRIGGER_QUESTION})
        assert no_csrf.status_code == 403 and "X-Whispr-CSRF" in no_csrf.json()["error"]
        with_csrf = client.post(
            "/api/ask", json={"question": PUT_TRIGGER_QUESTION}, headers={"X-Whispr-CSRF": "1"}
        )
        assert with_csrf.status_code == 200 and "288.08" in with_csrf.json()["answer"]
        assert client.post("/api/logout", headers={"X-Whispr-CSRF": "1"}).status_code == 204
        client.cookies.set("whispr_session", cookie)  # a stolen copy of the old cookie
        assert client.get("/api/me").status_code == 401
    finally:
        client.cookies.clear()


def test_repeated_wrong_passwords_lock_the_username_for_a_while(tmp_path):
    world = make_world(tmp_path)
    for _ in range(10):
        r = world.client.post("/api/login", json={"username": "bob", "password": "nope nope"})
        assert r.status_code == 401
    right = world.client.post("/api/login", json={"username": "bob", "password": PASSWORD})
    assert right.status_code == 401 and "too many failed logins" in right.json()["error"]
    other = world.client.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert other.status_code == 200


def test_api_tokens_are_created_listed_without_secret_and_revoked(world: World):
    made = world.client.post("/api/tokens", json={"name": "laptop"}, headers=world.auth("bob"))
    assert made.status_code == 201
    secret, token_id = made.json()["token"], made.json()["id"]
    assert secret.startswith("wsp_") and len(secret) > 40
    mine = {"Authorization": f"Bearer {secret}"}
    assert world.client.get("/api/me", headers=mine).json()["username"] == "bob"
    listed = world.client.get("/api/tokens", headers=world.auth("bob")).json()
    assert token_id in [t["id"] for t in listed] and all(t["token"] is None for t in listed)
    # alice cannot revoke bob's token; bob can
    gone = world.client.delete(f"/api/tokens/{token_id}", headers=world.auth("alice"))
    assert gone.status_code == 404
    assert (
        world.client.delete(f"/api/tokens/{token_id}", headers=world.auth("bob")).status_code == 204
    )
    assert world.client.get("/api/me", headers=mine).status_code == 401
    # the database keeps only a digest of the secret
    raw = world.service.accounts.db.rows("SELECT digest FROM tokens")
    assert all(secret not in row[0] for row in raw)


def test_passwords_are_stored_as_scrypt_hashes(world: World):
    stored = world.service.accounts.db.rows("SELECT password_hash FROM users")
    assert stored and all(h.startswith("scrypt$16384$8$1$") for (h,) in stored)
    assert all(PASSWORD not in h for (h,) in stored)


def test_disabled_user_loses_tokens_and_admin_manages_roles(tmp_path):
    world = make_world(tmp_path)
    admin = world.auth("root")
    r = world.client.post(
        "/api/users",
        json={"username": "carol", "password": "carol's password", "role": "viewer"},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["role"] == "viewer"
    dup = world.client.post(
        "/api/users", json={"username": "carol", "password": "whatever123"}, headers=admin
    )
    assert dup.status_code == 409
    r = world.client.patch("/api/users/alice", json={"disabled": True}, headers=admin)
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert world.client.get("/api/me", headers=world.auth("alice")).status_code == 401
    r = world.client.patch("/api/users/bob", json={"role": "viewer"}, headers=admin)
    assert r.json()["role"] == "viewer"
    denied = world.client.post(
        "/api/alerts",
        json={"symbol": "SPY", "level": "+0.382", "direction": "up"},
        headers=world.auth("bob"),
    )
    assert denied.status_code == 403


BAD_INPUTS = [
    ("POST", "/api/ask", {"question": ""}, 422, "question"),
    ("POST", "/api/ask", {"question": "x" * 2001}, 422, "question"),
    ("POST", "/api/ask", {"question": "hi", "thread": "../../etc"}, 422, "thread"),
    ("POST", "/api/ask", {"question": "hi", "admin": True}, 422, "admin"),
    ("POST", "/api/ask", {"question": 42}, 422, "question"),
    ("GET", "/api/levels/SPY?date=2019-13-45", None, 422, "date"),
    ("GET", "/api/levels/SPY?mode=weekly-ish", None, 422, "mode"),
    ("GET", "/api/levels/SPY?date=2019-06-12&level=+7.5", None, 422, "level"),
    ("GET", "/api/levels/NOPE?date=2019-06-12", None, 404, "NOPE"),
    ("GET", "/api/levels/SP%20Y", None, 422, "symbol"),
    ("GET", "/api/stats/level-to-level/SPY?from=%2B0.382", None, 422, "to"),
    ("POST", "/api/alerts", {"symbol": "SPY", "level": "+9.99", "direction": "up"}, 422, "level"),
    (
        "POST",
        "/api/alerts",
        {"symbol": "SPY", "level": "+0.382", "direction": "sideways"},
        422,
        "direction",
    ),
    (
        "POST",
        "/api/alerts",
        {"symbol": "SPY", "level": "+0.382", "direction": "up", "destination": "web:bob"},
        422,
        "web:alice",
    ),
    ("PATCH", "/api/alerts/a1", {"paused": "maybe"}, 422, "paused"),
    ("DELETE", "/api/alerts/nosuch", None, 422, "nosuch"),
    ("GET", "/api/strategies/search?q=", None, 422, "q"),
    ("POST", "/api/strategies/draft", {"text": "buy low sell high"}, 422, ""),
    ("POST", "/api/strategies", {"spec": {"id": "x"}}, 422, "spec"),
    ("POST", "/api/strategies/no-such-strategy/backtest", {}, 422, "no-such-strategy"),
    ("GET", "/api/threads/nope", None, 404, "nope"),
    ("GET", "/api/charts/..%2F..%2Faccounts.sqlite", None, 404, ""),
    ("GET", "/api/audit?limit=100000", None, 422, "limit"),
]


@pytest.mark.parametrize(("method", "path", "body", "code", "mentions"), BAD_INPUTS)
def test_bad_input_gets_a_clear_4xx(world: World, method, path, body, code, mentions):
    r = world.client.request(method, path, json=body, headers=world.auth("alice"))
    assert r.status_code == code, r.text
    error = r.json()["error"]
    assert error and mentions in error


def test_oversized_and_malformed_bodies_are_refused_without_a_500(world: World):
    huge = world.client.post(
        "/api/ask",
        content=b'{"question": "' + b"x" * 70_000 + b'"}',
        headers={**world.auth("alice"), "Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and "too large" in huge.json()["error"]
    broken = world.client.post(
        "/api/ask",
        content=b'{"question": ',
        headers={**world.auth("alice"), "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    for junk in ([], "text", {"question": None}, {"question": {"$gt": ""}}):
        r = world.client.post("/api/ask", json=junk, headers=world.auth("alice"))
        assert r.status_code == 422, (junk, r.text)


def test_offline_turns_skip_the_model_quota_but_not_the_flood_guard(tmp_path):
    # the language-model quota is 1 turn; offline answers cost nothing, so 3 pass, and the
    # flood guard (every turn, 3 per hour here) refuses the 4th with a clear message
    world = make_world(tmp_path, rate_limit=(1, 3600.0), abuse_limit=(3, 3600.0))
    for _ in range(3):
        r = world.client.post("/api/ask", json={"question": "SPY atr"}, headers=world.auth("alice"))
        assert r.status_code == 200
    r = world.client.post("/api/ask", json={"question": "SPY atr"}, headers=world.auth("alice"))
    assert r.status_code == 429
    assert "limit of 3 messages (all kinds) per 60 minutes" in r.json()["error"]
    assert 3000 < int(r.headers["Retry-After"]) <= 3600
    # bob's budget is his own; data endpoints are not LLM turns
    assert (
        world.client.post(
            "/api/ask", json={"question": "SPY atr"}, headers=world.auth("bob")
        ).status_code
        == 200
    )
    assert (
        world.client.get("/api/levels/SPY?date=2019-06-12", headers=world.auth("alice")).status_code
        == 200
    )


def test_every_tool_call_is_audited_with_who_what_and_outcome(world: World):
    world.client.post(
        "/api/ask", json={"question": PUT_TRIGGER_QUESTION, "thread": "audit-1"},
        headers=world.auth("bob"),
    )  # fmt: skip
    world.client.get("/api/levels/NOPE", headers=world.auth("bob"))
    entries = world.client.get("/api/audit?limit=20", headers=world.auth("bob")).json()
    assert {e["username"] for e in entries} == {"bob"}
    calls = [e for e in entries if e["event"] == "tool_call"]
    chat = next(e for e in calls if e["channel"] == "web")
    assert chat["tool"] == "atr_levels" and chat["outcome"] == "success"
    assert chat["args"]["symbol"] == "SPY" and chat["args"]["date"] == "2019-06-12"
    api = next(e for e in calls if e["channel"] == "api")
    assert api["tool"] == "atr_levels" and api["outcome"] == "error"
    assert (
        world.client.get("/api/audit?username=alice", headers=world.auth("bob")).status_code == 403
    )
    everyone = world.client.get("/api/audit?limit=1000", headers=world.auth("root")).json()
    assert {"bob", "alice"} <= {e["username"] for e in everyone}


def test_streamed_answer_sends_tool_then_text_then_done(world: World):
    with world.client.stream(
        "GET", "/api/ask/stream", params={"q": PUT_TRIGGER_QUESTION}, headers=world.auth("alice")
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = list(r.iter_lines())
    events = [line[7:] for line in lines if line.startswith("event: ")]
    text = "".join(lines)
    assert events[0] == "thread" and events[1] == "tool" and events[-1] == "done"
    assert "delta" in events
    assert "288.08" in text


def test_openapi_documents_the_api(world: World):
    spec = world.client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/levels/{symbol}", "/api/strategies", "/api/alerts"):
        assert path in spec["paths"]
    assert world.client.get("/docs").status_code == 200


def test_charts_are_drawn_on_request_and_served_by_url_never_by_server_path(world: World):
    plain = world.client.get("/api/levels/SPY?date=2019-06-12", headers=world.auth("alice"))
    assert plain.json()["chart"] is None
    drawn = world.client.get(
        "/api/levels/SPY?date=2019-06-12&chart=true", headers=world.auth("alice")
    ).json()
    assert drawn["chart"] == "/api/charts/levels-SPY-day-2019-06-12.png"
    png = world.client.get(drawn["chart"], headers=world.auth("alice"))
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert world.client.get(drawn["chart"], headers=world.auth("bob")).status_code == 404
    asked = world.client.post(
        "/api/ask",
        json={"question": "chart SPY levels for June 12, 2019"},
        headers=world.auth("alice"),
    ).text
    assert (
        str(world.home) not in asked and "levels-SPY-day-2019-06-12-dark.png" in asked
    )  # web: dark


def test_no_route_answers_junk_with_a_500(world: World):
    """Every API route, fed junk path values, query strings and bodies, answers 4xx (or 2xx)."""
    junk_values = ["", "%00", "..%2F..", "9" * 300, "%F0%9F%92%A5", "-1", "null"]
    bodies = [None, {}, [], "x", {"question": None}, {"spec": {"entry": "x"}}, {"up_to": -5}]
    for method, path in api_routes(world):
        for i, value in enumerate(junk_values):
            concrete = path
            for sample in SAMPLE_PATH_VALUES.values():
                concrete = concrete.replace(f"/{sample}", f"/{value}" if value else "/%20")
            url = f"{concrete}?date={value}&q={value}&limit={value}&from={value}&level={value}"
            r = world.client.request(
                method, url, json=bodies[i % len(bodies)], headers=world.auth("root")
            )
            assert r.status_code < 500, (method, url, r.status_code, r.text)


def test_alert_hours_are_validated_and_listed(world: World):
    bad = world.client.post(
        "/api/alerts",
        json={"symbol": "SPY", "level": "+0.382", "direction": "up", "after": "17:00"},
        headers=world.auth("bob"),
    )
    assert bad.status_code == 422 and "09:30 to 16:00" in bad.json()["error"]
    empty = world.client.post(
        "/api/alerts",
        json={"symbol": "SPY", "level": "+0.382", "direction": "up", "after": "14:00",
              "before": "13:00"},
        headers=world.auth("bob"),
    )  # fmt: skip
    assert empty.status_code == 422 and "empty" in empty.json()["error"]
    ok = world.client.post(
        "/api/alerts",
        json={"symbol": "SPY", "level": "+0.382", "direction": "up", "after": "13:00"},
        headers=world.auth("bob"),
    )
    assert ok.status_code == 201
    assert [a["window"] for a in ok.json()["alerts"]][-1] == "13:00-16:00"


def test_live_status_stream_sends_the_status_and_ends_when_the_engine_is_off(world: World):
    """With no live engine (this app runs none) the dashboard's stream sends the status once
    and closes; the browser's EventSource retries after the advertised 2 s."""
    with world.client.stream("GET", "/api/live/stream", headers=world.auth("alice")) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    assert body.startswith("retry: 2000\n\n")
    (event,) = [line for line in body.splitlines() if line.startswith("data: ")]
    status = json.loads(event[len("data: ") :])
    assert status["mode"] == "off" and status["events"] == 0 and status["today"] == {}
    assert world.client.get("/api/live/stream").status_code == 401
