"""Reserved names: environments and namespaces that would mean something else to the tree or the cluster."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import Spec
from compiler.spec.positions import at_key, at_value

# Folders of out/ that `nifty render`, `nifty diff` and the build name without overlays/ before them.
RESERVED_ENVIRONMENTS = {
    "base": "out/base, `nifty render base` and `nifty diff` mean the base",
    "argocd": "out/argocd holds the Argo CD Applications, and `nifty diff` reports it under that name",
    "project": "out/argocd/project.yaml holds the Argo CD AppProject, next to one file per environment",
    "kustomization": "out/argocd/kustomization.yaml applies the Argo CD files, next to one per environment",
}
# Namespaces of the cluster itself; the system's default-deny NetworkPolicy would cut them off.
CLUSTER_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


def check_reserved(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Environment names and namespaces that clash with the tree or with the cluster."""
    for name in spec.environments:
        if name in RESERVED_ENVIRONMENTS:
            yield at_key(
                doc,
                ("environments", name),
                f"the name '{name}' is reserved: {RESERVED_ENVIRONMENTS[name]}; choose another",
                field=False,
                code="N105",
            )
    taken = {namespace: "the cluster's own" for namespace in CLUSTER_NAMESPACES}
    taken[spec.defaults.ingress.namespace] = "the ingress controller's (defaults.ingress.namespace)"
    if spec.delivery is not None:
        taken[spec.delivery.namespace] = "Argo CD's (delivery.namespace)"
    places: list[tuple[Loc, str]] = [(("system", "namespace"), spec.system.namespace)]
    places += [
        (("environments", name, "namespace"), env.namespace) for name, env in spec.environments.items()
    ]
    for loc, namespace in places:
        if namespace in taken:
            yield at_value(
                doc,
                loc,
                f"namespace '{namespace}' is {taken[namespace]}: the system's default-deny"
                " NetworkPolicy and Pod Security labels would apply to it; choose another",
                code="N105",
            )
