"""Hand-written YAML of monitoring/ read with positions: libyaml's nodes as located dicts and lists."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler.syntax.scalars import resolve

Pos = tuple[int, int]
MERGE_KEY = "<<"


class LocatedMap(dict[Any, Any]):
    """A mapping with its own 1-based position and that of each key."""

    def __init__(self, at: Pos) -> None:
        super().__init__()
        self.at = at
        self.keys_at: dict[Any, Pos] = {}


class LocatedList(list[Any]):
    """A sequence with its own 1-based position and that of each item."""

    def __init__(self, at: Pos) -> None:
        super().__init__()
        self.at = at
        self.items_at: list[Pos] = []


class LocatedYAMLError(Exception):
    """The text is not YAML, or a mapping repeats a key; line and column are 1-based."""

    def __init__(self, at: Pos, problem: str) -> None:
        super().__init__(problem)
        self.at = at
        self.problem = problem


def load_located(text: str) -> Any:
    """The first document of text: scalars by the YAML 1.2 core schema, collections located."""
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LocatedYAMLError(at, (exc.problem or exc.context or "malformed YAML").strip()) from None
    except yaml.YAMLError as exc:
        raise LocatedYAMLError((1, 1), str(exc)) from None
    return None if node is None else _value(node, {})


def _at(node: Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _value(node: Node, built: dict[int, Any]) -> Any:
    """A node's value; an alias shares the value built for its anchor, so nothing is expanded."""
    if id(node) in built:
        return built[id(node)]
    if isinstance(node, ScalarNode):
        # Plain scalars resolve as YAML 1.2 reads them (as Prometheus's parser does); quoted ones are text.
        return resolve(node.value) if node.style is None or node.style == "" else node.value
    if isinstance(node, SequenceNode):
        items = built[id(node)] = LocatedList(_at(node))
        for item in node.value:
            items.append(_value(item, built))
            items.items_at.append(_at(item))
        return items
    assert isinstance(node, MappingNode)
    mapping = built[id(node)] = LocatedMap(_at(node))
    merged: list[LocatedMap] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise LocatedYAMLError(_at(key_node), "a key must be a scalar, not a list or mapping")
        key, value = _value(key_node, built), _value(value_node, built)
        if key == MERGE_KEY and not key_node.style:
            sources = value if isinstance(value, LocatedList) else [value]
            merged += [source for source in sources if isinstance(source, LocatedMap)]
            continue
        if key in mapping.keys_at:
            first = mapping.keys_at[key][0]
            raise LocatedYAMLError(_at(key_node), f"found duplicate key '{key}' (first at line {first})")
        mapping[key] = value
        mapping.keys_at[key] = _at(key_node)
    # A merge key adds what the mapping does not state itself, the first merged mapping first.
    for source in merged:
        for key, value in source.items():
            if key not in mapping.keys_at:
                mapping[key] = value
                mapping.keys_at[key] = source.keys_at[key]
    return mapping
