"""The corpus of invalid specs: each case gives exactly its expected diagnostics, in every format."""

from __future__ import annotations

import ast
import contextlib
import difflib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import compiler.spec.rules
from compiler.cli import app
from compiler.diagnostics import SpecError
from compiler.registry import BY_CODE, RULES
from compiler.spec.load import parse_spec
from compiler.spec.model import Spec
from compiler.spec.validate import PATTERN_HINTS, validate

INVALID = Path(__file__).parent / "invalid"
BASE = INVALID / "base.yaml"
CASES = sorted((INVALID / "cases").glob("*.yaml"))
SHOWN = "spec/system.yaml"
TEXT_LINE = re.compile(r"^(spec/[a-z0-9/-]+\.yaml):(\d+):(\d+): error: (.+) \[(N\d{3})\]$")


def expected(case: Path) -> str:
    """The diagnostics a case must produce, as text."""
    return case.with_suffix(".expected").read_text(encoding="utf-8")


def included(case: Path) -> Path:
    """The folder of files a case's spec includes (NAME.files/, copied into spec/ beside it)."""
    return case.with_suffix(".files")


def run(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """`nifty validate` on a case placed at spec/system.yaml, from the user's working directory."""
    spec = tmp_path / "spec" / "system.yaml"
    if included(case).is_dir():
        shutil.copytree(included(case), spec.parent)
    spec.parent.mkdir(exist_ok=True)
    spec.write_bytes(case.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "--spec", SHOWN, *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 80


def test_base_is_valid() -> None:
    validate(parse_spec(BASE.read_bytes(), SHOWN))


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case_gives_its_diagnostics(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(case, tmp_path, monkeypatch)
    assert (code, out) == (1, "")
    assert err == expected(case)
    assert "Traceback" not in err


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case_is_a_small_change_of_the_base(case: Path) -> None:
    before = BASE.read_text(encoding="utf-8").splitlines()
    after = case.read_bytes().decode("utf-8", errors="replace").splitlines()
    diff = list(difflib.unified_diff(before, after, lineterm="", n=0))
    added = [line for line in diff[2:] if line.startswith("+")]
    # A case is the base with one fault (a few lines added or changed, or a part removed),
    # or a file too small to be anything but its fault.
    assert diff
    assert len(after) <= 3 or len(added) <= 6, added


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_expected_diagnostics_are_sorted_and_positioned(case: Path) -> None:
    places = []
    for line in expected(case).splitlines():
        match = TEXT_LINE.match(line)
        assert match, line
        places.append((match[1], int(match[2]), int(match[3])))
        assert places[-1][1:] >= (1, 1)
    assert places == sorted(places)


SPEC_PACKAGE = Path(compiler.spec.rules.__file__).parent
# The modules that read files or other folders; the corpus holds specs that load, so their own
# tests cover them (tests/test_load_hazards.py, test_include.py, test_observability.py).
READERS = {"load.py", "include.py", "monitoring.py", "positions.py"}


def _coded_calls(path: Path) -> set[int]:
    """The first line of every call in a module that gives a diagnostic its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and any(keyword.arg == "code" for keyword in node.keywords)
    }


# Every module that turns a valid shape into diagnostics; a case must reach each of their reports.
RULE_MODULES = tuple(
    path for path in sorted(SPEC_PACKAGE.glob("*.py")) if path.name not in READERS and _coded_calls(path)
)


def _rule_lines(path: Path) -> set[int]:
    """Lines of a rule module that produce a diagnostic."""
    return _coded_calls(path)


def _traced_lines() -> set[tuple[str, int]]:
    """(file, line) of the rule modules executed while validating every case."""
    seen: set[tuple[str, int]] = set()
    targets = {str(path) for path in RULE_MODULES}

    def tracer(frame: FrameType, event: str, _arg: Any) -> Any:
        if frame.f_code.co_filename not in targets:
            return None
        if event == "line":
            seen.add((frame.f_code.co_filename, frame.f_lineno))
        return tracer

    sys.settrace(tracer)
    try:
        for case in CASES:
            with contextlib.suppress(SpecError):
                validate(parse_spec(case.read_bytes(), SHOWN))
    finally:
        sys.settrace(None)
    return seen


def test_every_rule_has_a_case() -> None:
    traced = _traced_lines()
    missing = []
    for module in RULE_MODULES:
        path = str(module)
        source = module.read_text(encoding="utf-8").splitlines()
        missing += [
            f"{module.name}:{n}: {source[n - 1].strip()}"
            for n in sorted(_rule_lines(module))
            if (path, n) not in traced
        ]
    assert len(RULE_MODULES) >= 12
    assert not missing, missing


def _case_code(case: Path) -> str:
    return case.stem.split("-", 1)[0]


# Checks that no spec in the corpus can show: they speak of files around the spec.
OUTSIDE_THE_CORPUS = {
    "N007": "tests/test_observability.py (monitoring/)",
    "N008": "tests/test_cli.py (files that cannot be read or written)",
    "N009": "tests/test_cli.py (compile --check)",
}


def test_every_registered_check_has_a_case_named_by_its_code() -> None:
    named = {_case_code(case) for case in CASES}
    missing = [rule.code for rule in RULES if rule.code not in named and rule.code not in OUTSIDE_THE_CORPUS]
    assert not missing, missing
    assert named <= set(BY_CODE)


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_a_case_gives_the_code_it_is_named_by(case: Path) -> None:
    assert re.fullmatch(r"N\d{3}-[a-z0-9-]+", case.stem), case.stem
    assert f"[{_case_code(case)}]" in expected(case).splitlines()[0]


def test_every_code_the_compiler_gives_is_registered_once() -> None:
    assert len(BY_CODE) == len(RULES)
    used = set()
    for path in Path(compiler.spec.rules.__file__).parents[1].rglob("*.py"):
        used |= set(re.findall(r'code="(N\d{3})"|= "(N\d{3})"', path.read_text(encoding="utf-8")))
    codes = {code for pair in used for code in pair if code}
    assert codes <= set(BY_CODE), codes - set(BY_CODE)
    assert codes == set(BY_CODE), set(BY_CODE) - codes


def _schema_constraints(node: Any) -> Iterator[tuple[str, str]]:
    """(keyword, pattern or '') of every constraint in a JSON schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield ("pattern", value)
            elif key in {"maxLength", "minLength", "minimum", "maximum", "minItems", "enum", "const"}:
                yield (key, "")
            yield from _schema_constraints(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_constraints(item)


ERROR_OF_KEYWORD = {
    "maxLength": "string_too_long",
    "minLength": "string_too_short",
    "minimum": "greater_than_equal",
    "maximum": "less_than_equal",
    "minItems": "too_short",
    "enum": "literal_error",
    "const": "literal_error",
}


def _corpus_errors() -> set[tuple[str, str]]:
    """(Pydantic error type, pattern) of every model error the corpus provokes."""
    found: set[tuple[str, str]] = set()
    for case in CASES:
        try:
            data = parse_spec(case.read_bytes(), SHOWN).data
        except SpecError:
            continue
        try:
            Spec.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                found.add((error["type"], str((error.get("ctx") or {}).get("pattern", ""))))
    return found


def test_every_constraint_of_the_model_has_a_case() -> None:
    seen = _corpus_errors()
    kinds = {kind for kind, _ in seen}
    for keyword, pattern in set(_schema_constraints(Spec.model_json_schema())):
        if keyword == "pattern":
            assert ("string_pattern_mismatch", pattern) in seen, pattern
        else:
            assert ERROR_OF_KEYWORD[keyword] in kinds, keyword
    structural = {"extra_forbidden", "missing", "string_type", "int_type", "bool_type", "list_type"}
    assert structural <= kinds
    assert kinds & {"model_type", "dict_type"}


def test_every_pattern_is_explained_in_words() -> None:
    patterns = {p for k, p in _schema_constraints(Spec.model_json_schema()) if k == "pattern"}
    assert patterns <= set(PATTERN_HINTS)


MULTI = INVALID / "cases" / "N005-name-pattern.yaml"


def test_json_format_carries_the_same_diagnostics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(MULTI, tmp_path, monkeypatch, "--format", "json")
    assert (code, err) == (1, "")
    items = json.loads(out)
    assert len(items) == 3
    assert {tuple(item) for item in items} == {("path", "line", "column", "message", "severity", "code")}
    as_text = "".join(
        f"{i['path']}:{i['line']}:{i['column']}: {i['severity']}: {i['message']} [{i['code']}]\n"
        for i in items
    )
    assert as_text == expected(MULTI)


def test_github_format_is_one_annotation_per_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(MULTI, tmp_path, monkeypatch, "--format", "github")
    assert (code, err) == (1, "")
    annotation = re.compile(r"^::error file=spec/system\.yaml,line=(\d+),col=(\d+),title=(N\d{3})::(.+)$")
    rebuilt = []
    for line in out.splitlines():
        match = annotation.match(line)
        assert match, line
        rebuilt.append(f"{SHOWN}:{match[1]}:{match[2]}: error: {match[4]} [{match[3]}]\n")
    assert "".join(rebuilt) == expected(MULTI)


def test_github_format_escapes_what_would_end_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "a,b:c%.yaml"
    spec.write_text("a: {b: 1}\na: {b: 2}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "--spec", spec.name, "--format", "github"])
    assert result.exit_code == 1
    duplicate = "::error file=a%2Cb%3Ac%25.yaml,line=2,col=1,title=N001::duplicate key 'a' (first at line 1);"
    assert any(line.startswith(duplicate) for line in result.stdout.splitlines())
