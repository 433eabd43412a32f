"""One view per environment: each component as that environment sees it, each value with where it was set.

The rules, the plan and the diagnostics read this view; the combining of two values lives in
`merge.py`, which only this module calls for a component.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from compiler.spec.document import Loc
from compiler.spec.inheritance import BY_OVERRIDE, Merge
from compiler.spec.merge import (
    Bounds,
    Floor,
    Sizing,
    Skip,
    merged_annotations,
    merged_bounds,
    merged_database,
    merged_env,
    merged_external,
    merged_floor,
    merged_redis,
    merged_secrets,
    merged_sizing,
    merged_skips,
    merged_volume,
)
from compiler.spec.model import (
    Component,
    ComponentOverride,
    Database,
    Environment,
    External,
    FromPod,
    Layer,
    Redis,
    SecretRef,
    Spec,
)

# The scratch size of a writable path that names none.
SCRATCH_SIZE = "64Mi"
Path = tuple[str | int, ...]
# A component's fields that spec.defaults fills when neither it nor a profile sets them.
DEFAULTED: dict[str, Loc] = {
    "port": ("defaults", "port"),
    "health": ("defaults", "health"),
    "resources": ("defaults", "resources"),
}


class Origin(StrEnum):
    """Who set a value: the defaults, a profile, the component, or the environment."""

    DEFAULT = "default"
    PROFILE = "profile"
    COMPONENT = "component"
    ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Route:
    """A public entry point as the environment sees it."""

    host: str
    path: str
    tls_secret: str
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Resolved:
    """One component in one environment (None: the base), with where each value it took is written."""

    environment: str | None
    layer: Layer
    loc: Loc
    component: Component
    override: ComponentOverride | None
    tag: str
    replicas: int | None
    bounds: Bounds | None
    floor: Floor | None
    sizing: Sizing
    volume: tuple[str, str | None] | None
    env: Mapping[str, str | FromPod]
    secrets: tuple[SecretRef, ...]
    scratches: tuple[tuple[str, str | None], ...]
    external: tuple[External, ...]
    route: Route | None
    skips: tuple[Skip, ...]
    hot_path: bool
    # A scheduled job that runs nothing in this environment.
    suspended: bool = False
    # A database as this environment runs it: instances, standbys, volume and retention.
    database: Database | None = None
    # A Redis as this environment runs it: Redis pods, Sentinels and volume.
    redis: Redis | None = None
    # A path in the component's own terms -> where an environment wrote its value; the values
    # below it are the environment's too, except below a mapping it changes field by field.
    set_here: Mapping[Path, Loc] = field(default_factory=dict)
    fields_set_here: frozenset[Path] = frozenset()
    # The component's places whose values came from a profile (the validator's record).
    profiled: frozenset[Loc] = frozenset()

    @property
    def name(self) -> str:
        """The component's name."""
        return self.component.name

    def at(self, *path: str | int) -> Loc:
        """Where the value at path (in the component's terms) is written, by the environment or not."""
        for end in range(len(path), 0, -1):
            found = self.set_here.get(path[:end])
            if found is not None and (end == len(path) or path[:end] not in self.fields_set_here):
                return (*found, *path[end:])
        own: Loc = (*self.loc, *path)
        if path == ("hot_path",) and not _written(self.component, path):
            return (*self.loc[:2], "hot_path")  # the layer's
        if path and path[0] in DEFAULTED and not _written(self.component, path) and not self._profiled(own):
            return (*DEFAULTED[str(path[0])], *path[1:])
        return own

    def _profiled(self, where: Loc) -> bool:
        return any(where[:end] in self.profiled for end in range(len(self.loc) + 1, len(where) + 1))

    def origin(self, *path: str | int) -> Origin:
        """Who set the value at path."""
        where = self.at(*path)
        if where[:1] == ("environments",):
            return Origin.ENVIRONMENT
        if where[:1] == ("defaults",):
            return Origin.DEFAULT
        if self._profiled(where):
            return Origin.PROFILE
        if _written(self.component, path):
            return Origin.COMPONENT
        return Origin.DEFAULT


@dataclass(frozen=True)
class View:
    """The system as one environment deploys it; the base when name is None."""

    name: str | None
    environment: Environment | None
    components: tuple[Resolved, ...]

    def place(self) -> str:
        """' in environment 'dev'', or nothing for the base, for a message."""
        return f" in environment '{self.name}'" if self.name else ""


def views(spec: Spec, profiled: frozenset[Loc] = frozenset()) -> tuple[View, ...]:
    """The base's view, then every environment's in the spec's order."""
    return (
        _view(spec, None, None, profiled),
        *(_view(spec, name, env, profiled) for name, env in spec.environments.items()),
    )


def environment_view(spec: Spec, name: str | None) -> View:
    """One environment's view (None: the base)."""
    return _view(spec, name, spec.environments[name] if name else None, frozenset())


