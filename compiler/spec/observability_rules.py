"""Rules over the spec's observability: discovery Service names, objectives, reserved variables."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.load import Document
from compiler.spec.model import Spec
from compiler.spec.names import STACK, discovery_service_name
from compiler.spec.positions import at_key, at_value
from compiler.spec.resolved import View

MAX_NAME = 63
RESERVED_ENV_PREFIX = "OTEL_"


def check_observability(doc: Document, spec: Spec, every: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every observability problem of spec, positioned in doc."""
    for view in every:
        for resolved in view.components:
            for name in resolved.env:
                if name.startswith(RESERVED_ENV_PREFIX):
                    yield at_key(doc, resolved.at("env", name), _reserved(name), code="N703")
    discovery = {discovery_service_name(name) for name in STACK}
    discovery |= {
        discovery_service_name(c.name) for layer in spec.layers for c in layer.components if c.metrics.scrape
    }
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            loc = ("layers", li, "components", ci)
            service = discovery_service_name(component.name)
            if component.metrics.scrape and len(service) > MAX_NAME:
                yield at_value(
                    doc,
                    (*loc, "name"),
                    f"name is too long for its discovery Service '{service}' ({MAX_NAME} characters at most)",
                    code="N704",
                )
            if component.name in discovery:
                yield at_value(
                    doc,
                    (*loc, "name"),
                    f"name '{component.name}' is taken by the discovery Service of another workload",
                    code="N704",
                )
            if not component.metrics.scrape:
                if component.metrics.port is not None:
                    yield at_key(
                        doc,
                        (*loc, "metrics", "port"),
                        "a component that is not scraped has no port",
                        code="N705",
                    )
                if component.objectives:
                    yield at_key(
                        doc,
                        (*loc, "objectives"),
                        "objectives are measured on scraped metrics; this component is not scraped",
                        code="N705",
                    )
            seen: set[str] = set()
            for oi, objective in enumerate(component.objectives):
                if objective.name in seen:
                    yield at_value(
                        doc,
                        (*loc, "objectives", oi, "name"),
                        f"objective '{objective.name}' is already used",
                        code="N706",
                    )
                seen.add(objective.name)
                if objective.kind == "staleness" and "quantile" in objective.model_fields_set:
                    yield at_key(
                        doc,
                        (*loc, "objectives", oi, "quantile"),
                        "a staleness objective has no quantile",
                        code="N706",
                    )
            for si, secret in enumerate(component.secrets):
                if secret.env is not None and secret.env.startswith(RESERVED_ENV_PREFIX):
                    yield at_value(doc, (*loc, "secrets", si, "env"), _reserved(secret.env), code="N703")


def _reserved(name: str) -> str:
    return f"'{name}': OTEL_ variables are set by the compiler for every workload"
