"""Pydantic input models: the shape of spec/system.yaml as a person writes it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import Tag as Form

from compiler.spec.market import ZONE, Market
from compiler.spec.operators import CertManager, ExternalSecrets, Gateway, PrometheusOperator

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
CPU = r"^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$"
MEMORY = r"^[1-9][0-9]*(Ki|Mi|Gi|Ti)$"
TAG = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"
IMAGE = r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
DIGEST = r"^sha256:[a-f0-9]{64}$"
DURATION = r"^[1-9][0-9]*(h|d|w|y)$"
INTERVAL = r"^[1-9][0-9]*(s|m|h)$"
# Above zero, in microseconds to minutes, with a fraction where wanted: 500us, 0.5ms, 250ms, 1.5s, 2m.
THRESHOLD = r"^(0\.[0-9]*[1-9][0-9]*|[1-9][0-9]*(\.[0-9]+)?)(us|ms|s|m)$"
METRIC = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"
ENDPOINT = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$"
URL = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$"
PATH = r"^/[A-Za-z0-9._/-]*$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
REPOSITORY = r"^(https://|ssh://|git@)[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$"
CLUSTER = r"^https://[A-Za-z0-9._:/-]+$"
REVISION = r"^[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}$"
FOLDER = r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$"
CHECK = r"^CKV2?_K8S_[0-9]+$"
RULE = r"^N[0-9]{3}$"
OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
CIDR = rf"^({OCTET}\.){{3}}{OCTET}/(3[0-2]|[12]?[0-9])$"
HOST = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]([-a-z0-9]*[a-z0-9])?$"
# checkov splits a skip annotation at "=", so a reason cannot hold one.
REASON = r"^[^=\n]{10,300}$"
ARG = r"^[^\n]{1,500}$"
# A Kubernetes port name (IANA service name): at most 15, starting with a letter, no "--".
PORT_NAME = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# An annotation key: an optional DNS-subdomain prefix and "/", then a name of letters, digits, "-", "_", ".".
ANNOTATION = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
# The unit a resource value from the pod is counted in: 1 (cores or bytes), 1m, 1Ki, 1Mi or 1Gi.
DIVISOR = r"^1(m|Ki|Mi|Gi)?$"
# A component, or a component and one of its port names: "bus" or "bus:kafka".
TARGET = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[a-z][a-z0-9]*(-[a-z0-9]+)*)?$"

Name = Annotated[str, StringConstraints(pattern=DNS_LABEL, max_length=63)]


def whole_cores(value: object) -> object:
    """An integer CPU count (`cpu: 2`) as Kubernetes reads it: the quantity "2"; anything else as it is."""
    return str(value) if type(value) is int and value >= 0 else value


Cpu = Annotated[
    str,
    StringConstraints(pattern=CPU),
    BeforeValidator(whole_cores),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": CPU}, {"type": "integer", "minimum": 0}]}),
]
Memory = Annotated[str, StringConstraints(pattern=MEMORY)]
Tag = Annotated[str, StringConstraints(pattern=TAG)]
Image = Annotated[str, StringConstraints(pattern=IMAGE, max_length=255)]
Digest = Annotated[str, StringConstraints(pattern=DIGEST)]
AbsolutePath = Annotated[str, StringConstraints(pattern=PATH, max_length=253)]
Port = Annotated[int, Field(ge=1, le=65535)]
Percent = Annotated[int, Field(ge=1, le=100)]
Replicas = Annotated[int, Field(ge=1, le=1000)]
Window = Annotated[int, Field(ge=0, le=3600)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Repository = Annotated[str, StringConstraints(pattern=REPOSITORY, max_length=2048)]
Cluster = Annotated[str, StringConstraints(pattern=CLUSTER, max_length=2048)]
Revision = Annotated[str, StringConstraints(pattern=REVISION)]
Folder = Annotated[str, StringConstraints(pattern=FOLDER, max_length=253)]
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME, max_length=128)]
Host = Annotated[str, StringConstraints(pattern=HOST, max_length=253)]
Seconds = Annotated[int, Field(ge=1, le=3600)]
Interval = Annotated[str, StringConstraints(pattern=INTERVAL)]
Threshold = Annotated[str, StringConstraints(pattern=THRESHOLD)]
Metric = Annotated[str, StringConstraints(pattern=METRIC, max_length=200)]
# Controller settings of an Ingress, e.g. nginx.ingress.kubernetes.io/proxy-read-timeout: "3600".
Annotations = dict[
    Annotated[str, StringConstraints(pattern=ANNOTATION, max_length=317)],
    Annotated[str, StringConstraints(max_length=4096)],
]
PortName = Annotated[str, StringConstraints(pattern=PORT_NAME, max_length=15)]


class Model(BaseModel):
    """Base of every input model: strict types, unknown keys refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)


class Resources(Model):
    """CPU and memory a container requests; limits default to the requests."""

    cpu: Cpu | None = Field(None, description="CPU request, e.g. 250m or 1")
    memory: Memory | None = Field(None, description="Memory request, e.g. 256Mi")
    cpu_limit: Cpu | None = Field(None, description="CPU limit; defaults to the request")
    memory_limit: Memory | None = Field(None, description="Memory limit; defaults to the request")


