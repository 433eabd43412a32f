"""out/README.md's Platform section and the AppProject: what each environment needs of its cluster."""

from __future__ import annotations

from typing import Any

import yaml

from compiler.kustomize.environment import build_environment
from compiler.pipeline import compile_spec
from compiler.plan.model import Plan
from tests.conftest import ROOT
from tests.test_docs import _section, _table

OPTIONS = ROOT / "tests" / "fixtures" / "options"


def _rows(tree: dict[str, str]) -> dict[str, list[str]]:
    return {row[0]: row for row in _table(_section(tree["README.md"], "## Platform"))}


def test_each_environment_names_the_parts_its_build_uses(
    shipped_plan: Plan, shipped_tree: dict[str, str]
) -> None:
    rows = _rows(shipped_tree)
    assert set(rows) == {env.name for env in shipped_plan.environments}
    for env in shipped_plan.environments:
        built = build_environment(env)
        kinds = {o["kind"] for o in built}
        _, gateway, cert_manager, external_secrets, keda = rows[env.name]
        routes = [o for o in built if o["kind"] == "HTTPRoute"]
        assert (gateway != "—") is bool(routes)
        if routes:
            parent = routes[0]["spec"]["parentRefs"][0]
            assert f"`{parent['namespace']}/{parent['name']}`" in gateway
            timeouts = any("timeouts" in rule for o in routes for rule in o["spec"]["rules"])
            # HTTPRoute timeouts reached Gateway API's standard channel in v1.2.0.
            assert gateway.startswith("v1.2.0+" if timeouts else "v1.0.0+"), gateway
        assert (cert_manager != "—") is ("Certificate" in kinds)
        secrets = [o for o in built if o["kind"] == "ExternalSecret"]
        assert (external_secrets != "—") is bool(secrets)
        if secrets:
            windows = any("syncWindows" in o["spec"] for o in secrets)
            # syncWindows came with External Secrets v2.7.0; external-secrets.io/v1 with v0.16.0.
            assert external_secrets.startswith("v2.7.0+" if windows else "v0.16.0+"), external_secrets
            assert f"`{secrets[0]['spec']['secretStoreRef']['name']}`" in external_secrets
        assert (keda != "—") is ("ScaledObject" in kinds)


def test_a_spec_without_platform_parts_has_no_platform_section() -> None:
    tree = compile_spec(OPTIONS / "spec" / "system.yaml", OPTIONS / "monitoring")
    assert "## Platform" not in tree["README.md"]


def _permitted(project: dict[str, Any], group: str, kind: str, namespaced: bool) -> bool:
    """Whether Argo CD lets the project sync a kind (as its AppProject's resource lists say)."""
    spec = project["spec"]

    def listed(key: str) -> bool:
        return any(e["group"] in (group, "*") and e["kind"] in (kind, "*") for e in spec.get(key, []))

    if not namespaced:
        return listed("clusterResourceWhitelist") and not listed("clusterResourceBlacklist")
    allowed = listed("namespaceResourceWhitelist") if "namespaceResourceWhitelist" in spec else True
    return allowed and not listed("namespaceResourceBlacklist")


def test_the_project_permits_every_kind_of_every_build(
    shipped_plan: Plan, shipped_tree: dict[str, str]
) -> None:
    project = yaml.safe_load(shipped_tree["argocd/project.yaml"].split("\n", 1)[1])
    seen = set()
    for env in shipped_plan.environments:
        for obj in build_environment(env):
            group = obj["apiVersion"].rpartition("/")[0]
            namespaced = "namespace" in obj["metadata"]
            seen.add(obj["kind"])
            assert _permitted(project, group, obj["kind"], namespaced), (env.name, group, obj["kind"])
    assert {"HTTPRoute", "Certificate", "ExternalSecret", "ScaledObject"} <= seen


def test_the_check_refuses_a_kind_the_project_leaves_out() -> None:
    project = {"spec": {"namespaceResourceWhitelist": [{"group": "apps", "kind": "Deployment"}]}}
    assert _permitted(project, "apps", "Deployment", True)
    assert not _permitted(project, "cert-manager.io", "Certificate", True)
    assert not _permitted({"spec": {}}, "", "Namespace", False)
