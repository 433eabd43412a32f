"""Plain YAML scalars: their YAML 1.2 meaning, and whether YAML 1.1 would read them otherwise."""

from __future__ import annotations

import math
import re
from typing import Any

# YAML 1.2 core schema (what the spec means).
_NULL_12 = re.compile(r"^(~|null|Null|NULL|)$")
_BOOL_12 = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_12 = re.compile(r"^[-+]?[0-9]+$")
_OCT_12 = re.compile(r"^0o[0-7]+$")
_HEX_12 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT_12 = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF_12 = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN_12 = re.compile(r"^\.(nan|NaN|NAN)$")

# YAML 1.1 type repository (what the Kubernetes decoder and older tools read).
_BOOL_11 = {
    **{word: True for word in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON")},
    **{word: False for word in ("n", "N", "no", "No", "NO", "off", "Off", "OFF")},
    **_BOOL_12,
}
_BIN_11 = re.compile(r"^[-+]?0b[01_]+$")
_OCT_11 = re.compile(r"^[-+]?0[0-7_]+$")
_DEC_11 = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_HEX_11 = re.compile(r"^[-+]?0x[0-9a-fA-F_]+$")
_SEX_INT_11 = re.compile(r"^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$")
_FLOAT_11 = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$")
_SEX_FLOAT_11 = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$")
_TIMESTAMP_11 = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt]|[ \t]+)?([0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?)?"
    r"([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?$"
)


# No number, boolean or timestamp is longer; longer text is a string, and the patterns and
# conversions (int() of 200000 digits, base-60 overflow) never see it.
MAX_TYPED_LENGTH = 64


class Special(str):
    """A YAML 1.1 reading that is neither a string nor a number: a timestamp, a merge or value key."""


# The first characters of every plain scalar that is not a string in the core schema: null (~, null),
# booleans, numbers (signs, digits, a leading dot), .inf and .nan. Most scalars, names and keys,
# start otherwise and are strings without a pattern tried.
_TYPED_START = frozenset("~nNtTfF-+.0123456789")


def resolve(text: str) -> Any:
    """A plain scalar's value in the YAML 1.2 core schema."""
    if text and text[0] not in _TYPED_START:
        return text
    if len(text) > MAX_TYPED_LENGTH:
        return text
    if _NULL_12.match(text):
        return None
    if text in _BOOL_12:
        return _BOOL_12[text]
    if _INT_12.match(text):
        return int(text)
    if _OCT_12.match(text):
        return int(text[2:], 8)
    if _HEX_12.match(text):
        return int(text[2:], 16)
    if _FLOAT_12.match(text) and any(ch.isdigit() for ch in text):
        return float(text)
    if _INF_12.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_12.match(text):
        return math.nan
    return text


def resolve_yaml11(text: str) -> Any:
    """A plain scalar's value as a YAML 1.1 reader sees it."""
    if len(text) > MAX_TYPED_LENGTH:
        return text
    try:
        return _resolve_yaml11(text)
    except ValueError:
        # Matches a number pattern without digits (0x_, 0b_): PyYAML fails on these.
        return Special("a malformed number")


def _resolve_yaml11(text: str) -> Any:
    if _NULL_12.match(text):
        return None
    if text in _BOOL_11:
        return _BOOL_11[text]
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    unsigned = digits.lstrip("+-")
    if _BIN_11.match(text):
        return sign * int(unsigned[2:], 2)
    if _HEX_11.match(text):
        return sign * int(unsigned[2:], 16)
    if _OCT_11.match(text):
        return sign * int(unsigned, 8)
    if _DEC_11.match(text):
        return int(digits)
    if _SEX_INT_11.match(text) or _SEX_FLOAT_11.match(text):
        return sign * _sexagesimal(unsigned)
    if _FLOAT_11.match(text):
        if any(ch.isdigit() for ch in text):
            return float(digits)
        if "_" in text:
            raise ValueError(text)
    if _INF_12.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_12.match(text):
        return math.nan
    if _TIMESTAMP_11.match(text):
        return Special("a timestamp")
    if text in {"<<", "="}:
        return Special("a merge key" if text == "<<" else "a value key")
    return text


def _sexagesimal(text: str) -> int | float:
    """Base-60 number such as 12:30 (= 750) or 1:30.5."""
    value: int | float = 0
    for part in text.split(":"):
        value = value * 60 + (float(part) if "." in part else int(part))
    return value


def _same(left: Any, right: Any) -> bool:
    """Same type and value (True is not 1, NaN equals NaN)."""
    return type(left) is type(right) and repr(left) == repr(right)


def _meaning(value: Any) -> str:
    """A value's meaning in words."""
    if isinstance(value, Special):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {_number(value)}"
    return "a string"


def _number(value: int | float) -> str:
    """A number as a spec author would write it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def ambiguity(text: str) -> str | None:
    """Why a plain scalar reads differently in YAML 1.1 and 1.2 and how to write it, or None."""
    modern, legacy = resolve(text), resolve_yaml11(text)
    if _same(modern, legacy):
        return None
    hints = [f'quote it ("{text}") for a string']
    numbers = [v for v in (modern, legacy) if isinstance(v, int | float) and not isinstance(v, bool)]
    finite = [_number(v) for v in numbers if math.isfinite(v)]
    # 15:30 as base 60 (930) is a reading to warn of, never a value to suggest: it is a time.
    if finite and ":" not in text:
        hints.append(f"write {' or '.join(dict.fromkeys(finite))} for a number")
    if isinstance(legacy, bool) or isinstance(modern, bool):
        hints.append("write true or false for a boolean")
    return (
        f"'{text}' is {_meaning(modern)} in YAML 1.2 but {_meaning(legacy)} in YAML 1.1;"
        f" {', or '.join(hints)}"
    )
