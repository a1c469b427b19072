"""Word patterns the intent table shares: statistics words, indicator words, level words,
distance words, and the session-outcome, counting and true-range questions."""

from __future__ import annotations

STATS = (
    r"\bhow (?:often|many times|likely|frequently)\b|\bodds\b|\bprobab\w*|\bchances?\b|\bhit rate\b"
    r"|\b(?:completion|success|fail\w*|win) rate\b|\bstats?\b|\bstatistic\w*|\bhistorically\b"
    r"|(?<!is )\bwhat (?:%|percent\w*)(?!\w)|% of (?:the )?(?:time|days|sessions)\b|\blikelihood\b"
    r"|\bhow reliable\b|\bbase rate\b|\bhit %|\bcompletes?\b|\bcompletion\b(?! (?:level|lvl|target|price))"
    r"|\bfollow[- ]?through\b|\b(?:gg|gate|trigger|completion|success|fail) rates\b"
    r"|(?<!in )(?<!and )(?<!& )(?<!\+ )(?<!what )%\s*\??$|\bbuckets?\b|\bsame day %|\bhow frequent\b|\bhow many\b|\bfailures?\b|\bfailed\b"
    r"|\brate\b|\bcount\b|\bhow often\b|\bfrequency\b|\blevel to level\b|\bl2l\b"
    r"|\bworth (?:it|taking|trading)\b|\busually\b"
)
INDICATOR_NOW = (
    r"\b(?:right now|now|currently|on the \d+\w*|\d+ ?(?:m|min|h|hr|hour)\b|1h|daily|hourly)\b"
)
INDICATOR = (
    r"\bribbon\b|\bphase\b|\boscillator\b|\bpo\b|\bcompress\w*|\bsqueez\w*|\bemas?\b|\b\d{1,3} ?ema\b"
    r"|\bema ?\d{1,3}\b|\bthe (?:8|13|21|34|48|200)\b|\bconviction\b|\barrows?\b|\bi?vomy\b|\bclouds?\b"
    r"|\bindicators?\b|\bpo dots?\b|\bdots?\b|\btrend\b|\bspine\b|\bexpansion\b|\bextended\b"
    r"|\b(?:8|13)/21\b.*\bcross\w*|\bcross\w*\b.*\b(?:8|13)/21\b"  # "weekly 8/21 … crossed yet?"
)
LEVELS = (
    r"\blevels?\b|\btrigger\b|\b(?:the|both|call|put|2|two|spx|spy|day|weekly) triggers\b|\btrigs?\b|\batr\b|\bgolden ?gates?\b|\bgg\w*\b|\bmid ?range\b|\bmid\b"
    r"|\bprevious close\b|\bextensions?\b|\bsupport\b|\bresistance\b|\bfib\w*|\bladder\b|\bgrid\b"
)
HALF_ATR = r"\bhalf (?:the |an? )?(?:spx |spy |\$?[a-z]{2,5}'?s )?(?:daily |day )?atr\b"
"""Half the day's ATR as a distance ("half the spx daily atr")."""
CROSS_MODE_GAP = r"\bvs\.?\b.*\b(?:diff|gap|spread|difference)\b"
"""Two levels compared ("weekly +1 vs daily +1 spx diff"): the distance between them."""
DISTANCE = (
    r"\bdistance\b|\bhow far\b|\bhow many (?:pts|points|dollars|handles|\$|bucks|atrs?)\b"
    r"|\b(?:points|pts|handles|dollars) (?:from|to|between|away)\b|\bspread between\b"
    r"|\bgap between\b|\bdifference between\b|\bdiff between\b|\bwidth\b|\bhow wide\b|\bpoints? away\b"
    r"|\b(?:pts|points|handles|cents|dollars)\b|\bgap from\b|\bhow much (?:room|space)\b|\bapart\b"
    r"|\bhow (?:many|much) \$|\$ (?:is|would) that\b|\bper (?:shares?|contracts?)\b|\bhow much is that\b"
    rf"|{HALF_ATR}(?! level| line)|\$ move\b|\bdollar move\b|\batr multiples?\b"
    r"|\bin atrs?\b|(?:spx|spy) \d{3,5}(?:\.\d+)? (?:to|->|→)|\bin \$|\bin dollars\b|% move\b"
    r"|\bmove from\b|\$\$+|\$ if (?:it|we|price) (?:hits|gets|reaches|tags)\b|\bworth if\b|\bp&?n?l\b|\bpnl\b|\bhow many %|\bhow much (?:would|will|does|did|do) (?:that|it|i|this|we) (?:make|earn|be worth|pay|lose|net)\b"
    r"|\bhow many (?:pts|points) (?:under|over|above|below)\b|\bwhat'?s (?:that|it) worth\b|\bworth on\b|\bis what %"
    r"|\bdist\b|\$\s*\??\s*$|\bchg\b|\$ ?value\b|\bdollar value\b"
    r"|^(?:and |so |ok )?from \$?\d{2,5}(?:\.\d+)?(?: \$?[a-z]{2,5})? to (?:the )?|^\$?\d{3,5}(?:\.\d+)? (?:to|->|→) "
    r"|^(?:pts|points|%|\$|dollars|atrs?) from\b|\bgap in (?:pts|points|\$|%)"
    rf"|{CROSS_MODE_GAP}|\bspread\b|\bto (?:the )?close\W*$"
    r"|\$ per\b|^(?:\$?[a-z]{2,5} )?close (?:vs|versus) (?:the )?[+-]\d"
)

