"""Rules over the hardening fields: secrets, exceptions, dedicated cores, ingress."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from compiler.diagnostics import Diagnostic
from compiler.spec.checks import holds
from compiler.spec.load import Document, Loc
from compiler.spec.model import CheckException, Component, ObservedTool, Spec
from compiler.spec.places import placed_components
from compiler.spec.positions import at_key, at_value
from compiler.spec.quantities import cpu_millis
from compiler.spec.resolved import Origin, View

# kube-linter's env-var-secret flags any literal value in a variable whose name says "secret".
SECRET_VARIABLE = "SECRET"
LITERAL_IN_SECRET_VARIABLE = "a variable named *SECRET* must not hold a literal (a path included); rename it"


def check_security(doc: Document, spec: Spec, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every violation of the hardening rules, positioned in doc."""
    yield from _exceptions(doc, ("defaults", "exceptions"), spec.defaults.exceptions)
    for name in type(spec.observability).model_fields:
        tool = getattr(spec.observability, name)
        if isinstance(tool, ObservedTool):
            tool_loc: Loc = ("observability", name, "exceptions")
            yield from _exceptions(doc, tool_loc, tool.exceptions, digest=tool.digest is not None)
    components: dict[str, tuple[Loc, Component]] = {}
    for loc, component in placed_components(spec):
        components.setdefault(component.name, (loc, component))
        yield from _component(doc, loc, component)
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            if name not in components:
                continue
            component = components[name][1]
            where: Loc = ("environments", env_name, "components", name)
            secret_variables = {s.env for s in component.secrets if s.env is not None}
            for variable in override.env:
                if SECRET_VARIABLE in variable.upper():
                    yield at_key(doc, (*where, "env", variable), LITERAL_IN_SECRET_VARIABLE, code="N508")
                elif variable in secret_variables:
                    yield at_key(
                        doc,
                        (*where, "env", variable),
                        f"'{variable}' holds a secret of '{name}'",
                        code="N508",
                    )
    yield from _dedicated(doc, seen)
    yield from _hosts(doc, seen)


@dataclass(frozen=True)
class Entry:
    """A public entry point as one environment sees it, and where each of its values is written."""

    component: str
    host: str
    path: str
    tls_secret: str
    host_at: Loc
    path_at: Loc
    tls_at: Loc
    # Whether the environment set its host, and its TLS Secret.
    changed: bool
    tls_changed: bool


