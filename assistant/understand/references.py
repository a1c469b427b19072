"""References to the previous turn's objects: "backtest it", "save it", "pause that alert",
"list em", "size a long there", "alert me if it loses that", "how far apart are those",
"compare it to gg bull", "and the bear one" (a backtest of the other side)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.understand.build import alert, sizing_terms
from assistant.understand.levels import read_levels
from assistant.understand.manage import EDIT_WORDS, alert_action, alert_filters
from assistant.understand.objectturns import strategy_of
from assistant.understand.reading import Reading
from assistant.understand.ruletests import strategy_names_in
from assistant.understand.turns import CUE, FLIP, SIDE_PICK, Call, Turn
from tools.strategies import builtin_name


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


_ALERT_TOOLS = ("create_alert", "change_alert", "edit_alert", "list_alerts", "alert_history")
_POINTING = (
    r"\b(?:it|that|this|that one|this one|the alert|that alert|the strategy|there|em|them)\b"
)


@dataclass
class _Ref:
    """The message and the previous turn a reference is resolved against."""

    r: Reading
    intent: str | None
    last: Turn
    call: Call
    leveled: Call | None

    @property
    def name(self) -> str:
        return str(self.call["name"])

    def session(self, call: Call) -> dict[str, Any]:
        """Return the symbol, date and mode of ``call`` (what a new call about it keeps)."""
        return {k: call["args"][k] for k in ("symbol", "date", "mode") if k in call["args"]}


def _size_there(x: _Ref) -> list[Call] | None:
    """ "size a long there, stop at the call trigger": the entry is the level answered."""
    r, leveled = x.r, x.leveled
    entry_part = re.split(r"\b(?:stop|sl|target|tgt)\b", r.t)[0]
    there = r.has(
        r"\b(?:there|that level|at it|at that|that price)\b|\bsize (?:that|it|this)(?: (?:long|short|trade))?\b"
    )
    if not (leveled and there and x.intent == "sizing" and not read_levels(entry_part).keys):
        return None
    z = r.sizing
    account = z.account or r.setting.account
    if not (z.stop and account):
        return None
    args: dict[str, Any] = {"account_size": account, "entry": leveled["args"]["level"]}
    args.update(stop=z.stop, **x.session(leveled), **sizing_terms(r))
    return [{"name": "position_size", "args": args}]


def _alert_on_it(x: _Ref) -> list[Call] | None:
    """ "alert me if it loses that": the level answered."""
    if not (
        x.leveled and x.r.has(_POINTING) and x.intent == "create_alert" and not x.r.levels.keys
    ):
        return None
    text = f"{x.r.t} {x.leveled['args']['level']}"
    return alert(Reading(text, x.r.setting), [x.leveled["args"].get("symbol")]).calls or None


def _distance_apart(x: _Ref) -> list[Call] | None:
    """ "how far apart are those": the two levels of the last answer (or of the last two)."""
    r, call = x.r, x.call
    asked = r.has(r"\b(?:how far apart|distance|how many (?:pts|points)|spread|gap|points|pts)\b")
    pointed = r.has(r"\b(?:those|them|these|they|the two|both|em)\b|\bbetween\W*$")
    if not (x.name == "atr_levels" and asked and pointed):
        return None
    keys = call["args"].get("levels") or []
    if not keys and call["args"].get("level") and x.last.earlier is not None:
        before = x.last.earlier.calls[0]["args"] if x.last.earlier.calls else {}
        same = all(before.get(k) == call["args"].get(k) for k in ("symbol", "date", "mode"))
        if same and before.get("level") and before["level"] != call["args"]["level"]:
            keys = [before["level"], call["args"]["level"]]
    if len(keys) != 2:
        return None
    args = {**x.session(call), "start_at": keys[0], "end_at": keys[1]}
    return [{"name": "level_distance", "args": args}]


def _distance_from_it(x: _Ref) -> list[Call] | None:
    """ "how far is that from the put trigger" / "how far is that from 6900"."""
    r, leveled = x.r, x.leveled
    if not leveled or not r.has(r"\b(?:that|it|there)\b"):
        return None
    undated = re.sub(r"\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?", " ", r.t)
    priced = re.search(r"(?<![+-])\b\d{2,}(?:\.\d+)?\b", undated)
    if x.intent == "distance" and r.levels.keys and not priced:
        start, end = leveled["args"]["level"], r.levels.keys[0]
        if r.has(
            r"\bdid (?:it|we|spx|spy|price) close\b|\bclosed? (?:above|below|over|under|from)\b"
        ):
            start = "close"  # "how many pts did it close above the +1": from that session's close
        if start == end:
            return None
        return [
            {
                "name": "level_distance",
                "args": {**x.session(leveled), "start_at": start, "end_at": end},
            }
        ]
    if (
        r.has(r"\bdid (?:it|we|spx|spy|price) close\b|\bclosed? (?:above|below|over|under)\b")
        and not r.levels.keys
    ):
        args = {**x.session(leveled), "start_at": leveled["args"]["level"], "end_at": "close"}
        return [{"name": "level_distance", "args": args}]  # "how far above it did it close"
    price = re.search(r"\b(?:from|to|at|vs) \$?(\d{3,6}(?:\.\d+)?)\b", r.t)
    far = r.has(
        r"\bhow far\b|\bdistance\b|\bhow many (?:pts|points)\b|\bin (?:%|pts|points|atr|\$)"
        r"|^(?:and )?from \$?\d[\d.]* to (?:it|that|there)\b"
    )
    if far and price and not r.levels.keys:
        args = {**x.session(leveled), "start_at": price[1], "end_at": leveled["args"]["level"]}
        return [{"name": "level_distance", "args": args}]
    return None


def _alerts_named(x: _Ref) -> list[Call] | None:
    """ "pause the -1 one", "list em", "list", "pause that", "delete it" after an alert answer."""
    r, call = x.r, x.call
    if x.name not in _ALERT_TOOLS:
        return None
    action = alert_action(r.t)
    if action and r.levels.keys:
        sym = r.symbols[0] if r.symbols else call["args"].get("symbol")
        args = {"action": action, "level": r.levels.keys[0], **({"symbol": sym} if sym else {})}
        return [{"name": "change_alert", "args": args}]
    if action and r.symbols and r.has(r"\b(?:one|alert)\b"):  # "pause the spy one for now"
        args = {"action": action, "symbol": r.symbols[0]}
        if len(set(r.levels.unsided)) == 1:  # "pause the spx gg one": either side of the gate
            args["level"] = r.levels.unsided[0]
        return [{"name": "change_alert", "args": args}]
    if r.has(
        r"^(?:list|show|see)(?: me)? (?:em|them|all|those|my alerts?)\b|^(?:list|ls)(?: again)?\W*$"
    ):
        return [{"name": "list_alerts", "args": {}}]
    every = r"(?:them |em )?(?:all|both|everything|all of them|all of em)"
    if action and r.has(rf"^(?:ok |okay |k |now |and |then )?{action} {every}\W*(?:pls|please)?$"):
        return [{"name": "change_alert", "args": {"action": action, "every": True}}]
    bare = (
        r.has(
            rf"^(?:ok |okay |k |now |and |then |actually |just |actually just )*{action}\W*(?:(?:it|now|pls|please) ?)*$"
        )
        if action
        else False
    )
    if action and (picked := _ordinal_alert(r, x.last)):  # "delete the first one"
        return [{"name": "change_alert", "args": {"alert_id": picked, "action": action}}]
    if not (action and (r.has(_POINTING) or bare)):
        return None
    result = call.get("result") or {}
    found = re.search(r"\b(a[0-9a-f]{7,8})\b", str(result.get("message", "")))
    alerts = result.get("alerts") or []
    alert_id = found[1] if found else call["args"].get("alert_id")
    alert_id = alert_id or (alerts[0]["id"] if len(alerts) == 1 else None)
    if alert_id:
        return [{"name": "change_alert", "args": {"alert_id": alert_id, "action": action}}]
    named = {k: call["args"][k] for k in ("symbol", "level") if k in call["args"]}
    # "pause the spy one" then "actually just delete it": the same alert, by the same words
    return [{"name": "change_alert", "args": {**named, "action": action}}] if named else None


_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}


def _ordinal_alert(r: Reading, last: Turn) -> str | None:
    """Return the id of "the first/second/last one" among the alerts the last answer created
    (in the order asked) or listed, or None."""
    m = re.search(r"\bthe (first|1st|second|2nd|third|3rd|last) (?:one|alert)\b", r.t)
    if not m:
        return None
    created = [
        found[1]
        for c in last.calls
        if c["name"] == "create_alert"
        and (
            found := re.search(
                r"\b(a[0-9a-f]{7,8})\b", str((c.get("result") or {}).get("message", ""))
            )
        )
    ]
    listed = [a["id"] for a in ((last.calls[-1].get("result") or {}).get("alerts") or [])]
    ids = created if len(created) > 1 else listed
    index = _ORDINALS[m[1]]
    return ids[index] if -len(ids) <= index < len(ids) else None


def _alert_edited(x: _Ref) -> list[Call] | None:
    """ "make it only after 2pm", "only with a bullish ribbon" after an alert answer."""
    r, call = x.r, x.call
    removing_filter = r.has(
        r"\b(?:remove|drop|delete|kill|clear) (?:the )?(?:time|window|hours|ribbon)"
    )
    if x.name not in _ALERT_TOOLS or r.levels.keys or (alert_action(r.t) and not removing_filter):
        return None
    filters = alert_filters(r)
    if not (filters and r.has(EDIT_WORDS)):
        return None
    result = call.get("result") or {}
    found = re.search(r"\b(a[0-9a-f]{7,8})\b", str(result.get("message", "")))
    alerts = result.get("alerts") or []
    alert_id = found[1] if found else call["args"].get("alert_id")
    alert_id = alert_id or (alerts[0]["id"] if len(alerts) == 1 else None)
    return [{"name": "edit_alert", "args": {"alert_id": alert_id, **filters}}] if alert_id else None


def _backtest_more(x: _Ref) -> list[Call] | None:
    """ "compare it to gg bull", "and the bear one", "now put trigger to midrange"."""
    r, call = x.r, x.call
    if x.name != "backtest_strategy":
        return None
    if r.has(
        r"\bcompare (?:it|that|this|them|both|the two)\b|^(?:and )?(?:compare|vs\.?|versus)\b"
    ):
        other = strategy_names_in(r.t) or [
            re.sub(r"^.*\b(?:to|with|w/?|against|vs)(?:\b|(?<=/))", "", r.t).strip(" ?")
        ]
        other = [builtin_name(re.sub(r"^(?:the|my) ", "", o)) or o for o in other]
        if re.search(FLIP, r.t) or re.search(SIDE_PICK, r.t):  # "compare it with the bear one"
            flipped = _flip_words(call["args"]["strategy"], r.t)
            other = [flipped] if flipped != call["args"]["strategy"] else other
        args: dict[str, Any] = {"strategies": [call["args"]["strategy"], *other]}
        for key in ("symbol", "start", "end"):  # compared on the data just backtested
            if call["args"].get(key):
                args[key] = call["args"][key]
        return [{"name": "compare_strategies", "args": args}]
    if re.search(FLIP, r.t) or re.search(SIDE_PICK, r.t):
        flipped = _flip_words(call["args"]["strategy"], r.t)
        if flipped != call["args"]["strategy"]:
            args = {k: v for k, v in call["args"].items() if k != "spec"}
            if r.symbols:  # "now the bear one on spy"
                args["symbol"] = r.symbols[0]
            return [{"name": "backtest_strategy", "args": {**args, "strategy": flipped}}]
    names = strategy_names_in(r.t)
    if CUE.search(r.t) and not r.has(r"\b(?:it|that)\b") and names:
        args = {k: v for k, v in call["args"].items() if k != "spec"}
        args["strategy"] = names[0]
        if r.symbols:
            args["symbol"] = r.symbols[0]
        return [{"name": "backtest_strategy", "args": args}]
    return None


def _backtest_it(x: _Ref) -> list[Call] | None:
    """ "backtest it" after golden-gate odds, a draft or a saved strategy."""
    r, call, name = x.r, x.call, x.name
    if not r.has(r"\b(?:back ?test|bt|run)\b"):
        return None
    if name == "level_to_level" and r.has(_POINTING):
        pair = (call["args"].get("from_level"), call["args"].get("to_level"))
        named = {
            ("+0.236", "+0.618"): "Call trigger to midrange",
            ("-0.236", "-0.618"): "Put trigger to midrange",
        }
        if pair in named:
            args: dict[str, Any] = {"strategy": named[pair]}
            if call["args"].get("symbol"):
                args["symbol"] = call["args"]["symbol"]
            return [{"name": "backtest_strategy", "args": args}]
    if name == "golden_gate_stats" and call["args"].get("direction") in ("bull", "bear"):
        if not r.has(_POINTING) or not r.has(r"\b(?:back ?test|bt)\b"):
            return None
        args = {"strategy": f"Golden gate {call['args']['direction']}"}
        if call["args"].get("symbol"):
            args["symbol"] = call["args"]["symbol"]
        return [{"name": "backtest_strategy", "args": args}]
    if name == "explain_term" and r.has(_POINTING):  # "explain vomy" then "backtest it"
        builtin = builtin_name(str(call["args"].get("term", "")))
        if builtin is None:
            return None
        args = {"strategy": builtin, **({"symbol": r.symbols[0]} if r.symbols else {})}
        return [{"name": "backtest_strategy", "args": args}]
    if name not in ("draft_strategy", "save_strategy", "update_strategy", "show_strategy"):
        return None
    spec = call["args"].get("spec") or {}
    result = call.get("result") or {}
    args = {"strategy": spec.get("name") or result.get("name") or call["args"].get("ref")}
    if name == "draft_strategy" and spec:
        args["spec"] = spec
    start, end = r.range
    if start:
        args["start"] = start.isoformat()
    if end:
        args["end"] = end.isoformat()
    return [{"name": "backtest_strategy", "args": args}]


_WATCH_IT = (
    r"^(?:ok |okay |now |and |then |so |can you |pls |please |lets |let's )*"
    r"(?:watch|paper[- ]?trade|track|monitor|run|go live with|forward[- ]?test)"
    r" (?:it|that|this|that one|this one|the strategy)\b"
)
_STRATEGY_ANSWERS = (
    "save_strategy", "update_strategy", "show_strategy", "backtest_strategy", "draft_strategy"
)  # fmt: skip


def _watch_it(x: _Ref) -> list[Call] | None:
    """ "watch it on spx", "paper trade that", "run it live" after a strategy answer: watch that
    strategy (a draft must be saved first; the tool says so)."""
    if x.name not in _STRATEGY_ANSWERS or not x.r.has(_WATCH_IT):
        return None
    if not x.r.has(r"\b(?:watch|paper|track|monitor|live|forward)"):
        return None  # "run it (on spy)" is a backtest, after a backtest too
    name = strategy_of(x.call)
    if not name:
        return None
    args: dict[str, Any] = {"strategy": name}
    if x.r.symbols:
        args["symbol"] = x.r.symbols[0]
    channel = re.search(r"#[\w-]+", x.r.text.lower())
    if channel:
        args["destination"] = channel[0]
    return [{"name": "watch_strategy", "args": args}]


def _sample_size(x: _Ref) -> list[Call] | None:
    """ "how many triggers is that based on": the same statistics again (they carry the count)."""
    stats = ("golden_gate_stats", "level_to_level", "backtest_strategy")
    asked = x.r.has(r"\bhow many\b.*\b(?:that|this|it)\b|\bsample size\b|\bbased on\b")
    if x.name in stats and asked:
        return [{"name": x.name, "args": dict(x.call["args"])}]
    return None


_HANDLERS = (
    _size_there,
    _alert_on_it,
    _distance_apart,
    _distance_from_it,
    _alerts_named,
    _alert_edited,
    _backtest_more,
    _watch_it,
    _backtest_it,
    _sample_size,
)


def object_reference(r: Reading, intent: str | None, last: Turn) -> list[Call] | None:
    """Return calls for "backtest it", "pause that alert", "size a long there", "alert me if it
    loses that", "list em", "compare it to gg bull" style references to the last turn (the
    first handler that recognises the message decides), or None."""
    if not last.calls:
        return None
    ref = _Ref(r, intent, last, last.calls[0], _last_level(last))
    for handler in _HANDLERS:
        calls = handler(ref)
        if calls:
            return calls
    return None
