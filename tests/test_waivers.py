"""Waivers: a component sets aside one of its own checks by code, with a reason; hazards stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import SpecError
from compiler.registry import RULES, Rule, Scope
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
FEED = '      - name: feed-handler\n        replicas: 2\n        resources: {cpu: "1", memory: 512Mi}\n'
BURSTS = FEED.replace("memory: 512Mi}", 'memory: 512Mi, cpu_limit: "2"}')
WAIVER = '        waivers: [{rule: N205, reason: "the feed handler bursts above its request at the open"}]\n'


def _codes(text: str) -> list[str]:
    try:
        validate(parse_spec(text.encode(), "spec/system.yaml"))
    except SpecError as error:
        return [d.code for d in error.diagnostics]
    return []


def test_a_waiver_sets_aside_its_check_for_its_component_only() -> None:
    assert BASE.count(FEED) == 1
    bursting = BASE.replace(FEED, BURSTS)
    assert _codes(bursting) == ["N205"]
    assert _codes(bursting.replace(BURSTS, BURSTS + WAIVER)) == []
    # Through an environment's override, the same check of the same component is waived too.
    dev = "      feed-handler: {replicas: 1}\n"
    burst_in_dev = "      feed-handler: {replicas: 1, resources: {cpu_limit: '2'}}\n"
    assert _codes(BASE.replace(dev, burst_in_dev)) == ["N205"]
    assert _codes(BASE.replace(dev, burst_in_dev).replace(FEED, FEED + WAIVER)) == []


def test_another_components_problem_stays() -> None:
    other = BASE.replace(FEED, FEED + WAIVER).replace(
        "        resources: {cpu: 500m, memory: 512Mi}\n",
        "        resources: {cpu: 500m, memory: 512Mi, cpu_limit: 400m}\n",
    )
    assert sorted(_codes(other)) == ["N108", "N204"]


def test_only_a_components_own_checks_may_be_waived_and_never_a_hazard() -> None:
    assert all(rule.scope is Scope.COMPONENT and not rule.hazard for rule in RULES if rule.waivable)


@pytest.mark.parametrize("rule", [rule for rule in RULES if not rule.waivable])
def test_a_check_that_is_not_waivable_cannot_be_waived(rule: Rule) -> None:
    code = rule.code
    text = BASE.replace(FEED, FEED + WAIVER.replace("N205", code))
    assert _codes(text) == ["N108"]
