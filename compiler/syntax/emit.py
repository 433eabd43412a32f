"""Canonical YAML text: block style, insertion order, and quoting that reads the same in YAML 1.1 and 1.2."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from compiler.syntax.scalars import resolve, resolve_yaml11

# Words YAML 1.1 (read by the Kubernetes decoder) or 1.2 turn into booleans, nulls or numbers.
_RESERVED = {
    word
    for base in (
        "y",
        "yes",
        "n",
        "no",
        "true",
        "false",
        "on",
        "off",
        "null",
        "~",
        ".inf",
        "-.inf",
        "+.inf",
        ".nan",
    )
    for word in (base, base.upper(), base.capitalize())
}
# Loose on purpose: parsers' number patterns are looser than the specs (PyYAML reads "._" as a float).
_NUMBER_LIKE = re.compile(r"^[-+]?(\.?[0-9_]|0[xXoObB])[0-9a-fA-FxXoObB_.:eE+-]*$")
_SAFE = re.compile(r"^[A-Za-z0-9_./$][A-Za-z0-9_./:@ ,=+()$%^*-]*$")
_INDICATOR_START = "-?:,[]{}#&*!|>'\"%@`= "
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


@functools.lru_cache(maxsize=1 << 16)
def needs_quotes(text: str) -> bool:
    """Whether a string would not read back as the same string if written plain."""
    if not text or text in _RESERVED or text in {"<<", "="}:
        return True
    if resolve(text) != text or resolve_yaml11(text) != text:
        return True
    if _NUMBER_LIKE.match(text) or not _SAFE.fullmatch(text):
        return True
    if text.startswith(("---", "...")):
        # Document markers at the start of a line.
        return True
    return text[0] in _INDICATOR_START or text[-1] in " :" or ": " in text or " #" in text


def scalar(value: Any) -> str:
    """A scalar as YAML text."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    text = str(value)
    return double_quoted(text) if needs_quotes(text) else text


_PLAIN_ASCII = re.compile(r"[\x20-\x7e]*")


def double_quoted(text: str) -> str:
    """text as a double-quoted scalar that YAML 1.1 and 1.2 read back unchanged."""
    if '"' not in text and "\\" not in text and _PLAIN_ASCII.fullmatch(text):
        # Printable ASCII without quotes or backslashes needs no escape: the common case.
        return f'"{text}"'
    return '"' + _TO_ESCAPE.sub(lambda match: _escape(match.group()), text) + '"'


# What may not stand as itself in a double-quoted scalar: the quote, the backslash, and what is not
# printable (controls, NEL, the Unicode line breaks U+2028 and U+2029, surrogates, the BOM, U+FFFE/F).
_TO_ESCAPE = re.compile(
    r'["\\]|[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]'
)


def _escape(ch: str) -> str:
    """A YAML escape sequence for ch."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _block_ok(text: str) -> bool:
    """Whether a multi-line string can be a literal block scalar."""
    return (
        "\n" in text
        and all(ch in {"\n", "\t"} or ch.isprintable() for ch in text)
        and not text.startswith((" ", "\n"))
    )


def _block(text: str, indent: str) -> list[str]:
    """A literal block scalar's header and lines."""
    if text.endswith("\n\n"):
        chomp = "+"
    elif text.endswith("\n"):
        chomp = ""
    else:
        chomp = "-"
    body = text[:-1] if text.endswith("\n") else text
    lines = [f"|{chomp}"]
    lines += [f"{indent}{line}" if line else "" for line in body.split("\n")]
    return lines


def _emit(value: Any, indent: str, out: list[str], prefix: str) -> None:
    """Append value to out; prefix is the text that precedes it on its first line."""
    if isinstance(value, dict) and value:
        first = True
        for key, item in value.items():
            head = prefix if first else indent
            first = False
            _emit_entry(f"{head}{scalar(key)}:", item, indent, out)
    elif isinstance(value, list) and value:
        first = True
        for item in value:
            head = prefix if first else indent
            first = False
            if isinstance(item, dict | list) and item:
                _emit(item, indent + "  ", out, f"{head}- ")
            else:
                _emit_entry(f"{head}-", item, indent + "  ", out)
    else:
        out.append(prefix + _empty(value) if isinstance(value, dict | list) else prefix + scalar(value))


def _empty(value: dict[Any, Any] | list[Any]) -> str:
    """An empty mapping or list in flow style."""
    return "{}" if isinstance(value, dict) else "[]"


def _emit_entry(head: str, item: Any, indent: str, out: list[str]) -> None:
    """A key (or dash) followed by its value."""
    if isinstance(item, dict) and item:
        out.append(head)
        _emit(item, indent + "  ", out, indent + "  ")
    elif isinstance(item, list) and item:
        out.append(head)
        _emit(item, indent, out, indent)
    elif isinstance(item, dict):
        out.append(f"{head} {{}}")
    elif isinstance(item, list):
        out.append(f"{head} []")
    elif isinstance(item, str) and _block_ok(item):
        lines = _block(item, indent + "  ")
        out.append(f"{head} {lines[0]}")
        out.extend(lines[1:])
    else:
        out.append(f"{head} {scalar(item)}")


def dump(value: Any) -> str:
    """One YAML document's text, ending in a newline."""
    out: list[str] = []
    _emit(value, "", out, "")
    return "\n".join(out) + "\n"


def dump_all(documents: Iterable[Any], header: str = "") -> str:
    """Several documents separated by '---', after an optional comment header."""
    parts = [dump(document) for document in documents]
    return header + "---\n".join(parts)


def sorted_keys(value: Any) -> Any:
    """value with every mapping's keys in sorted order, as kubectl prints objects."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [sorted_keys(item) for item in value]
    return value
