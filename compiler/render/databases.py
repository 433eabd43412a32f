"""CloudNativePG: a Cluster per database, its backups through the Barman Cloud plugin, its NetworkPolicy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import (
    BackupPlan,
    DatabasePlan,
    EnvPlan,
    PoolerPlan,
)
from compiler.render.labels import metadata, selector
from compiler.render.network import in_namespace, pods_of, scraper
from compiler.render.operated import metrics_service, operated_labels, pod_monitor, tcp_ports
from compiler.render.types import Placed
from compiler.spec.names import (
    ACCESS_KEY_ID,
    ACCESS_SECRET_KEY,
    BACKUP_SUFFIX,
    READ_WRITE_SUFFIX,
    pooler_name,
)
from compiler.spec.ports import PGBOUNCER_METRICS_PORT, POSTGRES_METRICS_PORT

CNPG = "postgresql.cnpg.io/v1"
# The label CloudNativePG puts on every pod of a Cluster, and the name of its instances' metrics port.
CLUSTER_LABEL = "cnpg.io/cluster"
# The label CloudNativePG puts on every PgBouncer pod of a Pooler: the Pooler's name.
POOLER_LABEL = "cnpg.io/poolerName"
METRICS_PORT_NAME = "metrics"
BARMAN_CLOUD = "barmancloud.cnpg.io/v1"
# The plugin's name, as its operator registers it with CloudNativePG.
PLUGIN = "barman-cloud.cloudnative-pg.io"
# The instance manager's status port, which the operator calls on every instance.
STATUS_PORT = 8000
# The API server's Service port and its hosts' port: the instance manager reads its Cluster there.
API_SERVER_PORTS = (443, 6443)
# The object store's HTTPS port.
HTTPS_PORT = 443
# What the TimescaleDB edition sets as its license: the Apache-2 features, or the Timescale License's.
LICENSE = {"apache": "apache", "community": "timescale"}


def render(env: EnvPlan) -> Iterator[Placed]:
    """Each database's Cluster and NetworkPolicy; with backups, its ObjectStore and ScheduledBackups."""
    scraped = {t.workload: t for t in env.observability.targets}
    operator = env.prometheus_operator
    for file, database in env.database_placements():
        target = scraped.get(database.name)
        labels = database_labels(env, database)
        yield Placed(file, cluster(env, database))
        yield Placed(file, network_policy(env, database, target is not None))
        if target is not None:
            pods = selector(env, database.name)
            yield Placed(file, metrics_service(env, database.name, labels, pods, target))
            if operator is not None:
                match = {CLUSTER_LABEL: database.name}
                monitor = pod_monitor(env, database.name, labels, match, METRICS_PORT_NAME, target, operator)
                yield Placed(file, monitor)
        if database.pooler is not None:
            name = pooler_name(database.name)
            pooled = scraped.get(name)
            yield Placed(file, pooler(env, database, database.pooler))
            yield Placed(file, pooler_policy(env, database, database.pooler, pooled is not None))
            if pooled is not None:
                pods = selector(env, name)
                yield Placed(file, metrics_service(env, name, pooler_labels(env, database), pods, pooled))
                if operator is not None:
                    match = {POOLER_LABEL: f"{name}{READ_WRITE_SUFFIX}"}
                    monitor = pod_monitor(env, name, labels, match, METRICS_PORT_NAME, pooled, operator)
                    yield Placed(file, monitor)
        if database.backup is not None:
            yield Placed(file, object_store(env, database, database.backup))
            for run in database.backup.runs:
                yield Placed(file, scheduled_backup(env, database, run.suffix, run.schedule))


def database_labels(env: EnvPlan, database: DatabasePlan) -> dict[str, str]:
    """The labels of a database's objects, which its operator passes on to its pods."""
    return operated_labels(env, database.name, database.layer, database.layer_name)


def cluster(env: EnvPlan, database: DatabasePlan) -> dict[str, Any]:
    """The Cluster: instances spread over nodes, TimescaleDB preloaded, synchronous standbys as planned."""
    labels = database_labels(env, database)
    postgresql: dict[str, Any] = {
        "parameters": {"timescaledb.license": LICENSE[database.edition]},
        "shared_preload_libraries": ["timescaledb"],
    }
    if database.synchronous:
        postgresql["synchronous"] = {
            "dataDurability": "required",
            "method": "any",
            "number": database.synchronous,
        }
    storage: dict[str, Any] = {"size": database.size}
    if database.storage_class is not None:
        storage["storageClass"] = database.storage_class
    spec: dict[str, Any] = {
        "affinity": {
            "enablePodAntiAffinity": True,
            "podAntiAffinityType": "required",
            "topologyKey": "kubernetes.io/hostname",
        },
        "bootstrap": {
            "initdb": {
                "database": database.database,
                "owner": database.owner,
                "postInitApplicationSQL": ["CREATE EXTENSION IF NOT EXISTS timescaledb"],
                "secret": {"name": database.credentials},
            }
        },
        "enableSuperuserAccess": False,
        "imageName": database.image,
        "inheritedMetadata": {"labels": labels},
        "instances": database.instances,
        "postgresql": postgresql,
        "resources": {
            "limits": {"cpu": database.sizing.cpu_limit, "memory": database.sizing.memory_limit},
            "requests": {"cpu": database.sizing.cpu, "memory": database.sizing.memory},
        },
        "storage": storage,
    }
    if database.backup is not None:
        spec["plugins"] = [
            {
                "isWALArchiver": True,
                "name": PLUGIN,
                "parameters": {"barmanObjectName": backup_name(database.name)},
            }
        ]
    return {
        "apiVersion": CNPG,
        "kind": "Cluster",
        "metadata": metadata(env, database.name, labels),
        "spec": spec,
    }


