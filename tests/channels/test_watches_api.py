"""Strategy watches and the paper journal through the HTTP API: start a watch, let the live
engine's watch runner evaluate a replayed session, read the journal as JSON and as CSV.

Totals are recomputed here from the rows (wins, P&L sum, mean R), not taken from the tool."""

from __future__ import annotations

import csv
import io

import pandas as pd

from integrations.alerts.strategywatch import WatchRunner
from tests.channels.conftest import World

ET = "America/New_York"


def test_a_watch_started_over_the_api_fills_a_journal_readable_as_json_and_csv(world: World):
    a = world.auth("alice")
    made = world.client.post(
        "/api/watches", json={"strategy": "put trigger to midrange", "symbol": "SPY"}, headers=a
    )
    assert made.status_code == 201, made.text
    (line,) = made.json()["watches"]
    assert (line["strategy"], line["symbol"], line["destination"]) == (
        "Put trigger to midrange",
        "SPY",
        "web:alice",
    )
    runner = WatchRunner(world.service.services["watches"], world.service.source)
    runner.on_event("SPY", pd.Timestamp("2026-02-11 09:30", tz=ET))
    for day in ("2026-02-11", "2026-02-12", "2026-02-13"):
        for clock in pd.date_range(f"{day} 09:35", f"{day} 16:00", freq="5min", tz=ET):
            runner.on_event("SPY", clock)
    got = world.client.get("/api/journal", headers=a).json()
    trades = got["trades"]
    closed = [t for t in trades if t["exit_time"] is not None]
    assert len(closed) >= 2  # the check has teeth: two trades closed in these sessions
    assert got["closed"] == len(closed) and got["open"] == len(trades) - len(closed)
    assert got["wins"] == sum(t["pnl"] > 0 for t in closed)
    assert got["total_pnl"] == round(sum(t["pnl"] for t in closed), 2)
    rs = [t["r_multiple"] for t in closed]
    assert got["average_r"] == round(sum(rs) / len(rs), 2)
    for t in closed:  # P&L of one unit at the cent: side × (exit − entry)
        sign = 1 if t["side"] == "long" else -1
        assert round(sign * t["qty"] * (t["exit_price"] - t["entry_price"]), 2) == t["pnl"]
    text = world.client.get("/api/journal.csv", headers=a)
    assert text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert [r["entry_time"] for r in rows] == [t["entry_time"] for t in trades]
    assert [float(r["entry_price"]) for r in rows] == [t["entry_price"] for t in trades]
    # another user sees none of it; pausing and deleting work on one's own watch only
    assert world.client.get("/api/journal", headers=world.auth("bob")).json()["trades"] == []
    wid = line["id"]
    assert world.client.delete(f"/api/watches/{wid}", headers=world.auth("bob")).status_code == 422
    paused = world.client.patch(f"/api/watches/{wid}", json={"action": "pause"}, headers=a)
    assert paused.json()["watches"][0]["paused"] is True
    assert world.client.delete(f"/api/watches/{wid}", headers=a).json()["watches"] == []
    assert world.client.get("/api/journal", headers=a).json()["trades"] == trades  # it stays


def test_an_alerts_firing_history_over_the_api_and_in_chat(world: World):
    a = world.auth("alice")
    made = world.client.post(
        "/api/alerts", json={"symbol": "SPY", "level": "+0.382", "direction": "up"}, headers=a
    )
    alert_id = made.json()["alerts"][-1]["id"]
    store = world.service.services["alerts"]
    assert store.record(alert_id, "2026-02-12", "2026-02-12T09:32:15", 684.5, 684.41, "fired")
    assert store.record(alert_id, "2026-02-13", "2026-02-13T10:05:00", 684.45, 684.41, "fired")
    got = world.client.get(f"/api/alerts/{alert_id}/firings", headers=a).json()
    assert [f["fired_at"] for f in got["firings"]] == ["2026-02-13T10:05:00", "2026-02-12T09:32:15"]
    assert got["firings"][1]["price"] == 684.5 and got["firings"][1]["delivered"] is False
    bob = world.client.get(f"/api/alerts/{alert_id}/firings", headers=world.auth("bob"))
    assert bob.status_code == 422 and alert_id in bob.json()["error"]  # his own id echoed only
    reply = world.client.post(
        "/api/ask", json={"question": "when did my spy gg alert fire?"}, headers=a
    ).json()
    assert "fired 2 time(s)" in reply["answer"] and "2026-02-13 10:05:00" in reply["answer"]