class AutoscalingDefaults(Model):
    """HPA behaviour shared by every autoscaled component."""

    scale_up_window: Window = Field(0, description="Scale-up stabilization window in seconds")
    scale_down_window: Window = Field(300, description="Scale-down stabilization window in seconds")


class Autoscaling(Model):
    """A HorizontalPodAutoscaler on CPU utilisation."""

    min: Replicas = Field(description="Minimum replicas")
    max: Replicas = Field(description="Maximum replicas")
    cpu: Percent = Field(description="Target average CPU utilisation in percent of the request")


class AutoscalingOverride(Model):
    """Environment changes to a component's autoscaling."""

    min: Replicas | None = Field(None, description="Minimum replicas in this environment")
    max: Replicas | None = Field(None, description="Maximum replicas in this environment")
    cpu: Percent | None = Field(None, description="Target average CPU utilisation in this environment")


class Prescale(Model):
    """A floor of replicas on trading days, from a lead before the market opens until it closes."""

    floor: Replicas = Field(description="Replicas at least, above autoscaling.min and up to its max")
    lead_minutes: Annotated[int, Field(ge=0, le=720)] = Field(
        15, description="Minutes before the first session opens that the floor starts"
    )


class PrescaleOverride(Model):
    """Environment changes to a component's pre-scaling."""

    floor: Replicas | None = Field(None, description="Replicas at least in this environment")
    lead_minutes: Annotated[int, Field(ge=0, le=720)] | None = Field(
        None, description="Minutes before the open that the floor starts in this environment"
    )


class SecretRef(Model):
    """A key of a Kubernetes Secret, as a mounted file or an environment variable; never its value."""

    secret: Name = Field(description="Name of the Secret in the namespace")
    key: Annotated[str, StringConstraints(pattern=r"^[-._a-zA-Z0-9]+$", max_length=253)] = Field(
        description="Key inside the Secret"
    )
    env: EnvName | None = Field(
        None, description="Variable holding the value, or the file's path when file is set"
    )
    file: AbsolutePath | None = Field(None, description="Mount the value read-only at this path")


class CheckException(Model):
    """A scanner check that cannot hold for a workload, and why; emitted as a skip annotation."""

    check: Annotated[str, StringConstraints(pattern=CHECK)] = Field(description="checkov check ID")
    reason: Annotated[str, StringConstraints(pattern=REASON)] = Field(
        description="Why the check cannot hold (10 to 300 characters, no '=')"
    )


class Waiver(Model):
    """A check of nifty's that cannot hold for a component, and why; its diagnostics are dropped."""

    rule: Annotated[str, StringConstraints(pattern=RULE)] = Field(description="Code of the check, e.g. N502")
    reason: Annotated[str, StringConstraints(pattern=REASON)] = Field(
        description="Why the check cannot hold (10 to 300 characters, no '=')"
    )


class External(Model):
    """A connection a component opens to an address outside the cluster."""

    cidr: Annotated[str, StringConstraints(pattern=CIDR)] = Field(description="IPv4 block, e.g. 0.0.0.0/0")
    port: Port = Field(description="Port it connects to")
    protocol: Literal["tcp", "udp", "sctp"] = Field(
        "tcp", description="Transport protocol: tcp, udp (a market-data multicast feed, say) or sctp"
    )
    description: Text | None = Field(None, description="What lives there, for people")


class Ingress(Model):
    """A public HTTP entry point: an Ingress with TLS from a named Secret."""

    host: Host = Field(description="Public host name")
    tls_secret: Name = Field(description="Secret of type kubernetes.io/tls holding the certificate")
    path: AbsolutePath = Field("/", description="Path prefix routed to the component")
    annotations: Annotations = Field(
        {}, description="Controller settings (string values) over defaults.ingress.annotations"
    )


class IngressDefaults(Model):
    """The cluster's ingress controller."""

    class_name: Name = Field("nginx", description="IngressClass of the controller")
    namespace: Name = Field("ingress-nginx", description="Namespace of the controller's pods")
    annotations: Annotations = Field(
        {}, description="Controller settings of every Ingress, e.g. a body size; string values"
    )


class Storage(Model):
    """A persistent volume per replica of a StatefulSet."""

    size: Memory = Field(description="Requested capacity, e.g. 10Gi")
    path: AbsolutePath = Field(description="Mount path inside the container")
    storage_class: Name | None = Field(None, description="StorageClass; the cluster default when unset")


class ComponentPort(Model):
    """A named port beside the component's main port; its Service exposes it too."""

    name: PortName = Field(
        description="Port name (at most 15: letters, digits, '-'); 'main' is the main port"
    )
    port: Port = Field(description="Container and Service port")


class Connection(Model):
    """A connection to another component, on its main port or on one of its named ports."""

    component: Name = Field(description="The component connected to")
    port: PortName | None = Field(None, description="Name of its port; its main port when unset")


def _written_as(value: object) -> str:
    """Which form of a union the user wrote, so that only that form's errors are reported."""
    return "mapping" if isinstance(value, dict) else "text"