def pooler_labels(env: EnvPlan, database: DatabasePlan) -> dict[str, str]:
    """The labels of a database's PgBouncer pods: the selector its clients' egress names."""
    return {**database_labels(env, database), **selector(env, pooler_name(database.name))}


def pooler(env: EnvPlan, database: DatabasePlan, plan: PoolerPlan) -> dict[str, Any]:
    """PgBouncer in front of the primary; its Service has the Pooler's name, <name>-pooler-rw."""
    return {
        "apiVersion": CNPG,
        "kind": "Pooler",
        "metadata": metadata(
            env, f"{pooler_name(database.name)}{READ_WRITE_SUFFIX}", database_labels(env, database)
        ),
        "spec": {
            "cluster": {"name": database.name},
            "instances": plan.instances,
            "pgbouncer": {"poolMode": plan.mode},
            "template": {"metadata": {"labels": pooler_labels(env, database)}},
            "type": "rw",
        },
    }


def pooler_policy(env: EnvPlan, database: DatabasePlan, plan: PoolerPlan, scraped: bool) -> dict[str, Any]:
    """PgBouncer's traffic: its clients and the metrics scrape in, out to the instances and the API server."""
    own = selector(env, pooler_name(database.name))
    ingress = (
        [{"from": [pods_of(env, c) for c in sorted(plan.clients)], "ports": tcp_ports(database.port)}]
        if plan.clients
        else []
    )
    if scraped:
        ingress.append({"from": [scraper(env)], "ports": tcp_ports(PGBOUNCER_METRICS_PORT)})
    spec: dict[str, Any] = {
        "egress": [
            {"to": [pods_of(env, database.name)], "ports": tcp_ports(database.port)},
            {"ports": tcp_ports(*API_SERVER_PORTS)},
        ],
        "podSelector": {"matchLabels": own},
        "policyTypes": ["Ingress", "Egress"],
    }
    if ingress:
        spec["ingress"] = ingress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(env, pooler_name(database.name), pooler_labels(env, database)),
        "spec": dict(sorted(spec.items())),
    }


def backup_name(database: str) -> str:
    """The ObjectStore of a database's backups, and the prefix of its ScheduledBackups."""
    return f"{database}{BACKUP_SUFFIX}"


def object_store(env: EnvPlan, database: DatabasePlan, backup: BackupPlan) -> dict[str, Any]:
    """Where the plugin keeps base backups and the WAL archive, and for how long."""
    configuration: dict[str, Any] = {
        "data": {"compression": "gzip"},
        "destinationPath": backup.destination,
        "s3Credentials": {
            "accessKeyId": {"key": ACCESS_KEY_ID, "name": backup.secret},
            "secretAccessKey": {"key": ACCESS_SECRET_KEY, "name": backup.secret},
        },
        "wal": {"compression": "gzip"},
    }
    if backup.endpoint is not None:
        configuration["endpointURL"] = backup.endpoint
    return {
        "apiVersion": BARMAN_CLOUD,
        "kind": "ObjectStore",
        "metadata": metadata(env, backup_name(database.name), database_labels(env, database)),
        "spec": {"configuration": configuration, "retentionPolicy": backup.retention},
    }


def scheduled_backup(env: EnvPlan, database: DatabasePlan, suffix: str, schedule: str) -> dict[str, Any]:
    """A base backup through the plugin on a six-field schedule in UTC; the backups belong to it."""
    return {
        "apiVersion": CNPG,
        "kind": "ScheduledBackup",
        "metadata": metadata(env, f"{backup_name(database.name)}{suffix}", database_labels(env, database)),
        "spec": {
            "backupOwnerReference": "self",
            "cluster": {"name": database.name},
            "method": "plugin",
            "pluginConfiguration": {"name": PLUGIN},
            "schedule": schedule,
        },
    }


def network_policy(env: EnvPlan, database: DatabasePlan, scraped: bool) -> dict[str, Any]:
    """The instances' traffic: clients, the operator's status calls, replication, the API server, backups."""
    own = pods_of(env, database.name)
    ingress: list[dict[str, Any]] = [
        {
            "from": [in_namespace(database.operator_namespace)],
            "ports": tcp_ports(STATUS_PORT),
        },
        {"from": [own], "ports": tcp_ports(database.port)},
    ]
    if scraped:
        ingress.append({"from": [scraper(env)], "ports": tcp_ports(POSTGRES_METRICS_PORT)})
    direct = list(database.clients)
    if database.pooler is not None:
        direct.append(pooler_name(database.name))
    if direct:
        ingress.insert(
            0, {"from": [pods_of(env, c) for c in sorted(direct)], "ports": tcp_ports(database.port)}
        )
    egress: list[dict[str, Any]] = [
        {"to": [own], "ports": tcp_ports(database.port)},
        {"ports": tcp_ports(*API_SERVER_PORTS)},
    ]
    if database.backup is not None:
        egress.append({"to": [{"ipBlock": {"cidr": database.backup.cidr}}], "ports": tcp_ports(HTTPS_PORT)})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(env, database.name, database_labels(env, database)),
        "spec": {
            "egress": egress,
            "ingress": ingress,
            "podSelector": {"matchLabels": selector(env, database.name)},
            "policyTypes": ["Ingress", "Egress"],
        },
    }
