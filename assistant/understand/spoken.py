"""Dates as voice-to-text writes them: "december fifth twenty twenty two" → "december 5th 2022",
"the sixth of july" → "the 6th of july", "s p x" → "spx". Only number words beside a month name
and year phrases that mean nothing else are rewritten ("first hour" stays as it is)."""

from __future__ import annotations

import re

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
}  # fmt: skip
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9,
}  # fmt: skip
_ORDINAL_TEENS = {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"(?:(twenty|thirty)[ -])?(" + "|".join([*_ORDINAL_UNITS, *_ORDINAL_TEENS]) + r")"
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_YEAR = (
    r"\b(twenty|nineteen) (?:("
    + "|".join(_TEENS)
    + r")|("
    + "|".join(_TENS)
    + r")(?:[ -]("
    + "|".join(_UNITS)
    + r"))?|oh[ -]("
    + "|".join(_UNITS)
    + r"))\b"
)


def _ordinal(tens_word: str | None, word: str, written: str) -> str:
    """Return "5th" for ("", "fifth"), "21st" for ("twenty", "first"); ``written`` if no day."""
    day = {"twenty": 20, "thirty": 30}.get(tens_word or "", 0)
    day += _ORDINAL_UNITS.get(word) or _ORDINAL_TEENS.get(word, 0)
    if not 1 <= day <= 31:
        return written
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _year(m: re.Match[str]) -> str:
    century = 2000 if m[1] == "twenty" else 1900
    rest = _TEENS.get(m[2] or "", 0) + _TENS.get(m[3] or "", 0) + _UNITS.get(m[4] or "", 0)
    rest += _UNITS.get(m[5] or "", 0)
    return str(century + rest)


def spoken_dates(text: str) -> str:
    """Return ``text`` (lower case) with spoken dates written in digits and spelt-out tickers
    ("s p x") joined."""
    text = re.sub(r"\bs ?p ?([xy])\b", r"sp\1", text) if re.search(r"\bs p [xy]\b", text) else text
    text = re.sub(_YEAR, _year, text)
    text = re.sub(
        rf"\b({_MONTHS}) (?:the )?{_ORDINAL}\b",
        lambda m: f"{m[1]} {_ordinal(m[2], m[3], m[0])}",
        text,
    )
    return re.sub(
        rf"\bthe {_ORDINAL} of ({_MONTHS})\b",
        lambda m: f"the {_ordinal(m[1], m[2], m[0])} of {m[3]}",
        text,
    )
