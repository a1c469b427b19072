"""Follow-ups, in one place: a message that changes or points at the previous turn.

"and spy?" (other symbol), "next day?" (shift the session answered), "what about weekly" (mode),
"the bear one" (other side), "bull GG?" (another level), "after 2pm instead", "make it 2%",
"backtest it", "pause that alert", "change the target to the bearish midrange" (a revised draft).
The previous turn's calls *and results* are used: a shift starts from the session answered.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.understand.build import _keys, fill
from assistant.understand.changes import (
    counts_change,
    gate_change,
    pair_change,
    range_change,
    sizing_change,
)
from assistant.understand.conditions import read_conditions
from assistant.understand.distances import money_terms
from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.reading import Reading
from assistant.understand.strategyturns import about_the_answer
from assistant.understand.turns import CUE, FLIP, LEVEL_TOOLS, NEXT, PREV, SIDE_PICK, Call, Turn
from assistant.understand.vocab import alternation, months
from core.calendar import next_session, previous_session
from tools import TOOLS


def _answered_date(call: Call) -> dt.date | None:
    result = call.get("result") or {}
    raw = result.get("date") or call["args"].get("date")
    return dt.date.fromisoformat(str(raw)[:10]) if raw else None


def _shift(day: dt.date, steps: int, mode: str) -> dt.date:
    if mode in ("multiday", "swing", "position", "longterm"):
        days = {"multiday": 7, "swing": 31, "position": 92, "longterm": 366}[mode] * steps
        target = day + dt.timedelta(days=days)
        if mode == "swing":
            target = target.replace(day=1)
        return target
    for _ in range(abs(steps)):
        day = next_session(day) if steps > 0 else previous_session(day)
    return day


def _weekday_near(day: dt.date, weekday: int, t: str) -> dt.date:
    """Return the weekday a follow-up means next to the session answered: "monday after" the next
    one, "friday before" the previous one, else the one in the same week ("that monday")."""
    if re.search(r"\b(?:after|following|next)\b", t):
        return day + dt.timedelta(days=(weekday - day.weekday()) % 7 or 7)
    if re.search(r"\b(?:before|prior|previous|last)\b", t):
        return day - dt.timedelta(days=(day.weekday() - weekday) % 7 or 7)
    return day + dt.timedelta(days=weekday - day.weekday())


def _flip(value: str) -> str:
    return value if value == "0" else ("-" if value.startswith("+") else "+") + value[1:]


_WEAK_RULES = ("levels", "levels-by-key", "levels-by-mode", "indicator", "range-vs-atr")


def _is_follow_up(r: Reading, intent: str | None, rule: str, last_tool: str) -> bool:
    """Return True when the message reads as a change to the previous turn: no intent of its
    own, the same tool, or a weak intent (a bare level or mode word) with a follow-up cue."""
    cue = bool(CUE.search(r.t)) or r.has(r"\binstead\b|\bsame\b|\bjust\b|\bonly\b")
    stats = last_tool in ("golden_gate_stats", "level_to_level")
    short = r.words() <= 6 or r.has(
        r"^(?:with|w|when|while|if|and|only|but|on|count\w*|includ\w*|treat)\b"
    )
    if stats and short and read_conditions(r, last_tool).args:
        return True  # "when the ribbon's bullish", "mondays only": the same odds, conditioned
    if intent is None:
        return True
    counted = last_tool in ("session_counts", "level_to_level")  # "-1?" changes their level
    if counted and rule in ("levels-by-key", "levels") and r.words() <= 4:
        return True  # "-1?", "inside the gg's?" after a count: the same count at another level
    same = _tool_of(intent) == last_tool or (intent == "levels" and last_tool in LEVEL_TOOLS)
    sizing_words = r"\b(?:target|tgt|stop|risk|account|acct|r\b|what r|side|short|long|es|mes|contracts?|shares)\b"
    if last_tool == "position_size" and r.has(sizing_words) and not r.symbols:
        return True
    if last_tool == "position_size" and r.has(
        r"\bsame (?:thing|trade|setup|sizing|size|plan)\b|\b(?:on|for|to) (?:that|the) (?:target|tgt|tp)\b"
        r"|^(?:and |ok )?(?:with|off|using|on) (?:\w+'?s? )?levels\W*$"
    ):  # "same thing off tmrw's levels", "whats the R on that target": the sizing again
        return True
    if same:
        return cue or r.words() <= 6 or not r.symbols
    ranged = "start" in TOOLS[last_tool].args_model.model_fields and r.range != (None, None)
    if ranged and r.words() <= 4:  # "2022?" after counts or odds: the same question for 2022
        return True
    return rule in _WEAK_RULES and cue and (not r.date.found or ranged)


def _tool_of(intent: str) -> str:
    return {
        "levels": "atr_levels", "gg_stats": "golden_gate_stats", "level_stats": "level_to_level",
        "indicator": "indicator_state", "context": "price_context", "sizing": "position_size",
        "distance": "level_distance", "create_alert": "create_alert", "backtest": "backtest_strategy",
    }.get(intent, intent)  # fmt: skip


def _date_change(r: Reading, args: dict[str, Any], answered: dt.date | None) -> dict[str, Any]:
    """Return the new date: shifted from the session answered ("next day?", "monday after?",
    "q4?"), or the date the message names."""
    mode = args.get("mode", "day")
    step = re.fullmatch(
        r"(?:and |what about |how about |now |ok )?(?:for )?(?:the )?(next|following|previous|prior|last)"
        r" (day|session|week|month|quarter|year)\W*",
        r.t,
    )
    if answered and step:  # "next week" after week-of-3/9/2020 levels: the week after that one
        unit = {"day": "day", "session": "day", "week": "multiday", "month": "swing"}.get(
            step[2], "position" if step[2] == "quarter" else "longterm"
        )
        sign = 1 if step[1] in ("next", "following") else -1
        return {"date": _shift(answered, sign, unit).isoformat()}
    week = re.search(r"\b(?:the )?(?:week|wk) (before|after|prior|later)\b", r.t)
    if answered and week and mode == "day" and not r.date.date:  # the same weekday a week away
        return {"date": (answered + dt.timedelta(days=7 if week[1][0] in "al" else -7)).isoformat()}
    if answered and re.search(NEXT, r.t) and not r.date.date:
        return {"date": _shift(answered, 1, mode).isoformat()}
    if answered and re.search(PREV, r.t) and not r.date.date:
        return {"date": _shift(answered, -1, mode).isoformat()}
    if answered and r.date.weekday is not None:
        return {"date": _weekday_near(answered, r.date.weekday, r.t).isoformat()}
    month = re.fullmatch(
        rf"(?:and |what about |how about |now )?(?:for )?({alternation(months())})\W*", r.t
    )
    if answered and month and not r.date.date:  # "and sept?": that month of the year answered
        first = dt.date(answered.year, months()[month[1]], 1)
        if mode == "day":
            day = min(answered.day, 28)
            first = first.replace(day=day)
        return {"date": first.isoformat()}
    no_year = not re.search(r"(?:19|20)\d\d|'\d\d", r.date.text)
    if answered and r.date.period and no_year and r.date.date:
        return {"date": r.date.date.replace(year=answered.year).isoformat()}  # "q4?" of that year
    if answered and r.date.yearless and r.date.date:  # "and 8/2?" in a 2024 thread: 2024
        return {"date": r.date.date.replace(year=answered.year).isoformat()}
    day_only = re.search(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b", r.t)
    if answered and not r.date.found and day_only and 1 <= int(day_only[1]) <= 28:
        return {"date": answered.replace(day=int(day_only[1])).isoformat()}  # "the 17th"
    if r.date.found and not r.date.problem:
        resolved = r.date.resolve(r.setting.today_for(args.get("symbol")))
        return {"date": resolved.isoformat() if resolved else None}
    return {}


def _side_change(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    """Return the other side ("the bear one", "flip it"), or the side named, of every level
    and direction argument."""
    out: dict[str, Any] = {}
    want = (
        "-"
        if re.search(r"\b(?:bear|bearish|put|down|downside)\b", r.t)
        else "+"
        if re.search(r"\b(?:bull|bullish|call|up|upside)\b", r.t)
        else None
    )
    for key in ("level", "from_level", "to_level", "start_at", "end_at", "focus"):
        value = args.get(key)
        if isinstance(value, str) and value[:1] in "+-":
            out[key] = _flip(value) if want is None else want + value[1:]
    if isinstance(args.get("levels"), list):
        chosen = [v for v in args["levels"] if want and v.startswith(want)]
        if len(chosen) == 1:
            out.update(level=chosen[0], levels=None)
        else:
            out["levels"] = chosen or [_flip(v) for v in args["levels"]]
    direction = args.get("direction")
    if direction in ("bull", "bear"):
        other = {"bull": "bear", "bear": "bull"}[direction]
        out["direction"] = other if want is None else ("bear" if want == "-" else "bull")
    elif direction in ("up", "down"):
        out["direction"] = {"up": "down", "down": "up"}[direction]
    return out


def _levels_change(r: Reading, args: dict[str, Any]) -> dict[str, Any]:
    """Return the level(s) a follow-up asks for; a chart, range vs ATR or "all levels" shows all."""
    keys = _keys(r)
    if r.has(r"\brange\b.*\batr\b|\bchart\b|\bplot\b|\ball (?:the )?levels\b"):
        return {"level": None, "levels": None}
    if len(keys) == 1:
        return {"level": keys[0], "levels": None}
    if len(keys) > 1:
        return {"levels": keys, "level": None}
    if r.has(r"\bfull (?:grid|table|ladder)\b|\bthe levels\b"):
        return {"level": None, "levels": None}
    return {}


def _changes(r: Reading, call: Call) -> dict[str, Any]:
    """Return the arguments this message changes in ``call`` (None removes one)."""
    name, args = call["name"], call["args"]
    fields = TOOLS[name].args_model.model_fields
    out: dict[str, Any] = {}
    if "date" in fields:
        out.update(_date_change(r, args, _answered_date(call)))
    if "mode" in fields and r.modes:
        out["mode"] = r.modes[0]
    if re.search(FLIP, r.t) or re.search(SIDE_PICK, r.t):
        out.update(_side_change(r, args))
    if name == "atr_levels":
        out.update(_levels_change(r, args))
    if name == "level_to_level":
        out.update(pair_change(r, args))
    if name == "golden_gate_stats":
        out.update(gate_change(r, args, out))
    out.update(range_change(r, name, args))
    if name == "session_counts":
        out.update(counts_change(r, args))
    if name in ("golden_gate_stats", "level_to_level"):
        out.update(read_conditions(r, name).args)  # "mondays only", "when the ribbon's bullish"
        if r.has(r"\b(?:all|any|every) (?:days|day|weekdays|sessions)\b|\bno (?:day )?filter\b"):
            out["weekdays"] = None
    bare = re.fullmatch(
        r"(?:and |what about |how about |now |ok )?(?:for |over |with )?(?:the |a )?(\d{1,3})"
        r"(?: ?(?:d|day|days|sessions|bars|period|length|-day))?(?: atr| one)?\??",
        r.t,
    )
    if name == "average_true_range" and bare and 2 <= int(bare[1]) <= 250:
        out["sessions"] = int(bare[1])  # "what about 30"
    if name == "price_context" and r.has(r"\bgg\b|\bgolden gate|\bgates?\b") and not r.modes:
        out["mode"] = "day"  # "spx gg status today?" after the monthly levels: the day's gate
    if name == "indicator_state" and r.timeframe:
        out["timeframe"] = r.timeframe
    if name == "position_size":
        out.update(sizing_change(r, args))
    if name == "create_alert" and r.window:
        out["after"] = r.window[0] if r.window[0] != "09:30" else None
        out["before"] = r.window[1] if r.window[1] != "16:00" else None
    if name == "level_distance" and (keys := resolve_unsided(read_levels(r.t), r.t)):
        out["end_at"] = keys[0]
    if name == "level_distance":
        out.update(money_terms(r, priced="quantity" in args))
    if "chart" in fields and r.has(r"\b(?:chart|plot|graph|draw)\b"):
        out["chart"] = True
    return out


_PRICE_TO_IT = (
    r"\bhow far (?:is |are )?(?:price|we|spx|spy|it|the price)? ?(?:from|to|away from) (?:it|that|there)\b"
    r"|\bhow (?:many|much) (?:pts|points|\$) (?:away|to (?:it|that|there))\b|\bdistance to (?:it|that)\b"
)
_CLOSE_VS_THEM = (
    r"\bwhere(?:'d| did| does)? (?:it|spx|spy|price|we) (?:close|settle|end)\b"
    r"|\bclose[ds]? (?:vs|versus|relative to|against) (?:those|them|these|that|the levels)\b"
)


def _after_levels_or_atr(r: Reading, template: Call) -> list[Call] | None:
    """Return the call for a question about the level or ATR just shown: the levels asked
    after an ATR answer ("and the put trigger" after "spy atr 3/23/20"), the distance from price
    to the level ("how far is price from it rn"), the close against the levels ("where'd it
    close vs those"); None for anything else."""
    from assistant.understand.build import fill

    name, key = template["name"], template["args"].get("level")
    keep = {k: v for k, v in template["args"].items() if k in ("symbol", "date", "mode")}
    if name == "average_true_range" and (r.levels.keys or r.levels.unsided):
        call = fill("atr_levels", r, (r.symbols or [str(keep.get("symbol", ""))])[0] or None)
        if "date" in keep and not r.date.found:
            call["args"]["date"] = keep["date"]
        return [call]
    if name == "atr_levels" and key and r.has(_PRICE_TO_IT) and not r.levels.keys:
        return [{"name": "level_distance", "args": {**keep, "start_at": "close", "end_at": key}}]
    if name == "atr_levels" and r.has(_CLOSE_VS_THEM):
        return [{"name": "session_outcome", "args": keep}]
    return None


_OWN_OBJECTS = {
    "create_alert", "change_alert", "edit_alert", "list_alerts", "draft_strategy", "watch_strategy",
    "change_watch", "list_watches", "paper_journal", "schedule_briefing", "list_briefings",
    "change_briefing", "alert_history",
}  # fmt: skip
"""Answers about the user's own objects: a message after them is never a changed copy."""


def follow_up(r: Reading, intent: str | None, rule: str, last: Turn) -> list[Call] | None:
    """Return the previous turn's calls changed by this message, or None when the message is
    not a follow-up of it."""
    referenced = about_the_answer(r, intent, last)
    if referenced is not None:
        return referenced
    if not last.calls or last.calls[0]["name"] in ("explain_term", "remember", "recall", "forget"):
        return None
    template = last.calls[0]
    if not _is_follow_up(r, intent, rule, template["name"]):
        return None
    if (
        template["name"] == "create_alert"
        and r.levels.keys
        and r.has(r"^(?:and|also|plus|another|one more)\b|\bone for\b")
    ):
        from assistant.understand.build import alert

        sym = (r.symbols or [template["args"].get("symbol")])[0]
        return alert(r, [sym]).calls or None
    if (
        template["name"] == "create_alert"
        and r.has(r"^(?:and|also|plus|now|another|one more)\b")
        and (re.search(FLIP, r.t) or re.search(SIDE_PICK, r.t))
    ):  # "also the bear one": the mirrored level, crossed the other way
        mirrored = {**template["args"], **_side_change(r, template["args"])}
        return [{"name": "create_alert", "args": mirrored}]
    if template["name"] == "create_alert" and r.symbols and r.has(r"\bsame\b|^(?:and|also|now) "):
        return [
            {"name": "create_alert", "args": {**template["args"], "symbol": s}} for s in r.symbols
        ]
    if template["name"] == "position_size" and r.has(
        r"\b(?:on|for|to) (?:that|the) (?:target|tgt|tp)\b|\bwhat(?:'s| is|s)? (?:the|my) r\b"
    ):  # "whats the R on that target": the sizing answer shows it
        return [{"name": "position_size", "args": dict(template["args"])}]
    if template["name"] == "level_distance" and r.has(
        r"^(?:and |ok |so )?(?:in |as a )?(?:%|percent|pts|points|atrs?|\$|dollars)(?: terms)?\W*$"
        r"|^(?:and |ok |so )?how (?:many|much) (?:atrs?|pts|points|%)(?: is (?:that|it))?\W*$"
    ):  # "in %?", "how many atrs is that": the distance answer gives points, % and ATR together
        return [{"name": "level_distance", "args": dict(template["args"])}]
    after = _after_levels_or_atr(r, template)
    if after is not None:
        return after
    if template["name"] in ("session_outcome", "atr_levels") and r.has(
        r"^(?:and |what about |how about |ok )?(?:the )?(?:range|gap|change|move)\W*$"
        r"|^(?:and |ok |so )?(?:what time|when|at what time|what times)\W*(?:was that|did it|exactly)?\W*$"
    ):  # "range?", "what time?": the same answer carries it (a gap or a time: the session's)
        if template["name"] == "atr_levels" and not r.has(r"\brange\b"):
            keep = {k: v for k, v in template["args"].items() if k in ("symbol", "date", "mode")}
            return [{"name": "session_outcome", "args": keep}]
        return [{"name": template["name"], "args": dict(template["args"])}]
    if template["name"] in _OWN_OBJECTS:
        return None
    changes = _changes(r, template)
    symbols = r.symbols
    if not changes and not symbols and intent is None:
        return None
    seen: dict[str, None] = {}
    targets = symbols or [
        c["args"].get("symbol") for c in last.calls if c["name"] == template["name"]
    ]
    calls = []
    for call in last.calls:
        if call["name"] != template["name"]:
            continue
        for sym in targets if symbols else [call["args"].get("symbol")]:
            args = {k: v for k, v in call["args"].items()}
            args.update(_changes(r, call) if not symbols else changes)
            if sym in ("ES", "MES") and call["name"] == "position_size":
                sym = "SPX"  # futures sized off the SPX levels, at the contract's multiplier
                args["multiplier"] = r.sizing.multiplier or 50.0
            if sym:
                args["symbol"] = sym
            clean = {k: v for k, v in args.items() if v is not None}
            key = repr(sorted(clean.items(), key=lambda kv: kv[0]))
            if key not in seen:
                seen[key] = None
                calls.append({"name": call["name"], "args": clean})
    return calls or None


def carry_context(r: Reading, last: Turn, call: Call) -> Call:
    """Return ``call`` with the date of the previous turn when this short message names none
    ("Spx lvls 10/31/24" then "where was the ribbon?" asks about 10/31/24 too)."""
    if not last.calls:
        return call
    answered = _answered_date(last.calls[0])
    if r.date.found and r.date.yearless and r.date.date and answered and "date" in call["args"]:
        # "the q2 pdc" right after Q2 2020 levels: the year of the thread, not this year
        moved = r.date.date.replace(year=answered.year).isoformat()
        return {**call, "args": {**call["args"], "date": moved}}
    if r.date.found:
        return call
    named = [{"ES": "SPX"}.get(s, s) for s in r.symbols]
    if named and named != [last.calls[0]["args"].get("symbol")]:
        return call
    fields = TOOLS[call["name"]].args_model.model_fields
    if call["name"] == "position_size" and not any(
        str(call["args"].get(k, "1"))[:1] in "+-0" for k in ("entry", "stop")
    ):
        return call  # prices only: no session to carry
    if (
        "date" in fields
        and answered
        and "date" in last.calls[0]["args"]
        and "date" not in call["args"]
    ):
        given = {k: v for k, v in call["args"].items() if k != "symbol"}
        return fill(
            call["name"], r, call["args"].get("symbol"), **{**given, "date": answered.isoformat()}
        )
    return call
