"""Validate the hand-authored monitoring/ files: alert rules, dashboards and their promtool tests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from compiler.diagnostics import Diagnostic
from compiler.spec.located import LocatedList, LocatedMap, LocatedYAMLError, load_located
from compiler.spec.names import DASHBOARD_CONFIG_PREFIX, GENERATED_RULES, MonitoringFile

ALERTS, DASHBOARDS, TESTS = "alerts", "dashboards", "tests"
SEVERITIES = ("critical", "warning", "info")
RULE_KEYS = ("alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations")
UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DASHBOARD_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
RESERVED_DASHBOARD = re.compile(r"^layer-[0-9]+$")
RESERVED_UID_PREFIX = "nifty-layer-"
# kubectl's client-side apply keeps the whole object in an annotation limited to 256 KiB.
MAX_DASHBOARD_BYTES = 200 * 1024
MAX_NAME = 63

Pos = tuple[int, int]


def check_monitoring(
    files: tuple[MonitoringFile, ...], folder: str, generated: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    """Every problem of the monitoring files, positioned in them; generated names the spec's alerts."""
    problems: list[Diagnostic] = []
    # Generated alerts come first, so a hand-written alert of the same name is the one reported.
    alert_names: dict[str, str] = dict.fromkeys(generated, "the alerts generated from the spec")
    uids: dict[str, str] = {}
    for file in files:
        shown = f"{folder}/{file.path}"
        parts = PurePosixPath(file.path).parts
        top, suffix = parts[0], PurePosixPath(file.path).suffix
        if len(parts) != 2 or top not in (ALERTS, DASHBOARDS, TESTS):
            problems.append(
                Diagnostic(
                    shown,
                    0,
                    0,
                    "unexpected file; monitoring/ holds alerts/, dashboards/ and tests/ only",
                    code="N007",
                )
            )
        elif top == ALERTS:
            problems += _alert_file(file, shown, alert_names)
        elif top == DASHBOARDS:
            problems += _dashboard_file(file, shown, uids)
        elif suffix != ".yaml":
            problems.append(Diagnostic(shown, 0, 0, "promtool test files end in .yaml", code="N007"))
        else:
            _, found = _load_yaml(file.content, shown)
            problems += found
    return problems


def _load_yaml(text: str, shown: str) -> tuple[Any, list[Diagnostic]]:
    try:
        return load_located(text), []
    except LocatedYAMLError as exc:
        return None, [Diagnostic(shown, *exc.at, f"invalid YAML: {exc.problem}", code="N007")]


def _key_pos(node: LocatedMap, key: str) -> Pos:
    return node.keys_at[key]


def _item_pos(node: LocatedList, index: int) -> Pos:
    return node.items_at[index]


def _node_pos(node: Any) -> Pos:
    if isinstance(node, LocatedMap | LocatedList):
        return node.at
    return 1, 1


def _alert_file(file: MonitoringFile, shown: str, names: dict[str, str]) -> list[Diagnostic]:
    if not file.path.endswith(".yaml"):
        return [Diagnostic(shown, 0, 0, "rule files end in .yaml (Prometheus loads *.yaml)", code="N007")]
    if PurePosixPath(file.path).name == GENERATED_RULES:
        return [
            Diagnostic(
                shown, 0, 0, f"'{GENERATED_RULES}' is the name of the generated rule file", code="N007"
            )
        ]
    tree, problems = _load_yaml(file.content, shown)
    if problems:
        return problems
    if not isinstance(tree, LocatedMap) or not isinstance(tree.get("groups"), LocatedList):
        return [
            Diagnostic(shown, *_node_pos(tree), "a rule file is a mapping with a 'groups' list", code="N007")
        ]
    found: list[Diagnostic] = []
    groups: LocatedList = tree["groups"]
    for gi, group in enumerate(groups):
        if not isinstance(group, LocatedMap) or not isinstance(group.get("name"), str):
            found.append(Diagnostic(shown, *_item_pos(groups, gi), "a group needs a 'name'", code="N007"))
            continue
        rules = group.get("rules")
        if not isinstance(rules, LocatedList):
            found.append(
                Diagnostic(shown, *_key_pos(group, "name"), "a group needs a 'rules' list", code="N007")
            )
            continue
        for ri, rule in enumerate(rules):
            found += _rule(rule, _item_pos(rules, ri), shown, names)
    return found


