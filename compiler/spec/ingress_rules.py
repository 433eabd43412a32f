"""Rules over the controller settings of Ingresses: nothing that serves plain HTTP or bypasses the spec."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import Component, Spec
from compiler.spec.positions import at_key, at_value

# Annotation values that switch TLS off: the entry points are HTTPS only.
TLS_OFF = {
    "nginx.ingress.kubernetes.io/ssl-redirect": "false",
    "nginx.ingress.kubernetes.io/force-ssl-redirect": "false",
    "kubernetes.io/ingress.allow-http": "true",
    "traefik.ingress.kubernetes.io/router.tls": "false",
}
# Annotations refused whatever their value, and why.
REFUSED = {
    "kubernetes.io/ingress.class": "the class is defaults.ingress.class_name (its ingressClassName)",
}
# ingress-nginx's *-snippet annotations inject raw configuration, which can undo TLS or any other setting.
SNIPPET = ("nginx.ingress.kubernetes.io/", "-snippet")
SNIPPET_REASON = "a snippet injects raw configuration, which can switch TLS off; set a named option"
# The compiler writes these from the spec's exceptions.
SCANNER_PREFIX = "checkov.io/"


def check_ingress(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every refused controller setting, where it is written, and settings without an Ingress."""
    yield from _annotations(doc, ("defaults", "ingress", "annotations"), spec.defaults.ingress.annotations)
    components: dict[str, Component] = {}
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            components.setdefault(component.name, component)
            if component.ingress is not None:
                loc: Loc = ("layers", li, "components", ci, "ingress", "annotations")
                yield from _annotations(doc, loc, component.ingress.annotations)
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            where: Loc = ("environments", env_name, "components", name, "ingress_annotations")
            if not override.ingress_annotations or name not in components:
                continue
            yield from _annotations(doc, where, override.ingress_annotations)


def _annotations(doc: Document, loc: Loc, annotations: dict[str, str]) -> Iterator[Diagnostic]:
    for key, value in annotations.items():
        where = (*loc, key)
        if TLS_OFF.get(key) == value.strip().lower():
            yield at_value(
                doc, where, f"'{value}' would serve plain HTTP; every entry point is HTTPS only", code="N601"
            )
        elif key in REFUSED:
            yield at_key(doc, where, f"this annotation is refused: {REFUSED[key]}", code="N601")
        elif key.startswith(SNIPPET[0]) and key.endswith(SNIPPET[1]):
            yield at_key(doc, where, f"this annotation is refused: {SNIPPET_REASON}", code="N601")
        elif key.startswith(SCANNER_PREFIX):
            yield at_key(
                doc,
                where,
                "this annotation is refused: checkov's annotations come from `exceptions`",
                code="N601",
            )