TalksTo = Annotated[
    Annotated[str, StringConstraints(pattern=TARGET, max_length=79), Form("text")]
    | Annotated[Connection, Form("mapping")],
    Discriminator(_written_as),
]


class FromPod(Model):
    """A value the pod knows about itself (the downward API), e.g. its IP for a broker to advertise."""

    from_pod: Literal[
        "name",
        "namespace",
        "ip",
        "node",
        "service_account",
        "cpu_request",
        "cpu_limit",
        "memory_request",
        "memory_limit",
    ] = Field(
        description="The pod's name, namespace, IP, node, service account, or its container's resources"
    )
    divisor: Annotated[str, StringConstraints(pattern=DIVISOR)] | None = Field(
        None,
        description="Unit of a resource value: 1m for millicores, 1Ki, 1Mi or 1Gi for memory; 1 by default",
    )


EnvValue = Annotated[
    Annotated[str, StringConstraints(max_length=1000), Form("text")] | Annotated[FromPod, Form("mapping")],
    Discriminator(_written_as),
]


class Scratch(Model):
    """A writable path backed by a size-limited emptyDir."""

    path: AbsolutePath = Field(description="Mount path inside the container")
    size: Memory = Field("64Mi", description="Size limit of the volume, counted in ephemeral storage")


WritablePath = Annotated[
    Annotated[AbsolutePath, Form("text")] | Annotated[Scratch, Form("mapping")],
    Discriminator(_written_as),
]


class Metrics(Model):
    """Where a component serves Prometheus metrics, or that it serves none."""

    scrape: bool = Field(True, description="Scrape it; false for images without a metrics endpoint")
    port: Port | None = Field(None, description="Metrics port; defaults to the component's port")
    path: AbsolutePath = Field("/metrics", description="Metrics path")


class Objective(Model):
    """A hot-path objective of a component, compiled into an alert and its unit tests."""

    name: Name = Field(description="DNS-1123 name, e.g. tick-to-signal-latency")
    kind: Literal["latency", "staleness"] = Field(
        description="latency: a histogram's quantile; staleness: age of a Unix-seconds timestamp gauge"
    )
    metric: Metric = Field(description="Histogram base name (latency) or timestamp gauge (staleness)")
    threshold: Threshold = Field(description="Alert above this, e.g. 500us, 0.5ms, 250ms or 5s")
    quantile: Annotated[float, Field(gt=0, lt=1)] = Field(0.99, description="Quantile of a latency")
    hold: Interval = Field("5m", description="How long it must hold before the alert fires (its `for`)")
    severity: Literal["critical", "warning"] = Field("critical", description="Severity label of the alert")
    summary: Text | None = Field(None, description="Summary of the alert; generated when unset")


class Schedule(Model):
    """Makes the component a scheduled job: a CronJob whose pods run to completion."""

    cron: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = Field(
        None, description="Five cron fields (minute hour day month weekday) in `timezone`, e.g. '0 2 * * *'"
    )
    market: MarketTime | None = Field(
        None, description="On the market's trading days, relative to its open or close; needs `market`"
    )
    timezone: Annotated[str, StringConstraints(pattern=ZONE, max_length=100)] | None = Field(
        None, description="IANA zone of `cron`; the market's zone when there is one, else Etc/UTC"
    )
    concurrency: Literal["forbid", "replace", "allow"] = Field(
        "forbid", description="A run due while the last one runs: skip it, replace the last, or run both"
    )
    deadline_seconds: Annotated[int, Field(ge=1, le=86400)] = Field(
        3600, description="A run is stopped and failed after this long (the Job's activeDeadlineSeconds)"
    )
    start_within_seconds: Annotated[int, Field(ge=10, le=86400)] = Field(
        300, description="A run that cannot start this long after its time is skipped, not started late"
    )
    retries: Annotated[int, Field(ge=0, le=10)] = Field(
        2, description="Pods a failed run may start again before the run counts as failed"
    )
    keep_succeeded: Annotated[int, Field(ge=0, le=100)] = Field(3, description="Finished runs kept")
    keep_failed: Annotated[int, Field(ge=1, le=100)] = Field(3, description="Failed runs kept, to read")
    severity: Literal["critical", "warning"] = Field(
        "warning", description="Severity of its alerts: a failed run, no success for too long"
    )
    suspend: bool = Field(False, description="Runs nothing until set back (an environment may set it)")


# An S3 (or S3-compatible) bucket and folder, as Barman Cloud takes it.
DESTINATION = r"^s3://[a-z0-9][-a-z0-9.]*[a-z0-9](/[A-Za-z0-9._/-]*)?$"
# A Barman retention policy: a count of days, weeks or months.
RETENTION = r"^[1-9][0-9]*[dwm]$"


class MarketTime(Model):
    """A time of the market's day on its trading days: minutes after (or, below 0, before) an event."""

    at: Literal["open", "close"] = Field(
        description="open: the first regular session's start; close: the day's last session's end"
    )
    minutes: Annotated[int, Field(ge=-720, le=720)] = Field(
        0, description="Minutes after it; below 0, before it"
    )


