"""The registry of checks: every diagnostic's stable code, its one-line summary and what it speaks of."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """What a check speaks of: the spec as a whole, one component, or one environment."""

    SPEC = "spec"
    COMPONENT = "component"
    ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Rule:
    """One check: its code (never reused), its name, what it holds to, and its scope."""

    code: str
    name: str
    summary: str
    scope: Scope
    # A hazard of loading (or a secret's literal) stops everything else and is never waived.
    hazard: bool = False
    # A component may set it aside (a waiver): only checks whose breach still compiles to valid
    # objects, a policy rather than a condition of the output.
    waivable: bool = False


S, C, E = Scope.SPEC, Scope.COMPONENT, Scope.ENVIRONMENT

# Codes are stable: a retired check keeps its code out of use. N0xx reading, N1xx names and
# references, N2xx scaling, sizes, scheduled jobs, databases and Redis, N3xx environment overrides,
# N4xx ports and clusters, N5xx hardening, N6xx Ingress settings, N7xx variables and observability,
# N8xx alerting, N9xx market calendar, pre-scaling, freezes, delivery and the cluster's operators.
RULES = (
    Rule(
        "N001",
        "yaml-hazard",
        "the spec reads as YAML 1.2 with one meaning: no tabs, anchors, duplicate keys or ambiguous scalars",
        S,
        hazard=True,
    ),
    Rule(
        "N002",
        "include",
        "included files exist below the spec's folder and join without clashes",
        S,
        hazard=True,
    ),
    Rule("N003", "unknown-key", "every key is one the spec knows at that place", S),
    Rule("N004", "missing-key", "every required key is present", S),
    Rule("N005", "invalid-value", "every value has the type and form its field takes", S),
    Rule("N006", "secret-literal", "no secret's value is written in the spec", S, hazard=True),
    Rule(
        "N007",
        "monitoring-file",
        "hand-written rules, tests and dashboards in monitoring/ are well formed",
        S,
    ),
    Rule("N008", "file-access", "the files nifty reads and writes can be read and written", S, hazard=True),
    Rule("N009", "stale-output", "out/ is what `nifty compile` would write", S),
    Rule("N101", "layer-unique", "layer numbers and names are unique", S),
    Rule("N102", "component-unique", "component names are unique and not the observability stack's", C),
    Rule("N103", "defaults-resources", "defaults.resources sets a CPU and a memory request", S),
    Rule("N104", "profile-known", "a component picks up profiles that exist, each once", C),
    Rule(
        "N105",
        "environment-reserved",
        "environment names and namespaces do not clash with out/ or the cluster",
        E,
    ),
    Rule("N106", "namespace-unique", "each environment has its own namespace", E),
    Rule("N107", "secret-variable-unique", "a variable is set by one secret reference only", C),
    Rule("N108", "waiver", "a waiver names a component's own check that fails for it, each once", C),
    Rule("N201", "replicas-or-autoscaling", "a component sets replicas or autoscaling, not both", C),
    Rule("N202", "storage-autoscaling", "a component with storage does not autoscale", C),
    Rule("N203", "autoscaling-bounds", "autoscaling min is not above max, in every environment", C),
    Rule("N204", "limit-below-request", "a limit is at or above its request, in every environment", C),
    Rule(
        "N205",
        "hot-path-guaranteed",
        "a hot-path component has limits equal to requests (Guaranteed QoS)",
        C,
        waivable=True,
    ),
    Rule(
        "N206",
        "job-settings",
        "a scheduled job sets nothing a long-running service has: ports, probes, scaling, storage, ingress",
        C,
    ),
    Rule(
        "N207",
        "job-schedule",
        "a job runs on five cron fields that name a day, in a known zone away from clock changes, or "
        "on the market's days",
        C,
    ),
    Rule("N208", "job-unreachable", "nothing connects to a scheduled job or sends it alerts", C),
    Rule("N209", "job-name", "a CronJob's name, with a special session's date, fits in 52 characters", C),
    Rule(
        "N210",
        "database-settings",
        "a database sets only what its operator takes, in the spec and in every environment",
        C,
    ),
    Rule(
        "N211",
        "database-replication",
        "a database has more instances than synchronous standbys, in every environment",
        C,
    ),
    Rule(
        "N212",
        "database-backup",
        "a backup runs on the market's days: it needs the market, a zone without DST, a time out of session",
        C,
    ),
    Rule("N213", "database-variable", "a database's client leaves its connection variables to nifty", C),
    Rule(
        "N214",
        "redis-settings",
        "a Redis sets only what its operator takes, in the spec and in every environment",
        C,
    ),
    Rule(
        "N215",
        "redis-quorum",
        "a Redis of more than one pod has at least three Sentinels, in every environment",
        C,
    ),
    Rule("N216", "redis-sentinel-count", "a Redis has an odd number of Sentinels, in every environment", C),
    Rule("N217", "redis-variable", "a Redis's client leaves its Sentinel and password variables to nifty", C),
    Rule("N301", "override-unknown-component", "an environment overrides components that exist", E),
    Rule(
        "N302",
        "override-replicas-autoscaled",
        "an environment changes the bounds of an autoscaled component, not replicas",
        E,
    ),
    Rule(
        "N303",
        "override-autoscaling-absent",
        "an environment changes autoscaling only where the base autoscales",
        E,
    ),
    Rule("N304", "override-storage-absent", "an environment changes a volume only where the base has one", E),
    Rule("N305", "override-writable-unknown", "an environment sizes only the base's writable paths", E),
    Rule(
        "N306",
        "override-ingress-absent",
        "an environment sets host, TLS Secret or Ingress settings only where the base has an ingress",
        E,
    ),
    Rule("N307", "override-secret-unknown", "an environment renames only the Secrets the component uses", E),
    Rule(
        "N308",
        "override-delivery-without-delivery",
        "an environment's delivery needs the top-level delivery",
        E,
    ),
    Rule(
        "N309", "override-prescale-absent", "an environment changes pre-scaling only where the base has it", E
    ),
    Rule(
        "N310",
        "override-job",
        "an environment suspends only scheduled jobs and gives them no replica count",
        E,
    ),
    Rule(
        "N401",
        "replicas-quorum",
        "a cluster runs 3 members or more, or 1 where its environment needs no quorum",
        C,
    ),
    Rule("N402", "port-names", "named ports are unique, not 'main', and on distinct numbers", C),
    Rule(
        "N403",
        "peer-ports",
        "peer ports are ports of the component, each once, and a cluster does not autoscale",
        C,
    ),
    Rule("N404", "peer-service-name", "a cluster's peer Service name fits and is free", C),
    Rule("N405", "talks-to", "talks_to names components and their ports, each once, never itself", C),
    Rule("N406", "cluster-odd", "a cluster runs an odd number of members", C, waivable=True),
    Rule("N407", "multicast-udp", "an external multicast block is reached over UDP, in every environment", C),
    Rule("N501", "host-route-unique", "one host and path route to one component, in every environment", C),
    Rule(
        "N502",
        "host-one-certificate",
        "every path of one host names the same tls_secret, in every environment",
        C,
        waivable=True,
    ),
    Rule("N503", "secret-variable-literal", "a variable named *SECRET* holds no literal", C, waivable=True),
    Rule("N504", "writable-unique", "a writable path is listed once", C),
    Rule(
        "N505",
        "secret-reference",
        "a secret reference sets env or file, each variable and file once, files in their own folder",
        C,
    ),
    Rule(
        "N506",
        "check-exception",
        "a checkov exception names each check once and only checks that can fail",
        C,
    ),
    Rule(
        "N507",
        "dedicated-cores",
        "dedicated cores are whole CPUs with limits equal to requests, in every environment",
        C,
        waivable=True,
    ),
    Rule("N508", "override-secret-variable", "an environment sets no variable that holds a secret", E),
    Rule(
        "N601",
        "ingress-annotation",
        "an Ingress setting never serves plain HTTP, injects configuration or writes what the spec owns",
        C,
        waivable=True,
    ),
    Rule(
        "N701",
        "variable-expansion",
        "$(VAR) expands only variables that Kubernetes sets before it, in every environment",
        C,
        waivable=True,
    ),
    Rule("N702", "from-pod-divisor", "a divisor is a unit of the quantity it divides", C),
    Rule("N703", "otel-variable-reserved", "OTEL_ variables are the compiler's, in every environment", C),
    Rule("N704", "discovery-service-name", "a component's discovery Service name fits and is free", C),
    Rule(
        "N705",
        "metrics-unscraped",
        "a component that is not scraped has no metrics port or objectives",
        C,
        waivable=True,
    ),
    Rule("N706", "objective", "objective names are unique; a staleness objective has no quantile", C),
    Rule(
        "N801",
        "alert-receiver",
        "receivers are declared once, each a webhook or a pager, naming components that exist",
        S,
    ),
    Rule("N802", "alert-route", "routes name receivers and layers that exist and narrow what they take", S),
    Rule(
        "N803", "market-alerts", "market-data alerts have a calendar and do not page outside the sessions", S
    ),
    Rule(
        "N901",
        "market-timezone",
        "the market's time zone exists and keeps one offset from UTC where objectives need it",
        S,
    ),
    Rule("N902", "market-days", "trading weekdays and years are listed once, in order", S),
    Rule("N903", "market-sessions", "sessions are named once and run in order without overlaps", S),
    Rule(
        "N904",
        "session-changes",
        "a session change names a session and dates in the years, and changes something",
        S,
    ),
    Rule(
        "N905",
        "holidays",
        "a holiday falls in the listed years and closes some but not all sessions by name",
        S,
    ),
    Rule(
        "N906",
        "special-sessions",
        "a special session falls in the years, ends after it starts and overlaps nothing",
        S,
    ),
    Rule("N907", "reviewed-differences", "a reviewed difference names a date in the years", S),
    Rule(
        "N908",
        "prescale",
        "pre-scaling needs autoscaling and the calendar, with a floor between min and max",
        C,
    ),
    Rule("N909", "prescale-lead", "a pre-scaling lead leaves a gap in the day", C),
    Rule("N910", "freeze", "a freeze needs the calendar and automated syncs", E),
    Rule("N911", "argocd-project", "the AppProject is not Argo CD's own", S),
    Rule("N912", "shared-cluster-host", "environments on one cluster claim distinct hosts and paths", E),
    Rule("N913", "certificate-renewal", "cert-manager renews a certificate before it expires", E),
    Rule(
        "N914",
        "external-secret-keys",
        "External Secrets has a remote key for every Secret the environment uses, and no other",
        E,
    ),
    Rule(
        "N915", "sync-window-zone", "External Secrets' UTC sync windows follow a market zone without DST", E
    ),
    Rule("N916", "route-timeout", "a Gateway route timeout names a public component", E),
    Rule(
        "N917",
        "operator-labels",
        "the Prometheus Operator's selector labels are the stack's own, not those nifty sets",
        E,
    ),
    Rule(
        "N918",
        "alertmanager-config-zone",
        "an AlertmanagerConfig's UTC time intervals follow a market zone without DST",
        E,
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}
