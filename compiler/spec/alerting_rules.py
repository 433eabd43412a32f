"""Rules over observability.alertmanager: receivers, the references of routes, and the layers they name."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import Alertmanager, Spec
from compiler.spec.positions import at_key, at_value
from compiler.spec.suggest import suggest

ROOT: Loc = ("observability", "alertmanager")
# The layer label of the observability stack's own alerts.
STACK_LAYER = "observability"


def check_alerting(doc: Document, spec: Spec) -> Iterator[Diagnostic]:
    """Every problem of the alerting block, positioned in doc."""
    manager = spec.observability.alertmanager
    if manager is None:
        return
    components = {c.name for layer in spec.layers for c in layer.components}
    yield from _receivers(doc, manager, components)
    receivers = {r.name for r in manager.receivers}
    yield from _reference(doc, (*ROOT, "default"), manager.default, receivers)
    if manager.market_receiver is not None:
        where: Loc = (*ROOT, "market_receiver")
        yield from _reference(doc, where, manager.market_receiver, receivers)
        if spec.market is None:
            yield at_value(
                doc,
                where,
                "market-data alerts need the top-level 'market' calendar to know the market's hours",
                code="N803",
            )
        yield from _closed_receiver(doc, manager, receivers)
    if manager.calendar_receiver is not None:
        yield from _reference(doc, (*ROOT, "calendar_receiver"), manager.calendar_receiver, receivers)
    layers = {layer.name for layer in spec.layers} | {STACK_LAYER}
    for ri, route in enumerate(manager.routes):
        loc = (*ROOT, "routes", ri)
        yield from _reference(doc, (*loc, "receiver"), route.receiver, receivers)
        if route.severity is None and not route.layers:
            yield at_key(
                doc,
                loc,
                "a route without severity or layers takes every alert; name its receiver in 'default'",
                code="N802",
            )
        for li, name in enumerate(route.layers):
            if name not in layers:
                yield at_value(
                    doc, (*loc, "layers", li), f"'{name}' is not a layer{suggest(name, layers)}", code="N802"
                )


def _closed_receiver(doc: Document, manager: Alertmanager, receivers: set[str]) -> Iterator[Diagnostic]:
    """Outside the sessions the market-data alerts reach someone who is not paged."""
    pagers = {r.name for r in manager.receivers if r.pager is not None}
    chosen = manager.market_closed_receiver
    if chosen is not None:
        where: Loc = (*ROOT, "market_closed_receiver")
        yield from _reference(doc, where, chosen, receivers)
        if chosen in pagers:
            yield at_value(
                doc,
                where,
                f"'{chosen}' is a pager: market-data alerts would page outside the sessions too",
                code="N803",
            )
    elif manager.default in pagers:
        yield at_value(
            doc,
            (*ROOT, "market_receiver"),
            f"outside the sessions the market-data alerts go to the default receiver '{manager.default}', "
            "a pager; set market_closed_receiver to a receiver that does not page (the desk's channel)",
            code="N803",
        )


def _receivers(doc: Document, manager: Alertmanager, components: set[str]) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for ri, receiver in enumerate(manager.receivers):
        loc = (*ROOT, "receivers", ri)
        if receiver.name in seen:
            yield at_value(
                doc, (*loc, "name"), f"receiver '{receiver.name}' is already declared", code="N801"
            )
        seen.add(receiver.name)
        if (receiver.webhook is None) == (receiver.pager is None):
            yield at_key(
                doc, loc, "a receiver is either a webhook or a pager: set exactly one of them", code="N801"
            )
        if receiver.webhook is not None and receiver.webhook.component not in components:
            name = receiver.webhook.component
            yield at_value(
                doc,
                (*loc, "webhook", "component"),
                f"'{name}' is not a component{suggest(name, components)}",
                code="N801",
            )


def _reference(doc: Document, loc: Loc, name: str, receivers: set[str]) -> Iterator[Diagnostic]:
    if name not in receivers:
        yield at_value(
            doc, loc, f"'{name}' is not a declared receiver{suggest(name, receivers)}", code="N802"
        )
