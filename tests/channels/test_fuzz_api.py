"""Property test over the OpenAPI document (issue #12, defect 3): whatever a client sends to any
route, the answer is never a 500. Values are drawn from each parameter's schema, with the edges
that used to break the server: dates past 2262 (pandas' limit), integers past 64 bits, lone
UTF-16 surrogates in strings, NaN and huge floats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.channels.conftest import World, make_world

EDGE_TEXT = st.sampled_from(
    ["\ud800", "x\udfffy", "", " ", "2019-02-30", "../../etc", "%00", "9" * 40]
)
TEXT = st.one_of(EDGE_TEXT, st.text(max_size=30))
DATE = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat),
    st.sampled_from(["2300-01-01", "9999-12-31", "0001-01-01", "2262-04-12"]),
    TEXT,
)
INT = st.one_of(st.integers(-10, 10**6), st.sampled_from([2**63, 2**70, -(2**70)]))
NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), INT)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(Path(tmp_path_factory.mktemp("fuzz")))


def _value(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> st.SearchStrategy:
    if "$ref" in schema:
        return _value(components[schema["$ref"].split("/")[-1]], components, depth)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([_value(s, components, depth) for s in schema[key]])
    kind = schema.get("type")
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), TEXT)
    if kind == "integer":
        return INT
    if kind == "number":
        return NUMBER
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return DATE if schema.get("format") in ("date", "date-time") else TEXT
    if kind == "array":
        return st.lists(_value(schema.get("items", {}), components, depth + 1), max_size=3)
    if kind == "object" and depth < 3:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: _value(v, components, depth + 1) for k, v in props.items() if k in required},
            optional={
                k: _value(v, components, depth + 1) for k, v in props.items() if k not in required
            },
        )
    return st.one_of(TEXT, INT, st.none())


def _operations(world: World) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    doc = world.client.app.openapi()
    components = doc.get("components", {}).get("schemas", {})
    out = []
    for path, methods in doc["paths"].items():
        if not path.startswith("/api") or "stream" in path or path.startswith("/api/auth"):
            continue
        for method, op in methods.items():
            out.append((method, path, op, components))
    return out


def _request(
    draw: Any, path: str, op: dict[str, Any], components: dict[str, Any]
) -> tuple[str, dict, Any]:
    query: dict[str, Any] = {}
    for param in op.get("parameters", []):
        value = draw(_value(param.get("schema", {}), components))
        if param["in"] == "path":
            text = str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace") or "x"
            path = path.replace("{" + param["name"] + "}", quote(text, safe=""))
        elif param["in"] == "query" and value is not None:
            query[param["name"]] = (
                value
                if not isinstance(value, str)
                else value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            )
    body = None
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        body = draw(_value(content["schema"], components))
    return path, query, body


def _fuzz_route(world: World, method: str, path: str, op: dict, components: dict) -> None:
    """Send 15 drawn requests to one route; fail on the first 500."""

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(st.data())
    def one_request(data: st.DataObject) -> None:
        url, query, body = _request(data.draw, path, op, components)
        content = None
        if body is not None:
            content = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
        response = world.client.request(
            method.upper(),
            url,
            params={k: str(v) for k, v in query.items()},
            content=content,
            headers={**world.auth("alice"), "content-type": "application/json"},
        )
        assert response.status_code < 500, (method, url, query, body, response.text[:300])

    one_request()


def test_fuzzing_every_route_never_gives_a_500(world: World):
    operations = _operations(world)
    assert len(operations) >= 25
    for method, path, op, components in operations:
        _fuzz_route(world, method, path, op, components)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/stats/golden-gate/SPX?start=2300-01-01", None),
        ("post", "/api/strategies/golden-gate-bull/backtest", {"start": "2300-01-01"}),
        ("get", "/api/notifications?after=99999999999999999999999", None),
        ("post", "/api/notifications/read", {"up_to": 99999999999999999999999}),
    ],
)
def test_the_reported_500s_are_clear_4xx_now(world: World, method, url, body):
    response = getattr(world.client, method)(
        url, headers=world.auth("alice"), **({"json": body} if body else {})
    )
    assert 400 <= response.status_code < 500, response.text


def test_a_lone_surrogate_is_refused_and_the_audit_stays_readable(world: World):
    raw = b'{"text": "long spy when it crosses the call trigger, target gg, stop pdc \\ud800"}'
    response = world.client.post(
        "/api/strategies/draft",
        content=raw,
        headers={**world.auth("alice"), "content-type": "application/json"},
    )
    assert response.status_code == 422
    spec = {"name": "bad \\ud800 name", "entry": [{"kind": "level_cross", "level": "+0.236"}]}
    saved = world.client.post(
        "/api/strategies",
        content=('{"spec": ' + json.dumps(spec).replace("\\\\ud800", "\\ud800") + "}").encode(),
        headers={**world.auth("alice"), "content-type": "application/json"},
    )
    assert saved.status_code == 422
    assert world.client.get("/api/audit", headers=world.auth("root")).status_code == 200
