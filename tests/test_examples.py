"""The options example, frozen in tests/fixtures/options: a spec in several files compiles, builds with
kubectl and passes promtool. (The drift, kubectl, promtool and amtool checks of the working examples/
are the checks of the user's system: the nox sessions run them on every example.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.output.write import write_tree
from compiler.pipeline import compile_spec, load_plan
from tests.conftest import ROOT
from tests.promtool import check_plan
from tests.tools import build_all

OPTIONS = ROOT / "tests" / "fixtures" / "options"
SPEC = OPTIONS / "spec" / "system.yaml"
MONITORING = OPTIONS / "monitoring"


@pytest.fixture(scope="module")
def tree() -> dict[str, str]:
    """The example's out/ tree, as `nifty compile` writes it in the example's folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(OPTIONS)
        return compile_spec(Path("spec/system.yaml"), Path("monitoring"))


def test_the_example_is_in_several_files_with_three_environments_and_profiles() -> None:
    plan = load_plan(SPEC, MONITORING)
    assert sorted(env.name for env in plan.environments) == ["dev", "prod", "staging"]
    assert len(list((OPTIONS / "spec").rglob("*.yaml"))) > 1
    assert "profiles:" in SPEC.read_text(encoding="utf-8")


@pytest.mark.tools
def test_the_example_builds_with_kubectl_and_validates_strictly(tree: dict[str, str], tmp_path: Path) -> None:
    write_tree(tmp_path / "out", tree)
    built = build_all(tmp_path / "out")
    assert set(built) == {"base", "dev", "prod", "staging"}


@pytest.mark.tools
def test_the_example_passes_promtool(tmp_path: Path) -> None:
    untested = check_plan(load_plan(SPEC, MONITORING), tmp_path, MONITORING / "tests")
    assert untested == {name: [] for name in untested}


def test_the_example_changes_what_differs_per_environment(tree: dict[str, str]) -> None:
    dev = tree["overlays/dev/patches/statefulset-bus.yaml"]
    assert "5Gi" in dev and "standard" in dev
