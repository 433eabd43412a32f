"""The resolved plan: frozen data with every default filled in, one per environment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from compiler.plan.market import Calendar
from compiler.spec.merge import Sizing, Skip
from compiler.spec.names import MonitoringFile


@dataclass(frozen=True)
class CronWindow:
    """A span of local time as two cron schedules: it starts, and it ends (a day later, past midnight)."""

    name: str
    start: str
    end: str


@dataclass(frozen=True)
class Prescaling:
    """A floor of replicas while the market trades, as KEDA cron triggers in the calendar's zone."""

    replicas: int
    lead_minutes: int
    timezone: str
    windows: tuple[CronWindow, ...]


@dataclass(frozen=True)
class Scaling:
    """A HorizontalPodAutoscaler on CPU utilisation, or a KEDA ScaledObject when it has a floor."""

    min_replicas: int
    max_replicas: int
    cpu_utilization: int
    scale_up_window: int
    scale_down_window: int
    floor: Prescaling | None = None


@dataclass(frozen=True)
class SecretEnv:
    """A Secret key: a variable holding its value, or a mounted file (whose path env may hold)."""

    secret: str
    key: str
    env: str | None
    file: str | None = None


@dataclass(frozen=True)
class PodValue:
    """A variable that holds a value the pod knows about itself: a field or a container resource."""

    env: str
    field: str
    divisor: str | None = None


@dataclass(frozen=True)
class External:
    """A connection to an address block outside the cluster."""

    cidr: str
    port: int
    description: str | None = None
    protocol: str = "TCP"


@dataclass(frozen=True)
class Route:
    """A public HTTP entry point through the cluster's ingress controller."""

    host: str
    path: str
    tls_secret: str
    class_name: str
    controller_namespace: str
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Volume:
    """A persistent volume claim template of a StatefulSet."""

    size: str
    path: str
    storage_class: str | None


@dataclass(frozen=True)
class Scratch:
    """A writable path of a container, backed by a size-limited emptyDir."""

    path: str
    size: str = "64Mi"


@dataclass(frozen=True)
class Flow:
    """A connection a component opens to another component's port."""

    target: str
    port: int


@dataclass(frozen=True)
class NamedPort:
    """An extra container port that the Service exposes too."""

    name: str
    port: int


@dataclass(frozen=True)
class ConfigMount:
    """A generated ConfigMap mounted read-only into the container."""

    config: str
    path: str


@dataclass(frozen=True)
class ApiRule:
    """Read access to some resources of one API group in the workload's own namespace."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...] = ("get", "list", "watch")


@dataclass(frozen=True)
class JobRun:
    """One CronJob of a scheduled job: its name's suffix, a schedule without a year, and why it runs."""

    suffix: str
    schedule: str
    reason: str


@dataclass(frozen=True)
class JobPlan:
    """When and how a scheduled job runs; its first run is the regular one, the others dated."""

    runs: tuple[JobRun, ...]
    timezone: str
    concurrency: Literal["Forbid", "Replace", "Allow"]
    deadline_seconds: int
    start_within_seconds: int
    retries: int
    keep_succeeded: int
    keep_failed: int
    severity: str
    suspended: bool
    # The longest a success may be old before it is overdue: the longest wait between regular runs,
    # a run's time to start and to finish, and a change of the zone's clocks.
    overdue_seconds: int


