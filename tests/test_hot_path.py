"""hot_path per component: the layer's value is its default, and a component may say otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import SpecError
from compiler.plan.model import EnvPlan
from compiler.plan.resolve import plan
from compiler.render.workloads import render
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
FEED = "      - name: feed-handler\n"
ENGINE = "      - name: indicator-engine\n"
ENGINE_SIZE = "resources: {cpu: 500m, memory: 512Mi}"


def _base(text: str) -> EnvPlan:
    spec = validate(parse_spec(text.encode(), "spec/system.yaml"))
    return plan(spec, (), "spec/system.yaml").base


def _hot(text: str) -> dict[str, bool]:
    return {w.name: w.hot_path for layer in _base(text).layers for w in layer.workloads}


def test_a_component_takes_its_layers_hot_path_unless_it_says() -> None:
    assert _hot(BASE) == {"feed-handler": True, "redis": False, "indicator-engine": False}
    text = BASE.replace(FEED, FEED + "        hot_path: false\n").replace(
        ENGINE, ENGINE + "        hot_path: true\n"
    )
    assert _hot(text) == {"feed-handler": False, "redis": False, "indicator-engine": True}


def test_the_hot_path_decides_priority_and_guaranteed_qos() -> None:
    text = BASE.replace(ENGINE, ENGINE + "        hot_path: true\n")
    priorities = {
        placed.manifest["metadata"]["name"]: placed.manifest["spec"]["template"]["spec"]["priorityClassName"]
        for placed in render(_base(text))
        if placed.manifest["kind"] in ("Deployment", "StatefulSet")
    }
    assert priorities["indicator-engine"] == priorities["feed-handler"] != priorities["redis"]
    bursting = text.replace(ENGINE_SIZE, ENGINE_SIZE.replace("}", ", cpu_limit: 1}"))
    assert bursting != text
    with pytest.raises(SpecError) as error:
        validate(parse_spec(bursting.encode(), "spec/system.yaml"))
    assert [d.code for d in error.value.diagnostics] == ["N205"]
