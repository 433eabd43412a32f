"""Names of generated objects and files that the input must not clash with, and the input files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The workloads of the observability stack, whose names a component cannot take.
STACK = ("prometheus", "grafana", "otel-collector", "kube-state-metrics", "alertmanager")
# The generated rule file beside the hand-written ones in Prometheus's rules ConfigMap.
GENERATED_RULES = "generated.yaml"
# Each dashboard's ConfigMap is this prefix and the dashboard's name.
DASHBOARD_CONFIG_PREFIX = "grafana-dashboard-"
DISCOVERY_SUFFIX = "-metrics"
# The variable that holds the environment's name in every container, from a generated ConfigMap.
ENVIRONMENT_VAR = "NIFTY_ENVIRONMENT"
# Every variable the compiler sets whose name starts with this (OpenTelemetry's).
GENERATED_PREFIX = "OTEL_"


@dataclass(frozen=True)
class MonitoringFile:
    """A hand-authored file from monitoring/, by its path relative to that folder."""

    path: str
    content: str


def discovery_service_name(workload: str) -> str:
    """The headless Service through which Prometheus discovers a workload's pods."""
    return f"{workload}{DISCOVERY_SUFFIX}"


PEER_SUFFIX = "-peers"


def peer_service_name(workload: str) -> str:
    """The headless Service that gives a clustered workload's pods stable names for their peers."""
    return f"{workload}{PEER_SUFFIX}"


def job_run_suffix(day: date) -> str:
    """The suffix of a scheduled job's CronJob for a special session on day's date, e.g. -1108."""
    return f"-{day.month:02d}{day.day:02d}"


# The Services CloudNativePG makes for a Cluster: the primary, and any instance that reads.
READ_WRITE_SUFFIX = "-rw"
READ_ONLY_SUFFIX = "-ro"
# A database's PgBouncer: its pods' name, and the Pooler (and Service) in front of the primary.
POOLER_SUFFIX = "-pooler"
POOLER_PORT = "pooler"


def pooler_name(database: str) -> str:
    """The name a database's PgBouncer pods are selected by."""
    return f"{database}{POOLER_SUFFIX}"


# The suffix of the ObjectStore and the ScheduledBackups of a database's backups.
BACKUP_SUFFIX = "-backup"
# The keys CloudNativePG reads from a database's login Secret (kubernetes.io/basic-auth).
BASIC_AUTH_KEYS = ("password", "username")
# The keys of the object store's access key that nifty's ObjectStore reads: lowercase, as every
# Secret's key in out/ is (tests/secret_filters.py passes over such names).
ACCESS_KEY_ID, ACCESS_SECRET_KEY = "access-key-id", "secret-access-key"
OBJECT_STORE_KEYS = (ACCESS_KEY_ID, ACCESS_SECRET_KEY)


def database_variables(database: str, *, direct: bool = True, pooled: bool = False) -> dict[str, str]:
    """The variables a client of a database gets, by name: the primary's host (its pooler's where the
    client connects through it), a reader's host where it connects straight, and the port."""
    prefix = database.upper().replace("-", "_")
    primary = f"{pooler_name(database)}{READ_WRITE_SUFFIX}" if pooled else f"{database}{READ_WRITE_SUFFIX}"
    found = {f"{prefix}_HOST": primary}
    if direct:
        found[f"{prefix}_RO_HOST"] = f"{database}{READ_ONLY_SUFFIX}"
    found[f"{prefix}_PORT"] = "5432"
    return found


# What the redis-operator names for a RedisReplication <name> with Sentinel: its Sentinels'
# StatefulSet <name>-s and their headless Service <name>-s-hl, and the one master group its
# embedded Sentinels monitor (RedisReplication.SentinelMasterName in v0.26).
SENTINEL_SUFFIX = "-s"
SENTINEL_SERVICE_SUFFIX = "-s-hl"
SENTINEL_MASTER_GROUP = "mymaster"
REDIS_SENTINEL_PORT = 26379


def sentinel_name(redis: str) -> str:
    """The StatefulSet (and the pods' prefix) of a Redis's Sentinels."""
    return f"{redis}{SENTINEL_SUFFIX}"


def sentinel_hosts(redis: str, sentinels: int) -> str:
    """Each Sentinel pod's stable name under its headless Service, comma-separated."""
    service = f"{redis}{SENTINEL_SERVICE_SUFFIX}"
    return ",".join(f"{sentinel_name(redis)}-{index}.{service}" for index in range(sentinels))


def redis_prefix(redis: str) -> str:
    """The prefix of a Redis's client variables, e.g. REDIS_CACHE for redis-cache."""
    return redis.upper().replace("-", "_")


def redis_password_variable(redis: str) -> str:
    """The variable that holds the path of the file a client of a Redis reads its password from."""
    return f"{redis_prefix(redis)}_PASSWORD_FILE"


def redis_password_file(redis: str, key: str) -> str:
    """Where a client of a Redis finds its password: the Redis's Secret's key, mounted as a file."""
    return f"/run/secrets/{redis}/{key}"


def redis_variables(redis: str, sentinels: int) -> dict[str, str]:
    """The plain variables a client of a Redis gets: its Sentinels, their port and the master group."""
    prefix = redis_prefix(redis)
    return {
        f"{prefix}_SENTINEL_HOSTS": sentinel_hosts(redis, sentinels),
        f"{prefix}_SENTINEL_PORT": str(REDIS_SENTINEL_PORT),
        f"{prefix}_MASTER_NAME": SENTINEL_MASTER_GROUP,
    }