@dataclass(frozen=True)
class Workload:
    """One component, resolved for one environment."""

    name: str
    layer: int
    layer_name: str
    description: str
    kind: Literal["Deployment", "StatefulSet", "CronJob"]
    image: str
    tag: str
    digest: str | None
    port: int
    probe: Literal["http", "tcp"]
    health: str
    replicas: int | None
    scaling: Scaling | None
    sizing: Sizing
    hot_path: bool
    secrets: tuple[SecretEnv, ...]
    volume: Volume | None
    flows: tuple[Flow, ...]
    writable: tuple[Scratch, ...]
    args: tuple[str, ...] = ()
    extra_ports: tuple[NamedPort, ...] = ()
    mounts: tuple[ConfigMount, ...] = ()
    uses_api: bool = False
    api_rules: tuple[ApiRule, ...] = ()
    own_image: bool = True
    probe_port: int | None = None
    liveness: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    startup_seconds: int | None = None
    route: Route | None = None
    external: tuple[External, ...] = ()
    skips: tuple[Skip, ...] = ()
    dedicated_cores: bool = False
    pod_env: tuple[PodValue, ...] = ()
    # Ports on which the replicas of a cluster talk to each other; none for a plain workload.
    peer_ports: tuple[int, ...] = ()
    job: JobPlan | None = None

    @property
    def serves(self) -> bool:
        """Whether it runs until stopped and serves its port: not a scheduled job."""
        return self.job is None

    @property
    def clustered(self) -> bool:
        """Whether its replicas form a cluster: stable names, peer traffic, a quorum budget."""
        return bool(self.peer_ports)

    @property
    def least_replicas(self) -> int:
        """The fewest pods it runs: the HPA minimum or the fixed count."""
        return self.scaling.min_replicas if self.scaling else self.replicas or 1

    @property
    def most_replicas(self) -> int:
        """The most pods it runs: the HPA maximum or the fixed count."""
        return self.scaling.max_replicas if self.scaling else self.replicas or 1


@dataclass(frozen=True)
class BackupPlan:
    """Backups of a database to object storage through the Barman Cloud plugin, after the market's close."""

    destination: str
    endpoint: str | None
    secret: str
    retention: str
    cidr: str
    # Six-field schedules (seconds first) in UTC, as CloudNativePG reads them; the regular one first.
    runs: tuple[JobRun, ...]
    # The oldest the last backup may be: the longest wait between regular runs and a backup's time.
    overdue_seconds: int = 0


@dataclass(frozen=True)
class PoolerPlan:
    """PgBouncer in front of a database's primary, and the components that connect through it."""

    instances: int
    mode: str
    clients: tuple[str, ...]


@dataclass(frozen=True)
class DatabasePlan:
    """A PostgreSQL database with TimescaleDB that CloudNativePG runs, resolved for one environment."""

    name: str
    layer: int
    layer_name: str
    description: str
    image: str
    edition: str
    instances: int
    synchronous: int
    size: str
    storage_class: str | None
    database: str
    owner: str
    credentials: str
    operator_namespace: str
    sizing: Sizing
    port: int
    # The components that connect to it straight, not through its pooler.
    clients: tuple[str, ...] = ()
    backup: BackupPlan | None = None
    pooler: PoolerPlan | None = None


@dataclass(frozen=True)
class RedisPlan:
    """A Redis with Sentinel that the redis-operator runs as a RedisReplication, for one environment."""

    name: str
    layer: int
    layer_name: str
    description: str
    hot_path: bool
    image: str
    sentinel_image: str
    exporter_image: str
    replicas: int
    sentinels: int
    # The Sentinels that must agree a master is down: the operator always asks for a majority.
    quorum: int
    size: str
    storage_class: str | None
    secret: str
    key: str
    operator_namespace: str
    down_after_milliseconds: int
    failover_timeout_milliseconds: int
    sizing: Sizing
    # The components that connect to it.
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerPlan:
    """A layer (or the observability stack) and its workloads, emitted into one file."""

    file: str
    number: int
    name: str
    description: str
    hot_path: bool
    workloads: tuple[Workload, ...]
    # The layer's databases, which their operator runs: no workload of nifty's own.
    databases: tuple[DatabasePlan, ...] = ()
    # The layer's Redis with Sentinel, which their operator runs: no workload of nifty's own either.
    redis: tuple[RedisPlan, ...] = ()


@dataclass(frozen=True)
class ScrapeTarget:
    """A Prometheus scrape job: one metrics port of one workload, found through its discovery Service."""

    job: str
    workload: str
    layer_name: str
    port: int
    path: str
    honor_labels: bool = False