def _view(spec: Spec, name: str | None, env: Environment | None, profiled: frozenset[Loc]) -> View:
    seen: set[str] = set()
    found = []
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            if component.name in seen:
                continue
            seen.add(component.name)
            override = env.components.get(component.name) if env else None
            loc: Loc = ("layers", li, "components", ci)
            found.append(_resolved(spec, name, env, layer, loc, component, override, profiled))
    return View(name, env, tuple(found))


def _resolved(
    spec: Spec,
    name: str | None,
    env: Environment | None,
    layer: Layer,
    loc: Loc,
    component: Component,
    override: ComponentOverride | None,
    profiled: frozenset[Loc],
) -> Resolved:
    system_tag = (env.tag if env and env.tag else None) or spec.system.tag
    replicas = component.replicas
    if override and override.replicas is not None:
        replicas = override.replicas
    autoscaling = component.autoscaling
    return Resolved(
        environment=name,
        layer=layer,
        loc=loc,
        component=component,
        override=override,
        tag=(override.tag if override and override.tag else None) or component.tag or system_tag,
        replicas=replicas,
        bounds=merged_bounds(autoscaling, override) if autoscaling is not None else None,
        floor=merged_floor(component, override),
        sizing=merged_sizing(spec.defaults.resources, component, override),
        volume=merged_volume(component.storage, override) if component.storage is not None else None,
        env=merged_env(component, override),
        secrets=tuple(merged_secrets(component, override)),
        scratches=_scratches(component, override),
        external=tuple(merged_external(component, override)),
        route=_route(spec, component, override),
        skips=merged_skips(spec.defaults.exceptions, component.exceptions, component.digest),
        hot_path=layer.hot_path if component.hot_path is None else component.hot_path,
        suspended=_suspended(component, override),
        database=merged_database(component.database, override) if component.database else None,
        redis=merged_redis(component.redis, override) if component.redis else None,
        set_here=dict(_set_here(name, component, override)),
        fields_set_here=frozenset(
            BY_OVERRIDE[key].path
            for key in (override.model_fields_set if override and name else ())
            if BY_OVERRIDE[key].environment is Merge.FIELDS
        ),
        profiled=profiled,
    )


def _suspended(component: Component, override: ComponentOverride | None) -> bool:
    """Whether a scheduled job is suspended: the environment's say, else the component's."""
    if override is not None and override.suspend is not None:
        return override.suspend
    return component.schedule is not None and component.schedule.suspend


def _scratches(
    component: Component, override: ComponentOverride | None
) -> tuple[tuple[str, str | None], ...]:
    """The writable paths with their sizes: the environment's, else the spec's, else None (64Mi)."""
    sizes = {path.rstrip("/"): size for path, size in (override.writable if override else {}).items()}
    scratches = []
    for entry in component.writable:
        path, size = (entry, None) if isinstance(entry, str) else (entry.path, entry.size)
        scratches.append((path, sizes.get(path.rstrip("/"), size)))
    return tuple(scratches)


def _route(spec: Spec, component: Component, override: ComponentOverride | None) -> Route | None:
    """The component's public entry point, with the environment's host, Secret and settings."""
    ingress = component.ingress
    if ingress is None:
        return None
    return Route(
        override.host if override and override.host else ingress.host,
        ingress.path,
        override.tls_secret if override and override.tls_secret else ingress.tls_secret,
        merged_annotations(spec.defaults.ingress.annotations, ingress.annotations, override),
    )


def _set_here(
    name: str | None, component: Component, override: ComponentOverride | None
) -> Iterator[tuple[Path, Loc]]:
    """Each path of the component whose value the environment wrote, and where, following INHERITED."""
    if name is None or override is None:
        return
    where: Loc = ("environments", name, "components", component.name)
    for key in override.model_fields_set:
        row = BY_OVERRIDE[key]
        value = getattr(override, key)
        if value is None:
            continue  # written empty (`autoscaling:`): it changes nothing
        at: Loc = (*where, key)
        if row.environment is Merge.WHOLE:
            yield row.path, at
        elif row.environment is Merge.FIELDS:
            yield row.path, at
            for part in value.model_fields_set:
                yield (*row.path, part), (*at, part)
        elif row.environment is Merge.KEYS:
            for item in value:
                yield (*row.path, item), (*at, item)
        elif row.environment is Merge.RENAME:
            for index, secret in enumerate(component.secrets):
                if secret.secret in value:
                    yield (*row.path, index, "secret"), (*at, secret.secret)
        elif row.environment is Merge.SIZES:
            sizes = {path.rstrip("/"): path for path in value}
            for index, path in enumerate(component.writable_paths):
                if path.rstrip("/") in sizes:
                    yield (*row.path, index), (*at, sizes[path.rstrip("/")])


def _written(component: Component, path: Path) -> bool:
    """Whether the component wrote the field that path starts with."""
    return bool(path) and str(path[0]) in component.model_fields_set


def scratch_size(size: str | None) -> str:
    """A scratch path's size, 64Mi where nothing names one."""
    return size or SCRATCH_SIZE
