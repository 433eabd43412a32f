"""Rules over what follows the market clock: pre-scaling floors and deploy freezes."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.market import Market, clock_minutes
from compiler.spec.model import Component, Spec
from compiler.spec.places import components_by_name
from compiler.spec.positions import at_key, at_value
from compiler.spec.resolved import Origin, View

# Argo CD creates this project itself; a file of ours would overwrite its settings.
ARGOCD_DEFAULT_PROJECT = "default"
DAY_MINUTES = 24 * 60


def check_clock(doc: Document, spec: Spec, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every problem of the prescale floors and the freezes, positioned in doc."""
    found = components_by_name(spec)
    for loc, component in found.values():
        yield from _prescale(doc, spec, loc, component)
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            if override.prescale is None or name not in found:
                continue
            _, component = found[name]
            where: Loc = ("environments", env_name, "components", name, "prescale")
            if component.prescale is None:
                yield at_key(
                    doc,
                    where,
                    f"'{name}' has no prescale in the base; set it there first",
                    field=False,
                    code="N309",
                )
        if env.delivery is not None and env.delivery.freeze:
            where = ("environments", env_name, "delivery", "freeze")
            sync = env.delivery.sync or (spec.delivery.sync if spec.delivery else None)
            if spec.market is None:
                yield at_value(
                    doc,
                    where,
                    "a freeze needs the top-level 'market' calendar to know when the market trades",
                    code="N910",
                )
            elif sync is None or not sync.automated:
                yield at_value(
                    doc,
                    where,
                    f"'{env_name}' never syncs automatically, so a freeze would block nothing: "
                    "Argo CD's deny windows stop automated syncs only; set delivery.sync.automated: true "
                    "(a person can still sync by hand in a window)",
                    code="N910",
                )
    for view in seen:
        if view.environment is not None and view.environment.keda:
            yield from _environment_floors(doc, view)
    project = spec.delivery.project if spec.delivery else None
    if project == ARGOCD_DEFAULT_PROJECT:
        yield at_value(
            doc,
            ("delivery", "project"),
            f"'{ARGOCD_DEFAULT_PROJECT}' is Argo CD's own project, which nifty would overwrite; "
            "choose another name or leave it out (the system's name)",
            code="N911",
        )


def _prescale(doc: Document, spec: Spec, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    prescale = component.prescale
    if prescale is None:
        return
    where: Loc = (*loc, "prescale")
    if component.autoscaling is None:
        yield at_key(
            doc,
            where,
            "prescale needs autoscaling: its floor lifts the autoscaler's minimum while the market trades",
            code="N908",
        )
        return
    if spec.market is None:
        yield at_key(
            doc,
            where,
            "prescale needs the top-level 'market' calendar to know when the market opens",
            code="N908",
        )
    else:
        yield from _lead(doc, (*where, "lead_minutes"), prescale.lead_minutes, spec.market)
    yield from _floor(
        doc, (*where, "floor"), prescale.floor, component.autoscaling.min, component.autoscaling.max
    )


def _environment_floors(doc: Document, view: View) -> Iterator[Diagnostic]:
    """The floors as an environment with KEDA compiles them, after its overrides."""
    for resolved in view.components:
        component, floor, bounds = resolved.component, resolved.floor, resolved.bounds
        if component.autoscaling is None or component.prescale is None or floor is None or bounds is None:
            continue
        base = (component.prescale.floor, component.autoscaling.min, component.autoscaling.max)
        if (floor.replicas, bounds.min, bounds.max) == base:
            continue  # the base's numbers, checked where they stand
        if resolved.origin("prescale", "floor") is Origin.ENVIRONMENT:
            where = resolved.at("prescale", "floor")
        elif resolved.origin("autoscaling") is Origin.ENVIRONMENT:
            where = resolved.at("autoscaling")
        else:
            where = (*resolved.loc, "prescale", "floor")
        yield from _floor(doc, where, floor.replicas, bounds.min, bounds.max, view.place())


def _floor(
    doc: Document, where: Loc, floor: int, low: int, high: int, suffix: str = ""
) -> Iterator[Diagnostic]:
    if low > high:
        return  # the bounds are wrong already, and said so
    if floor <= low:
        yield at_value(
            doc,
            where,
            f"prescale floor ({floor}) is not above autoscaling min ({low}){suffix}; it would change nothing",
            code="N908",
        )
    elif floor > high:
        yield at_value(
            doc, where, f"prescale floor ({floor}) is above autoscaling max ({high}){suffix}", code="N908"
        )


def _lead(doc: Document, where: Loc, lead: int, market: Market) -> Iterator[Diagnostic]:
    """A lead may start the floor the evening before, but a floor cannot hold around the clock."""
    starts = [clock_minutes(s.start) for s in market.sessions]
    ends = [clock_minutes(s.end) for s in market.sessions]
    starts += [clock_minutes(c.start) for c in market.session_changes if c.start]
    ends += [clock_minutes(c.end) for c in market.session_changes if c.end]
    span = max(ends) - (min(starts) - lead)
    if span >= DAY_MINUTES:
        yield at_value(
            doc,
            where,
            f"a lead of {lead} minutes before the first open makes the floor hold "
            f"{span // 60}h{span % 60:02d}m, a whole day or more; without a gap it never ends, "
            "so use a fixed min instead",
            code="N909",
        )
