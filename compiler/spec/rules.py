"""The platform's rules over a shape-valid spec: names, references, bounds, environments."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.alerting_rules import check_alerting
from compiler.spec.clock_rules import check_clock
from compiler.spec.database_rules import check_databases
from compiler.spec.delivery_rules import check_shared_clusters
from compiler.spec.document import Document, Loc
from compiler.spec.ingress_rules import check_ingress
from compiler.spec.inheritance import BY_OVERRIDE
from compiler.spec.job_rules import check_jobs
from compiler.spec.market_rules import check_market
from compiler.spec.merge import Sizing
from compiler.spec.model import Component, ComponentOverride, Spec
from compiler.spec.names import STACK
from compiler.spec.observability_rules import check_observability
from compiler.spec.operator_rules import check_operators
from compiler.spec.places import components_by_name
from compiler.spec.port_rules import check_ports
from compiler.spec.positions import at_key, at_value
from compiler.spec.profiles import profile_names
from compiler.spec.quantities import cpu_millis, memory_bytes
from compiler.spec.redis_rules import check_redis
from compiler.spec.reserved import check_reserved
from compiler.spec.resolved import Origin, View, views
from compiler.spec.security_rules import check_security
from compiler.spec.suggest import suggest
from compiler.spec.variable_rules import check_variables
from compiler.spec.waivers import waived

# What an environment's override of the ingress sets, in words.
INGRESS_WORDS = {"host": "host", "tls_secret": "TLS Secret", "ingress_annotations": "annotations"}


def check_rules(doc: Document, spec: Spec) -> list[Diagnostic]:
    """Every rule violation of spec, positioned in doc."""
    return waived(doc, spec, list(_all(doc, spec)))


def _all(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    seen = views(spec, frozenset(doc.origins))
    yield from _unique_layers(doc, spec)
    yield from _unique_components(doc, spec)
    yield from _defaults(doc, spec)
    yield from _profiles(doc, spec)
    locations = components_by_name(spec)
    for loc, component in locations.values():
        yield from _component(doc, loc, component)
    yield from _environments(doc, spec, locations)
    yield from _resolved(doc, seen)
    yield from _delivery(doc, spec)
    yield from check_ports(doc, spec, seen)
    yield from check_security(doc, spec, seen)
    yield from check_ingress(doc, spec)
    yield from check_shared_clusters(doc, spec, seen)
    yield from check_variables(doc, seen)
    yield from check_observability(doc, spec, seen)
    yield from check_reserved(doc, spec)
    yield from check_alerting(doc, spec)
    yield from check_market(doc, spec)
    yield from check_clock(doc, spec, seen)
    yield from check_operators(doc, spec)
    yield from check_jobs(doc, spec)
    yield from check_databases(doc, spec, seen)
    yield from check_redis(doc, spec, seen)


def _unique_layers(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    seen_numbers: dict[int, str] = {}
    seen_names: dict[str, int] = {}
    for index, layer in enumerate(spec.layers):
        if layer.number in seen_numbers:
            yield at_value(
                doc,
                ("layers", index, "number"),
                f"number {layer.number} is already used by layer '{seen_numbers[layer.number]}'",
                field=False,
                code="N101",
            )
        if layer.name in seen_names:
            yield at_value(
                doc,
                ("layers", index, "name"),
                f"name '{layer.name}' is already used by layer {seen_names[layer.name]}",
                field=False,
                code="N101",
            )
        seen_numbers.setdefault(layer.number, layer.name)
        seen_names.setdefault(layer.name, layer.number)


def _unique_components(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    seen: dict[str, int] = {}
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            loc = ("layers", li, "components", ci, "name")
            if component.name in STACK:
                yield at_value(
                    doc,
                    loc,
                    f"name '{component.name}' is reserved for the observability stack",
                    field=False,
                    code="N102",
                )
            elif component.name in seen:
                yield at_value(
                    doc,
                    loc,
                    f"name '{component.name}' is already used by a component of layer {seen[component.name]}",
                    field=False,
                    code="N102",
                )
            seen.setdefault(component.name, layer.number)


def _defaults(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    resources = spec.defaults.resources
    for field in ("cpu", "memory"):
        if getattr(resources, field) is None:
            yield at_key(
                doc,
                ("defaults", "resources"),
                f"defaults.resources must set {field}: every component inherits it",
                field=False,
                code="N103",
            )


def _profiles(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """A component picks up profiles that exist, each once."""
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            loc: Loc = ("layers", li, "components", ci, "profile")
            listed = isinstance(component.profile, list)
            seen: set[str] = set()
            for index, name in enumerate(profile_names(component)):
                where = (*loc, index) if listed else loc
                if name not in spec.profiles:
                    known = (
                        suggest(name, spec.profiles, otherwise=" of the system")
                        if spec.profiles
                        else "; no profiles are defined"
                    )
                    yield at_value(doc, where, f"'{name}' is not a profile{known}", field=False, code="N104")
                elif name in seen:
                    yield at_value(doc, where, f"profile '{name}' is listed twice", field=False, code="N104")
                seen.add(name)


def _component(doc: Document, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    if component.replicas is not None and component.autoscaling is not None:
        yield at_key(
            doc,
            (*loc, "replicas"),
            "set either replicas or autoscaling, not both (the autoscaler owns the replica count)",
            field=False,
            code="N201",
        )
    if component.storage is not None and component.autoscaling is not None:
        yield at_key(
            doc,
            (*loc, "autoscaling"),
            "a component with storage is a StatefulSet and cannot autoscale",
            field=False,
            code="N202",
        )
    envs: set[str] = set()
    for index, secret in enumerate(component.secrets):
        if secret.env is None:
            continue
        if secret.env in envs:
            yield at_value(
                doc,
                (*loc, "secrets", index, "env"),
                f"environment variable '{secret.env}' is set twice",
                field=False,
                code="N107",
            )
        envs.add(secret.env)


def _bounds(doc: Document, loc: Loc, low: int, high: int, suffix: str = "") -> Iterator[Diagnostic]:
    if low > high:
        yield at_value(
            doc,
            (*loc, "min"),
            f"autoscaling min ({low}) is above max ({high}){suffix}",
            field=False,
            code="N203",
        )


def _resolved(doc: Document, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Bounds and sizes as each environment compiles them, at the place that set them."""
    for view in seen:
        suffix = f" after merging environment '{view.name}'"
        for resolved in view.components:
            if resolved.bounds is not None:
                changed = resolved.origin("autoscaling") is Origin.ENVIRONMENT
                where = resolved.at("autoscaling") if changed else (*resolved.loc, "autoscaling")
                low, high = resolved.bounds.min, resolved.bounds.max
                yield from _bounds(doc, where, low, high, suffix if changed else "")
            changed = resolved.origin("resources") is Origin.ENVIRONMENT
            where = resolved.at("resources") if changed else (*resolved.loc, "resources")
            yield from _sizing(doc, where, resolved.sizing, resolved.hot_path, suffix if changed else "")


