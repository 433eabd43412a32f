"""The example systems compile to their committed out/, build with kubectl and pass promtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.output.write import read_tree
from compiler.pipeline import compile_spec, load_plan
from tests.promtool import check_plan
from tests.tools import ROOT, build_all, systems

EXAMPLES = systems()[1:]
IDS = [folder.name for folder in EXAMPLES]


OPTIONS = ROOT / "examples" / "options"


def test_there_are_the_examples() -> None:
    assert {"commodity", "options"} <= set(IDS)


def test_the_options_example_is_in_several_files_with_three_environments_and_profiles() -> None:
    folder = OPTIONS
    spec = folder / "spec" / "system.yaml"
    plan = load_plan(spec, folder / "monitoring")
    assert sorted(env.name for env in plan.environments) == ["dev", "prod", "staging"]
    assert len(list((folder / "spec").rglob("*.yaml"))) > 1
    assert "profiles:" in spec.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", EXAMPLES, ids=IDS)
def test_an_example_has_no_drift(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # From the example's folder, as `nifty compile` is run there.
    monkeypatch.chdir(folder)
    assert compile_spec(Path("spec/system.yaml"), Path("monitoring")) == read_tree(Path("out"))


@pytest.mark.parametrize("folder", EXAMPLES, ids=IDS)
def test_an_example_builds_with_kubectl_and_validates_strictly(folder: Path, tmp_path: Path) -> None:
    built = build_all(folder / "out", tmp_path)
    plan = load_plan(folder / "spec" / "system.yaml", folder / "monitoring")
    assert set(built) == {"base", *(env.name for env in plan.environments)}


@pytest.mark.parametrize("folder", EXAMPLES, ids=IDS)
def test_an_example_passes_promtool(folder: Path, tmp_path: Path) -> None:
    plan = load_plan(folder / "spec" / "system.yaml", folder / "monitoring")
    untested = check_plan(plan, tmp_path, folder / "monitoring" / "tests")
    assert untested == {name: [] for name in untested}


def test_the_example_changes_what_differs_per_environment() -> None:
    dev = (ROOT / "examples/options/out/overlays/dev/patches/statefulset-bus.yaml").read_text(
        encoding="utf-8"
    )
    assert "5Gi" in dev and "standard" in dev
