"""A component's ports by name and its connections as (component, port name): shared by rules and plan."""

from __future__ import annotations

from compiler.spec.model import Component, Connection, Spec
from compiler.spec.names import POOLER_PORT, REDIS_SENTINEL_PORT

# The name of every component's main port: in its container, Service and Ingress backend.
MAIN = "main"
# A majority of a cluster of this many is still there when one replica is drained.
LEAST_PEERS = 3
# PostgreSQL's port, on which a database's operator makes every instance and its Services listen.
POSTGRES_PORT = 5432
# The metrics port of every CloudNativePG instance (its container port named "metrics").
POSTGRES_METRICS_PORT = 9187
# PgBouncer's exporter in CloudNativePG's Pooler pods.
PGBOUNCER_METRICS_PORT = 9127
# Redis's port, on which the redis-operator makes every Redis pod and its Services listen.
REDIS_PORT = 6379
# The port name of a Redis's Sentinels (REDIS_SENTINEL_PORT), which clients ask for the master.
SENTINEL_PORT = "sentinel"
# The port of the redis_exporter sidecar the redis-operator adds to each Redis pod.
REDIS_EXPORTER_PORT = 9121


def port_numbers(component: Component, default: int) -> dict[str, int]:
    """Each port of the component by name, the main one first."""
    if component.redis is not None:
        return {MAIN: REDIS_PORT, SENTINEL_PORT: REDIS_SENTINEL_PORT}
    numbers = {MAIN: POSTGRES_PORT if component.database else component.port or default}
    if component.database is not None and component.database.pooler is not None:
        numbers[POOLER_PORT] = POSTGRES_PORT
    for port in component.ports:
        numbers.setdefault(port.name, port.port)
    return numbers


def component_ports(spec: Spec) -> dict[str, dict[str, int]]:
    """Every component's ports by name, by component name."""
    return {c.name: port_numbers(c, spec.defaults.port) for layer in spec.layers for c in layer.components}


def connection(entry: str | Connection) -> tuple[str, str | None]:
    """(component, port name or None for the main port) of a talks_to entry."""
    if isinstance(entry, Connection):
        return entry.component, entry.port
    name, _, port = entry.partition(":")
    return name, port or None


def quorum(replicas: int) -> int:
    """The fewest replicas of a cluster that still form a majority."""
    return replicas // 2 + 1