class DatabaseStorage(Model):
    """The volume of each database instance."""

    size: Memory = Field(description="Requested capacity per instance, e.g. 50Gi")
    storage_class: Name | None = Field(None, description="StorageClass; the cluster default when unset")


class DatabaseBackup(Model):
    """Base backups and WAL archive in object storage through the Barman Cloud plugin."""

    destination: Annotated[str, StringConstraints(pattern=DESTINATION, max_length=1024)] = Field(
        description="S3 bucket and folder, e.g. s3://bucket/folder"
    )
    endpoint: Annotated[str, StringConstraints(pattern=URL, max_length=200)] | None = Field(
        None, description="URL of an S3-compatible endpoint; AWS's own when unset"
    )
    secret: Name = Field(
        description="Secret with the object store's access key: keys access-key-id and secret-access-key"
    )
    retention: Annotated[str, StringConstraints(pattern=RETENTION)] = Field(
        "30d", description="How long backups and WAL are kept for recovery: days (d), weeks (w) or months (m)"
    )
    market: MarketTime = Field(
        MarketTime(at="close", minutes=30),
        description="When the base backup starts on the market's trading days, e.g. {at: close, minutes: 30}",
    )
    cidr: Annotated[str, StringConstraints(pattern=CIDR)] = Field(
        "0.0.0.0/0", description="Address block of the object store, which the instances reach on 443"
    )


class DatabasePooler(Model):
    """PgBouncer in front of the primary: a CloudNativePG Pooler, <name>-pooler-rw."""

    instances: Annotated[int, Field(ge=1, le=10)] = Field(2, description="PgBouncer pods")
    mode: Literal["session", "transaction"] = Field(
        "session",
        description="session: a server connection per client connection; transaction: per transaction"
        " (no session state such as prepared statements across transactions)",
    )


class Database(Model):
    """Makes the component a PostgreSQL database run by an operator: a CloudNativePG Cluster."""

    engine: Literal["cloudnative-pg"] = Field(description="The operator: cloudnative-pg (1.30)")
    image: Image = Field(description="PostgreSQL image with TimescaleDB in it, e.g. a CNPG-based build")
    tag: Tag = Field(description="Tag of the image, e.g. 16-ts2")
    timescaledb: Literal["apache", "community"] = Field(
        description="The TimescaleDB edition the image carries: apache (Apache-2 features only) or"
        " community (Timescale License: compression, continuous-aggregate and retention policies)"
    )
    instances: Annotated[int, Field(ge=1, le=9)] = Field(
        1, description="PostgreSQL instances: one primary, the others streaming standbys"
    )
    synchronous: Annotated[int, Field(ge=0, le=8)] = Field(
        0, description="Standbys that confirm each commit (synchronous replication); 0: asynchronous"
    )
    storage: DatabaseStorage = Field(description="Volume of each instance")
    name: Name = Field("app", description="The application's database")
    owner: Name = Field("app", description="The role that owns it, which the applications log in as")
    secret: Name = Field(
        description="Secret of type kubernetes.io/basic-auth with the owner's username and password"
    )
    operator_namespace: Name = Field(
        "cnpg-system", description="Namespace of the CloudNativePG operator, which reaches the instances"
    )
    backup: DatabaseBackup | None = Field(None, description="Backups to object storage; none when unset")
    pooler: DatabasePooler | None = Field(
        None, description="PgBouncer in front of the primary, for the clients that talk to <name>:pooler"
    )


class PoolerOverride(Model):
    """What an environment may change in a database's pooler."""

    instances: Annotated[int, Field(ge=1, le=10)] | None = Field(None, description="PgBouncer pods here")


class DatabaseOverride(Model):
    """What an environment may change in a database."""

    instances: Annotated[int, Field(ge=1, le=9)] | None = Field(None, description="Instances here")
    synchronous: Annotated[int, Field(ge=0, le=8)] | None = Field(
        None, description="Synchronous standbys here"
    )
    storage: StorageOverride | None = Field(None, description="Volume size and class here")
    retention: Annotated[str, StringConstraints(pattern=RETENTION)] | None = Field(
        None, description="How long backups are kept here"
    )
    pooler: PoolerOverride | None = Field(None, description="The pooler's pods here")


# Sentinel's timings, in milliseconds as Sentinel takes them: from a tenth of a second to ten minutes.
SentinelMilliseconds = Annotated[int, Field(ge=100, le=600_000)]


