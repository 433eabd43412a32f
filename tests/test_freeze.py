"""The deploy freeze: an Argo CD AppProject whose deny windows cover the market's trading hours.

No package on PyPI carries Argo CD's AppProject schema, so the field names below were read from
Argo CD's own CRD, manifests/crds/appproject-crd.yaml of argoproj/argo-cd (commit 37ee0097,
2026-08-22, `argoproj.io/v1alpha1` AppProject, `spec.properties`), and the window semantics from
`SyncWindow.active` and `SyncWindow.Validate` in pkg/apis/application/v1alpha1/types.go of the
same commit; nothing of those files is copied here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.diagnostics import SpecError
from compiler.pipeline import compile_spec
from compiler.spec.load import read_spec
from tests.conftest import MONITORING, SPEC
from tests.cronexpr import parse
from tests.tools import objects

# AppProject spec fields in the CRD (a subset: those a project of ours could need).
PROJECT_FIELDS = {
    "clusterResourceBlacklist",
    "clusterResourceWhitelist",
    "description",
    "destinations",
    "namespaceResourceBlacklist",
    "namespaceResourceWhitelist",
    "roles",
    "sourceNamespaces",
    "sourceRepos",
    "syncWindows",
}
DESTINATION_FIELDS = {"name", "namespace", "server"}
GROUP_KIND_FIELDS = {"group", "kind", "name"}
WINDOW_FIELDS = {
    "andOperator",
    "applications",
    "clusters",
    "description",
    "duration",
    "kind",
    "manualSync",
    "namespaces",
    "schedule",
    "syncOverrun",
    "timeZone",
}
GO_DURATION = r"^([0-9]+h)?([0-9]+m)?$"


def _project(tree: dict[str, str]) -> dict[str, Any]:
    (project,) = objects(tree["argocd/project.yaml"])
    return project


def _frozen_envs() -> set[str]:
    envs = read_spec(SPEC).data["environments"]
    return {name for name, env in envs.items() if env.get("delivery", {}).get("freeze")}


def test_the_project_has_only_fields_of_argo_cds_schema(shipped_tree: dict[str, str]) -> None:
    project = _project(shipped_tree)
    assert (project["apiVersion"], project["kind"]) == ("argoproj.io/v1alpha1", "AppProject")
    spec = project["spec"]
    assert set(spec) <= PROJECT_FIELDS
    assert all(set(d) <= DESTINATION_FIELDS for d in spec["destinations"])
    assert all({"group", "kind"} <= set(g) <= GROUP_KIND_FIELDS for g in spec["clusterResourceWhitelist"])
    assert spec["syncWindows"]
    for window in spec["syncWindows"]:
        assert set(window) <= WINDOW_FIELDS
        assert window["kind"] == "deny"
        assert window["manualSync"] is True
        assert window["timeZone"] == read_spec(SPEC).data["market"]["timezone"]
        assert len(window["description"]) <= 255  # Validate's limit
        parse(window["schedule"])
        assert re.match(GO_DURATION, window["duration"]) and window["duration"]


def test_the_applications_use_the_project_and_only_frozen_ones_are_denied(
    shipped_tree: dict[str, str],
) -> None:
    project = _project(shipped_tree)
    name = project["metadata"]["name"]
    frozen = _frozen_envs()
    assert frozen == {"prod"}
    apps = {
        path: objects(text)[0]
        for path, text in shipped_tree.items()
        if path.startswith("argocd/") and objects(text)[0]["kind"] == "Application"
    }
    assert apps
    for app in apps.values():
        assert app["spec"]["project"] == name
        assert app["spec"]["source"]["repoURL"] in project["spec"]["sourceRepos"]
        assert {
            "server": app["spec"]["destination"]["server"],
            "namespace": app["spec"]["destination"]["namespace"],
        } in project["spec"]["destinations"]
    denied = {a for w in project["spec"]["syncWindows"] for a in w["applications"]}
    envs = {
        app["metadata"]["labels"]["nifty.io/environment"]: app["metadata"]["name"] for app in apps.values()
    }
    assert denied == {envs[env] for env in frozen}


@pytest.mark.tools
def test_the_project_allows_every_cluster_scoped_kind_of_the_builds(shipped_out: Path) -> None:
    from tests.tools import build_all

    allowed = {
        (g["group"], g["kind"]) for g in _project_from(shipped_out)["spec"]["clusterResourceWhitelist"]
    }
    for text in build_all(shipped_out).values():
        for obj in objects(text):
            if "namespace" not in obj["metadata"]:
                group = obj["apiVersion"].rpartition("/")[0]
                assert (group, obj["kind"]) in allowed, obj["kind"]


def _project_from(out: Path) -> dict[str, Any]:
    (project,) = objects((out / "argocd" / "project.yaml").read_text(encoding="utf-8"))
    return project


def test_without_a_freeze_the_project_has_no_windows(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    for env in data["environments"].values():
        env.get("delivery", {}).pop("freeze", None)
    spec = tmp_path / "system.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    project = _project(compile_spec(spec, MONITORING))
    assert "syncWindows" not in project["spec"]


def test_a_freeze_needs_the_calendar(tmp_path: Path) -> None:
    data = read_spec(SPEC).data
    del data["market"]
    for layer in data["layers"]:
        for component in layer["components"]:
            component.pop("prescale", None)
    spec = tmp_path / "system.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        compile_spec(spec, MONITORING)
    assert any("freeze needs the top-level 'market'" in d.message for d in caught.value.diagnostics)
