"""The committed JSON Schema accepts the shipped spec and refuses what the input models refuse."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError
from typer.testing import CliRunner

from compiler.cli import app
from compiler.pipeline import compile_spec
from compiler.spec.load import read_spec
from compiler.spec.model import Spec
from tests.conftest import MONITORING, SPEC

Path_ = tuple[str | int, ...]


@functools.cache
def _schema() -> dict[str, Any]:
    # What every compile writes as out/schema.json; the drift check compares the committed one.
    loaded: dict[str, Any] = json.loads(compile_spec(SPEC, MONITORING)["schema.json"])
    return loaded


@functools.cache
def _shipped_once() -> dict[str, Any]:
    return read_spec(SPEC).data


def _shipped() -> dict[str, Any]:
    """A fresh copy of the shipped spec's data, safe to edit."""
    return copy.deepcopy(_shipped_once())


@functools.cache
def _validator() -> Draft202012Validator:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _accepted_by_models(data: Any) -> bool:
    try:
        Spec.model_validate(data)
    except ValidationError:
        return False
    return True


def test_nifty_schema_prints_the_compiled_file() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == _schema()


def test_spec_names_the_schema_on_its_first_line() -> None:
    first = SPEC.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    # spec/ and out/ stand side by side in a project.
    assert first == f"{prefix}../out/schema.json"


def test_schema_validates_the_shipped_spec() -> None:
    errors = [e.message for e in _validator().iter_errors(_shipped())]
    assert errors == []


@pytest.mark.parametrize(
    "where",
    [(), ("system",), ("layers", 0), ("layers", 1, "components", 0), ("environments", "prod")],
)
def test_schema_rejects_unknown_keys(where: Path_) -> None:
    data = _shipped()
    target: Any = data
    for part in where:
        target = target[part]
    target["replica"] = 3
    errors = list(_validator().iter_errors(data))
    assert any("replica" in e.message and e.validator == "additionalProperties" for e in errors)
    assert not _accepted_by_models(data)


def test_every_field_has_a_description() -> None:
    schema = _schema()
    models = {"Spec": schema, **schema["$defs"]}
    missing = [
        f"{model}.{field}"
        for model, body in models.items()
        for field, prop in body.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


def _paths(node: Any, here: Path_ = ()) -> list[Path_]:
    """Every path into a plain YAML tree, the root included."""
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*here, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*here, index)))
    return found


SHIPPED_PATHS = _paths(_shipped_once())
# Values of every JSON type, some valid for some fields; floats are left out because JSON Schema
# counts 2.0 as an integer while the strict models do not.
VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [None, True, 0, 1, 8080, 70000, -1, "", "x", "2.4.1", "Bad Name", "250m", "1Gi", "/data", [], {}, ["api"]]
)


@settings(max_examples=60, deadline=None)
@given(where=st.sampled_from(SHIPPED_PATHS[1:]), value=VALUES)
def test_schema_and_models_agree_on_edited_specs(where: Path_, value: Any) -> None:
    data = _shipped()
    parent: Any = data
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = copy.deepcopy(value)
    assert _validator().is_valid(data) == _accepted_by_models(data), where
