"""Argo CD Application manifests; not a renderer of the overlays' build (see RENDERERS)."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import Application
from compiler.render.types import Manifest

API_VERSION = "argoproj.io/v1alpha1"
# Without this option a sync would still apply the fields ignoreDifferences hides from the diff.
SYNC_OPTIONS = ("RespectIgnoreDifferences=true",)


def application(app: Application, system: str) -> Manifest:
    """The Application that syncs app.path into app.namespace of app.cluster."""
    spec: dict[str, Any] = {
        "project": app.project,
        "source": {"repoURL": app.repository, "targetRevision": app.revision, "path": app.path},
        "destination": {"server": app.cluster, "namespace": app.namespace},
        "syncPolicy": _sync_policy(app),
    }
    if app.scaled:
        spec["ignoreDifferences"] = [
            {"group": "apps", "kind": kind, "name": name, "jsonPointers": ["/spec/replicas"]}
            for kind, name in app.scaled
        ]
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {
            "name": app.name,
            "namespace": app.argocd_namespace,
            "labels": {
                "app.kubernetes.io/part-of": system,
                "app.kubernetes.io/managed-by": "nifty",
                "nifty.io/environment": app.environment,
            },
        },
        "spec": spec,
    }


def _sync_policy(app: Application) -> dict[str, Any]:
    policy: dict[str, Any] = {}
    if app.automated:
        policy["automated"] = {"prune": app.prune, "selfHeal": app.self_heal}
    policy["syncOptions"] = list(SYNC_OPTIONS)
    return policy
