"""References to the previous turn's objects: "backtest it", "save it", "pause that alert",
"list em", "size a long there", "alert me if it loses that", "how far apart are those",
"compare it to gg bull", "and the bear one" (a backtest of the other side)."""

from __future__ import annotations

import re
from typing import Any

from assistant.understand.build import alert
from assistant.understand.intents import strategy_names_in
from assistant.understand.levels import read_levels
from assistant.understand.manage import alert_action
from assistant.understand.reading import Reading
from assistant.understand.turns import CUE, FLIP, SIDE_PICK, Call, Turn


def _flip_words(name: str, t: str) -> str:
    """Return a strategy name with its side swapped ("Golden gate bull" → "Golden gate bear")."""
    pairs = {
        "bull": "bear",
        "bear": "bull",
        "call": "put",
        "put": "call",
        "long": "short",
        "short": "long",
    }
    want_bear = bool(re.search(r"\b(?:bear|bearish|put|short|down)\b", t))
    out = []
    for word in name.split(" "):
        key = word.lower().strip(",")
        if key in pairs and (key in ("bull", "call", "long")) == want_bear:
            word = word.replace(
                word.strip(","), pairs[key].capitalize() if word[0].isupper() else pairs[key]
            )
        out.append(word)
    return " ".join(out)


def _last_level(last: Turn) -> Call | None:
    for call in last.calls:
        if call["name"] == "atr_levels" and call["args"].get("level"):
            return call
    return None