@dataclass(frozen=True)
class ObjectivePlan:
    """A declared objective of a component, alerted on."""

    workload: str
    layer_name: str
    name: str
    kind: Literal["latency", "staleness"]
    metric: str
    threshold: str
    seconds: float
    quantile: float
    hold: str
    severity: str
    summary: str


@dataclass(frozen=True)
class TracesPlan:
    """The traces backend the collector exports to over OTLP/gRPC."""

    endpoint: str
    insecure: bool


@dataclass(frozen=True)
class WebhookPlan:
    """Alerts posted to a component's Service."""

    component: str
    port: int
    path: str


@dataclass(frozen=True)
class ReceiverPlan:
    """An Alertmanager receiver: a webhook to a component, or the pager whose URL is a mounted file."""

    name: str
    webhook: WebhookPlan | None
    pager_file: str | None
    # The pager URL's Secret and key, which an AlertmanagerConfig names in place of the file.
    pager_secret: tuple[str, str] | None = None


@dataclass(frozen=True)
class RoutePlan:
    """Alerts of one severity (or any) and some layers (or any), sent to a receiver."""

    receiver: str
    severity: str | None
    layers: tuple[str, ...]


@dataclass(frozen=True)
class DatedTimes:
    """Times of day ("HH:MM", end excluded, "24:00" allowed) on the days from first to last.

    With on_weekdays they hold on the trading weekdays of the range only."""

    first: date
    last: date
    on_weekdays: bool
    times: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MarketHours:
    """When the market trades, in local "HH:MM" times of its time zone: the regular week, then the
    dated hours the calendar adds to it and takes from it."""

    location: str
    sessions: tuple[tuple[str, str], ...]
    # ISO weekdays: 1 is Monday, 7 Sunday.
    weekdays: tuple[int, ...]
    extra: tuple[DatedTimes, ...]
    closed: tuple[DatedTimes, ...]


@dataclass(frozen=True)
class MarketRoute:
    """The market-data alerts' receiver while the market trades, and the one that takes them otherwise."""

    receiver: str
    closed_receiver: str
    hours: MarketHours


@dataclass(frozen=True)
class AlertingPlan:
    """What Alertmanager's config needs: receivers, routes in order, and the inhibitions."""

    receivers: tuple[ReceiverPlan, ...]
    default: str
    routes: tuple[RoutePlan, ...]
    group_wait: str
    group_interval: str
    repeat_interval: str
    market: MarketRoute | None = None
    # Takes the warning that the market calendar's last listed day is near.
    calendar_receiver: str | None = None


@dataclass(frozen=True)
class ObservabilityPlan:
    """Settings of the observability stack that its configs need."""

    retention: str
    retention_size: str
    scrape_interval: str
    evaluation_interval: str
    runbooks: str
    targets: tuple[ScrapeTarget, ...]
    objectives: tuple[ObjectivePlan, ...]
    dashboards: tuple[str, ...]
    traces: TracesPlan | None
    alerting: AlertingPlan | None = None
    # The market calendar that the market phase and the calendar's expiry alert are computed from.
    market: Calendar | None = None


@dataclass(frozen=True)
class CertificatePlan:
    """A cert-manager Certificate that makes one TLS Secret for the public hosts that name it."""

    secret: str
    hosts: tuple[str, ...]
    issuer_kind: str
    issuer_name: str
    duration_seconds: int
    renew_before_seconds: int


@dataclass(frozen=True)
class SyncWindow:
    """A span in which External Secrets does not refresh: from a cron schedule in UTC, for minutes."""

    schedule: str
    minutes: int


@dataclass(frozen=True)
class ExternalSecretPlan:
    """An ExternalSecret that makes one Secret: each key from a property of the store's remote key."""

    secret: str
    keys: tuple[str, ...]
    remote_key: str
    store_kind: str
    store_name: str
    refresh_seconds: int
    freeze: tuple[SyncWindow, ...] = ()


