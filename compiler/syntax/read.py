"""Read YAML documents fast: libyaml's parser, with plain scalars resolved by the YAML 1.2 core schema.

What `kubectl kustomize` reads from out/ is text nifty emitted, which quotes every string that
YAML 1.1 and 1.2 would read apart. libyaml's events are built into values directly, without the
node graph PyYAML's constructor walks; text with anchors, aliases or tags other than `!!str` (which
nifty never writes) goes through the complete loader instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from compiler.syntax.scalars import resolve

PLAIN_TAG = "tag:nifty,2026:plain"
STR_TAG = "tag:yaml.org,2002:str"
_NO_KEY = object()


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader whose untagged plain scalars take YAML 1.2's meaning, not YAML 1.1's."""

    # Every plain scalar resolves to one tag of its own (quoted and explicitly tagged ones do not).
    yaml_implicit_resolvers: dict[Any, Any] = {None: [(PLAIN_TAG, re.compile(r""))]}  # noqa: RUF012

    def construct_plain(self, node: yaml.ScalarNode) -> Any:
        """A plain scalar by the YAML 1.2 core schema."""
        return resolve(self.construct_scalar(node))


_Loader.add_constructor(PLAIN_TAG, _Loader.construct_plain)


class _Unusual(Exception):  # noqa: N818 - a signal, not an error
    """The text uses a feature the fast path leaves to the complete loader."""


def load_all(text: str) -> list[Any]:
    """The documents of text, empty ones left out; raises yaml.YAMLError on malformed YAML."""
    try:
        return _from_events(text)
    except _Unusual:
        return [document for document in yaml.load_all(text, Loader=_Loader) if document is not None]


def _from_events(text: str) -> list[Any]:
    """Documents built straight from the parser's events: mappings, sequences and scalars only."""
    documents: list[Any] = []
    stack: list[Any] = []
    keys: list[Any] = []  # per open mapping, its key awaiting a value
    root: Any = None
    events: Iterable[Any] = yaml.parse(text, Loader=yaml.CSafeLoader)
    for event in events:
        kind = event.__class__
        value: Any
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _Unusual
            if event.tag is None and event.implicit[0]:
                value = resolve(event.value)
            elif event.tag in (None, "!", STR_TAG):
                value = event.value
            else:
                raise _Unusual
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            value = {} if kind is MappingStartEvent else []
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            keys.pop()
            continue
        elif kind is DocumentEndEvent:
            if root is not None:
                documents.append(root)
            root = None
            continue
        elif kind.__name__ == "AliasEvent":
            raise _Unusual
        else:
            continue
        if not stack:
            root = value
        elif stack[-1].__class__ is list:
            stack[-1].append(value)
        elif keys[-1] is _NO_KEY:
            if value.__class__ is dict or value.__class__ is list:
                raise _Unusual
            keys[-1] = value
        else:
            stack[-1][keys[-1]] = value
            keys[-1] = _NO_KEY
        if kind is not ScalarEvent:
            stack.append(value)
            keys.append(_NO_KEY)
    return documents
