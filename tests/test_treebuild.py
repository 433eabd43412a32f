"""The pure-Python build of an out/ tree equals `kubectl kustomize`, feature by feature."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.kustomize.build import TreeBuildError, build_folder, environments, folder_of
from compiler.kustomize.environment import build_environment
from compiler.kustomize.jsonpatch import PatchError, apply_patch
from compiler.plan.model import Plan
from tests.tools import kustomize, objects

# A small tree that uses every feature the build understands, beyond what the shipped spec emits.
WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
      - {name: init, image: "registry.example.internal:5000/shop/web:1.0"}
      containers:
      - name: web
        image: "registry.example.internal:5000/shop/web:1.0"
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
      - name: sidecar
        image: "proxy@sha256:0000000000000000000000000000000000000000000000000000000000000000"
      volumes:
      - {name: settings, configMap: {name: settings}}
      - {name: extra, configMap: {name: extra}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
"""
TREE = {
    "base/kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [workload.yaml]
configMapGenerator:
- {name: settings, files: [app.conf=config/app.conf, config/other.conf]}
- {name: extra, literals: [MODE=fast]}
""",
    "base/workload.yaml": WORKLOAD,
    "base/config/app.conf": "port = 8080\nname = <shop> & co\n",
    "base/config/other.conf": "x: 1\n",
    "overlays/stage/kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-stage
resources: [../../base, added.yaml]
images:
- {name: "registry.example.internal:5000/shop/web", newTag: "2.0"}
- {name: proxy, newName: mirror.example.internal/proxy, newTag: "3"}
configMapGenerator:
- {name: settings, behavior: replace, files: [app.conf=config/app.conf]}
- {name: extra, behavior: merge, literals: [LEVEL=debug]}
patches:
- {path: patches/web.yaml, target: {kind: Deployment, name: web}}
- target: {kind: PodDisruptionBudget, name: web}
  patch: |
    $patch: delete
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web}
""",
    "overlays/stage/added.yaml": """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
""",
    "overlays/stage/config/app.conf": "port = 9090\n",
    "overlays/stage/patches/web.yaml": """\
- {op: replace, path: /spec/replicas, value: 1}
- {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: "3"}}
- {op: add, path: /spec/template/spec/containers/0/env/0, value: {name: Z, value: "0"}}
- {op: remove, path: /spec/template/spec/containers/0/env/2}
- {op: test, path: /spec/selector/matchLabels/app, value: web}
- {op: copy, from: /metadata/labels, path: /metadata/annotations}
- {op: move, from: /metadata/annotations/app, path: /metadata/annotations/moved~1key}
""",
}


def _write(tree: dict[str, str], root: Path) -> Path:
    for relative, text in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_environments_of_a_tree() -> None:
    assert environments(TREE) == ["base", "stage"]
    assert folder_of("stage") == "overlays/stage"


@pytest.mark.tools
@pytest.mark.parametrize("folder", ["base", "overlays/stage"])
def test_feature_tree_equals_kubectl(tmp_path: Path, folder: str) -> None:
    root = _write(TREE, tmp_path)
    assert build_folder(TREE, folder) == objects(kustomize(root / folder))


@pytest.mark.tools
def test_shipped_tree_equals_kubectl(shipped_out: Path, shipped_tree: dict[str, str]) -> None:
    folders = [folder_of(env) for env in environments(shipped_tree)]
    assert {"base", "overlays/dev", "overlays/prod", "argocd"} <= set(folders)
    for folder in folders:
        assert build_folder(shipped_tree, folder) == objects(kustomize(shipped_out / folder, shipped_out)), (
            folder
        )


def test_shipped_tree_equals_the_planned_build(shipped_tree: dict[str, str], shipped_plan: Plan) -> None:
    for env in (shipped_plan.base, *shipped_plan.environments):
        assert build_folder(shipped_tree, folder_of(env.name)) == build_environment(env), env.name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"base/kustomization.yaml": TREE["base/kustomization.yaml"] + "commonLabels: {a: b}\n"},
            "unsupported",
        ),
        ({"base/workload.yaml": "kind: [\n"}, "malformed YAML"),
        ({"base/config/app.conf": None}, "not found"),
        ({"overlays/stage/patches/web.yaml": "- {op: remove, path: /spec/nothing}\n"}, "does not exist"),
    ],
)
def test_unsupported_or_broken_trees_are_refused(change: dict[str, str | None], message: str) -> None:
    tree = {**TREE, **change}
    broken = {path: text for path, text in tree.items() if text is not None}
    with pytest.raises(TreeBuildError, match=message):
        build_folder(broken, "overlays/stage")


def test_json_patch_follows_rfc_6902() -> None:
    # RFC 6902, appendix A.1, A.4, A.6 and A.16.
    assert apply_patch({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}]) == {
        "foo": "bar",
        "baz": "qux",
    }
    assert apply_patch({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}]) == {
        "foo": ["bar", "baz"]
    }
    moved = apply_patch(
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
    )
    assert moved == {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}
    assert apply_patch({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]) == {
        "foo": ["bar", ["abc", "def"]]
    }
    with pytest.raises(PatchError):
        apply_patch({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}])
    with pytest.raises(PatchError):
        apply_patch({"foo": []}, [{"op": "replace", "path": "/foo/0", "value": 1}])