def _sizing(doc: Document, where: Loc, sizing: Sizing, hot_path: bool, suffix: str) -> Iterator[Diagnostic]:
    if not sizing.cpu or not sizing.memory:
        return
    if cpu_millis(sizing.cpu_limit) < cpu_millis(sizing.cpu):
        yield at_key(
            doc,
            where,
            f"cpu_limit ({sizing.cpu_limit}) is below the cpu request ({sizing.cpu}){suffix}",
            field=False,
            code="N204",
        )
    if memory_bytes(sizing.memory_limit) < memory_bytes(sizing.memory):
        yield at_key(
            doc,
            where,
            f"memory_limit ({sizing.memory_limit}) is below the memory request ({sizing.memory}){suffix}",
            field=False,
            code="N204",
        )
    if hot_path and (sizing.cpu_limit != sizing.cpu or sizing.memory_limit != sizing.memory):
        yield at_key(
            doc,
            where,
            f"a hot-path component needs limits equal to requests (Guaranteed QoS){suffix}",
            field=False,
            code="N205",
        )


def _environments(
    doc: Document, spec: Spec, locations: dict[str, tuple[Loc, Component]]
) -> Iterator[Diagnostic]:
    namespaces: dict[str, str] = {}
    for env_name, env in spec.environments.items():
        env_loc: Loc = ("environments", env_name)
        if env.namespace in namespaces:
            yield at_value(
                doc,
                (*env_loc, "namespace"),
                f"namespace '{env.namespace}' is already used by environment '{namespaces[env.namespace]}'",
                field=False,
                code="N106",
            )
        namespaces.setdefault(env.namespace, env_name)
        for name, override in env.components.items():
            where = (*env_loc, "components", name)
            if name not in locations:
                yield at_key(
                    doc,
                    where,
                    f"'{name}' is not a component{suggest(name, locations, otherwise=' of the system')}",
                    field=False,
                    code="N301",
                )
                continue
            _, component = locations[name]
            if override.replicas is not None and component.autoscaling is not None:
                yield at_key(
                    doc,
                    (*where, "replicas"),
                    f"'{name}' autoscales; change its autoscaling bounds instead of replicas",
                    field=False,
                    code="N302",
                )
            if override.autoscaling is not None and component.autoscaling is None:
                yield at_key(
                    doc,
                    (*where, "autoscaling"),
                    f"'{name}' does not autoscale in the base; it cannot here",
                    field=False,
                    code="N303",
                )
            yield from _changes(doc, where, component, override)


def _changes(
    doc: Document, where: Loc, component: Component, override: ComponentOverride
) -> Iterator[Diagnostic]:
    """An environment changes only what the base has: a volume, scratch paths, a TLS Secret, its Secrets."""
    name = component.name
    if override.storage is not None and component.storage is None:
        yield at_key(
            doc,
            (*where, "storage"),
            f"'{name}' has no storage in the base; an environment cannot add it",
            code="N304",
        )
    paths = component.writable_paths
    written = {path.rstrip("/") for path in paths}
    for path in override.writable:
        if path.rstrip("/") not in written:
            yield at_key(
                doc,
                (*where, "writable", path),
                f"'{name}' has no writable path '{path}'; its paths: {', '.join(paths)}",
                code="N305",
            )
    if component.ingress is None:
        # Every override of the ingress, as the table of what an environment may set says.
        for key in sorted(override.model_fields_set):
            if BY_OVERRIDE[key].path[0] == "ingress" and getattr(override, key):
                yield at_key(
                    doc,
                    (*where, key),
                    f"'{name}' has no ingress to set the {INGRESS_WORDS[key]} of",
                    code="N306",
                )
    used = sorted({s.secret for s in component.secrets})
    for secret in override.secrets:
        if secret not in used:
            known = f"it uses {', '.join(used)}" if used else "it uses none"
            yield at_key(
                doc, (*where, "secrets", secret), f"'{name}' uses no Secret '{secret}'; {known}", code="N307"
            )


def _delivery(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """An environment can only change an Argo CD Application that the top-level delivery defines."""
    if spec.delivery is not None:
        return
    for env_name, env in spec.environments.items():
        if env.delivery is not None:
            yield at_key(
                doc,
                ("environments", env_name, "delivery"),
                "environment delivery needs a top-level 'delivery' with the repository",
                field=False,
                code="N308",
            )