def _rule(rule: Any, where: Pos, shown: str, names: dict[str, str]) -> Iterator[Diagnostic]:
    if not isinstance(rule, LocatedMap):
        yield Diagnostic(shown, *where, "a rule is a mapping", code="N007")
        return
    for key in rule:
        if key not in RULE_KEYS:
            yield Diagnostic(shown, *_key_pos(rule, key), f"unknown key '{key}' in a rule", code="N007")
    if ("alert" in rule) == ("record" in rule):
        yield Diagnostic(shown, *where, "a rule has either 'alert' or 'record'", code="N007")
    if not isinstance(rule.get("expr"), str) or not rule["expr"].strip():
        yield Diagnostic(shown, *where, "a rule needs an 'expr'", code="N007")
    alert = rule.get("alert")
    if not isinstance(alert, str):
        return
    if alert in names:
        yield Diagnostic(
            shown,
            *_key_pos(rule, "alert"),
            f"alert '{alert}' is already defined in {names[alert]}",
            code="N007",
        )
    names.setdefault(alert, shown)
    labels, annotations = rule.get("labels"), rule.get("annotations")
    severity = labels.get("severity") if isinstance(labels, LocatedMap) else None
    if severity not in SEVERITIES:
        at = _key_pos(rule, "labels") if isinstance(labels, LocatedMap) else _key_pos(rule, "alert")
        yield Diagnostic(
            shown, *at, f"alert '{alert}' needs labels.severity, one of {', '.join(SEVERITIES)}", code="N007"
        )
    for key in ("summary", "runbook_url"):
        value = annotations.get(key) if isinstance(annotations, LocatedMap) else None
        if not isinstance(value, str) or not value.strip():
            at = (
                _key_pos(rule, "annotations")
                if isinstance(annotations, LocatedMap)
                else _key_pos(rule, "alert")
            )
            yield Diagnostic(shown, *at, f"alert '{alert}' needs annotations.{key}", code="N007")
        elif (
            key == "runbook_url" and isinstance(annotations, LocatedMap) and not value.startswith("https://")
        ):
            yield Diagnostic(
                shown, *_key_pos(annotations, key), "runbook_url must be an https:// link", code="N007"
            )


def _dashboard_file(file: MonitoringFile, shown: str, uids: dict[str, str]) -> list[Diagnostic]:
    path = PurePosixPath(file.path)
    if path.suffix != ".json":
        return [Diagnostic(shown, 0, 0, "dashboards are .json files", code="N007")]
    name = path.stem
    if not DASHBOARD_NAME.match(name) or len(DASHBOARD_CONFIG_PREFIX + name) > MAX_NAME:
        limit = MAX_NAME - len(DASHBOARD_CONFIG_PREFIX)
        return [
            Diagnostic(
                shown,
                0,
                0,
                f"a dashboard's file name is a DNS label of {limit} characters at most",
                code="N007",
            )
        ]
    if RESERVED_DASHBOARD.match(name):
        return [Diagnostic(shown, 0, 0, f"'{name}' is the name of a generated layer dashboard", code="N007")]
    if len(file.content.encode()) > MAX_DASHBOARD_BYTES:
        return [
            Diagnostic(
                shown, 0, 0, f"a dashboard may have {MAX_DASHBOARD_BYTES // 1024} KiB at most", code="N007"
            )
        ]
    try:
        board = json.loads(file.content)
    except json.JSONDecodeError as exc:
        return [Diagnostic(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}", code="N007")]
    if not isinstance(board, dict):
        return [Diagnostic(shown, 1, 1, "a dashboard is a JSON object", code="N007")]
    found: list[Diagnostic] = []
    uid = board.get("uid")
    uid_at = top_level_key_position(file.content, "uid")
    if not isinstance(uid, str) or not UID.match(uid):
        found.append(
            Diagnostic(
                shown, *uid_at, "a dashboard needs a 'uid' of 1 to 40 letters, digits, - or _", code="N007"
            )
        )
    elif uid.startswith(RESERVED_UID_PREFIX):
        found.append(
            Diagnostic(shown, *uid_at, f"uids starting '{RESERVED_UID_PREFIX}' are generated", code="N007")
        )
    elif uid in uids:
        found.append(Diagnostic(shown, *uid_at, f"uid '{uid}' is already used by {uids[uid]}", code="N007"))
    else:
        uids[uid] = shown
    title = board.get("title")
    if not isinstance(title, str) or not title.strip():
        found.append(
            Diagnostic(
                shown,
                *top_level_key_position(file.content, "title"),
                "a dashboard needs a 'title'",
                code="N007",
            )
        )
    panels = board.get("panels")
    if (
        not isinstance(panels, list)
        or not panels
        or not all(isinstance(p, dict) and p.get("type") for p in panels)
    ):
        found.append(
            Diagnostic(
                shown,
                *top_level_key_position(file.content, "panels"),
                "a dashboard needs 'panels', each with a 'type'",
                code="N007",
            )
        )
    return found


def top_level_key_position(text: str, key: str) -> Pos:
    """Line and column of a key of the outermost JSON object, or of the object itself when absent."""
    depth, line, column, index = 0, 1, 1, 0
    start: Pos = (1, 1)
    while index < len(text):
        char = text[index]
        if char == '"':
            end = index + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == 1 and text[index + 1 : end] == key and text[end + 1 :].lstrip().startswith(":"):
                return line, column
            column += end + 1 - index
            index = end + 1
            continue
        if char in "{[":
            depth += 1
            if depth == 1:
                start = (line, column)
        elif char in "}]":
            depth -= 1
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
        index += 1
    return start
