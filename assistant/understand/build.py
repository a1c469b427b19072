"""From a ``Reading`` and an intent to tool calls.

``fill`` fills any tool's arguments generically from its pydantic argument model: each field
name (symbol, date, mode, level, start, end, direction, trigger_buckets, timeframe…) has one
filler reading the matching slot, and a value equal to the field's default is left out. The
builders below add what a field name alone cannot tell (which level is touched first, an
alert's direction, sizing prices) and return ``Built`` (calls, or a question to ask).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from assistant.understand.levels import between, read_levels, resolve_unsided
from assistant.understand.modeclauses import levels_by_mode
from assistant.understand.reading import Reading
from tools import TOOLS

Call = dict[str, Any]


@dataclass
class Built:
    """What a builder made: calls, or a question for the user."""

    calls: list[Call] = field(default_factory=list)
    question: str | None = None


def _date(r: Reading, symbol: str | None, _: FieldInfo) -> str | None:
    day = r.date.resolve(r.setting.today_for(symbol))
    return day.isoformat() if day else None


def _literal_choice(info: FieldInfo) -> tuple[str, ...]:
    ann = info.annotation
    for candidate in (ann, *get_args(ann)):
        if get_origin(candidate) is Literal:
            return get_args(candidate)
    return ()


def _direction(r: Reading, _: str | None, info: FieldInfo) -> str | None:
    if "bull" in _literal_choice(info):
        return r.gg_side
    return None


def _keys(r: Reading) -> list[str]:
    span = re.search(
        r"(?:\b(?:from|between) |\b(?:levels?|lvls?|ladder|grid) |^)([+-]?\d(?:\.\d+)?) (?:to|and|-|thru|through) "
        r"([+-]?\d(?:\.\d+)?)\b",
        r.t,
    )
    if (
        span
        and len(r.levels.keys) == 2
        and r.has(r"\blevels\b|\blvls\b|\bgrid\b|\bladder\b|\beverything\b")
    ):
        return between(*r.levels.keys)
    return resolve_unsided(r.levels, r.t)


FILLERS: dict[str, Callable[[Reading, str | None, FieldInfo], Any]] = {
    "symbol": lambda r, sym, _: sym,
    "date": _date,
    "mode": lambda r, sym, _: r.mode,
    "level": lambda r, sym, _: _keys(r)[0] if len(_keys(r)) == 1 else None,
    "levels": lambda r, sym, _: _keys(r) if len(_keys(r)) >= 2 else None,
    "start": lambda r, sym, _: r.range[0].isoformat() if r.range[0] else None,
    "end": lambda r, sym, _: r.range[1].isoformat() if r.range[1] else None,
    "direction": _direction,
    "trigger_buckets": lambda r, sym, _: r.buckets,
    "timeframe": lambda r, sym, _: r.timeframe,
    "chart": lambda r, sym, _: (
        True if r.has(r"\b(?:chart|plot|graph|picture|draw|visual)\b") else None
    ),
    "use_current_close": lambda r, sym, _: True if r.has(r"\b(?:current|live) close\b") else None,
}


def fill(tool: str, r: Reading, symbol: str | None, **given: Any) -> Call:
    """Return a call of ``tool`` with every argument the message determines (``given`` wins)."""
    args: dict[str, Any] = {}
    for name, info in TOOLS[tool].args_model.model_fields.items():
        if name in given:
            value = given[name]
        elif name in FILLERS:
            value = FILLERS[name](r, symbol, info)
        else:
            continue
        if value is not None and value != info.default:
            args[name] = value
    return {"name": tool, "args": args}


def levels(r: Reading, symbols: list[str]) -> Built:
    """Return one atr_levels call per symbol and mode named ("day + weekly" → two)."""
    modes: list[str | None] = list(r.modes) or [None]
    whole: dict[str, Any] = {}
    if r.has(r"\batr\b.*\brange\b|\brange\b.*\batr\b") and set(_keys(r)) <= {"0"}:
        whole = {"level": None, "levels": None}  # "pdc, atr and range % of atr": the whole answer
    if r.has(
        r"\b(?:not|instead of|rather than) (?:the )?(?:pdc|previous close|prior close)\b"
    ) and set(_keys(r)) <= {
        "0"
    }:  # "anchored on the current close (not pdc)": the anchor, not a level asked
        whole = {"level": None, "levels": None}
    if not whole and (clauses := levels_by_mode(r)):  # "day trigs, weekly gg, monthly mid"
        return Built(
            [
                fill("atr_levels", r, s, mode=m, **_one_or_many(keys))
                for s in symbols
                for m, keys in clauses
            ]
        )
    return Built([fill("atr_levels", r, s, mode=m, **whole) for s in symbols for m in modes])


def _one_or_many(keys: list[str]) -> dict[str, Any]:
    return {"level": keys[0], "levels": None} if len(keys) == 1 else {"level": None, "levels": keys}


def gg_stats(r: Reading, symbols: list[str]) -> Built:
    """Return golden-gate statistics calls (side, trigger hours, period)."""
    return Built([fill("golden_gate_stats", r, s) for s in symbols])


def level_stats(r: Reading, symbols: list[str]) -> Built:
    """Return level-to-level calls: "B after A", "once A, B?", "from A to B" touch A first."""
    keys = resolve_unsided(r.levels, r.t, "+")
    if len(keys) < 2:
        return Built(
            question="Which two levels? (e.g. 'after the call trigger, how often full ATR?')"
        )
    first, second = keys[0], keys[1]
    m = re.search(r"\b(?:after|once|following)\b(.+)$", r.t) or re.search(
        r"\b(?:given|if|when)\b(.+)$", r.t
    )  # "when spx gaps … how often … the mid after touching gg": the touch is after "after"
    if m and not re.search(r"\bfrom\b", r.t[: m.start()]):
        clause = resolve_unsided(read_levels(m[1]), m[1], keys[0][0] if keys[0] != "0" else "+")
        if second in clause and first not in clause:
            first, second = second, first
    elif m := re.search(r"\bfrom\b(.+)$", r.t):  # "reaching -1 from pdc": the start is after 'from'
        clause = resolve_unsided(read_levels(m[1]), m[1], keys[0][0] if keys[0] != "0" else "+")
        if second in clause and first not in clause and not re.search(r"\bto\b", m[1]):
            first, second = second, first
    return Built([fill("level_to_level", r, s, from_level=first, to_level=second) for s in symbols])


def indicator(r: Reading, symbols: list[str]) -> Built:
    """Return indicator_state calls (timeframe and date)."""
    return Built([fill("indicator_state", r, s) for s in symbols])


def context(r: Reading, symbols: list[str]) -> Built:
    """Return price_context calls (where price sits in the level ladder)."""
    return Built([fill("price_context", r, s) for s in symbols])


def sizing_terms(r: Reading) -> dict[str, Any]:
    """Return the risk (percent, else the remembered default, or dollars), targets, side and
    contract multiplier a sizing message states."""
    z = r.sizing
    out: dict[str, Any] = {}
    risk = z.risk_pct if z.risk_pct is not None else r.setting.default_risk
    if z.risk_amount is not None:
        out["risk_amount"] = z.risk_amount
    elif risk is not None:
        out["risk_pct"] = risk
    if z.targets:
        out["targets"] = z.targets
    if z.side and z.multiplier != 100.0:  # option premiums: the trade is long the option
        out["side"] = z.side
    if z.multiplier:
        out["multiplier"] = z.multiplier
    return out


def sizing(r: Reading, symbols: list[str]) -> Built:
    """Return a position_size call, or ask for what is missing (account, entry, stop)."""
    z = r.sizing
    if z.problem:
        return Built(question=z.problem[0].upper() + z.problem[1:] + ". What should I use?")
    account = z.account or r.setting.account
    missing = [
        n for n, v in (("account size", account), ("entry", z.entry), ("stop", z.stop)) if v is None
    ]
    if missing:
        return Built(
            question=f"What's the {' and the '.join(missing)}? (e.g. 'account 25k, risk 1%, "
            "long at the call trigger, stop at the previous close')"
        )
    priced = all(re.fullmatch(r"\d+(?:\.\d+)?", str(v)) for v in (z.entry, z.stop))
    # two level keys of one session are ordered like their prices ("short at the ctrig, stop
    # at the ptrig" has the stop below the entry)
    keyed = all(re.fullmatch(r"[+-]\d+(?:\.\d+)?|0", str(v)) for v in (z.entry, z.stop))
    entry, stop = float(z.entry or 0), float(z.stop or 0)  # both set: checked just above
    if (priced or keyed) and z.side and z.multiplier != 100.0 and stop != entry:
        stop_below = stop < entry
        if stop_below != (z.side == "long"):
            return Built(
                question=f"A {z.side} at {z.entry} with the stop at {z.stop} is on the wrong side: "
                f"is it a {'short' if z.side == 'long' else 'long'}, or is the stop elsewhere?"
            )
    given: dict[str, Any] = {"account_size": account, "entry": z.entry, "stop": z.stop}
    given.update(sizing_terms(r))
    uses_levels = any(not str(v)[0].isdigit() or v == "0" for v in (z.entry, z.stop, *z.targets))
    sym = symbols[0] if (r.symbols or uses_levels) else None
    if sym in ("ES", "MES") and uses_levels:
        sym = "SPX"  # ES futures trade off the SPX levels
    call = fill("position_size", r, sym, **given)
    if not uses_levels:
        for key in ("date", "mode"):
            call["args"].pop(key, None)
    return Built([call])


_DOWN = (
    r"\b(?:loses?|losing|lost|fails?|failing|failed|breaks? (?:down|below|under)|broke (?:down|below)"
    r"|drops? (?:below|under|through)|falls? (?:below|under|through)|crosses? (?:below|under|down)"
    r"|goes? (?:below|under)|(?<!from )below|under|breakdown|breaks? down|rejects?|to the downside|downside"
    r"|back (?:under|below)|dips? (?:below|under)|going down|heading down|moving down"
    r"|on the way down|from above|from the top)\b"
)
_UP = (
    r"\b(?:reclaims?|reclaiming|reclaimed|crosses? (?:above|over|up)|cross up|breaks? (?:above|over|out)"
    r"|broke (?:above|out)|gets? (?:above|over)|goes? (?:above|over)|(?<!from )above|over|breakout|breaks? out"
    r"|pops? (?:above|over)|clears?|to the upside|upside|back (?:above|over)|going up|heading up"
    r"|moving up|on the way up|from below|from underneath|from the bottom)\b"
)
_VAGUE = (
    r"\b(?:to the upside|to the downside|upside|downside|bullish|bearish|breakdown|breakout"
    r"|going up|going down|heading up|heading down|moving up|moving down|on the way up"
    r"|on the way down)\b"
)


def _opposite(key: str) -> str:
    return ("-" if key.startswith("+") else "+") + key[1:]


def alert(r: Reading, symbols: list[str]) -> Built:
    """Return a create_alert call. The verb gives the direction (loses, fails, crosses below →
    down; reclaims, crosses above → up), else the level's side (put side down, call side up).
    Words that point both ways ("bullish breakdown"), or only a vague word against the level's
    side ("triggers the bear gate to the upside"), are asked about instead of guessed."""
    head = re.split(r"\btarget|\bstop\b", r.t)[0]
    slot = read_levels(head)
    verbs = re.sub(
        r"\b(?:bull|bear|bullish|bearish|mixed) ribbon\b|\bribbon (?:is |turns |flips )?\w+",
        " ",
        head,
    )
    verbs = re.sub(
        r"\b(?:bull|bear)(?:ish)? (?:gg|golden gate|gate|trigger|midrange)\b", " ", verbs
    )
    down_verb = re.search(_DOWN, verbs) or re.search(r"\bbearish\b", verbs)
    up_verb = re.search(_UP, verbs) or re.search(r"\bbullish\b", verbs)
    verb = "down" if down_verb and not up_verb else "up" if up_verb and not down_verb else None
    keys = slot.keys or resolve_unsided(slot, head, {"down": "-", "up": "+"}.get(verb or ""))
    if not keys:
        return Built(
            question="Which level should the alert watch (e.g. the put trigger, the bull golden gate)?"
        )
    if len(keys) > 1 and not slot.keys:
        return Built(question=f"Which side: the {keys[0]} or the {keys[1]} level?")
    opposite = [k for k in slot.keys if k != "0" and _opposite(k) in slot.keys]
    if opposite and verb is None and r.has(r"\bboth\b|\beach side\b|\bboth sides\b"):
        # "alerts on both spx triggers": each level crossed outward (up above, down below)
        pair = [opposite[0].replace("-", "+"), opposite[0].replace("+", "-")]
        return Built(
            [
                fill("create_alert", r, sym, level=k, direction="up" if k[0] == "+" else "down")
                for sym in symbols
                for k in pair
            ]
        )
    if opposite:
        return Built(question=f"Which level: {opposite[0]} or {_opposite(opposite[0])}?")
    key = keys[0]
    side = "down" if key.startswith("-") else "up"
    if down_verb and up_verb:
        return Built(
            question=f"'{down_verb[0]}' and '{up_verb[0]}' point opposite ways: alert when price "
            f"crosses above {key} or below it?"
        )
    explicit = re.sub(_VAGUE, " ", verbs)
    if (
        verb
        and verb != side
        and key != "0"
        and not (re.search(_DOWN, explicit) or re.search(_UP, explicit))
    ):
        word = "above" if verb == "up" else "below"
        return Built(
            question=f"{key} is on the {'call' if side == 'up' else 'put'} side: alert when price "
            f"crosses {word} it ({'a reclaim' if verb == 'up' else 'a breakdown'}), or the usual "
            f"{'breakout above' if side == 'up' else 'breakdown below'} it?"
        )
    if verb is None and key == "0":
        return Built(question="Alert when price crosses above the previous close or below it?")
    given: dict[str, Any] = {"level": key, "direction": verb or side}
    ribbon = re.search(
        r"\b(bullish|bearish|bull|bear|mixed) ribbon\b"
        r"|\bribbon(?:'s|s)? (?:is |turns |flips |goes )?(bullish|bearish|bull|bear|mixed)\b",
        r.t,
    )
    if ribbon:
        word = ribbon[1] or ribbon[2]
        given["ribbon"] = {"bull": "bullish", "bear": "bearish"}.get(word, word)
    channel = re.search(r"(?:\bin|\bto|\bon) (#[\w-]+)|(#[\w-]+)", r.text.lower())
    if channel:
        given["destination"] = channel[1] or channel[2]
    if r.window:
        if r.window[0] != "09:30":
            given["after"] = r.window[0]
        if r.window[1] != "16:00":
            given["before"] = r.window[1]
    return Built([fill("create_alert", r, sym, **given) for sym in symbols])  # one per symbol
