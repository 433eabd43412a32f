"""Every hint of a diagnostic leads to a valid value in one step: following it leaves the spec valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.diagnostics import SpecError
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate
from tests.conftest import MONITORING, SPEC
from tests.tools import objects, tool

SHIPPED = SPEC.read_text(encoding="utf-8")
PINNED = 'resources: {cpu: "1", memory: 512Mi}'
SESSION = '{name: normal, start: "09:15", end: "15:30"}'
DEFAULT_CPU = "    cpu: 250m\n"
API_SCALING = "autoscaling: {min: 2, max: 5, cpu: 70}"


def _messages(text: str) -> list[str]:
    try:
        validate(parse_spec(text.encode(), "spec/system.yaml"))
    except SpecError as error:
        return [d.message for d in error.diagnostics]
    return []


# (the shipped text, the faulty text, the hint it must give, the value the hint names, where it goes)
CASES = [
    (PINNED, "resources: {cpu: 1, memory: 1024}", "such as 1024Mi", "1024Mi", "memory: 1024"),
    (PINNED, 'resources: {cpu: 1, memory: "1024"}', "such as 1024Mi", "1024Mi", 'memory: "1024"'),
    (DEFAULT_CPU, "    cpu: 0.5\n", 'quote it: "0.5"', '"0.5"', "cpu: 0.5"),
    (DEFAULT_CPU, "    cpu: -1\n", "such as 250m or 1", "250m", "cpu: -1"),
    (API_SCALING, "autoscaling: {min: 2, max: 5, cpu: 70%}", "write 70,", "70", "cpu: 70%"),
    (SESSION, '{name: normal, start: "09:15", end: 15:30}', 'quote it ("15:30")', '"15:30"', "end: 15:30"),
]


@pytest.mark.parametrize(("shipped", "faulty", "hint", "value", "written"), CASES)
def test_a_hint_leads_to_a_valid_value_in_one_step(
    shipped: str, faulty: str, hint: str, value: str, written: str
) -> None:
    assert shipped in SHIPPED
    text = SHIPPED.replace(shipped, faulty, 1)
    (message,) = _messages(text)
    assert hint in message, message
    # Only the hint's own suggestion: no second one that would be wrong for the field.
    assert "for a number" not in message
    key = written.split(":", maxsplit=1)[0]
    fixed = text.replace(faulty, faulty.replace(written, f"{key}: {value}"), 1)
    assert fixed != text
    assert _messages(fixed) == []


def test_memory_without_a_unit_names_one() -> None:
    text = SHIPPED.replace(PINNED, 'resources: {cpu: "1", memory: "1024"}', 1)
    (message,) = _messages(text)
    assert message.endswith(
        "'1024' is a size without a unit; write it with one, such as 1024Mi (Ki, Mi, Gi or Ti)"
    )


def test_an_integer_cpu_count_is_accepted_as_kubernetes_accepts_it(tmp_path: Path) -> None:
    shutil.copytree(SPEC.parent, tmp_path / "spec")
    shutil.copytree(MONITORING, tmp_path / "monitoring")
    (tmp_path / "spec" / "system.yaml").write_text(
        SHIPPED.replace(PINNED, "resources: {cpu: 2, memory: 512Mi}", 1), encoding="utf-8"
    )
    result = subprocess.run(
        [tool("nifty"), "render", "prod"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    (feed,) = [
        o
        for o in objects(result.stdout)
        if o["kind"] == "Deployment" and o["metadata"]["name"] == "feed-handler"
    ]
    (container,) = feed["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["requests"]["cpu"] == container["resources"]["limits"]["cpu"] == "2"