class Redis(Model):
    """Makes the component a Redis with Sentinel run by an operator: a redis-operator RedisReplication."""

    engine: Literal["redis-operator"] = Field(
        description="The operator: redis-operator (OT-CONTAINER-KIT, v0.26)"
    )
    image: Image = Field("quay.io/opstree/redis", description="Redis image the operator's bootstrap expects")
    tag: Tag = Field(description="Tag of the Redis image, and of the Sentinel image, e.g. v7.0.15")
    sentinel_image: Image = Field(
        "quay.io/opstree/redis-sentinel", description="Sentinel image, with the Redis image's tag"
    )
    exporter_image: Image = Field(
        "quay.io/opstree/redis-exporter", description="redis_exporter image, a sidecar of each Redis pod"
    )
    exporter_tag: Tag = Field("v1.44.0", description="Tag of the redis_exporter image")
    replicas: Annotated[int, Field(ge=1, le=9)] = Field(
        1, description="Redis pods: one master, the others replicas that Sentinel may promote"
    )
    sentinels: Annotated[int, Field(ge=1, le=9)] = Field(
        3, description="Sentinel pods; a majority of them agrees that the master is down and fails over"
    )
    storage: DatabaseStorage = Field(description="Volume of each Redis pod: AOF and RDB snapshots")
    secret: Name = Field(description="Secret with the Redis password, which clients and replicas use")
    key: Annotated[str, StringConstraints(pattern=r"^[-._a-zA-Z0-9]+$", max_length=253)] = Field(
        "password", description="Key of the password in the Secret"
    )
    operator_namespace: Name = Field(
        "ot-operators",
        description="Namespace of the redis-operator, which reaches the Redis and Sentinel pods",
    )
    down_after_milliseconds: SentinelMilliseconds = Field(
        5000, description="How long the master may not answer before a Sentinel thinks it down"
    )
    failover_timeout_milliseconds: SentinelMilliseconds = Field(
        10000, description="How long a Sentinel's failover may take before another Sentinel retries it"
    )


class RedisOverride(Model):
    """What an environment may change in a Redis."""

    replicas: Annotated[int, Field(ge=1, le=9)] | None = Field(None, description="Redis pods here")
    sentinels: Annotated[int, Field(ge=1, le=9)] | None = Field(None, description="Sentinel pods here")
    storage: StorageOverride | None = Field(None, description="Volume size and class here")


class Profile(Model):
    """Component settings under a name, which components pick up with `profile:` and override."""

    description: Text | None = Field(None, description="What the components that use it have in common")
    port: Port | None = Field(None, description="Container and Service port")
    probe: Literal["http", "tcp"] | None = Field(None, description="Health check kind")
    health: AbsolutePath | None = Field(None, description="HTTP health path")
    startup_seconds: Seconds | None = Field(
        None, description="Slow starter: a startup probe allows this long"
    )
    replicas: Replicas | None = Field(None, description="Fixed replica count, unless the component scales")
    autoscaling: Autoscaling | None = Field(
        None, description="A HorizontalPodAutoscaler, unless the component sets its replicas"
    )
    dedicated_cores: bool | None = Field(None, description="Whole CPUs, requests equal to limits")
    resources: Resources | None = Field(
        None, description="Requests and limits; the component's win field by field"
    )
    secrets: list[SecretRef] = Field([], description="Secrets every component using it reads, after its own")
    env: dict[EnvName, EnvValue] = Field(
        {}, description="Plain variables or values from the pod; the component's win by name"
    )
    writable: list[WritablePath] | None = Field(
        None, description="Writable paths, unless the component lists its own"
    )
    external: list[External] | None = Field(
        None, description="Connections outside the cluster, unless the component lists its own"
    )
    exceptions: list[CheckException] = Field(
        [], description="Scanner checks that cannot hold, with reasons; the component's reason wins"
    )
    metrics: Metrics | None = Field(None, description="Where Prometheus scrapes, unless the component says")


