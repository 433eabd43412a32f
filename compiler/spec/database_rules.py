"""Rules over databases: what a CloudNativePG Cluster takes, its replication, its backups, its clients."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.kind_rules import market_run_in_session, settings_not_taken
from compiler.spec.market_rules import known_zone, shifts_offset
from compiler.spec.model import Component, DatabaseOverride, Spec
from compiler.spec.names import database_variables
from compiler.spec.operated_rules import OPERATOR_OWNS, operated_overrides, variables_nifty_sets
from compiler.spec.places import components_by_name, placed_components
from compiler.spec.positions import at_key, at_value
from compiler.spec.resolved import Resolved, View


def check_databases(doc: Document, spec: Spec, views: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every problem of the databases of spec, positioned in doc."""
    databases: dict[str, Loc] = {}
    for loc, component in placed_components(spec):
        if component.database is not None:
            databases.setdefault(component.name, loc)
            reason = "is a database: its operator runs its pods, so it sets no"
            yield from settings_not_taken(doc, loc, component, OPERATOR_OWNS, reason, code="N210")
            yield from _backup(doc, spec, (*loc, "database"), component)
    yield from _overrides(doc, spec, databases)
    for view in views:
        for resolved in view.components:
            yield from _replication(doc, view, resolved)
    yield from _clients(doc, spec, databases)


def _replication(doc: Document, view: View, resolved: Resolved) -> Iterator[Diagnostic]:
    """More instances than synchronous standbys: the base's, and an environment's where it changes them."""
    database = resolved.database
    override = resolved.override.database if resolved.override else None
    if database is None or (view.name is not None and override is None):
        return
    if database.synchronous < database.instances:
        return
    changed = override is not None and override.instances is not None and override.synchronous is None
    field = "instances" if changed else "synchronous"
    yield at_value(
        doc,
        resolved.at("database", field),
        f"{database.synchronous} synchronous standbys need at least {database.synchronous + 1} instances"
        f"{view.place()}; there are {database.instances}",
        code="N211",
    )


def _backup(doc: Document, spec: Spec, loc: Loc, component: Component) -> Iterator[Diagnostic]:
    assert component.database is not None
    if component.database.backup is None:
        return
    market = spec.market
    if market is None:
        yield at_key(
            doc,
            (*loc, "backup"),
            "backups run after the market's close on its trading days: they need the top-level market",
            code="N212",
        )
    elif known_zone(market.timezone) and shifts_offset(market.timezone, market.years[0]):
        yield at_key(
            doc,
            (*loc, "backup"),
            f"CloudNativePG reads a backup's schedule in UTC, and '{market.timezone}' changes its offset"
            " from UTC (daylight saving time), so backups could not follow the market's close;"
            " use a market zone with a fixed offset",
            code="N212",
        )
    if market is not None:
        where = (*loc, "backup", "market")
        yield from market_run_in_session(doc, where, market, component.database.backup.market, code="N212")


def _overrides(doc: Document, spec: Spec, databases: dict[str, Loc]) -> Iterator[Diagnostic]:
    """An environment changes a database's resources and database block only, and no other's database;
    it changes no part the database does not have."""
    yield from operated_overrides(doc, spec, databases, "database", "a database", code="N210")
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            if name in databases:
                where: Loc = ("environments", env_name, "components", name)
                yield from _missing_parts(doc, where, name, override.database, spec)


def _missing_parts(
    doc: Document, where: Loc, name: str, override: DatabaseOverride | None, spec: Spec
) -> Iterator[Diagnostic]:
    """An environment's retention of a database without backups, or pooler of one without a pooler."""
    database = components_by_name(spec)[name][1].database
    if override is None or database is None:
        return
    for key, part, present in (
        ("retention", "backup", database.backup is not None),
        ("pooler", "pooler", database.pooler is not None),
    ):
        if key in override.model_fields_set and not present:
            yield at_key(
                doc,
                (*where, "database", key),
                f"'{name}' has no {part}: its {key} here would change nothing; add database.{part}"
                " to the component",
                code="N210",
            )


def _clients(doc: Document, spec: Spec, databases: dict[str, Loc]) -> Iterator[Diagnostic]:
    """A client of a database gets its connection variables from nifty; it does not set them itself."""
    yield from variables_nifty_sets(doc, spec, databases, database_variables, code="N213")
