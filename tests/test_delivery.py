"""Argo CD Applications: one per environment, pointing at its overlay, leaving HPA replicas alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.diagnostics import SpecError
from compiler.kustomize.environment import build_environment
from compiler.pipeline import compile_spec
from compiler.plan.model import Plan
from compiler.spec.load import read_spec
from tests.conftest import MONITORING, SPEC
from tests.tools import kustomize, objects

# The fields of the Argo CD Application CRD (argoproj.io/v1alpha1) this project may emit.
SPEC_FIELDS = {"project", "source", "destination", "syncPolicy", "ignoreDifferences"}
SOURCE_FIELDS = {"repoURL", "targetRevision", "path"}
DESTINATION_FIELDS = {"server", "name", "namespace"}
SYNC_FIELDS = {"automated", "syncOptions", "retry"}
AUTOMATED_FIELDS = {"prune", "selfHeal", "allowEmpty"}
IGNORE_FIELDS = {"group", "kind", "name", "namespace", "jsonPointers", "jqPathExpressions"}


def _applications(tree: dict[str, str]) -> dict[str, dict[str, Any]]:
    found = {}
    for path, text in tree.items():
        if path.startswith("argocd/") and path not in ("argocd/kustomization.yaml", "argocd/project.yaml"):
            (app,) = objects(text)
            found[path] = app
    return found


def _delivery() -> dict[str, Any]:
    data = read_spec(SPEC).data
    delivery: dict[str, Any] = data["delivery"]
    return delivery


def _sync(env: str) -> dict[str, Any]:
    data = read_spec(SPEC).data
    change = data["environments"][env].get("delivery", {})
    sync: dict[str, Any] = change.get("sync", data["delivery"].get("sync", {}))
    return sync


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def test_one_application_per_environment(shipped_tree: dict[str, str], shipped_plan: Plan) -> None:
    apps = _applications(shipped_tree)
    assert set(apps) == {f"argocd/{env.name}.yaml" for env in shipped_plan.environments}


def test_applications_follow_their_overlay(shipped_tree: dict[str, str], shipped_plan: Plan) -> None:
    delivery = _delivery()
    for env in shipped_plan.environments:
        app = _applications(shipped_tree)[f"argocd/{env.name}.yaml"]
        assert (app["apiVersion"], app["kind"]) == ("argoproj.io/v1alpha1", "Application")
        assert set(app["spec"]) <= SPEC_FIELDS
        source, destination = app["spec"]["source"], app["spec"]["destination"]
        assert set(source) == SOURCE_FIELDS
        assert set(destination) <= DESTINATION_FIELDS
        assert source["repoURL"] == delivery["repository"]
        assert source["targetRevision"] == delivery["revision"]
        # The path names an overlay of this tree, as seen from the repository root.
        overlay = source["path"].removeprefix(delivery.get("path", "out") + "/")
        kustomization = objects(shipped_tree[f"{overlay}/kustomization.yaml"])[0]
        assert overlay == f"overlays/{env.name}"
        assert destination["namespace"] == kustomization["namespace"]
        assert destination["server"].startswith("https://")


def test_sync_policy_follows_the_spec(shipped_tree: dict[str, str], shipped_plan: Plan) -> None:
    for env in shipped_plan.environments:
        policy = _applications(shipped_tree)[f"argocd/{env.name}.yaml"]["spec"]["syncPolicy"]
        sync = _sync(env.name)
        assert set(policy) <= SYNC_FIELDS
        assert "RespectIgnoreDifferences=true" in policy["syncOptions"]
        if sync.get("automated", True):
            assert set(policy["automated"]) <= AUTOMATED_FIELDS
            assert policy["automated"]["prune"] == sync.get("prune", True)
            assert policy["automated"]["selfHeal"] == sync.get("self_heal", True)
        else:
            assert "automated" not in policy


def test_an_environment_that_syncs_by_hand_has_no_automated_policy(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    data["environments"]["dev"]["delivery"] = {"sync": {"automated": False}}
    tree = _compile(tmp_path, data)
    policy = _applications(tree)["argocd/dev.yaml"]["spec"]["syncPolicy"]
    assert "automated" not in policy
    assert "automated" in _applications(tree)["argocd/prod.yaml"]["spec"]["syncPolicy"]


def _compile(tmp_path: Path, data: dict[str, Any]) -> dict[str, str]:
    spec = tmp_path / "system.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return compile_spec(spec, MONITORING)


def test_no_delivery_no_applications(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    del data["delivery"]
    for env in data["environments"].values():
        env.pop("delivery", None)
    tree = _compile(tmp_path, data)
    assert not [path for path in tree if path.startswith("argocd/")]
    assert "overlays/prod/kustomization.yaml" in tree


def test_environment_delivery_needs_the_top_level_one(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    del data["delivery"]
    data["environments"]["prod"].pop("delivery", None)
    data["environments"]["dev"]["delivery"] = {"revision": "develop"}
    with pytest.raises(SpecError) as caught:
        _compile(tmp_path, data)
    (problem,) = caught.value.diagnostics
    assert "environment 'dev'" in problem.message
    assert problem.message.endswith("needs a top-level 'delivery' with the repository")


def test_environment_overrides_cluster_and_revision(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    data["environments"]["dev"]["delivery"] = {
        "cluster": "https://dev.k8s.internal:6443",
        "revision": "develop",
    }
    app = objects(_compile(tmp_path, data)["argocd/dev.yaml"])[0]
    assert app["spec"]["destination"]["server"] == "https://dev.k8s.internal:6443"
    assert app["spec"]["source"]["targetRevision"] == "develop"
    prod = objects(_compile(tmp_path, data)["argocd/prod.yaml"])[0]
    assert prod["spec"]["source"]["targetRevision"] == data["delivery"]["revision"]


def test_hpa_replicas_are_ignored_exactly(shipped_tree: dict[str, str], shipped_plan: Plan) -> None:
    for env in shipped_plan.environments:
        built = build_environment(env)
        kinds = {o["kind"]: _group(o["apiVersion"]) for o in built}
        targets = {
            (
                _group(h["spec"]["scaleTargetRef"]["apiVersion"]),
                h["spec"]["scaleTargetRef"]["kind"],
                h["spec"]["scaleTargetRef"]["name"],
            )
            for h in built
            # KEDA makes an HPA of each ScaledObject, on the same target.
            if h["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
        }
        app = _applications(shipped_tree)[f"argocd/{env.name}.yaml"]
        ignored = app["spec"].get("ignoreDifferences", [])
        assert all(
            set(entry) <= IGNORE_FIELDS and entry["jsonPointers"] == ["/spec/replicas"] for entry in ignored
        )
        assert {(e["group"], e["kind"], e["name"]) for e in ignored} == targets
        assert all(kinds[kind] == group for group, kind, _ in targets)
        assert targets, f"{env.name} should have autoscaled workloads"


@pytest.mark.tools
def test_kubectl_builds_the_applications(shipped_out: Path, shipped_tree: dict[str, str]) -> None:
    built = objects(kustomize(shipped_out / "argocd", shipped_out))
    project = objects(shipped_tree["argocd/project.yaml"])
    assert sorted(built, key=lambda o: str(o["metadata"]["name"])) == sorted(
        [*_applications(shipped_tree).values(), *project], key=lambda o: str(o["metadata"]["name"])
    )
