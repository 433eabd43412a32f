"""Names that live beyond one namespace carry the system's name; names that would clash are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.pipeline import load_plan
from compiler.plan.model import Plan
from tests.conftest import edit

BASE = Path(__file__).parent / "invalid" / "base.yaml"


def _plan(folder: Path, system: str, namespaces: tuple[str, str]) -> Plan:
    """The corpus base renamed to another system, with its base and dev namespaces."""
    folder.mkdir()
    spec = folder / "system.yaml"
    spec.write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    edit(spec, "  name: nifty50\n  namespace: nifty50\n", f"  name: {system}\n  namespace: {namespaces[0]}\n")
    edit(spec, "namespace: nifty50-dev", f"namespace: {namespaces[1]}")
    return load_plan(spec, folder / "monitoring")


def _cluster_scoped(plan: Plan) -> dict[str, set[tuple[str, str]]]:
    """(kind, name) of every object without a namespace, per environment."""
    return {
        env.name: {
            (o["kind"], o["metadata"]["name"])
            for o in build_environment(env)
            if "namespace" not in o["metadata"]
        }
        for env in (plan.base, *plan.environments)
    }


def test_two_systems_in_one_cluster_share_no_object(tmp_path: Path) -> None:
    one = _cluster_scoped(_plan(tmp_path / "one", "options", ("options", "options-dev")))
    two = _cluster_scoped(_plan(tmp_path / "two", "equities", ("equities", "equities-dev")))
    for env in ("base", "dev"):
        assert one[env] and two[env]
        assert not one[env] & two[env], env
        classes = {name for kind, name in one[env] if kind == "PriorityClass"}
        assert classes == {"options-hot-path", "options-standard"}


def test_pods_name_their_own_system_s_priority_class(tmp_path: Path) -> None:
    plan = _plan(tmp_path / "one", "options", ("options", "options-dev"))
    for env in (plan.base, *plan.environments):
        docs = build_environment(env)
        classes = {o["metadata"]["name"] for o in docs if o["kind"] == "PriorityClass"}
        used = {
            o["spec"]["template"]["spec"]["priorityClassName"]
            for o in docs
            if o["kind"] in ("Deployment", "StatefulSet")
        }
        assert used == classes


def _problems(tmp_path: Path, old: str, new: str) -> list[str]:
    """The messages of `nifty validate` on the corpus base with one edit."""
    spec = tmp_path / "system.yaml"
    spec.write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    edit(spec, old, new)
    with pytest.raises(SpecError) as caught:
        load_plan(spec, tmp_path / "monitoring")
    return [d.message for d in caught.value.diagnostics]


@pytest.mark.parametrize("name", ["base", "argocd"])
def test_an_environment_cannot_take_the_name_of_a_folder_of_out(tmp_path: Path, name: str) -> None:
    (message,) = _problems(tmp_path, "\n  dev:\n", f"\n  {name}:\n")
    assert message.startswith(f"environment '{name}': the name '{name}' is reserved")


@pytest.mark.parametrize("name", ["Dev", "dev/eu", "../dev", "DEV"])
def test_environment_names_are_dns_labels_so_case_and_separators_cannot_clash(
    tmp_path: Path, name: str
) -> None:
    (message,) = _problems(tmp_path, "\n  dev:\n", f'\n  "{name}":\n')
    assert "is not a valid name" in message


@pytest.mark.parametrize("namespace", ["kube-system", "default", "argocd", "ingress-nginx"])
def test_a_namespace_of_the_cluster_or_its_tools_is_refused(tmp_path: Path, namespace: str) -> None:
    (message,) = _problems(tmp_path, "namespace: nifty50-dev", f"namespace: {namespace}")
    assert f"namespace '{namespace}' is" in message