OUTCOME = (
    r"\bwhat time did\b|\bwhen did\b.*\b(?:hit|tag|touch|reach|trigger|break|complete|fail)\w*"
    r"|\bdid\b.{0,40}\b(?:trigger|hit|tag|touch|reach|complete|fail|break|fill|get to|make it to)\w*\b"
    r"|\bwhich (?:levels?|lvls)\b.{0,16}\b(?:tag|hit|touch|reach)\w*|\b(?:levels?|lvls) (?:got |were )?(?:tagged|hit|touched|reached)\b"
    r"|\bhow far did (?:it|we|price|spx|spy|\w+) (?:go|run|move|drop|fall|rally|get|push)\b|\brecap\b"
    r"|\bwhat happened (?:w|with|to|on|in)\b"
    r"|\bgap\b.{0,20}\b(?:vs|versus|in|relative to|as a % of) (?:the )?atrs?\b"
    r"|\bclose[- ]to[- ]close\b|\bhow much did\b.*\b(?:move|drop|fall|fell|rally|gain|lose|go)\b"
    r"|\bwhat happened\b|\bwhat did\b.*\bdo\b|\bdid \w+ do anything\b|\btrig(?:ger(?:ed)?)? or not\b"
    r"|\bwas\b.{0,30}\ban? (?:gg|golden gate|trigger|trend) day\b"
    r"|\b(?:trigger|trig|completion|complete|fill|touch) times?\b|\btime (?:pls|please|plz)\b|^time (?:\w+ )?(?:hit|tag|touch|reach)"
    r"|\bhow many (?:atrs?|pts|points|%) did \w+ (?:drop|fall|fell|move|rally|gain|lose|go|run)\b"
    r"|\bhow many atrs? (?:was|is) (?:that|the|this) move\b|\bmax (?:it )?(?:went|got|ran)\b|\bhow (?:high|low) did\b"
    r"|\bdid \w+ gap\b|\bboth gates\?|\bgates\? bull and bear\b"
    r"|\bgap\b.{0,24}\bin (?:pts|points|%|atrs?)\b|\bclose change\b|\bchange in (?:%|pts|points)\b"
    r"|\bhow did (?:spx|spy|it|\$?[a-z]{2,5}) do (?:on )?\d"
    r"|\b(?:was|is|were) (?:the )?(?:\w+ )?(?:gg|golden gate|gate|trigger|trig)s? (?:done|complete\w*|hit|triggered|tagged|touched|reached)\b"
    r"|\bgap (?:on|for) (?:\d|mon|tue|wed|thu|fri|yesterday|today)|\b(?:eod|end of day|session|day) (?:review|summary)\b"
    r"|\b(?:high|hi)\s?(?:/|and|&|\+|,|\s)\s?(?:low|lo)\b|\bopen\s?(?:/|and|&|\+|,)\s?close\b|\bohlc\b"
)
"""What happened in one session: touches and their times, the golden gate's fate, the close."""

