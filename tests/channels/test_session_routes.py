"""The HTTP forms of the session questions: what happened in a session, counts over a period,
the average true range. Each answers with the tool's own result (checked against a direct tool
call), and bad input is a 4xx naming what is accepted."""

from __future__ import annotations

import datetime as dt

from tests.channels.conftest import World
from tools import ToolContext, run_tool


def _direct(source, name, args):
    return run_tool(ToolContext(source=source), name, args).model_dump(mode="json")


def test_session_route_matches_the_tool(world: World, source):
    got = world.client.get("/api/sessions/SPX?date=2025-06-03", headers=world.auth("alice"))
    assert got.status_code == 200
    want = _direct(source, "session_outcome", {"symbol": "SPX", "date": dt.date(2025, 6, 3)})
    assert got.json() == want
    assert got.json()["previous_close"] == 5935.94  # spx_daily 2025-06-02 close


def test_counts_and_atr_routes_match_the_tools(world: World, source):
    a = world.auth("alice")
    counts = world.client.get(
        "/api/stats/counts/SPY?event=touch&level=%2B1&start=2025-01-01&end=2025-12-31&dates=true",
        headers=a,
    ).json()
    want = _direct(
        source,
        "session_counts",
        {"symbol": "SPY", "event": "touch", "level": "+1", "start": "2025-01-01",
         "end": "2025-12-31", "list_dates": True},
    )  # fmt: skip
    assert counts == want and len(counts["dates"]) == counts["count"]
    atr = world.client.get("/api/stats/atr/SPY?sessions=20&date=2025-06-03", headers=a).json()
    assert atr == _direct(
        source, "average_true_range", {"symbol": "SPY", "sessions": 20, "date": "2025-06-03"}
    )


def test_bad_input_is_a_4xx_that_says_what_is_accepted(world: World):
    a = world.auth("alice")
    far = world.client.get("/api/sessions/SPX?date=9999-12-31", headers=a)
    assert far.status_code == 422 and "1900-01-01 to 2200-12-31" in far.text
    level = world.client.get("/api/stats/counts/SPY?event=touch&level=nope", headers=a)
    assert level.status_code == 422 and "+0.382" in level.text
    assert world.client.get("/api/stats/atr/SPY?sessions=1", headers=a).status_code == 422
    assert world.client.get("/api/sessions/QQQ", headers=a).status_code == 404