class Component(Model):
    """One workload: a Deployment, a StatefulSet when it has storage or peers, a CronJob on a schedule."""

    name: Name = Field(description="DNS-1123 name; also the name of its Service and labels")
    profile: Name | list[Name] | None = Field(
        None, description="Profiles it picks up, in order (a later one over an earlier); its own keys win"
    )
    description: Text | None = Field(None, description="What the component does, for people")
    image: Image | None = Field(None, description="Image repository; defaults to <registry>/<name>")
    tag: Tag | None = Field(None, description="Image tag; defaults to the system tag")
    digest: Digest | None = Field(None, description="Pin the image to this digest")
    port: Port | None = Field(None, description="Container and Service port; defaults to defaults.port")
    ports: list[ComponentPort] = Field([], description="More named ports beside the main port")
    peer_ports: list[PortName] = Field(
        [],
        description="Ports (by name, 'main' included) on which the replicas talk to each other;"
        " makes the component a cluster: a StatefulSet with a peer Service and a quorum budget",
    )
    probe: Literal["http", "tcp"] = Field("http", description="Health check kind")
    health: AbsolutePath | None = Field(None, description="HTTP health path; defaults to defaults.health")
    replicas: Replicas | None = Field(None, description="Fixed replica count; not with autoscaling")
    autoscaling: Autoscaling | None = Field(
        None, description="A HorizontalPodAutoscaler; the workload then sets no replicas"
    )
    prescale: Prescale | None = Field(
        None,
        description="A floor of replicas while the market trades (KEDA cron), where the environment has KEDA",
    )
    resources: Resources | None = Field(
        None, description="Requests and limits; defaults.resources fills gaps"
    )
    storage: Storage | None = Field(None, description="Makes the component a StatefulSet")
    schedule: Schedule | None = Field(
        None, description="Makes the component a scheduled job (a CronJob): no Service, probes or scaling"
    )
    database: Database | None = Field(
        None,
        description="Makes the component a database its operator runs (a CloudNativePG Cluster);"
        " clients reach <name>-rw and <name>-ro",
    )
    redis: Redis | None = Field(
        None,
        description="Makes the component a Redis with Sentinel its operator runs (a RedisReplication);"
        " clients find the master through <name>-s-hl",
    )
    talks_to: list[TalksTo] = Field(
        [], description="Components this one opens connections to: name, name:port or {component, port}"
    )
    secrets: list[SecretRef] = Field(
        [], description="Keys of Kubernetes Secrets, as variables or mounted files"
    )
    writable: list[WritablePath] = Field(
        ["/tmp"],
        description="Writable paths, each an emptyDir of 64Mi or {path, size}; the root is read-only",
    )
    args: list[Annotated[str, StringConstraints(pattern=ARG)]] = Field(
        [], description="Container arguments; $(VAR) expands a variable, secrets included"
    )
    env: dict[EnvName, EnvValue] = Field(
        {},
        description="Plain variables (never secret values), or values from the pod: {from_pod: ip}",
    )
    startup_seconds: Seconds | None = Field(
        None, description="Slow starter: a startup probe allows this long"
    )
    dedicated_cores: bool = Field(False, description="Whole CPUs, requests equal to limits (Guaranteed QoS)")
    hot_path: bool | None = Field(
        None,
        description="On the hot path: Guaranteed QoS, high priority, paging alerts; the layer's when unset",
    )
    ingress: Ingress | None = Field(None, description="Public entry point of layer 7")
    external: list[External] = Field([], description="Connections to addresses outside the cluster")
    exceptions: list[CheckException] = Field([], description="Scanner checks that cannot hold, with reasons")
    waivers: list[Waiver] = Field(
        [], description="nifty's own checks that cannot hold for it, by code (docs/rules.md), with reasons"
    )
    metrics: Metrics = Field(Metrics(), description="Where Prometheus scrapes it, or that it does not")
    objectives: list[Objective] = Field([], description="Objectives alerted on, e.g. latency, staleness")

    @property
    def writable_paths(self) -> list[str]:
        """The writable paths, whichever form each is written in."""
        return [entry if isinstance(entry, str) else entry.path for entry in self.writable]


class Layer(Model):
    """A numbered layer of the system; compiled to out/base/layer-<number>.yaml."""

    number: Annotated[int, Field(ge=1, le=99)] = Field(description="Layer number; orders the layers")
    name: Name = Field(description="Layer name; the component label of its workloads")
    description: Text | None = Field(None, description="What the layer does, for people")
    hot_path: bool = Field(False, description="On the market-data hot path: Guaranteed QoS, high priority")
    components: Annotated[list[Component], Field(min_length=1)] = Field(
        description="The workloads of this layer"
    )


class System(Model):
    """The system as a whole."""

    name: Name = Field(description="System name; the instance and part-of label of every object")
    namespace: Name = Field(description="Namespace of the base")
    registry: Image = Field(description="Image registry and path prefix for the system's own images")
    tag: Tag = Field(description="Default image tag of the system's own images")


class Defaults(Model):
    """Values every component inherits unless it says otherwise."""

    port: Port = Field(8080, description="Container and Service port of every component")
    health: AbsolutePath = Field("/healthz", description="HTTP health path of every component")
    resources: Resources = Field(
        Resources(cpu="100m", memory="128Mi"), description="Requests and limits of every container"
    )
    autoscaling: AutoscalingDefaults = Field(
        AutoscalingDefaults(), description="HPA behaviour of every autoscaled component"
    )
    ingress: IngressDefaults = Field(IngressDefaults(), description="The cluster's ingress controller")
    exceptions: list[CheckException] = Field(
        [], description="Scanner checks that cannot hold for any workload, with reasons"
    )


class ObservedTool(Model):
    """An observability tool's image."""

    image: Image = Field(description="Image repository")
    tag: Tag = Field(description="Image tag")
    digest: Digest | None = Field(None, description="Pin the image to this digest")
    resources: Resources | None = Field(
        None, description="Requests and limits; defaults.resources fills gaps"
    )
    exceptions: list[CheckException] = Field([], description="Scanner checks that cannot hold, with reasons")


class Prometheus(ObservedTool):
    """Prometheus server settings."""

    retention: Annotated[str, StringConstraints(pattern=DURATION)] = Field(
        "15d", description="How long Prometheus keeps samples, e.g. 15d"
    )
    storage: Memory = Field("20Gi", description="Size of the Prometheus volume")
    scrape_interval: Interval = Field("15s", description="How often Prometheus scrapes every target")
    evaluation_interval: Interval = Field("15s", description="How often Prometheus evaluates the rules")


class TracesBackend(Model):
    """Where the collector sends traces, over OTLP/gRPC."""

    endpoint: Annotated[str, StringConstraints(pattern=ENDPOINT, max_length=260)] = Field(
        description="host:port of the backend's OTLP/gRPC receiver"
    )
    insecure: bool = Field(False, description="Plain text instead of TLS (inside the cluster only)")


