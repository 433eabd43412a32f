"""Objects of other projects' CRDs, checked against those projects' own schemas.

kubernetes-validate knows only the Kubernetes API's own kinds (it warns and passes on any other),
so the builds hand it those and check the others here:
- KEDA's ScaledObjects with the models that the `cloudcoil-models-keda` package generates from
  KEDA's CRDs. The models ignore unknown fields, so a check also round-trips the object: a field the
  schema does not know would vanish from the dump.
- The Gateway API's, cert-manager's, External Secrets', the Prometheus Operator's and CloudNativePG's
  objects with the validators of the `@kubernetes-models` npm packages (`tests/crd-models/`, versions
  and upstream releases in docs/ci.md), all objects of a build in one Node.js process. Those validators
  let unknown fields through too, so `validate.mjs` probes every field: one the schema does not type is
  refused.
- The Barman Cloud plugin's ObjectStore, which no package carries: its spec's configuration and
  retention with CloudNativePG's models of the same barman-cloud types (`validate.mjs`), the object
  around them with OBJECT_STORE below.
- The redis-operator's RedisReplication, which no package carries either: with REDIS_REPLICATION
  below, written from the CRD of its release v0.26.0 for the fields nifty emits.

`python -m tests.crds install` installs the npm packages when node_modules is missing or stale.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler.kinds import KINDS, KUBERNETES

# The projects whose schemas the @kubernetes-models packages carry, validated in one node process per call.
NODE_SCHEMAS = (
    "gateway-api",
    "cert-manager",
    "external-secrets",
    "prometheus-operator",
    "cloudnative-pg",
    "barman-cloud",
)
# API groups validated by the @kubernetes-models packages, from the table of kinds.
NODE_GROUPS = tuple(sorted({kind.group for kind in KINDS if kind.schema in NODE_SCHEMAS}))
# API groups whose objects kubernetes-validate cannot check: every kind of a project's CRD.
CRD_GROUPS = tuple(sorted({kind.group for kind in KINDS if kind.schema != KUBERNETES}))
# The npm project of the validators: package.json with exact versions, its lockfile (no registry URLs).
MODELS = Path(__file__).resolve().parent / "crd-models"
# What `install` last installed: the lockfile's hash, so a changed version reinstalls.
STAMP = MODELS / "node_modules" / ".nifty-installed"


def group(obj: dict[str, Any]) -> str:
    """The API group of an object ("" for the core group)."""
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def is_crd_object(obj: dict[str, Any]) -> bool:
    """Whether obj belongs to a CRD that the schema validator cannot check."""
    return group(obj) in CRD_GROUPS


def _pruned(value: Any) -> Any:
    """value without None fields and empty containers, as a model dump with exclude_none leaves it."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def validate_keda(obj: dict[str, Any]) -> None:
    """Raise AssertionError unless obj is a ScaledObject that KEDA's schema accepts, every field known."""
    from cloudcoil.models.keda.v1alpha1 import ScaledObject
    from pydantic import ValidationError

    if obj.get("apiVersion") != "keda.sh/v1alpha1" or obj.get("kind") != "ScaledObject":
        raise AssertionError(
            f"not a keda.sh/v1alpha1 ScaledObject: {obj.get('apiVersion')} {obj.get('kind')}"
        )
    try:
        model = ScaledObject.model_validate(obj)
    except ValidationError as exc:
        raise AssertionError(f"ScaledObject {obj['metadata'].get('name')} is invalid:\n{exc}") from exc
    dumped = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    if dumped != _pruned(obj):
        raise AssertionError(
            f"ScaledObject {obj['metadata'].get('name')} has fields KEDA's schema does not know:\n"
            f"{obj}\n!=\n{dumped}"
        )


def _fingerprint() -> str:
    """The hash of what the models' install depends on: package.json and its lockfile."""
    text = b"".join((MODELS / name).read_bytes() for name in ("package.json", "package-lock.json"))
    return hashlib.sha256(text).hexdigest()


def models_current() -> bool:
    """Whether node_modules holds the versions package.json and its lockfile name."""
    return STAMP.is_file() and STAMP.read_text(encoding="utf-8") == _fingerprint()


