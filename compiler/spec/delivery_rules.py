"""Rules across environments that one cluster holds: no two may route the same host and path."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import Spec
from compiler.spec.positions import at_value
from compiler.spec.resolved import View
from compiler.spec.security_rules import entry_points


def check_shared_clusters(doc: Document, spec: Spec, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Environments whose Argo CD Applications target one cluster claim distinct hosts and paths.

    One ingress controller serves the cluster: two Ingresses for one host and path make it route
    to either environment's pods. A component's host reaches every environment that does not set
    its own, so a new component with an ingress claims its host in all of them at once.
    """
    if spec.delivery is None or len(spec.environments) < 2:
        return
    claims: dict[tuple[str, str, str], list[tuple[str, str, Loc, bool]]] = {}
    for view in seen:
        env, env_name = view.environment, view.name
        if env is None or env_name is None:
            continue
        cluster = (env.delivery.cluster if env.delivery else None) or spec.delivery.cluster
        for entry in entry_points(view):
            key = (cluster, entry.host, entry.path.rstrip("/") or "/")
            claimants = claims.setdefault(key, [])
            # Two components of one environment on one route are the per-environment rule's concern.
            if all(name != env_name for name, _, _, _ in claimants):
                claimants.append((env_name, entry.component, entry.host_at, entry.changed))
    for (cluster, host, path), claimants in claims.items():
        if len(claimants) < 2:
            continue
        names = [name for name, _, _, _ in claimants]
        # At an environment's own host where one set it, else at the component's host they inherit.
        changed = [at for _, _, at, own in claimants if own]
        where = changed[-1] if changed else claimants[0][2]
        inherit = [(name, component) for name, component, _, own in claimants if not own]
        fix = ""
        if inherit:
            env_name, name = inherit[-1]
            fix = f"; give it its own host at environments.{env_name}.components.{name}.host"
        yield at_value(
            doc,
            where,
            f"host '{host}' path '{path}' is claimed by environments {_listed(names)}, whose Argo CD"
            f" Applications target the same cluster ({cluster}){fix}",
            code="N912",
        )


def _listed(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"
