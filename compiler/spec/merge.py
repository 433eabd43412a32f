"""Merge defaults, components and environment overrides: the one place values are inherited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler.spec.model import (
    Autoscaling,
    CheckException,
    Component,
    ComponentOverride,
    Database,
    DatabaseStorage,
    External,
    FromPod,
    Redis,
    Resources,
    SecretRef,
    Storage,
    StorageOverride,
)
from compiler.spec.quantities import cpu_millis, memory_bytes


@dataclass(frozen=True)
class Sizing:
    """Container requests and limits."""

    cpu: str
    memory: str
    cpu_limit: str
    memory_limit: str


@dataclass(frozen=True)
class Skip:
    """A scanner check that cannot hold for a workload, and the spec's reason."""

    check: str
    reason: str


@dataclass(frozen=True)
class Bounds:
    """Autoscaling bounds and target after an environment's overrides."""

    min: int
    max: int
    cpu: int


def merged_bounds(autoscaling: Autoscaling, override: ComponentOverride | None) -> Bounds:
    """Autoscaling bounds with an environment's overrides applied."""
    change = override.autoscaling if override else None
    return Bounds(
        min=change.min if change and change.min is not None else autoscaling.min,
        max=change.max if change and change.max is not None else autoscaling.max,
        cpu=change.cpu if change and change.cpu is not None else autoscaling.cpu,
    )


def merged_annotations(
    defaults: dict[str, str], own: dict[str, str], override: ComponentOverride | None
) -> tuple[tuple[str, str], ...]:
    """An Ingress's controller settings key by key: environment over component over defaults, sorted."""
    chosen = {**defaults, **own, **(override.ingress_annotations if override else {})}
    return tuple(sorted(chosen.items()))


def merged_sizing(
    defaults: Resources,
    component: Component | None,
    override: ComponentOverride | None,
    own: Resources | None = None,
) -> Sizing:
    """Requests and limits field by field: environment over component over defaults.

    An environment that changes a request without its limit keeps the base's limit-to-request
    ratio: a limit the base wrote follows the request, and a limit it left out stays the request.
    """
    base = _stacked((defaults, own or (component.resources if component else None)))
    change = override.resources if override else None
    if change is None:
        return base
    cpu, memory = change.cpu or base.cpu, change.memory or base.memory
    return Sizing(
        cpu,
        memory,
        change.cpu_limit or _follow(base.cpu_limit, base.cpu, cpu, cpu_millis, _cpu_text),
        change.memory_limit or _follow(base.memory_limit, base.memory, memory, memory_bytes, _memory_text),
    )


def _stacked(layers: tuple[Resources | None, ...]) -> Sizing:
    """Requests and limits of the given layers, later over earlier; limits default to requests."""
    chosen: dict[str, str | None] = {}
    for resources in layers:
        if resources is not None:
            for name, value in resources.model_dump().items():
                if value is not None or name not in chosen:
                    chosen[name] = value if value is not None else chosen.get(name)
    # The rules refuse defaults without a CPU and memory request, so both are set here.
    cpu, memory = chosen["cpu"] or "", chosen["memory"] or ""
    return Sizing(cpu, memory, chosen["cpu_limit"] or cpu, chosen["memory_limit"] or memory)


