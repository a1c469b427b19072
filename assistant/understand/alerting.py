"""Rows of the intent table for alerts: their firing history, edits to an alert's hours or
ribbon filter, new alerts in every phrasing traders use ("ping me if spx loses the put trig",
"post here when spx tags +1 atr"), the list, and pause/resume/delete."""

from __future__ import annotations

from assistant.understand.ruletests import Rule

RULES = (
    Rule(
        "alert-edit-drop",
        "edit_alert",
        # "remove the time window on my spx alert", "drop the ribbon filter too": an edit
        r"\b(?:remove|drop|clear|take off|get rid of|lose)\b (?:the |my )?(?:time window|window|hours"
        r"|time filter|ribbon filter|ribbon condition|ribbon)\b",
    ),
    Rule(
        "alert-history",
        "alert_history",
        r"\b(?:when|how often|how many times|has|have|did)\b.*\balerts?\b.*\b(?:fire[ds]?|trigger(?:ed)?|go(?:ne)? off|hit)\b"
        r"|\balerts? (?:history|log|firings)\b|\bhistory of (?:my |the )?\w* ?alerts?\b"
        r"|\b(?:history|log|firings)\b.{0,12}\b(?:alerts?|a[0-9a-f]{7,8})\b",  # "history for alert x"
    ),
    Rule(
        "alert-edit",
        "edit_alert",
        r"\b(?:change|edit|update|make|set|move|switch|restrict|limit)\b.*\b(?:alerts?|a[0-9a-f]{7,8})\b"
        r".*\b(?:after|before|between|from|until|till|ribbon|any ?time|all (?:day|session)|only)\b",
        lambda r: (
            not r.has(r"\b(?:pause|resume|delete|remove|cancel|kill|mute|unpause)\b")
            and r.has(
                r"\b(?:my|the|that|this|existing)\b[^.,;]{0,30}\balerts?\b|\ba[0-9a-f]{7,8}\b"
            )
        ),
    ),
    Rule(
        "alert-create",
        "create_alert",
        r"\b(?:alert|ping|notify|buzz|wake|warn) me\b|\b(?:tell|text|message|dm) me (?:when|if|once|as soon|the moment|whenever)\b"
        r"|\b(?:set|create|add|make|new|put|send|give)\b.{0,24}\balerts?\b|\bpost (?:in|to) #[\w-]+ (?:when|if|once)\b"
        r"|\b(?:when|if|once)\b.*\bpost (?:it )?(?:in|to) #[\w-]+"
        r"|\b(?:loses?|lost|reclaim\w*|cross\w*|breaks?|broke|fails?|failed|tag\w*|hits?)\b.*\balert\b"
        r"|\balert\s*\??$|\balert,|\bnotification\b|\b(?:notify|ping|buzz|alert)(?: me)? (?:if|when|once)\b"
        r"|\b(?:gg|gate|trigger|trig|midrange|mid|atr|close|level|[+-]?\d(?:\.\d+)?) alert\b"
        r"|\b(?:up|down|bull\w*|bear\w*) alert\b"
        r"|\b(?:create|add|make|new) (?:an? )?alert\b|^alert\b(?! \w{8}\b)|^(?:set |add |make )?alerts? (?:on|for|at)\b|\blet me know (?:when|if|once|as soon as|the moment|whenever)\b"
        r"|\bgive me a (?:ping|heads up|shout)\b|\bheads up (?:when|if|once|as soon as)\b"
        r"|^(?:pls |please )?post (?:here|in here|in this channel|to this channel) (?:when|if|once|as soon as)\b",
        lambda r: (
            not r.has(
                r"\b(?:pause|resume|delete|remove|cancel|kill|mute|unmute|unpause|enable|disable|reactivate|list|show)\b.*\balerts?\b"
                r"|\b(?:turn|switch)\b.*\balerts?\b.*\b(?:on|off)\b|\ba[0-9a-f]{7,8}\b"
            )
        ),
    ),
    Rule(
        "alert-list",
        "list_alerts",
        r"\b(?:list|show|what are|which|what|see|view|check)\b.*\balerts\b|^(?:my |all )?alerts\??$|\bmy alerts\b",
        lambda r: not r.has(r"\b(?:pause|resume|delete|remove|cancel|kill|mute|unpause)\b"),
    ),
    Rule(
        "alert-change",
        "change_alert",
        r"\b(?:pause|resume|unpause|delete|remove|cancel|kill|mute|unmute|stop|disable|enable|turn off|turn on|reactivate|turn|switch)\b"
        r".*\b(?:alerts?|a[0-9a-f]{7,8})\b|\ba[0-9a-f]{7,8}\b.*\b(?:back on|on|off)\b",
    ),
)