def install_models() -> bool:
    """`npm ci` in tests/crd-models unless node_modules is current; whether it installed."""
    if models_current():
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed (apt-get install npm); it installs tests/crd-models")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=MODELS, check=True)
    STAMP.write_text(_fingerprint(), encoding="utf-8")
    return True


def validate_with_models(objs: list[dict[str, Any]]) -> None:
    """Raise AssertionError unless each object is valid, every field known, by its npm package's schema."""
    if not objs:
        return
    if not models_current():
        raise AssertionError(f"{MODELS}/node_modules is missing or stale: run `python -m tests.crds install`")
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node is not installed (apt-get install nodejs)")
    result = subprocess.run(
        [node, str(MODELS / "validate.mjs")],
        input=json.dumps(objs),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"validate.mjs failed:\n{result.stderr}")
    reports: list[list[str]] = json.loads(result.stdout)
    problems = [
        f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}: {problem}"
        for obj, report in zip(objs, reports, strict=True)
        for problem in report
    ]
    if problems:
        raise AssertionError("objects their projects' schemas refuse:\n" + "\n".join(problems))


# ExternalSecret's spec.syncWindows came with External Secrets v2.7.0, after the release the npm
# models are generated from (v0.16.2). Its shape as the v2.7.0 CRD states it
# (config/crds/bases/external-secrets.io_externalsecrets.yaml at external-secrets/external-secrets
# commit e215053f3e68504de7483f9542b49f19f98293a1); duration is a Go duration string there.
SYNC_WINDOWS: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "windows"],
    "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "enum": ["allow", "deny"]},
        "windows": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["duration", "schedule"],
                "additionalProperties": False,
                "properties": {
                    "duration": {"type": "string", "pattern": r"^([0-9]+h)?([0-9]+m)?([0-9]+s)?$"},
                    "schedule": {
                        "type": "string",
                        "minLength": 1,
                        "pattern": r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)"
                        r"|@every [^\s]+.*|[^\s]+( [^\s]+){4})$",
                    },
                },
            },
        },
    },
}


def without_sync_windows(obj: dict[str, Any]) -> dict[str, Any]:
    """obj for the npm models: an ExternalSecret's syncWindows checked against SYNC_WINDOWS and left out."""
    if obj.get("kind") != "ExternalSecret" or "syncWindows" not in obj.get("spec", {}):
        return obj
    import jsonschema

    windows = obj["spec"]["syncWindows"]
    try:
        jsonschema.validate(windows, SYNC_WINDOWS)
    except jsonschema.ValidationError as exc:
        raise AssertionError(
            f"ExternalSecret {obj['metadata'].get('name')}: syncWindows is invalid: {exc.message}"
        ) from exc
    return {**obj, "spec": {k: v for k, v in obj["spec"].items() if k != "syncWindows"}}


# A string-to-string map: labels, annotations.
_STRINGS: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}}
# The metadata nifty writes on an object of a CRD no package carries: a DNS label name, a namespace,
# labels and annotations.
METADATA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
        "namespace": {"type": "string"},
        "labels": _STRINGS,
        "annotations": _STRINGS,
    },
}


# The Barman Cloud plugin's ObjectStore (barmancloud.cnpg.io/v1, namespaced) around its spec's
# configuration, as the plugin's CRD (config/crd/bases/barmancloud.cnpg.io_objectstores.yaml of
# cloudnative-pg/plugin-barman-cloud v0.14.0, commit 1e13020f) gives ObjectStoreSpec: configuration
# (required), retentionPolicy (pattern ^[1-9][0-9]*[dwm]$), instanceSidecarConfiguration. Written
# here because no package carries the plugin's CRD; validate.mjs checks configuration and
# retentionPolicy with CloudNativePG's models of those types.
OBJECT_STORE: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "barmancloud.cnpg.io/v1"},
        "kind": {"const": "ObjectStore"},
        "metadata": METADATA,
        "spec": {
            "type": "object",
            "required": ["configuration"],
            "additionalProperties": False,
            "properties": {
                "configuration": {"type": "object"},
                "retentionPolicy": {"type": "string", "pattern": r"^[1-9][0-9]*[dwm]$"},
                "instanceSidecarConfiguration": {"type": "object"},
            },
        },
    },
}


