"""The Kustomize code reaches the pod template of every kind, a CronJob's too, as kubectl kustomize does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from compiler.kustomize.transformers import rewrite_config_references, set_images
from tests.tools import kustomize, objects

POD = {
    "containers": [
        {
            "name": "loader",
            "image": "registry.example/desk/loader:1.0",
            "envFrom": [{"configMapRef": {"name": "settings"}}],
        }
    ],
    "volumes": [{"name": "settings", "configMap": {"name": "settings"}}],
}
CRONJOB: dict[str, Any] = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "loader"},
    "spec": {"schedule": "0 18 * * 1-5", "jobTemplate": {"spec": {"template": {"spec": POD}}}},
}
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "loader"},
    "spec": {"selector": {}, "template": {"spec": POD}},
}
IMAGES = {"registry.example/desk/loader": {"newTag": "2.0"}}


def _pod(manifest: dict[str, Any]) -> dict[str, Any]:
    spec = manifest["spec"]
    template = spec["jobTemplate"]["spec"]["template"] if manifest["kind"] == "CronJob" else spec["template"]
    pod: dict[str, Any] = template["spec"]
    return pod


def test_images_and_config_names_reach_a_cronjobs_pods_as_kubectl_kustomize_does(tmp_path: Path) -> None:
    (tmp_path / "cronjob.yaml").write_text(yaml.safe_dump(CRONJOB), encoding="utf-8")
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "resources": ["cronjob.yaml"],
                "images": [{"name": "registry.example/desk/loader", "newTag": "2.0"}],
                "configMapGenerator": [{"name": "settings", "literals": ["MODE=batch"]}],
            }
        ),
        encoding="utf-8",
    )
    built = {m["kind"]: m for m in objects(kustomize(tmp_path))}
    hashed = built["ConfigMap"]["metadata"]["name"]
    theirs = _pod(built["CronJob"])
    for manifest in (CRONJOB, DEPLOYMENT):
        ours = _pod(rewrite_config_references(set_images(manifest, IMAGES), {"settings": hashed}))
        assert (
            ours["containers"][0]["image"]
            == theirs["containers"][0]["image"]
            == "registry.example/desk/loader:2.0"
        )
        assert ours["volumes"] == theirs["volumes"]
        assert ours["containers"][0]["envFrom"] == theirs["containers"][0]["envFrom"]
    # The input is shared, never changed.
    assert _pod(CRONJOB)["containers"][0]["image"] == "registry.example/desk/loader:1.0"