class Collector(ObservedTool):
    """OpenTelemetry Collector settings."""

    traces: TracesBackend | None = Field(None, description="Traces backend; no traces pipeline without it")


KUBE_STATE_METRICS = ObservedTool(
    image="registry.k8s.io/kube-state-metrics/kube-state-metrics",
    tag="v2.13.0",
    exceptions=[
        CheckException(
            check="CKV_K8S_38",
            reason="kube-state-metrics reads pods, workloads and autoscalers through the API, read-only",
        )
    ],
)


class AlertWebhook(Model):
    """Alerts posted to a component of the system, e.g. the bot, through its Service."""

    component: Name = Field(description="The component that receives the webhook")
    path: AbsolutePath = Field("/alerts", description="Path on the component's port")


class AlertPager(Model):
    """The on-call pager: its incoming-webhook URL stays in a Secret, mounted as a file."""

    secret: Name = Field(description="Secret that holds the URL")
    key: Annotated[str, StringConstraints(pattern=r"^[-._a-zA-Z0-9]+$", max_length=253)] = Field(
        "url", description="Key of the URL inside the Secret"
    )
    cidr: Annotated[str, StringConstraints(pattern=CIDR)] = Field(
        "0.0.0.0/0", description="Address block the pager's endpoint lies in"
    )
    port: Port = Field(443, description="TCP port of the pager's endpoint")


class AlertReceiver(Model):
    """Where some alerts go: a webhook to a component, or the pager."""

    name: Name = Field(description="Receiver name, referred to by routes")
    webhook: AlertWebhook | None = Field(None, description="Post alerts to a component of the system")
    pager: AlertPager | None = Field(None, description="Page the on-call person")


class AlertRoute(Model):
    """Alerts of some severity and layers, sent to one receiver; the first matching route wins."""

    receiver: Name = Field(description="Receiver of the matching alerts")
    severity: Literal["critical", "warning"] | None = Field(None, description="Only alerts of this severity")
    layers: list[Name] = Field([], description="Only alerts of these layers (names; observability too)")


class Alertmanager(ObservedTool):
    """Alertmanager: receivers and routes of the alerts Prometheus fires."""

    storage: Memory = Field("1Gi", description="Volume for silences and the notification log")
    receivers: Annotated[list[AlertReceiver], Field(min_length=1)] = Field(
        description="Receivers, each a webhook to a component or the pager"
    )
    default: Name = Field(description="Receiver of the alerts that no route takes")
    routes: list[AlertRoute] = Field([], description="Routes by severity and layer; the first match wins")
    market_receiver: Name | None = Field(
        None,
        description="Receiver of the market-data alerts, notified only while the market trades; needs market",
    )
    market_closed_receiver: Name | None = Field(
        None,
        description=(
            "Receiver of the market-data alerts outside the sessions, one that does not page "
            "(e.g. the desk's channel); default: the default receiver"
        ),
    )
    calendar_receiver: Name | None = Field(
        None,
        description=(
            "Receiver of the warning that the market calendar's last listed day is near "
            "(the platform team); default: the default receiver"
        ),
    )
    group_wait: Interval = Field("30s", description="How long a new group of alerts waits for more")
    group_interval: Interval = Field("5m", description="How long before news of a group is sent")
    repeat_interval: Interval = Field("4h", description="How long before a firing alert is sent again")


class Observability(Model):
    """The observability stack."""

    prometheus: Prometheus = Field(description="Metrics and alerting")
    grafana: ObservedTool = Field(description="Dashboards")
    otel_collector: Collector = Field(description="OpenTelemetry Collector for traces and metrics")
    kube_state_metrics: ObservedTool = Field(
        KUBE_STATE_METRICS, description="Exports the state of pods and autoscalers that the alerts watch"
    )
    runbooks: Annotated[str, StringConstraints(pattern=URL, max_length=200)] = Field(
        "https://runbooks.nifty50.internal", description="Base URL of the runbooks the alerts link to"
    )
    alertmanager: Alertmanager | None = Field(
        None, description="Alertmanager and where alerts go; none: alerts stay in Prometheus"
    )


class StorageOverride(Model):
    """What an environment may change in a component's volume: its size and class, not its path."""

    size: Memory | None = Field(None, description="Requested capacity in this environment, e.g. 5Gi")
    storage_class: Name | None = Field(None, description="StorageClass in this environment")


