"""Rules over the hardening fields: secrets, exceptions, dedicated cores, ingress."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.checks import holds
from compiler.spec.load import Document, Loc
from compiler.spec.merge import merged_sizing
from compiler.spec.model import CheckException, Component, ComponentOverride, ObservedTool, Spec
from compiler.spec.positions import at_key, at_value
from compiler.spec.quantities import cpu_millis

# kube-linter's env-var-secret flags any literal value in a variable whose name says "secret".
SECRET_VARIABLE = "SECRET"
LITERAL_IN_SECRET_VARIABLE = "a variable named *SECRET* must not hold a literal (a path included); rename it"


def check_security(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every violation of the hardening rules, positioned in doc."""
    yield from _exceptions(doc, ("defaults", "exceptions"), spec.defaults.exceptions)
    for name in type(spec.observability).model_fields:
        tool = getattr(spec.observability, name)
        if isinstance(tool, ObservedTool):
            tool_loc: Loc = ("observability", name, "exceptions")
            yield from _exceptions(doc, tool_loc, tool.exceptions, digest=tool.digest is not None)
    components: dict[str, tuple[Loc, Component]] = {}
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            loc: Loc = ("layers", li, "components", ci)
            components.setdefault(component.name, (loc, component))
            yield from _component(doc, loc, component)
            yield from _dedicated(doc, spec, (*loc, "resources"), component, None, "")
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            if name not in components:
                continue
            component = components[name][1]
            where: Loc = ("environments", env_name, "components", name)
            suffix = f" after merging environment '{env_name}'"
            yield from _dedicated(doc, spec, (*where, "resources"), component, override, suffix)
            if override.host is not None and component.ingress is None:
                yield at_key(doc, (*where, "host"), f"'{name}' has no ingress to set the host of")
            secret_variables = {s.env for s in component.secrets if s.env is not None}
            for variable in override.env:
                if SECRET_VARIABLE in variable.upper():
                    yield at_key(doc, (*where, "env", variable), LITERAL_IN_SECRET_VARIABLE)
                elif variable in secret_variables:
                    yield at_key(doc, (*where, "env", variable), f"'{variable}' holds a secret of '{name}'")
    yield from _hosts(doc, spec, components)


def _hosts(doc: Document, spec: Spec, components: dict[str, tuple[Loc, Component]]) -> Iterator[Diagnostic]:
    """Two entry points of one environment cannot share a host."""
    for env_name in (None, *spec.environments):
        env = spec.environments[env_name] if env_name else None
        seen: set[str] = set()
        for name, (loc, component) in components.items():
            if component.ingress is None:
                continue
            override = env.components.get(name) if env else None
            host, where = component.ingress.host, (*loc, "ingress", "host")
            if override and override.host:
                host, where = override.host, ("environments", env_name or "", "components", name, "host")
            if host in seen:
                place = f" in environment '{env_name}'" if env_name else ""
                yield at_value(doc, where, f"host '{host}' is already routed to another component{place}")
            seen.add(host)


def _component(doc: Document, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    variables: set[str] = set(component.env)
    for name in component.env:
        if SECRET_VARIABLE in name.upper():
            yield at_key(doc, (*loc, "env", name), LITERAL_IN_SECRET_VARIABLE)
    files: set[str] = set()
    for index, secret in enumerate(component.secrets):
        where = (*loc, "secrets", index)
        if secret.env is None and secret.file is None:
            yield at_key(doc, where, "a secret needs `env` (the value), `file` (a mounted file) or both")
        if secret.env is not None:
            if secret.file is not None and SECRET_VARIABLE in secret.env.upper():
                yield at_value(doc, (*where, "env"), LITERAL_IN_SECRET_VARIABLE)
            if secret.env in component.env:
                yield at_value(doc, (*where, "env"), f"'{secret.env}' is also set under env")
            variables.add(secret.env)
        if secret.file is not None:
            if secret.file in files:
                yield at_value(doc, (*where, "file"), f"file '{secret.file}' is mounted twice")
            if secret.file.rstrip("/").rpartition("/")[0] in (*component.writable, ""):
                yield at_value(doc, (*where, "file"), "mount secret files in their own folder, not in /")
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
            yield at_value(doc, where, f"check {exception.check} is excepted twice")
        elif why:
            yield at_value(doc, where, why)
        seen.add(exception.check)


def _dedicated(
    doc: Document,
    spec: Spec,
    loc: Loc,
    component: Component,
    override: ComponentOverride | None,
    suffix: str,
) -> Iterator[Diagnostic]:
    """Dedicated cores: whole CPUs, limits equal to requests (the static CPU manager's condition)."""
    if not component.dedicated_cores:
        return
    sizing = merged_sizing(spec.defaults.resources, component, override)
    if (
        cpu_millis(sizing.cpu) % 1000
        or sizing.cpu_limit != sizing.cpu
        or sizing.memory_limit != sizing.memory
    ):
        yield at_key(
            doc,
            loc,
            f"dedicated cores need whole CPUs with limits equal to requests "
            f"(found cpu {sizing.cpu}, limit {sizing.cpu_limit}){suffix}",
        )
