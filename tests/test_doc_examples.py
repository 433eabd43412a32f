"""Every console example of the docs is what the real command prints after the edits it states.

The pages are README.md and docs/*.md. Each example is a ```console block preceded by a comment such
as `<!-- example: {"edits": [["old", "new"]]} -->`: the edits are applied to a copy of the seed spec
(tests/fixtures/seed, in a git repository holding its compiled out/), never to the working spec, the
command of the block's `$` line runs and its stdout then stderr must equal the lines below it.
`{fake:NAME}` in an edit stands for the fake credential NAME of tests/test_leaks.py, so that the
docs hold no credential-shaped value.
A block that quotes diagnostics of specs unlike the shipped one (several files, profiles) is
preceded by `<!-- corpus: CASE, ... -->` instead: each of its lines is a line of a named case of
the invalid-spec corpus, whose test runs nifty on the case.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MONITORING, ROOT
from tests.test_leaks import FAKES
from tests.tools import tool

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DIAGNOSTICS = ROOT / "docs" / "diagnostics.md"
EXAMPLE = re.compile(r"<!-- example: (\{.*?\}) -->\n+```console\n(.*?)```", re.DOTALL)
CORPUS_EXAMPLE = re.compile(r"<!-- corpus: ([\w, -]+) -->\n+```console\n(.*?)```", re.DOTALL)
CASES = ROOT / "tests" / "invalid" / "cases"
FAKE = re.compile(r"\{fake:(\w+)\}")


def _text() -> str:
    return "".join(page.read_text(encoding="utf-8") for page in PAGES)


def _examples() -> list[tuple[dict[str, Any], str]]:
    return [(json.loads(m[1]), m[2]) for m in EXAMPLE.finditer(_text())]


def _corpus_examples() -> list[tuple[list[str], str]]:
    """Console blocks quoting the invalid-spec corpus: the cases named above them, and the block."""
    return [([name.strip() for name in m[1].split(",")], m[2]) for m in CORPUS_EXAMPLE.finditer(_text())]


def test_every_console_block_is_an_example() -> None:
    assert len(_examples()) + len(_corpus_examples()) == _text().count("```console\n") >= 4


@pytest.mark.parametrize("index", range(len(_corpus_examples())))
def test_a_corpus_example_quotes_the_cases_it_names(index: int) -> None:
    """Each line is a line of a named case's .expected file, which the corpus test checks by running nifty."""
    names, block = _corpus_examples()[index]
    expected = set()
    for name in names:
        expected |= set((CASES / f"{name}.expected").read_text(encoding="utf-8").splitlines())
    lines = block.splitlines()
    assert lines and all(line in expected for line in lines), [line for line in lines if line not in expected]


def _apply(spec: Path, edits: list[list[str]]) -> None:
    text = spec.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} is not once in the seed spec"
        text = text.replace(old, FAKE.sub(lambda m: FAKES[m[1]], new))
    spec.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("index", range(len(_examples())))
def test_console_example_is_what_the_command_prints(repo: Path, index: int) -> None:
    example, block = _examples()[index]
    command, *shown = block.splitlines()
    assert command.startswith("$ "), command
    _apply(repo / "spec" / "system.yaml", example.get("edits", []))
    words = shlex.split(command[2:])
    assert words[0] == "nifty"
    result = subprocess.run(
        [tool("nifty"), *words[1:]], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode == example.get("exit", 1), result.stderr
    assert (result.stdout + result.stderr).splitlines() == shown


def test_the_recipe_for_a_new_case_writes_what_the_corpus_holds(tmp_path: Path) -> None:
    """The recipe's commands for a new invalid-spec case, run as written, give the committed file."""
    text = DIAGNOSTICS.read_text(encoding="utf-8")
    recipe = text.split("To add a case", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    name = "N005-arg-pattern"
    shutil.copytree(ROOT / "tests" / "invalid" / "cases", tmp_path / "repo" / "tests" / "invalid" / "cases")
    shutil.copytree(MONITORING, tmp_path / "repo" / "monitoring")
    expected = tmp_path / "repo" / "tests" / "invalid" / "cases" / f"{name}.expected"
    expected.unlink()
    script = recipe.replace("NAME", name).replace("/tmp/case", str(tmp_path / "case"))
    path = f"{Path(tool('nifty')).parent}{os.pathsep}{os.environ['PATH']}"
    # nifty validate exits 1 on the faulty spec, as the case wants; the file is what counts.
    subprocess.run(
        ["bash", "-c", script], cwd=tmp_path / "repo", env={**os.environ, "PATH": path}, check=False
    )
    committed = (ROOT / "tests" / "invalid" / "cases" / f"{name}.expected").read_text(encoding="utf-8")
    assert expected.read_text(encoding="utf-8") == committed
