"""Apply RFC 6902 JSON patches to plain data, as Kustomize applies `patches:` files."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

SCALARS = frozenset({str, int, float, bool, type(None)})


class PatchError(Exception):
    """A patch operation that cannot apply to the document."""


def plain_copy(value: Any) -> Any:
    """A deep copy of data made of mappings, lists, tuples and scalars: copy.deepcopy's result, faster.

    Builds and patches copy whole manifests often; deepcopy's bookkeeping of shared and
    recursive objects, which such data never has, costs most of its time.
    """
    kind = value.__class__
    if kind is dict:
        return {key: plain_copy(item) for key, item in value.items()}
    if kind is list:
        return [plain_copy(item) for item in value]
    if kind is tuple:
        return tuple(plain_copy(item) for item in value)
    if kind in SCALARS:
        return value
    return copy.deepcopy(value)


def apply_patch(document: Any, operations: Iterable[dict[str, Any]]) -> Any:
    """A copy of document with every operation applied in order."""
    result = plain_copy(document)
    for operation in operations:
        result = _apply(result, operation)
    return result


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"path {pointer!r} does not start with /")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, adding: bool) -> int:
    if adding and token == "-":
        return len(container)
    if not token.isdigit():
        raise PatchError(f"{token!r} is not a list index")
    index = int(token)
    if index > len(container) or (index == len(container) and not adding):
        raise PatchError(f"index {index} is out of range")
    return index


def _parent(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise PatchError(f"/{'/'.join(tokens)}: {token!r} does not exist")
    return node


def _get(document: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return document
    parent, last = _parent(document, tokens), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, adding=False)]
    raise PatchError(f"{pointer}: does not exist")


def _add(document: Any, pointer: str, value: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent, last = _parent(document, tokens), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, adding=True), value)
    else:
        raise PatchError(f"{pointer}: parent is not a mapping or list")
    return document


def _remove(document: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(document, tokens), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, adding=False)]
    else:
        raise PatchError(f"{pointer}: does not exist")
    return document


def _replace(document: Any, pointer: str, value: Any) -> Any:
    """Replace an existing value in place, keeping the key order of its mapping."""
    _get(document, pointer)
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent, last = _parent(document, tokens), tokens[-1]
    parent[_index(parent, last, adding=False) if isinstance(parent, list) else last] = value
    return document


def _apply(document: Any, operation: dict[str, Any]) -> Any:
    op, path = operation.get("op"), operation.get("path", "")
    if op == "add":
        return _add(document, path, plain_copy(operation["value"]))
    if op == "remove":
        return _remove(document, path)
    if op == "replace":
        return _replace(document, path, plain_copy(operation["value"]))
    if op in ("move", "copy"):
        value = plain_copy(_get(document, operation["from"]))
        if op == "move":
            document = _remove(document, operation["from"])
        return _add(document, path, value)
    if op == "test":
        if _get(document, path) != operation.get("value"):
            raise PatchError(f"test failed at {path}")
        return document
    raise PatchError(f"unknown operation {op!r}")
