"""The Platform section of out/README.md: the operators and CRDs each environment expects on its cluster."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.plan.model import EnvPlan, Plan

# The first releases whose APIs the output uses (each checked against the project's own sources).
GATEWAY_API = "v1.0.0"  # gateway.networking.k8s.io/v1 HTTPRoute
GATEWAY_API_TIMEOUTS = "v1.2.0"  # HTTPRoute rules' timeouts in the standard channel
CERT_MANAGER = "v1.0.0"  # cert-manager.io/v1 Certificate with privateKey.rotationPolicy
EXTERNAL_SECRETS = "v0.16.0"  # external-secrets.io/v1 ExternalSecret
EXTERNAL_SECRETS_WINDOWS = "v2.7.0"  # ExternalSecret spec.syncWindows
PROMETHEUS_OPERATOR = "v0.53.0"  # AlertmanagerConfig matchers with matchType, muteTimeIntervals
PROMETHEUS_OPERATOR_ACTIVE = "v0.62.0"  # AlertmanagerConfig routes' activeTimeIntervals
CLOUDNATIVE_PG = "1.30"  # the release the spec's databases target: Cluster, ScheduledBackup method plugin
REDIS_OPERATOR = "v0.26.0"  # RedisReplication with its embedded spec.sentinel


def uses_platform(plan: Plan) -> bool:
    """Whether an environment routes through a Gateway or names another operator of its cluster."""
    return any(
        env.gateway
        or env.certificates
        or env.external_secrets
        or env.prometheus_operator
        or env.databases
        or env.redis
        for env in plan.environments
    )


def platform_section(plan: Plan) -> Iterator[str]:
    """Per environment, which platform parts it expects on its cluster, at which minimum versions."""
    if not uses_platform(plan):
        return
    yield ""
    yield "## Platform"
    yield ""
    yield (
        "What each environment expects its cluster to run already, and the first release of each"
        " whose API the environment's objects use; — where the environment needs none."
    )
    yield ""
    # The Prometheus Operator's column only where an environment uses it: the others keep their table.
    monitored = any(env.prometheus_operator for env in plan.environments)
    databases = any(env.databases for env in plan.environments)
    redis = any(env.redis for env in plan.environments)
    heads = [
        "Gateway API",
        "cert-manager",
        "External Secrets",
        *(["Prometheus Operator"] if monitored else []),
        "KEDA",
        *(["CloudNativePG"] if databases else []),
        *(["redis-operator"] if redis else []),
    ]
    yield f"| environment | {' | '.join(heads)} |"
    yield "|" + " --- |" * (len(heads) + 1)
    for env in plan.environments:
        cells = [_gateway(env), _cert_manager(env), _external_secrets(env)]
        if monitored:
            cells.append(_prometheus_operator(env))
        cells.append(_keda(env))
        if databases:
            cells.append(_cloudnative_pg(env))
        if redis:
            cells.append(_redis_operator(env))
        yield f"| {env.name} | {' | '.join(cells)} |"


def _gateway(env: EnvPlan) -> str:
    gateway = env.gateway
    if gateway is None:
        return "—"
    version = GATEWAY_API_TIMEOUTS if gateway.timeouts else GATEWAY_API
    return f"{version}+: Gateway `{gateway.namespace}/{gateway.name}`, listener `{gateway.section}`"


def _cert_manager(env: EnvPlan) -> str:
    if not env.certificates:
        return "—"
    first = env.certificates[0]
    return f"{CERT_MANAGER}+: {first.issuer_kind} `{first.issuer_name}`"


def _external_secrets(env: EnvPlan) -> str:
    if not env.external_secrets:
        return "—"
    first = env.external_secrets[0]
    windows = any(secret.freeze for secret in env.external_secrets)
    version = f"{EXTERNAL_SECRETS_WINDOWS}+ (sync windows)" if windows else f"{EXTERNAL_SECRETS}+"
    return f"{version}: {first.store_kind} `{first.store_name}`"


def _prometheus_operator(env: EnvPlan) -> str:
    operator = env.prometheus_operator
    if operator is None:
        return "—"
    alerting = env.observability.alerting
    active = alerting is not None and alerting.market is not None
    version = PROMETHEUS_OPERATOR_ACTIVE if active else PROMETHEUS_OPERATOR
    labels = ", ".join(f"`{key}: {value}`" for key, value in operator.labels)
    return f"{version}+ in `{operator.namespace}`, selecting {labels or 'every object'}"


def _keda(env: EnvPlan) -> str:
    floors = any(w.scaling is not None and w.scaling.floor is not None for w in env.workloads)
    return "ScaledObjects (`keda.sh/v1alpha1`)" if floors else "—"


def _cloudnative_pg(env: EnvPlan) -> str:
    if not env.databases:
        return "—"
    namespaces = ", ".join(sorted({f"`{d.operator_namespace}`" for d in env.databases}))
    plugin = (
        ", and the Barman Cloud plugin (`barmancloud.cnpg.io/v1`)"
        if any(d.backup for d in env.databases)
        else ""
    )
    return f"{CLOUDNATIVE_PG}+ in {namespaces}{plugin}"


def _redis_operator(env: EnvPlan) -> str:
    if not env.redis:
        return "—"
    namespaces = ", ".join(sorted({f"`{r.operator_namespace}`" for r in env.redis}))
    return f"OT-CONTAINER-KIT's {REDIS_OPERATOR}+ in {namespaces} (`redis.redis.opstreelabs.in/v1beta2`)"
