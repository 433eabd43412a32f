"""Refuse secret values written into the spec: Secrets are named by reference, never inlined."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.spec.credentials import credential_kind
from compiler.spec.load import Document, Loc
from compiler.spec.positions import at_key, at_value

# Names that hold credentials; the spec has no field of that kind, so such a key is a pasted secret.
SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|private[-_]?key|credentials?|auth)($|[-_])",
    re.IGNORECASE,
)
# The spec's own fields that name a Secret (never hold one).
REFERENCE_KEYS = frozenset({"secrets", "secret", "tls_secret", "key", "env", "file"})
# Values that merely point somewhere: a $(VAR) expansion or an absolute path.
POINTER = re.compile(r"^(\$\([A-Z_][A-Z0-9_]*\)|/[A-Za-z0-9._/-]*)$")
# A flag such as --requirepass or --password=..., whose value must be a $(VAR) expansion.
SECRET_FLAG = re.compile(r"^--?[a-z-]*(pass|secret|token|key)[a-z-]*(=(.*))?$", re.IGNORECASE)
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
ADVICE = "name a Kubernetes Secret under `secrets:` instead"
MESSAGE = f"looks like a secret value; {ADVICE}"


def find_leaks(doc: Document) -> list[Diagnostic]:
    """Every secret-looking literal of doc, positioned."""
    return list(_walk(doc, doc.data, ()))


def _walk(doc: Document, node: Any, loc: Loc) -> Iterator[Diagnostic]:
    if isinstance(node, dict):
        # An environment's `secrets` maps a Secret's name to another, `remote_keys` to a key in the
        # secret manager: both are names, not values.
        renames = loc[-1:] in (("secrets",), ("remote_keys",))
        for key, value in node.items():
            child = (*loc, key)
            if not renames and _is_secret_key(key, value):
                yield at_key(doc, child, f"key '{key}' {MESSAGE}", code="N006")
            else:
                yield from _walk(doc, value, child)
    elif isinstance(node, list):
        if loc[-1:] == ("args",):
            yield from _args(doc, node, loc)
        for index, item in enumerate(node):
            yield from _walk(doc, item, (*loc, index))
    elif isinstance(node, str) and (kind := _kind(node)) is not None:
        yield at_value(doc, loc, f"looks like a secret value ({kind}); {ADVICE}", code="N006")


def _is_secret_key(key: str, value: Any) -> bool:
    """A credential-named key holding a literal (not a reference field, not a pointer)."""
    if key in REFERENCE_KEYS or not SECRET_NAME.search(key):
        return False
    if isinstance(value, dict | list) or value is None or isinstance(value, bool):
        return False
    return not POINTER.match(str(value))


def looks_like_credential(text: str) -> bool:
    """Whether text has the shape of a credential."""
    return _kind(text) is not None


def _kind(text: str) -> str | None:
    """What credential text holds; an image digest is none, whatever its hex spells."""
    return None if DIGEST.match(text) else credential_kind(text)


def _args(doc: Document, args: list[Any], loc: Loc) -> Iterator[Diagnostic]:
    """A secret flag's value must come from a variable, e.g. --requirepass $(REDIS_PASSWORD)."""
    for index, arg in enumerate(args):
        match = SECRET_FLAG.match(arg) if isinstance(arg, str) else None
        if match is None:
            continue
        if match.group(2) is not None:
            value: Any = match.group(3)
        else:
            value = args[index + 1] if index + 1 < len(args) else None
            index += 1  # noqa: PLW2901 - the value follows the flag
        if isinstance(value, str) and value and not POINTER.match(value):
            yield at_value(
                doc, (*loc, index), f"argument {MESSAGE} (use $(VAR) with a secret's env)", code="N006"
            )
