"""Changes to a strategy in conversation: a draft's target or stop revised before it is saved
("make the target the midrange", "target 2 atr"), and a saved strategy's exits updated by name
("change my trig ribbon long stop to the put trigger")."""

from __future__ import annotations

import re
from typing import Any

from assistant.authoring import atr_size, bare_atr
from assistant.understand.levels import read_levels, resolve_unsided
from assistant.understand.plans import Plan
from assistant.understand.reading import Reading


def _level_in(text: str, sign: str) -> str | None:
    if re.search(r"\b(?:the )?(?:close|previous close)\b|^\s*0\b", text):
        return "0"
    keys = resolve_unsided(read_levels(text), text, sign)
    return keys[0] if keys else None


def revise_draft(r: Reading, spec: dict[str, Any]) -> dict[str, Any] | None:
    """Return the draft with the target or stop this message changes, or None."""
    sign = "+" if spec.get("side") == "long" else "-"
    changed = dict(spec)
    exit_ = dict(spec.get("exit", {}))
    for word, key in (("target", "target"), ("stop", "stop")):
        m = re.search(
            rf"\b{word}\b(?: (?:to|at|is|=|:))?(?: the)? (.+?)(?:$|,|;| and (?:the )?(?:stop|target))",
            r.t,
        )
        if m and re.search(
            r"\b(?:change|make|set|move|update|use|switch|put|instead|actually)\b|^(?:target|stop)\b",
            r.t,
        ):
            said = re.sub(r"^(?:a|an)\s+", "", m[1])  # "target a third of an atr"
            size = atr_size(said) if bare_atr(said) else None
            level = _level_in(m[1], sign if key == "target" else ("-" if sign == "+" else "+"))
            if size is not None:  # "target 2 atr": a distance from the fill, not the +2 level
                exit_.pop(key, None)
                exit_[f"{key}_atr"] = size
            elif level is not None:
                exit_.pop(f"{key}_atr", None)
                exit_[key] = level
    if exit_ == spec.get("exit", {}):
        return None
    entry = next(
        (c.get("level") for c in spec.get("entry", []) if c.get("kind") == "level_cross"), None
    )
    target = spec.get("exit", {}).get("target")
    if spec.get("name") == f"{spec.get('symbol')} {spec.get('side')} {entry} to {target}":
        changed["name"] = f"{spec.get('symbol')} {spec.get('side')} {entry} to {exit_['target']}"
    changed["exit"] = exit_
    return changed


def update_saved(r: Reading) -> Plan | None:
    """Return an update_strategy plan for "change the stop of my X to pdc", or None."""
    m = re.match(
        r"^(?:change|update|edit|modify|set)\b(?: the)?(?: (target|stop)(?: of| for| on)?)?"
        r"\s+(?:my )?(?:strategy )?[\"']?(.+)[\"']?\s*(?::|,|\bto\b|\bwith\b)\s*((?:(?!\bto\b).)+)$",
        r.t,
    )
    if not m or m[2].strip() in ("it", "the", "that", "its", "it's"):
        return None
    ref, which = m[2].strip(), m[1]
    typed = re.match(  # "change my trig ribbon long stop to ...": the name as typed, not normalised
        r"^(?:change|update|edit|modify|set)\s+(?:the\s+)?(?:my\s+)?(?:strategy\s+)?[\"']?(.+?)[\"']?"
        r"(?:'s)?\s+(target|stop)\b",
        re.sub(r"\s+", " ", r.text.lower().strip()),
    )
    if typed and not which and typed[1].strip() not in ("the", "it", "that", "this", "my"):
        ref, which = typed[1].strip(), typed[2]
    if ref.split()[0] in ("its", "it's", "it", "that", "this"):
        return None  # "set its stop to …": the strategy of the last answer (objectturns)
    args: dict[str, Any] = {"ref": ref}
    if which:
        level = _level_in(m[3], "+")
        if level:
            args[which] = level
    for word in ("target", "stop"):
        w = re.search(rf"\b{word}\b(?: (?:at|to|is))?(?: the)? ([^,;]+)", m[3])
        if w and (level := _level_in(w[1], "+")):
            args[word] = level
    return (
        Plan(calls=[{"name": "update_strategy", "args": args}], rule="update-saved")
        if len(args) > 1
        else None
    )