def check_object_store(obj: dict[str, Any]) -> None:
    """Raise AssertionError unless an ObjectStore has the shape OBJECT_STORE gives it."""
    import jsonschema

    try:
        jsonschema.validate(obj, OBJECT_STORE)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"ObjectStore {obj.get('metadata', {}).get('name')}: {exc.message}") from exc


# The redis-operator's RedisReplication (redis.redis.opstreelabs.in/v1beta2), which no package carries:
# the fields nifty emits, as the CRD of OT-CONTAINER-KIT/redis-operator v0.26.0 (commit ef33adb7,
# config/crd/bases/redis.redis.opstreelabs.in_redisreplications.yaml) types them. The CRD's objects
# are structural (unknown fields are pruned), so each object here is closed; a field the CRD has and
# nifty does not emit is refused too, so that a new one is checked against the CRD before it is added.
_QUANTITY = {
    "anyOf": [
        {"type": "integer"},
        {
            "type": "string",
            "pattern": r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]"
            r"|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
        },
    ]
}
_QUANTITIES = {"type": "object", "additionalProperties": _QUANTITY}
_RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"limits": _QUANTITIES, "requests": _QUANTITIES},
}
_AFFINITY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "podAntiAffinity": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["topologyKey"],
                        "additionalProperties": False,
                        "properties": {
                            "labelSelector": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"matchLabels": _STRINGS},
                            },
                            "topologyKey": {"type": "string"},
                        },
                    },
                }
            },
        }
    },
}
_POD_SECURITY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "fsGroup": {"type": "integer"},
        "fsGroupChangePolicy": {"type": "string"},
        "runAsGroup": {"type": "integer"},
        "runAsNonRoot": {"type": "boolean"},
        "runAsUser": {"type": "integer"},
        "seccompProfile": {
            "type": "object",
            "required": ["type"],
            "additionalProperties": False,
            "properties": {"type": {"type": "string"}},
        },
    },
}
_SECURITY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allowPrivilegeEscalation": {"type": "boolean"},
        "capabilities": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"drop": {"type": "array", "items": {"type": "string"}}},
        },
        "privileged": {"type": "boolean"},
        "readOnlyRootFilesystem": {"type": "boolean"},
        "runAsNonRoot": {"type": "boolean"},
    },
}
REDIS_REPLICATION: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "redis.redis.opstreelabs.in/v1beta2"},
        "kind": {"const": "RedisReplication"},
        "metadata": METADATA,
        "spec": {
            "type": "object",
            "required": ["clusterSize", "kubernetesConfig"],
            "additionalProperties": False,
            "properties": {
                "affinity": _AFFINITY,
                "clusterSize": {"type": "integer"},
                "kubernetesConfig": {
                    "type": "object",
                    "required": ["image"],
                    "additionalProperties": False,
                    "properties": {
                        "image": {"type": "string"},
                        "imagePullPolicy": {"type": "string"},
                        "redisSecret": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                        "resources": _RESOURCES,
                    },
                },
                "pdb": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "maxUnavailable": {"type": "integer"},
                        "minAvailable": {"type": "integer"},
                    },
                },
                "podSecurityContext": _POD_SECURITY,
                "priorityClassName": {"type": "string"},
                "redisExporter": {
                    "type": "object",
                    "required": ["image"],
                    "additionalProperties": False,
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "image": {"type": "string"},
                        "imagePullPolicy": {"type": "string"},
                        "port": {"type": "integer"},
                        "resources": _RESOURCES,
                        "securityContext": _SECURITY,
                    },
                },
                "securityContext": _SECURITY,
                "sentinel": {
                    "type": "object",
                    "required": ["image", "size"],
                    "additionalProperties": False,
                    "properties": {
                        "affinity": _AFFINITY,
                        # Sentinel's settings are strings in the CRD, as Sentinel reads them.
                        "downAfterMilliseconds": {"type": "string"},
                        "failoverTimeout": {"type": "string"},
                        "image": {"type": "string"},
                        "imagePullPolicy": {"type": "string"},
                        "parallelSyncs": {"type": "string"},
                        "podSecurityContext": _POD_SECURITY,
                        "priorityClassName": {"type": "string"},
                        "quorum": {"type": "string"},
                        "resources": _RESOURCES,
                        "securityContext": _SECURITY,
                        "size": {"type": "integer"},
                    },
                },
                "storage": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "volumeClaimTemplate": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "accessModes": {"type": "array", "items": {"type": "string"}},
                                        "resources": {
                                            "type": "object",
                                            "additionalProperties": False,
                                            "properties": {"requests": _QUANTITIES},
                                        },
                                        "storageClassName": {"type": "string"},
                                    },
                                }
                            },
                        }
                    },
                },
            },
        },
    },
}


