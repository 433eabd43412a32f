"""External Secrets: an ExternalSecret per referenced Secret, every field the operator defaults set.

The API server writes the CRD's defaults back (target policies, remoteRef strategies, the canonical
refresh interval); emitted here as it writes them, Argo CD sees no difference to report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, ExternalSecretPlan
from compiler.render.durations import go_duration
from compiler.render.labels import metadata, system_labels
from compiler.render.platform import PLATFORM_FILE
from compiler.render.types import Placed

# external-secrets.io/v1 ExternalSecret's defaults (its CRD's `default:` values).
TARGET_DEFAULTS = {"creationPolicy": "Owner", "deletionPolicy": "Retain"}
REMOTE_REF_DEFAULTS = {"conversionStrategy": "Default", "decodingStrategy": "None", "metadataPolicy": "None"}


def render(env: EnvPlan) -> Iterator[Placed]:
    """An ExternalSecret per Secret the environment's External Secrets makes."""
    for secret in env.external_secrets:
        yield Placed(PLATFORM_FILE, manifest(env, secret))


def manifest(env: EnvPlan, secret: ExternalSecretPlan) -> dict[str, Any]:
    """The ExternalSecret: each key a property of the remote key; no refresh while the market is busy."""
    spec: dict[str, Any] = {
        "refreshInterval": go_duration(secret.refresh_seconds),
        "secretStoreRef": {"kind": secret.store_kind, "name": secret.store_name},
        "target": {"name": secret.secret, **TARGET_DEFAULTS},
        "data": [
            {
                "secretKey": key,
                "remoteRef": {"key": secret.remote_key, "property": key, **REMOTE_REF_DEFAULTS},
            }
            for key in secret.keys
        ],
    }
    if secret.freeze:
        spec["syncWindows"] = {
            "kind": "deny",
            "windows": [
                {"schedule": w.schedule, "duration": go_duration(w.minutes * 60)} for w in secret.freeze
            ],
        }
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(env, secret.secret, system_labels(env)),
        "spec": spec,
    }