def _follow(
    limit: str, request: str, changed: str, amount: Callable[[str], int], text: Callable[[int], str]
) -> str:
    """The limit for a changed request, keeping limit/request; the same text when nothing moved."""
    if changed == request or not request or not changed:
        return limit if changed == request else changed
    before, after, ceiling = amount(request), amount(changed), amount(limit)
    if before <= 0 or ceiling == before:
        return changed
    # Rounded up, so the limit never falls below the ratio.
    return text(-(-after * ceiling // before))


def _cpu_text(millis: int) -> str:
    """Millicores as Kubernetes writes them: whole cores, or millicores."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def _memory_text(count: int) -> str:
    """Bytes rounded up to a KiB, in the largest binary unit that holds them exactly."""
    kib = -(-count // 1024)
    for unit, size in (("Ti", 1024**3), ("Gi", 1024**2), ("Mi", 1024)):
        if kib % size == 0:
            return f"{kib // size}{unit}"
    return f"{kib}Ki"


def merged_skips(
    defaults: list[CheckException], own: list[CheckException], digest: str | None = None
) -> tuple[Skip, ...]:
    """The workload's exceptions and the defaults', sorted by check; its own reason wins.

    The renderer emits only those that can fail for the workload (compiler.spec.checks); digest is
    accepted for the callers that pass it.
    """
    del digest
    chosen = {e.check: e.reason for e in defaults}
    chosen.update({e.check: e.reason for e in own})
    return tuple(Skip(check, chosen[check]) for check in sorted(chosen, key=_check_order))


def _check_order(check: str) -> tuple[str, int]:
    """CKV_K8S_9 before CKV_K8S_10."""
    prefix, _, number = check.rpartition("_")
    return (prefix, int(number))


@dataclass(frozen=True)
class Floor:
    """A pre-scaling floor after an environment's overrides."""

    replicas: int
    lead_minutes: int


def merged_floor(component: Component, override: ComponentOverride | None) -> Floor | None:
    """The component's prescale with an environment's overrides applied, or None."""
    prescale = component.prescale
    if prescale is None:
        return None
    change = override.prescale if override else None
    return Floor(
        replicas=change.floor if change and change.floor is not None else prescale.floor,
        lead_minutes=(
            change.lead_minutes if change and change.lead_minutes is not None else prescale.lead_minutes
        ),
    )


def merged_volume(storage: Storage, override: ComponentOverride | None) -> tuple[str, str | None]:
    """The volume's size and StorageClass with an environment's changes; the path never changes."""
    change = override.storage if override else None
    size = change.size if change and change.size else storage.size
    storage_class = change.storage_class if change and change.storage_class else storage.storage_class
    return size, storage_class


def merged_database(database: Database, override: ComponentOverride | None) -> Database:
    """A database with an environment's instances, standbys, volume, retention and poolers laid on."""
    change = override.database if override else None
    if change is None:
        return database
    backup, pooler = database.backup, database.pooler
    pooler_instances = change.pooler.instances if change.pooler is not None else None
    return database.model_copy(
        update={
            "instances": change.instances if change.instances is not None else database.instances,
            "synchronous": change.synchronous if change.synchronous is not None else database.synchronous,
            "storage": merged_store_volume(database.storage, change.storage),
            "backup": backup.model_copy(update={"retention": change.retention})
            if backup is not None and change.retention is not None
            else backup,
            "pooler": pooler.model_copy(update={"instances": pooler_instances})
            if pooler is not None and pooler_instances is not None
            else pooler,
        }
    )


def merged_store_volume(volume: DatabaseStorage, change: StorageOverride | None) -> DatabaseStorage:
    """An operator-run store's volume with an environment's size and class laid on."""
    if change is None:
        return volume
    return DatabaseStorage(
        size=change.size or volume.size, storage_class=change.storage_class or volume.storage_class
    )


def merged_redis(redis: Redis, override: ComponentOverride | None) -> Redis:
    """A Redis with an environment's pods, Sentinels and volume laid on."""
    change = override.redis if override else None
    if change is None:
        return redis
    return redis.model_copy(
        update={
            "replicas": change.replicas if change.replicas is not None else redis.replicas,
            "sentinels": change.sentinels if change.sentinels is not None else redis.sentinels,
            "storage": merged_store_volume(redis.storage, change.storage),
        }
    )


def merged_external(component: Component, override: ComponentOverride | None) -> list[External]:
    """The environment's external blocks when it states them (the whole list), else the base's."""
    return override.external if override and override.external is not None else component.external


def merged_secrets(component: Component, override: ComponentOverride | None) -> list[SecretRef]:
    """The component's secrets, each under the name its Secret has in this environment."""
    names = override.secrets if override else {}
    return [s.model_copy(update={"secret": names.get(s.secret, s.secret)}) for s in component.secrets]


def merged_env(component: Component, override: ComponentOverride | None) -> dict[str, str | FromPod]:
    """Plain variables: the environment's over the component's, key by key."""
    return {**component.env, **(override.env if override else {})}
