"""The harness that hands builds to the real validators refuses what they refuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.tools import tool, validate_strict

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "api"},
    "spec": {
        "selector": {"matchLabels": {"app": "api"}},
        "template": {
            "metadata": {"labels": {"app": "api"}},
            "spec": {"containers": [{"name": "api", "image": "api:1"}]},
        },
    },
}


def _with(path: tuple[str, ...], value: object) -> dict[str, object]:
    """DEPLOYMENT with one field set at path."""
    obj = yaml.safe_load(yaml.safe_dump(DEPLOYMENT))
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return dict(obj)


BROKEN = {
    "an unknown field": _with(("spec", "replica"), 2),
    "a wrong type": _with(("spec", "replicas"), "two"),
    "a missing required field": _with(("spec", "template", "spec", "containers"), [{"image": "api:1"}]),
}


def test_a_valid_object_passes() -> None:
    validate_strict(yaml.safe_dump(DEPLOYMENT))


@pytest.mark.tools
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_what_the_command_refuses_is_refused(case: str, tmp_path: Path) -> None:
    text = yaml.safe_dump(BROKEN[case])
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    command = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "--quiet", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert command.returncode != 0, command.stdout
    with pytest.raises(AssertionError, match="kubernetes-validate --strict: Deployment/api is invalid"):
        validate_strict(text)


def test_a_kind_without_a_schema_fails_where_the_command_only_warns() -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(AssertionError, match="Couldn't find schema for kind Widget"):
        validate_strict(yaml.safe_dump(unknown))
