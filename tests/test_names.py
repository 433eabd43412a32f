"""Names that live beyond one namespace carry the system's name; names that would clash are refused."""

from __future__ import annotations

from pathlib import Path

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