class ComponentOverride(Model):
    """What an environment may change in a component."""

    replicas: Replicas | None = Field(None, description="Fixed replica count in this environment")
    autoscaling: AutoscalingOverride | None = Field(
        None, description="Autoscaling bounds in this environment"
    )
    prescale: PrescaleOverride | None = Field(None, description="Pre-scaling floor in this environment")
    resources: Resources | None = Field(
        None,
        description="Requests and limits in this environment; a limit the base wrote follows its request",
    )
    tag: Tag | None = Field(None, description="Image tag in this environment")
    storage: StorageOverride | None = Field(None, description="Volume size and class in this environment")
    external: list[External] | None = Field(
        None, description="Connections outside the cluster in this environment; replaces the base's list"
    )
    secrets: dict[Name, Name] = Field(
        {}, description="Secrets by another name here: the base's Secret name to this environment's"
    )
    env: dict[EnvName, Annotated[str, StringConstraints(max_length=1000)]] = Field(
        {}, description="Plain environment variables set or changed here; the base's others stay"
    )
    writable: dict[AbsolutePath, Memory] = Field(
        {}, description="Sizes of the base's writable (scratch) paths in this environment: {path: size}"
    )

    host: Host | None = Field(None, description="Ingress host in this environment")
    ingress_annotations: Annotations = Field(
        {}, description="Controller settings of its Ingress in this environment, over the component's"
    )
    tls_secret: Name | None = Field(None, description="Ingress TLS Secret in this environment")
    suspend: bool | None = Field(None, description="A scheduled job runs nothing here (true) or runs again")
    database: DatabaseOverride | None = Field(
        None, description="A database's instances, synchronous standbys, volume and retention here"
    )
    redis: RedisOverride | None = Field(None, description="A Redis's pods, Sentinels and volume here")


class SyncPolicy(Model):
    """How Argo CD brings a cluster to what out/ says."""

    automated: bool = Field(True, description="Sync every new commit without waiting for a person")
    prune: bool = Field(True, description="Delete objects that no longer appear in out/ (automated only)")
    self_heal: bool = Field(True, description="Undo changes made in the cluster by hand (automated only)")


class Delivery(Model):
    """Argo CD Applications that sync out/overlays/<env> into the clusters."""

    repository: Repository = Field(description="Git repository that holds the committed out/")
    revision: Revision = Field("HEAD", description="Branch, tag or commit Argo CD follows")
    path: Folder = Field("out", description="Folder of out/ inside the repository")
    project: Name | None = Field(
        None, description="The AppProject nifty writes for the Applications; defaults to the system's name"
    )
    namespace: Name = Field("argocd", description="Namespace where Argo CD runs")
    cluster: Cluster = Field(
        "https://kubernetes.default.svc", description="API server URL of the destination cluster"
    )
    sync: SyncPolicy = Field(SyncPolicy(), description="Sync policy of every environment")


class EnvironmentDelivery(Model):
    """What an environment changes in its Argo CD Application."""

    cluster: Cluster | None = Field(None, description="API server URL of this environment's cluster")
    revision: Revision | None = Field(None, description="Branch, tag or commit this environment follows")
    sync: SyncPolicy | None = Field(None, description="Sync policy of this environment")
    freeze: bool = Field(
        False, description="Deny automated syncs while the market trades (Argo CD sync windows)"
    )


class Environment(Model):
    """A deployment target; compiled to out/overlays/<name>/."""

    namespace: Name = Field(description="Namespace of this environment")
    tag: Tag | None = Field(None, description="Image tag of the system's own images here")
    components: dict[Name, ComponentOverride] = Field(
        {}, description="Changes to components, by component name"
    )
    delivery: EnvironmentDelivery | None = Field(
        None, description="Changes to this environment's Argo CD Application; needs a top-level delivery"
    )
    keda: bool = Field(
        False, description="The cluster runs KEDA: prescaled components get ScaledObjects, not HPAs"
    )
    cert_manager: CertManager | None = Field(
        None, description="The cluster runs cert-manager: a Certificate makes each TLS Secret"
    )
    external_secrets: ExternalSecrets | None = Field(
        None, description="The cluster runs External Secrets: an ExternalSecret makes each referenced Secret"
    )
    gateway: Gateway | None = Field(
        None, description="The cluster's Gateway API Gateway: HTTPRoutes in place of Ingresses"
    )
    prometheus_operator: PrometheusOperator | None = Field(
        None,
        description="The cluster's Prometheus Operator: monitors, rules and Alertmanager routes in place of "
        "the tree's Prometheus, Alertmanager and Grafana",
    )
    quorum: bool = Field(
        True, description="Clusters keep a majority while a member drains; false: a cluster may run 1 member"
    )


class Spec(Model):
    """The whole spec file."""

    include: list[str] = Field(
        [],
        description="Spec files whose sections join this file's, relative to it and below the spec's folder",
    )
    system: System = Field(description="Name, namespace, registry and default tag")
    defaults: Defaults = Field(Defaults(), description="Values every component inherits")
    profiles: dict[Name, Profile] = Field(
        {}, description="Named bundles of component settings, picked up with `profile:`"
    )
    layers: Annotated[list[Layer], Field(min_length=1)] = Field(
        description="Numbered layers, each compiled to out/base/layer-<number>.yaml"
    )
    observability: Observability = Field(description="Prometheus, Grafana and the OpenTelemetry Collector")
    environments: dict[Name, Environment] = Field(
        {}, description="Deployment targets, each compiled to out/overlays/<name>/"
    )
    delivery: Delivery | None = Field(
        None, description="Argo CD Applications for the environments, compiled to out/argocd/"
    )
    market: Market | None = Field(
        None, description="The exchange's calendar: sessions, trading weekdays, holidays, special sessions"
    )
