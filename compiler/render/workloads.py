"""Deployments, StatefulSets, CronJobs and their ServiceAccounts, hardened by default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import EnvPlan, JobRun, PodValue, SecretEnv, Workload
from compiler.render.labels import metadata, selector, workload_labels, workload_metadata
from compiler.render.platform import priority_class
from compiler.render.telemetry import telemetry_env
from compiler.render.types import Placed
from compiler.spec.checks import holds
from compiler.spec.names import peer_service_name
from compiler.spec.quantities import memory_bytes

RUN_AS = 10001
MI = 1024**2
# Container logs count against the ephemeral-storage limit, so it leaves room for them.
LOG_ALLOWANCE = 256 * MI
SKIP_PREFIX = "checkov.io/skip"
SECRET_FILE_MODE = 0o440
STARTUP_PERIOD = 5


def render(env: EnvPlan) -> Iterator[Placed]:
    """A ServiceAccount and a workload per component (a CronJob per run of a job), in its group's file."""
    for file, workload in env.placements():
        yield Placed(file, service_account(env, workload))
        if workload.job is None:
            yield Placed(file, workload_manifest(env, workload))
        else:
            yield from (Placed(file, cron_job(env, workload, run)) for run in workload.job.runs)


def service_account(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """The workload's own identity; its token is mounted only where it calls the API."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": workload_metadata(env, workload),
        "automountServiceAccountToken": workload.uses_api,
    }


def image_reference(workload: Workload) -> str:
    """repository:tag, or repository@digest where the spec pins one."""
    if workload.digest:
        return f"{workload.image}@{workload.digest}"
    return f"{workload.image}:{workload.tag}"


def workload_manifest(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    """The Deployment or StatefulSet of a workload."""
    labels = workload_labels(env, workload)
    spec: dict[str, Any] = {}
    if workload.scaling is None:
        spec["replicas"] = workload.replicas
    spec["revisionHistoryLimit"] = 5
    spec["selector"] = {"matchLabels": selector(env, workload.name)}
    if workload.clustered:
        # Peers find each other before they are ready, so they must start together, not one by one.
        spec["serviceName"] = peer_service_name(workload.name)
        spec["podManagementPolicy"] = "Parallel"
    elif workload.kind == "StatefulSet":
        spec["serviceName"] = workload.name
    spec["template"] = {"metadata": {"labels": labels}, "spec": _pod_spec(env, workload)}
    if workload.volume is not None:
        volume = workload.volume
        claim: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": volume.size}},
        }
        if volume.storage_class:
            claim["storageClassName"] = volume.storage_class
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": claim}]
    return _annotated(
        workload,
        {
            "apiVersion": "apps/v1",
            "kind": workload.kind,
            "metadata": metadata(env, workload.name, labels),
            "spec": spec,
        },
    )


def cron_job(env: EnvPlan, workload: Workload, run: JobRun) -> dict[str, Any]:
    """The CronJob of one run of a scheduled job: its pods run once to completion, never restarted in place.

    Every field the API server would default is written, so that Argo CD finds nothing to sync."""
    job = workload.job
    assert job is not None
    labels = workload_labels(env, workload)
    pod = _pod_spec(env, workload)
    # A failed pod stays to be read; the Job starts a new one, up to its retries.
    pod["restartPolicy"] = "Never"
    spec: dict[str, Any] = {
        "schedule": run.schedule,
        "timeZone": job.timezone,
        "concurrencyPolicy": job.concurrency,
        "startingDeadlineSeconds": job.start_within_seconds,
        "suspend": job.suspended,
        "successfulJobsHistoryLimit": job.keep_succeeded,
        "failedJobsHistoryLimit": job.keep_failed,
        "jobTemplate": {
            "metadata": {"labels": labels},
            "spec": {
                "backoffLimit": job.retries,
                "activeDeadlineSeconds": job.deadline_seconds,
                "template": {"metadata": {"labels": labels}, "spec": pod},
            },
        },
    }
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(env, workload.name + run.suffix, labels),
        "spec": spec,
    }
    annotated = _annotated(workload, manifest)
    annotated["metadata"].setdefault("annotations", {})["nifty.io/schedule"] = run.reason
    return annotated


def _annotated(workload: Workload, manifest: dict[str, Any]) -> dict[str, Any]:
    """manifest with checkov's skips and the workload's description as annotations, where it has any."""
    annotations = skip_annotations(workload)
    if workload.description:
        annotations["nifty.io/description"] = workload.description
    if annotations:
        manifest["metadata"]["annotations"] = annotations
    return manifest


def skip_annotations(workload: Workload) -> dict[str, str]:
    """checkov's skip annotations: each exception the spec states, with its reason, where it can fail."""
    applicable = [skip for skip in workload.skips if holds_for(skip.check, workload) is None]
    return {
        f"{SKIP_PREFIX}{index}": f"{skip.check}={skip.reason}"
        for index, skip in enumerate(applicable, start=1)
    }


def pod_security(run_as: int) -> dict[str, Any]:
    """A pod's security context as the restricted Pod Security Standard admits it, as user run_as."""
    return {
        "runAsNonRoot": True,
        "runAsUser": run_as,
        "runAsGroup": run_as,
        "fsGroup": run_as,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security(*, read_only: bool) -> dict[str, Any]:
    """A container's security context: no privilege, no capabilities; a root file system it may not write
    unless its image writes there."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": read_only,
        "privileged": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def _pod_spec(env: EnvPlan, workload: Workload) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "serviceAccountName": workload.name,
        "automountServiceAccountToken": workload.uses_api,
        "priorityClassName": priority_class(env.system, workload.hot_path),
        "securityContext": pod_security(RUN_AS),
    }
    if workload.volume is not None:
        # Only walk a large volume to fix ownership when its root does not match already.
        pod["securityContext"]["fsGroupChangePolicy"] = "OnRootMismatch"
    if _spreads(workload):
        pod["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(env, workload.name)},
            }
        ]
    pod["containers"] = [_container(env, workload)]
    pod["volumes"] = _volumes(workload)
    return pod


def _spreads(workload: Workload) -> bool:
    """Whether the workload can run two or more pods."""
    return workload.most_replicas >= 2


def _container(env_plan: EnvPlan, workload: Workload) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": workload.name,
        "image": image_reference(workload),
        "imagePullPolicy": "Always",
    }
    if workload.args:
        container["args"] = list(workload.args)
    if workload.serves:
        ports = [{"name": "main", "containerPort": workload.port, "protocol": "TCP"}]
        ports += [{"name": p.name, "containerPort": p.port, "protocol": "TCP"} for p in workload.extra_ports]
        container["ports"] = ports
    env = _env(workload) + telemetry_env(env_plan, workload)
    container["env"] = env
    scratch = sum(memory_bytes(s.size) for s in workload.writable)
    container["resources"] = {
        "requests": {
            "cpu": workload.sizing.cpu,
            "memory": workload.sizing.memory,
            "ephemeral-storage": _quantity(scratch),
        },
        "limits": {
            "cpu": workload.sizing.cpu_limit,
            "memory": workload.sizing.memory_limit,
            "ephemeral-storage": _quantity(scratch + LOG_ALLOWANCE),
        },
    }
    if workload.serves:
        container["readinessProbe"] = _probe(workload, workload.health, period=5, failures=3)
        container["livenessProbe"] = _probe(
            workload, workload.liveness or workload.health, period=10, failures=6
        )
    if workload.startup_seconds:
        # Liveness only starts once this passes, so a slow start is not killed mid-way.
        failures = -(-workload.startup_seconds // STARTUP_PERIOD)
        container["startupProbe"] = _probe(
            workload, workload.liveness or workload.health, period=STARTUP_PERIOD, failures=failures
        )
    container["securityContext"] = container_security(read_only=True)
    container["volumeMounts"] = _mounts(workload)
    return container


# Where the downward API finds each value from the pod: a field of the pod, or a container resource.
POD_FIELDS = {
    "name": "metadata.name",
    "namespace": "metadata.namespace",
    "ip": "status.podIP",
    "node": "spec.nodeName",
    "service_account": "spec.serviceAccountName",
}
POD_RESOURCES = {
    "cpu_request": "requests.cpu",
    "cpu_limit": "limits.cpu",
    "memory_request": "requests.memory",
    "memory_limit": "limits.memory",
}


def _env(workload: Workload) -> list[dict[str, Any]]:
    """Values from the pod, plain variables (which may expand them), secrets by reference or as paths."""
    env: list[dict[str, Any]] = [_pod_value(workload, value) for value in workload.pod_env]
    env += [{"name": name, "value": value} for name, value in workload.env]
    for secret in workload.secrets:
        if secret.env is None:
            continue
        if secret.file is not None:
            env.append({"name": secret.env, "value": secret.file})
        else:
            ref = {"name": secret.secret, "key": secret.key}
            env.append({"name": secret.env, "valueFrom": {"secretKeyRef": ref}})
    return env


def _pod_value(workload: Workload, value: PodValue) -> dict[str, Any]:
    """A variable from the downward API."""
    if value.field in POD_FIELDS:
        return {"name": value.env, "valueFrom": {"fieldRef": {"fieldPath": POD_FIELDS[value.field]}}}
    ref: dict[str, Any] = {"containerName": workload.name, "resource": POD_RESOURCES[value.field]}
    if value.divisor:
        ref["divisor"] = value.divisor
    return {"name": value.env, "valueFrom": {"resourceFieldRef": ref}}


def _secret_folders(workload: Workload) -> dict[str, list[SecretEnv]]:
    """Secret files grouped by folder: one read-only projected volume per folder."""
    folders: dict[str, list[SecretEnv]] = {}
    for secret in workload.secrets:
        if secret.file is not None:
            folders.setdefault(secret.file.rpartition("/")[0], []).append(secret)
    return dict(sorted(folders.items()))


def _secret_volume(index: int, secrets: list[SecretEnv]) -> dict[str, Any]:
    by_secret: dict[str, list[dict[str, str]]] = {}
    for secret in secrets:
        item = {"key": secret.key, "path": (secret.file or "").rpartition("/")[2]}
        by_secret.setdefault(secret.secret, []).append(item)
    sources = [{"secret": {"name": name, "items": items}} for name, items in sorted(by_secret.items())]
    return {
        "name": f"secrets-{index}",
        "projected": {"defaultMode": SECRET_FILE_MODE, "sources": sources},
    }


def _probe(workload: Workload, path: str, *, period: int, failures: int) -> dict[str, Any]:
    port = workload.probe_port or workload.port
    action: dict[str, Any]
    if workload.probe == "tcp":
        action = {"tcpSocket": {"port": port}}
    else:
        action = {"httpGet": {"path": path, "port": port}}
    return {**action, "periodSeconds": period, "timeoutSeconds": 2, "failureThreshold": failures}


def _quantity(count: int) -> str:
    """Bytes as a whole number of Mi, or of Ki where a size in Ki leaves a part of a Mi."""
    return f"{count // MI}Mi" if count % MI == 0 else f"{count // 1024}Ki"


def _scratch_name(index: int) -> str:
    return f"scratch-{index}"


def _mounts(workload: Workload) -> list[dict[str, Any]]:
    mounts: list[dict[str, Any]] = [
        {"name": _scratch_name(i), "mountPath": s.path} for i, s in enumerate(workload.writable)
    ]
    mounts += [{"name": m.config, "mountPath": m.path, "readOnly": True} for m in workload.mounts]
    mounts += [
        {"name": f"secrets-{i}", "mountPath": folder, "readOnly": True}
        for i, folder in enumerate(_secret_folders(workload))
    ]
    if workload.volume is not None:
        mounts.append({"name": "data", "mountPath": workload.volume.path})
    return mounts


def _volumes(workload: Workload) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = [
        {"name": _scratch_name(i), "emptyDir": {"sizeLimit": s.size}} for i, s in enumerate(workload.writable)
    ]
    volumes += [{"name": m.config, "configMap": {"name": m.config}} for m in workload.mounts]
    volumes += [_secret_volume(i, group) for i, group in enumerate(_secret_folders(workload).values())]
    return volumes


def holds_for(check: str, workload: Workload) -> str | None:
    """Why check holds for a planned workload, or None."""
    return holds(
        check,
        digest=workload.digest is not None,
        secret_values=any(s.env is not None and s.file is None for s in workload.secrets),
        token=workload.uses_api,
    )
