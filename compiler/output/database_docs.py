"""The databases' part of out/README.md: their topology per environment, what it implies, backups, restore."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.model import DatabasePlan, Plan
from compiler.spec.names import database_variables, pooler_name

# CloudNativePG closes a WAL segment and archives it at least this often (its archive_timeout).
ARCHIVE_MINUTES = 5
EDITIONS = {
    "apache": "TimescaleDB Apache-2 edition: hypertables, no compression or policies",
    "community": "TimescaleDB community edition, Timescale License: compression, continuous-aggregate and"
    " retention policies",
}


def database_section(plan: Plan) -> Iterator[str]:
    """The section, when the system has databases."""
    if not plan.base.databases:
        return
    yield ""
    yield "## Databases"
    yield ""
    yield (
        "Each database is a CloudNativePG Cluster: its operator runs the instances, one primary and"
        " streaming standbys on distinct nodes, fails over to a standby when the primary is lost, and"
        " makes the Services `<name>-rw` (the primary) and `<name>-ro` (the standbys). A component that"
        " talks to a database gets its host and port as variables: write, and read what must include"
        " its own writes, through the first; read what may lag a little through the second."
    )
    for database in plan.base.databases:
        variables = ", ".join(f"`{k}={v}`" for k, v in database_variables(database.name).items())
        pooler = database.pooler
        through = (
            f"; through PgBouncer (`{pooler_name(database.name)}-rw`, {pooler.instances} pods,"
            f" {pooler.mode} pooling, `_HOST` pointing there): {', '.join(pooler.clients) or 'none'}"
            if pooler is not None
            else ""
        )
        yield ""
        yield (
            f"**{database.name}** ({EDITIONS[database.edition]}; image `{database.image}`): clients"
            f" {', '.join(database.clients) or 'none'}{through}; variables {variables}."
        )
    yield ""
    yield "| database | environment | instances | synchronous standbys | volume each | RPO | RTO | backups |"
    yield "| --- | --- | ---: | ---: | --- | --- | --- | --- |"
    for env in (plan.base, *plan.environments):
        for database in env.databases:
            cells = (
                database.name,
                env.name,
                str(database.instances),
                str(database.synchronous),
                database.size + (f" ({database.storage_class})" if database.storage_class else ""),
                _rpo(database),
                _rto(database),
                _backups(database),
            )
            yield f"| {' | '.join(cells)} |"
    yield from _restore(plan.base.databases)


def _rpo(database: DatabasePlan) -> str:
    """What a loss can take: nothing committed, the standbys' lag, the unarchived WAL, or everything."""
    if database.synchronous:
        return "zero for committed transactions: each commit waits for a standby"
    if database.instances > 1:
        return "the standbys' replication lag (asynchronous)"
    if database.backup is not None:
        return f"a lost volume: the WAL not yet archived (at most {ARCHIVE_MINUTES} minutes)"
    return "a lost volume: everything (no backup)"


def _rto(database: DatabasePlan) -> str:
    """How long a loss stops the data path."""
    if database.instances > 1:
        return "a failover to a standby: seconds to a minute"
    if database.backup is not None:
        return "the pod's restart on its volume; a lost volume: a restore from the backup"
    return "the pod's restart on its volume; a lost volume is not recovered"


def _backups(database: DatabasePlan) -> str:
    backup = database.backup
    if backup is None:
        return "none"
    runs = ", ".join(f"`{run.schedule}`" for run in backup.runs)
    return f"{backup.destination}, kept {backup.retention}; base backups at {runs} (UTC)"


def _restore(databases: tuple[DatabasePlan, ...]) -> Iterator[str]:
    backed = [d for d in databases if d.backup is not None]
    if not backed:
        return
    yield ""
    yield (
        "Backups go through the Barman Cloud plugin: the WAL is archived as it is written, and a"
        " ScheduledBackup (six cron fields, seconds first, in UTC, as CloudNativePG reads them) takes a"
        " base backup after the market's close on every trading weekday; cron has no year, so it"
        " also runs on a weekday holiday. To restore to a point in time, create a Cluster of another"
        " name that recovers from the object store, wait for it to be ready, then point the clients"
        " at it (or rename it into the spec):"
    )
    database = backed[0]
    yield ""
    yield "```yaml"
    yield "apiVersion: postgresql.cnpg.io/v1"
    yield "kind: Cluster"
    yield "metadata:"
    yield f"  name: {database.name}-restored"
    yield "spec:"
    yield f"  imageName: {database.image}"
    yield f"  instances: {database.instances}"
    yield "  postgresql:"
    yield "    shared_preload_libraries: [timescaledb]"
    yield f"  storage: {{size: {database.size}}}"
    yield "  bootstrap:"
    yield "    recovery:"
    yield "      source: origin"
    yield '      recoveryTarget: {targetTime: "2026-11-20 10:00:00+00"}   # the moment to return to'
    yield "  externalClusters:"
    yield "    - name: origin"
    yield "      plugin:"
    yield "        name: barman-cloud.cloudnative-pg.io"
    yield f"        parameters: {{barmanObjectName: {database.name}-backup, serverName: {database.name}}}"
    yield "```"