def _hosts(doc: Document, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """One host may take several components at distinct paths, all with one certificate."""
    # The base's pairs of components whose certificates differ on one host: reported there once.
    mismatched: set[tuple[str, str, str, str]] = set()
    for view in seen:
        base = view.name is None
        place = view.place()
        routes: dict[tuple[str, str], Entry] = {}
        certificates: dict[str, Entry] = {}
        # The base reports its own clashes; an environment only those that its changes make.
        for entry in entry_points(view):
            key = (entry.host, entry.path.rstrip("/") or "/")
            other = routes.setdefault(key, entry)
            if other is not entry and (base or entry.changed or other.changed):
                # At the environment's change where there is one, else at the later entry.
                at, mine = (other, entry) if other.changed and not entry.changed else (entry, other)
                where = at.host_at if at.changed else at.path_at
                routed = f"host '{at.host}' path '{at.path}' is already routed to component"
                yield at_value(doc, where, f"{routed} '{mine.component}'{place}", code="N501")
            first = certificates.setdefault(entry.host, entry)
            if first.tls_secret == entry.tls_secret:
                continue
            pair = (first.component, first.tls_secret, entry.component, entry.tls_secret)
            if base:
                mismatched.add(pair)
            elif pair in mismatched or not (
                entry.changed or first.changed or entry.tls_changed or first.tls_changed
            ):
                continue
            # At the environment's change (its Secret, else its host) where it made one, else at the
            # later entry's Secret.
            changes = (entry.tls_changed, first.tls_changed, entry.changed, first.changed)
            made = next((i for i, changed in enumerate(changes) if changed), 0)
            at = (entry, first)[made % 2]
            other = entry if at is first else first
            yield at_value(
                doc,
                at.tls_at if at.tls_changed or not at.changed else at.host_at,
                f"host '{at.host}' takes its certificate from '{other.tls_secret}' in component"
                f" '{other.component}'{place}; every path of one host names the same tls_secret",
                code="N502",
            )


def entry_points(view: View) -> Iterator[Entry]:
    """The entry points of one environment's view, in the spec's order."""
    for resolved in view.components:
        route = resolved.route
        if route is None:
            continue
        host_at = resolved.at("ingress", "host")
        ingress = resolved.component.ingress
        path_at = (
            resolved.at("ingress", "path") if ingress and "path" in ingress.model_fields_set else host_at
        )
        yield Entry(
            resolved.name,
            route.host,
            route.path,
            route.tls_secret,
            host_at,
            path_at,
            resolved.at("ingress", "tls_secret"),
            resolved.origin("ingress", "host") is Origin.ENVIRONMENT,
            resolved.origin("ingress", "tls_secret") is Origin.ENVIRONMENT,
        )


def _component(doc: Document, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    variables: set[str] = set(component.env)
    for name, value in component.env.items():
        # A value from the pod is a reference, not a literal.
        if SECRET_VARIABLE in name.upper() and isinstance(value, str):
            yield at_key(doc, (*loc, "env", name), LITERAL_IN_SECRET_VARIABLE, code="N503")
    writable: set[str] = set()
    for index, path in enumerate(component.writable_paths):
        if path.rstrip("/") in writable:
            yield at_value(
                doc, (*loc, "writable", index), f"writable path '{path}' is listed twice", code="N504"
            )
        writable.add(path.rstrip("/"))
    files: set[str] = set()
    for index, secret in enumerate(component.secrets):
        where = (*loc, "secrets", index)
        if secret.env is None and secret.file is None:
            yield at_key(
                doc, where, "a secret needs `env` (the value), `file` (a mounted file) or both", code="N505"
            )
        if secret.env is not None:
            if secret.file is not None and SECRET_VARIABLE in secret.env.upper():
                yield at_value(doc, (*where, "env"), LITERAL_IN_SECRET_VARIABLE, code="N503")
            if secret.env in component.env:
                yield at_value(doc, (*where, "env"), f"'{secret.env}' is also set under env", code="N505")
            variables.add(secret.env)
        if secret.file is not None:
            if secret.file in files:
                yield at_value(doc, (*where, "file"), f"file '{secret.file}' is mounted twice", code="N505")
            if secret.file.rstrip("/").rpartition("/")[0] in (*component.writable_paths, ""):
                yield at_value(
                    doc, (*where, "file"), "mount secret files in their own folder, not in /", code="N505"
                )
            files.add(secret.file)
    values = any(s.env is not None and s.file is None for s in component.secrets)
    # A component never mounts a service account token.
    yield from _exceptions(
        doc,
        (*loc, "exceptions"),
        component.exceptions,
        digest=component.digest is not None,
        secret_values=values,
        token=False,
    )


def _exceptions(
    doc: Document,
    loc: Loc,
    exceptions: list[CheckException],
    *,
    digest: bool = False,
    secret_values: bool = True,
    token: bool = True,
) -> Iterator[Diagnostic]:
    """Each check once, and none that holds anyway; what only the plan knows may fail."""
    seen: set[str] = set()
    for index, exception in enumerate(exceptions):
        where = (*loc, index, "check")
        why = holds(exception.check, digest=digest, secret_values=secret_values, token=token)
        if exception.check in seen:
            yield at_value(doc, where, f"check {exception.check} is excepted twice", code="N506")
        elif why:
            yield at_value(doc, where, why, code="N506")
        seen.add(exception.check)


def _dedicated(doc: Document, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Dedicated cores: whole CPUs, limits equal to requests (the static CPU manager's condition)."""
    for view in seen:
        for resolved in view.components:
            sizing = resolved.sizing
            if not resolved.component.dedicated_cores or not sizing.cpu:
                continue  # without a CPU request the rule on defaults.resources speaks, at its place
            if (
                cpu_millis(sizing.cpu) % 1000 == 0
                and sizing.cpu_limit == sizing.cpu
                and sizing.memory_limit == sizing.memory
            ):
                continue
            changed = resolved.origin("resources") is Origin.ENVIRONMENT
            where = resolved.at("resources") if changed else (*resolved.loc, "resources")
            suffix = f" after merging environment '{view.name}'" if changed else ""
            yield at_key(
                doc,
                where,
                f"dedicated cores need whole CPUs with limits equal to requests "
                f"(found cpu {sizing.cpu}, limit {sizing.cpu_limit}){suffix}",
                code="N507",
            )