_COUNT_Q = (
    r"\bhow many (?:\$?[a-z]{2,5} )?(?:times|days|sessions|occasions|closes|opens)\b|\bwhat (?:%|pct|percent\w*)|\bpct of\b"
    r"|% of (?:the )?(?:days|sessions|time|trading days|closes|(?:\w+ ){1,2}(?:days|sessions))|\bcount\b|#\s?of (?:days|sessions|times)"
    r"|\b(?:which|what) (?:days|dates|sessions)\b|\blist (?:the |all )?(?:days|dates|sessions)\b"
    r"|\bhow often\b|\bhow frequently\b|\bwhat percent\w*|,? what %|\bdays (?:\w+ )?(?:closed|opened|gapped|tagged|touched)\b"
    r"|\bdays (?:\w+ )?(?:closing|opening|gapping|tagging|touching|hitting)\b"
)
_COUNT_V = (
    r"\b(?:close[sd]?|closing|settle[sd]?|open(?:s|ed|ing)?|gap(?:s|ped)?|tag(?:s|ged|ging)?"
    r"|touch(?:es|ed|ing)?|hit|hits|reach(?:es|ed)?)\b"
)
COUNTS = (
    rf"(?:{_COUNT_Q}).*{_COUNT_V}|{_COUNT_V}.*(?:{_COUNT_Q})"
    r"|\bdays (?:\w+ )?(?:closed|opened|gapped|tagged|touched)\b"
    r"|\bdays (?:\w+ )?(?:closing|opening|gapping|tagging|touching|hitting)\b"
    r"|\b(?:days|sessions) (?:that|which|where) (?:\w+ )?(?:closed|opened|gapped|tagged|touched|hit)\b"
    r"|\bgap (?:ups|downs) (?:above|below|over|under|beyond|past)\b"
    r"|\b(?:tags|touches|touch rate|tag rate)\b"
    r"|\bcloses (?:above|below|under|over|inside|within|beneath|green|red)\b"
    r"|\bdates \w+ (?:tagged|touched|closed|opened|gapped)\b|^dates\b"
    r"|\btimes \w+ (?:closed|opened|tagged|touched|gapped|hit)\b"
)
"""How many sessions did something (close above a level, open beyond one, tag one)."""

TRUE_RANGE = (
    r"\b(?:average true range|avg true range|atr|average (?:daily )?range|avg (?:daily )?range|adr)"
    r"\s?(?:\(|over |of |for )?(?:the )?(?:last |past )?(\d{1,3})(?![\d/.-]|\s?[/-]\s?\d)\)?"
    r"(?: (?:days?|sessions?|bars?|periods?))?\b"
    r"|\b(\d{1,3})[- ]?(?:day|session|period|d) (?:atr|average true range|avg true range|average range|adr)\b"
    r"|\b(?:average true range|avg true range|mean true range|average (?:daily )?range|avg range|adr)\b.{0,20}?\b(?:last|past|over )?(\d{1,3}) (?:days|sessions|bars)\b"
    r"|(?<![+\-.\d])\b([4-9]|\d{2,3}) ?(?:atr|average true range)\b(?! (?:level|lvl|band|ext))"
)
"""An average true range over N sessions: "atr(20)", "20-day atr", "average true range over 10"."""

SESSION_FACT = (
    r"\b(?:high|hi|hod|low|lo|lod|open|opening|close|closing|settle\w*|range|gap|ohlc)\b\W*"
    r"(?:(?:\w+\W*){0,6})$"
)
"""One fact of a session asked for alone: "spx high yday?", "spy open this am?", "range on spy
4/15/24", "gap that morning?", "low?" (a short message ending near the word)."""

BACK_REFERENCE = r"^(?!.*\b(?:chances?|odds|how often|probability|% of the time)\b).*\bthat (?:day|session|date)\b"  # "if spx tags the ctrig, what are the chances it reaches +1 that day": the same session
"""A message pointing back at an earlier answer's session ("did the bear gg complete that day")."""
BACK_ASK = (
    "Which symbol and session do you mean? I have no earlier answer for 'that day' to refer to."
)
WEEKDAY_WORD = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri)\w*"
PREDICTION = (
    r"\bwill (?:\$?[a-z]{2,5}|it|we|the market|mkt) (?:close|end|finish|be|go|hit|reach|get)\b"
    r"(?!.*\b(?:alert|notify|ping|tell me when)\b)"
    r"|\bwhere(?:'s| is|s) \$?[a-z]{2,5} (?:closing|going to close|gonna close|headed|heading)\b"
    r"|\b(?:predict|forecast|gonna (?:close|end))\b"
)
"""Asks what price will do ("will spx close green tmrw?"): no tool forecasts; answered so."""
STRATEGY_RULES = (
    r"\b(?:show|describe|what are|explain|give me)\b (?:me )?(?:the )?.{2,30}? "
    r"(?:rules|spec|definition|details)\b"
)
"""Asks for a built-in strategy's rules ("show me the gg bull strat rules")."""