def object_reference(r: Reading, intent: str | None, last: Turn) -> list[Call] | None:
    """Return calls for "backtest it", "pause that alert", "size a long there", "alert me if it
    loses that", "list em", "compare it to gg bull" style references to the last turn."""
    if not last.calls:
        return None
    call = last.calls[0]
    name = call["name"]
    pointing = r.has(
        r"\b(?:it|that|this|that one|this one|the alert|that alert|the strategy|there|em|them)\b"
    )
    leveled = _last_level(last)
    there = r.has(r"\b(?:there|that level|at it|at that|that price)\b")
    entry_part = re.split(r"\b(?:stop|sl|target|tgt)\b", r.t)[0]
    if leveled and there and intent == "sizing" and not read_levels(entry_part).keys:
        z = r.sizing
        entry = leveled["args"]["level"]
        given = {k: leveled["args"][k] for k in ("symbol", "date", "mode") if k in leveled["args"]}
        stop = z.stop
        if stop and (z.account or r.setting.account):
            args: dict[str, Any] = {
                "account_size": z.account or r.setting.account,
                "entry": entry,
                "stop": stop,
                **given,
            }
            if z.multiplier:
                args["multiplier"] = z.multiplier
                args.pop("side", None)
            risk = z.risk_pct if z.risk_pct is not None else r.setting.default_risk
            if z.risk_amount is not None:
                args["risk_amount"] = z.risk_amount
            elif risk is not None:
                args["risk_pct"] = risk
            if z.side:
                args["side"] = z.side
            return [{"name": "position_size", "args": args}]
    if leveled and pointing and intent == "create_alert" and not r.levels.keys:
        text = f"{r.t} {leveled['args']['level']}"
        built = alert(Reading(text, r.setting), [leveled["args"].get("symbol")])
        return built.calls or None
    if (
        name == "atr_levels"
        and r.has(r"\b(?:how far apart|distance|how many (?:pts|points)|spread|gap)\b")
        and r.has(r"\b(?:those|them|these|they|the two|both)\b")
    ):
        keys = call["args"].get("levels") or []
        if not keys and call["args"].get("level") and last.earlier is not None:
            before = last.earlier.calls[0]["args"] if last.earlier.calls else {}
            same = all(before.get(k) == call["args"].get(k) for k in ("symbol", "date", "mode"))
            if same and before.get("level") and before["level"] != call["args"]["level"]:
                keys = [before["level"], call["args"]["level"]]
        if len(keys) == 2:
            given = {k: call["args"][k] for k in ("symbol", "date", "mode") if k in call["args"]}
            return [
                {
                    "name": "level_distance",
                    "args": {**given, "start_at": keys[0], "end_at": keys[1]},
                }
            ]
    priced = re.search(
        r"(?<![+-])\b\d{2,}(?:\.\d+)?\b", re.sub(r"\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?", " ", r.t)
    )
    if (
        leveled
        and intent == "distance"
        and r.has(r"\b(?:that|it|there)\b")
        and r.levels.keys
        and not priced
    ):
        given = {k: leveled["args"][k] for k in ("symbol", "date", "mode") if k in leveled["args"]}
        start, end = leveled["args"]["level"], r.levels.keys[0]
        if start != end:
            return [{"name": "level_distance", "args": {**given, "start_at": start, "end_at": end}}]
    if (
        name in ("create_alert", "change_alert", "list_alerts")
        and alert_action(r.t)
        and r.levels.keys
    ):
        args = {"action": alert_action(r.t), "level": r.levels.keys[0]}
        sym = r.symbols[0] if r.symbols else call["args"].get("symbol")
        return [{"name": "change_alert", "args": {**args, **({"symbol": sym} if sym else {})}}]
    price = re.search(r"\b(?:from|to|at|vs) \$?(\d{3,6}(?:\.\d+)?)\b", r.t)
    far = r.has(r"\bhow far\b|\bdistance\b|\bhow many (?:pts|points)\b")
    if leveled and far and price and r.has(r"\b(?:that|it|there)\b") and not r.levels.keys:
        given = {k: leveled["args"][k] for k in ("symbol", "date", "mode") if k in leveled["args"]}
        args = {**given, "start_at": price[1], "end_at": leveled["args"]["level"]}
        return [{"name": "level_distance", "args": args}]
    if name in ("create_alert", "change_alert", "list_alerts") and r.has(
        r"^(?:list|show|see)(?: me)? (?:em|them|all|those|my alerts?)\b"
    ):
        return [{"name": "list_alerts", "args": {}}]
    if name == "backtest_strategy" and r.has(r"\bcompare (?:it|that|this)\b"):
        other = strategy_names_in(r.t) or [
            re.sub(r"^.*\b(?:to|with|against|vs)\b", "", r.t).strip(" ?")
        ]
        args = {"strategies": [call["args"]["strategy"], *other]}
        if call["args"].get("symbol"):
            args["symbol"] = call["args"]["symbol"]
        return [{"name": "compare_strategies", "args": args}]
    if (
        name == "backtest_strategy"
        and re.search(FLIP, r.t)
        or (name == "backtest_strategy" and re.search(SIDE_PICK, r.t))
    ):
        flipped = _flip_words(call["args"]["strategy"], r.t)
        if flipped != call["args"]["strategy"]:
            args = {**call["args"], "strategy": flipped}
            args.pop("spec", None)
            return [{"name": "backtest_strategy", "args": args}]
    if name == "backtest_strategy" and CUE.search(r.t) and not r.has(r"\b(?:it|that)\b"):
        names = strategy_names_in(r.t)
        if names:
            args = {**call["args"], "strategy": names[0]}
            args.pop("spec", None)
            if r.symbols:
                args["symbol"] = r.symbols[0]
            return [{"name": "backtest_strategy", "args": args}]
    if name in ("create_alert", "change_alert", "list_alerts") and pointing:
        action = alert_action(r.t)
        result = call.get("result") or {}
        found = re.search(r"\b(a[0-9a-f]{7,8})\b", str(result.get("message", "")))
        alerts = result.get("alerts") or []
        alert_id = (
            found[1]
            if found
            else call["args"].get("alert_id") or (alerts[0]["id"] if len(alerts) == 1 else None)
        )
        if action and alert_id:
            return [{"name": "change_alert", "args": {"alert_id": alert_id, "action": action}}]
    gate = name == "golden_gate_stats" and call["args"].get("direction") in ("bull", "bear")
    if gate and r.has(r"\b(?:back ?test|bt)\b") and pointing:
        args = {"strategy": f"Golden gate {call['args']['direction']}"}
        if call["args"].get("symbol"):
            args["symbol"] = call["args"]["symbol"]
        return [{"name": "backtest_strategy", "args": args}]
    if name in ("draft_strategy", "save_strategy", "update_strategy", "show_strategy") and r.has(
        r"\b(?:back ?test|bt|run)\b"
    ):
        spec = call["args"].get("spec") or {}
        result = call.get("result") or {}
        ref = spec.get("name") or result.get("name") or call["args"].get("ref")
        if name == "draft_strategy" and spec:
            args: dict[str, Any] = {"strategy": ref, "spec": spec}
        else:
            args = {"strategy": ref}
        start, end = r.range
        if start:
            args["start"] = start.isoformat()
        if end:
            args["end"] = end.isoformat()
        return [{"name": "backtest_strategy", "args": args}]
    return None