@dataclass(frozen=True)
class GatewayPlan:
    """The Gateway the environment's HTTPRoutes attach to, and each route's request timeout."""

    name: str
    namespace: str
    section: str
    timeouts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PrometheusOperatorPlan:
    """The cluster's Prometheus Operator: its namespace and the labels its selectors and Grafana's need."""

    namespace: str
    labels: tuple[tuple[str, str], ...]
    dashboard_labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EnvPlan:
    """Everything one environment (or the base) deploys."""

    name: str
    system: str
    namespace: str
    layers: tuple[LayerPlan, ...]
    stack: LayerPlan
    observability: ObservabilityPlan
    monitoring: tuple[MonitoringFile, ...]
    # Made by the cluster's operators where the environment names them (cert-manager, External Secrets).
    certificates: tuple[CertificatePlan, ...] = ()
    external_secrets: tuple[ExternalSecretPlan, ...] = ()
    # Where set, the public hosts are HTTPRoutes on this Gateway, not Ingresses.
    gateway: GatewayPlan | None = None
    # Where set, the cluster's Prometheus Operator monitors the environment: no Prometheus, Alertmanager
    # or Grafana of its own.
    prometheus_operator: PrometheusOperatorPlan | None = None

    @property
    def groups(self) -> tuple[LayerPlan, ...]:
        """The numbered layers, then the observability stack."""
        return (*self.layers, self.stack)

    def placements(self) -> Iterator[tuple[str, Workload]]:
        """Each workload with the file of out/base its objects go in, in order."""
        for group in self.groups:
            for workload in group.workloads:
                yield group.file, workload

    @property
    def workloads(self) -> tuple[Workload, ...]:
        """All workloads of all groups, in order."""
        return tuple(w for group in self.groups for w in group.workloads)

    def database_placements(self) -> Iterator[tuple[str, DatabasePlan]]:
        """Each database with the file of out/base its objects go in, in order."""
        for layer in self.layers:
            for database in layer.databases:
                yield layer.file, database

    @property
    def databases(self) -> tuple[DatabasePlan, ...]:
        """All databases of all layers, in order."""
        return tuple(d for layer in self.layers for d in layer.databases)

    def redis_placements(self) -> Iterator[tuple[str, RedisPlan]]:
        """Each Redis with the file of out/base its objects go in, in order."""
        for layer in self.layers:
            for redis in layer.redis:
                yield layer.file, redis

    @property
    def redis(self) -> tuple[RedisPlan, ...]:
        """All Redis of all layers, in order."""
        return tuple(r for layer in self.layers for r in layer.redis)


@dataclass(frozen=True)
class Application:
    """An Argo CD Application that syncs one environment's overlay into its cluster."""

    name: str
    environment: str
    argocd_namespace: str
    project: str
    repository: str
    revision: str
    path: str
    cluster: str
    namespace: str
    automated: bool
    prune: bool
    self_heal: bool
    scaled: tuple[tuple[str, str], ...]
    frozen: bool = False
    # Minutes before the open that its freeze starts, with its earliest pre-scaling floor.
    lead_minutes: int = 0


@dataclass(frozen=True)
class FreezeWindow:
    """An Argo CD sync window: from a cron schedule, for a number of minutes."""

    name: str
    schedule: str
    minutes: int
    applications: tuple[str, ...] = ()
    lead_minutes: int = 0


@dataclass(frozen=True)
class Project:
    """The Argo CD AppProject of the system's Applications, with the market's freeze windows."""

    name: str
    argocd_namespace: str
    repository: str
    destinations: tuple[tuple[str, str], ...]
    timezone: str
    windows: tuple[FreezeWindow, ...]
    frozen: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The base and every environment, each fully resolved."""

    source: str
    base: EnvPlan
    environments: tuple[EnvPlan, ...]
    applications: tuple[Application, ...] = ()
    market: Calendar | None = None
    project: Project | None = None