def check_redis_replication(obj: dict[str, Any]) -> None:
    """Raise AssertionError unless a RedisReplication has the shape REDIS_REPLICATION gives it."""
    import jsonschema

    try:
        jsonschema.validate(obj, REDIS_REPLICATION)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise AssertionError(
            f"RedisReplication {obj.get('metadata', {}).get('name')}: /{where}: {exc.message}"
        ) from exc


def validate_crd_objects(objs: list[dict[str, Any]]) -> None:
    """Check objects of CRD_GROUPS against their projects' schemas; the npm-validated ones in one process."""
    for obj in objs:
        if group(obj) == "keda.sh":
            validate_keda(obj)
        elif group(obj) == "barmancloud.cnpg.io":
            check_object_store(obj)
        elif group(obj) == "redis.redis.opstreelabs.in":
            check_redis_replication(obj)
        elif group(obj) not in NODE_GROUPS:
            raise AssertionError(f"no schema for {obj.get('apiVersion')} {obj.get('kind')}")
    validate_with_models([without_sync_windows(obj) for obj in objs if group(obj) in NODE_GROUPS])


def autoscalers(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The HPAs a cluster ends up with: those of the build, and the one KEDA makes of each ScaledObject.

    KEDA names its HPA by `advanced.horizontalPodAutoscalerConfig.name`, sets the ScaledObject's
    bounds and behaviour, and turns the `cpu` trigger into a Resource metric.
    """
    found = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    for scaled in (o for o in objects if o["kind"] == "ScaledObject"):
        spec = scaled["spec"]
        config = spec.get("advanced", {}).get("horizontalPodAutoscalerConfig", {})
        metrics = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": int(t["metadata"]["value"])},
                },
            }
            for t in spec["triggers"]
            if t["type"] == "cpu"
        ]
        found.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {
                    **scaled["metadata"],
                    "name": config.get("name", f"keda-hpa-{scaled['metadata']['name']}"),
                },
                "spec": {
                    "scaleTargetRef": spec["scaleTargetRef"],
                    "minReplicas": spec.get("minReplicaCount", 0),
                    "maxReplicas": spec.get("maxReplicaCount", 100),
                    "metrics": metrics,
                    **({"behavior": config["behavior"]} if "behavior" in config else {}),
                },
            }
        )
    return found


def used_secrets(objects: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(Secret, who uses it) for every Secret a pod mounts or reads, and every Ingress's TLS Secret."""
    for obj in objects:
        kind, name = obj["kind"], obj["metadata"]["name"]
        if kind == "Ingress":
            for tls in obj["spec"].get("tls", []):
                yield tls["secretName"], f"Ingress {name}"
        template = obj.get("spec", {}).get("template", {}).get("spec")
        if template is None:
            continue
        for volume in template.get("volumes", []):
            if "secret" in volume:
                yield volume["secret"]["secretName"], f"{kind} {name}"
            for source in volume.get("projected", {}).get("sources", []):
                if "secret" in source:
                    yield source["secret"]["name"], f"{kind} {name}"
        for container in [*template.get("containers", []), *template.get("initContainers", [])]:
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    yield ref["name"], f"{kind} {name}"
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    yield source["secretRef"]["name"], f"{kind} {name}"


def made_secrets(objects: list[dict[str, Any]]) -> dict[str, str]:
    """The Secrets the build's Certificates and ExternalSecrets make, by name, with their maker."""
    found = {}
    for obj in objects:
        if obj["kind"] == "Certificate":
            found[obj["spec"]["secretName"]] = "Certificate"
        elif obj["kind"] == "ExternalSecret":
            found[obj["spec"].get("target", {}).get("name", obj["metadata"]["name"])] = "ExternalSecret"
    return found


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m tests.crds install")
    print("tests/crd-models: " + ("installed" if install_models() else "node_modules is current"))
