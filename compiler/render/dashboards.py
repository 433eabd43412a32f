"""One generated Grafana dashboard per layer: replicas against the autoscaler's bounds, CPU against
its target, the layer's golden signals, each database's instances, lag, volume and backups, and each
Redis's pods and roles, Sentinels, replication and memory."""

from __future__ import annotations

from typing import Any

from compiler.plan.model import DatabasePlan, EnvPlan, LayerPlan, RedisPlan, Workload
from compiler.plan.stack import layer_dashboard
from compiler.render.alerts import storage_used
from compiler.spec.names import pooler_name, sentinel_name
from compiler.spec.quantities import memory_bytes

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
SCHEMA_VERSION = 39
WIDTH = 24
HEIGHT = 8
# The workloads' HTTP server histogram, as the OpenTelemetry semantic conventions name it.
REQUESTS = "http_server_request_duration_seconds"
WINDOW = "5m"


def dashboard_uid(layer: LayerPlan) -> str:
    """The uid of a layer's dashboard; hand-authored dashboards may not take it."""
    return f"nifty-{layer_dashboard(layer.number)}"


def layer_dashboard_json(env: EnvPlan, layer: LayerPlan) -> dict[str, Any]:
    """The dashboard of one layer."""
    panels: list[dict[str, Any]] = []
    scraped = {t.job for t in env.observability.targets}
    _add_row(panels, "Golden signals")
    for title, unit, exprs in _golden_signals(layer):
        _add_panel(panels, title, unit, exprs, width=WIDTH // 4)
    for workload in layer.workloads:
        _add_row(panels, workload.name)
        if workload.job is None:
            _add_panel(panels, f"{workload.name}: replicas", "short", _replicas(workload), width=WIDTH // 2)
        else:
            _add_panel(panels, f"{workload.name}: runs", "s", _runs(workload), width=WIDTH // 2)
        _add_panel(panels, f"{workload.name}: CPU", "percent", _cpu(workload, scraped), width=WIDTH // 2)
    for database in layer.databases:
        _add_row(panels, database.name)
        for title, unit, exprs in _database(database):
            _add_panel(panels, f"{database.name}: {title}", unit, exprs, width=WIDTH // 4)
    for redis in layer.redis:
        _add_row(panels, redis.name)
        for title, unit, exprs in _redis(env, redis):
            _add_panel(panels, f"{redis.name}: {title}", unit, exprs, width=WIDTH // 4)
    return {
        "uid": dashboard_uid(layer),
        "title": f"{env.system} layer {layer.number}: {layer.name}",
        "description": layer.description,
        "tags": [env.system, "generated", f"layer-{layer.number}"],
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "panels": panels,
    }


def _add_row(panels: list[dict[str, Any]], title: str) -> None:
    y = _next_y(panels)
    panels.append(
        {
            "id": len(panels) + 1,
            "type": "row",
            "title": title,
            "collapsed": False,
            "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y},
            "panels": [],
        }
    )


def _add_panel(
    panels: list[dict[str, Any]], title: str, unit: str, exprs: list[tuple[str, str]], *, width: int
) -> None:
    last = panels[-1]["gridPos"]
    same_row = last["h"] == HEIGHT and last["x"] + last["w"] + width <= WIDTH
    x, y = (last["x"] + last["w"], last["y"]) if same_row else (0, _next_y(panels))
    panels.append(
        {
            "id": len(panels) + 1,
            "type": "timeseries",
            "title": title,
            "datasource": DATASOURCE,
            "gridPos": {"h": HEIGHT, "w": width, "x": x, "y": y},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "targets": [
                {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "datasource": DATASOURCE}
                for i, (legend, expr) in enumerate(exprs)
            ],
        }
    )


def _next_y(panels: list[dict[str, Any]]) -> int:
    # Panels are laid out top to bottom and a row's panels share one height: the last reaches lowest.
    if not panels:
        return 0
    last = panels[-1]["gridPos"]
    return int(last["y"] + last["h"])


def _golden_signals(layer: LayerPlan) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Traffic, errors, latency and saturation of the layer's components."""
    of_layer = f'layer="{layer.name}"'
    count = f"{REQUESTS}_count"
    errors = f'{of_layer},http_response_status_code=~"5.."'
    containers = "|".join(w.name for w in layer.workloads)
    requests = (
        f'label_replace(kube_pod_container_resource_requests{{resource="cpu",container=~"{containers}"}},'
        ' "component", "$1", "container", "(.+)")'
    )
    return [
        (
            "Traffic",
            "reqps",
            [("{{component}}", f"sum by (component) (rate({count}{{{of_layer}}}[{WINDOW}]))")],
        ),
        (
            "Errors",
            "percentunit",
            [
                (
                    "{{component}}",
                    f"sum by (component) (rate({count}{{{errors}}}[{WINDOW}]))"
                    f" / sum by (component) (rate({count}{{{of_layer}}}[{WINDOW}]))",
                )
            ],
        ),
        (
            "Latency p99",
            "s",
            [
                (
                    "{{component}}",
                    f"histogram_quantile(0.99, sum by (component, le) "
                    f"(rate({REQUESTS}_bucket{{{of_layer}}}[{WINDOW}])))",
                )
            ],
        ),
        (
            "Saturation: CPU of request",
            "percentunit",
            [
                (
                    "{{component}}",
                    f"sum by (component) (rate(process_cpu_seconds_total{{{of_layer}}}[{WINDOW}]))"
                    f" / on (component) sum by (component) ({requests})",
                )
            ],
        ),
    ]


def _database(database: DatabasePlan) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """A database's instances and roles, its standbys' lag, its volume, its pooler's clients and its last
    backup's age."""
    job = f'{{job="{database.name}"}}'
    panels = [
        (
            "instances",
            "short",
            [
                ("up", f"sum(up{job})"),
                ("standbys", f"sum(cnpg_pg_replication_in_recovery{job})"),
                ("planned", f"vector({database.instances})"),
            ],
        ),
        ("replication lag", "s", [("{{pod}}", f"cnpg_pg_replication_lag{job}")]),
        (
            "volume",
            "bytes",
            [
                ("{{datname}}", f"max by (datname) (cnpg_pg_database_size_bytes{job})"),
                ("used on {{instance}}", storage_used(database)),
                ("capacity", f"vector({memory_bytes(database.size)})"),
            ],
        ),
    ]
    if database.pooler is not None:
        pooled = f'{{job="{pooler_name(database.name)}"}}'
        panels.append(
            (
                "pooler clients",
                "short",
                [
                    ("active", f"sum(cnpg_pgbouncer_pools_cl_active{pooled})"),
                    ("waiting for a connection", f"sum(cnpg_pgbouncer_pools_cl_waiting{pooled})"),
                ],
            )
        )
    backup = database.backup
    if backup is not None:
        last = f"max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{job})"
        panels.append(
            (
                "last backup",
                "s",
                [("age", f"time() - {last}"), ("overdue after", f"vector({backup.overdue_seconds})")],
            )
        )
    return panels


def _redis(env: EnvPlan, redis: RedisPlan) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """A Redis's pods by role against the plan, its ready Sentinels against the quorum, its replication
    and its memory."""
    job = f'job="{redis.name}"'
    sentinels = (
        f'kube_pod_container_status_ready{{namespace="{env.namespace}",container="sentinel",'
        f'pod=~"{sentinel_name(redis.name)}-[0-9]+"}}'
    )
    return [
        (
            "Redis pods",
            "short",
            [
                ("up", f"sum(up{{{job}}})"),
                ("masters", f'sum(redis_instance_info{{{job},role="master"}})'),
                ("replicas", f'sum(redis_instance_info{{{job},role="slave"}})'),
                ("planned", f"vector({redis.replicas})"),
            ],
        ),
        (
            "Sentinels",
            "short",
            [
                ("ready", f"sum({sentinels})"),
                ("quorum", f"vector({redis.quorum})"),
                ("planned", f"vector({redis.sentinels})"),
            ],
        ),
        (
            "replication",
            "short",
            [
                ("linked to the master", f"max(redis_connected_slaves{{{job}}})"),
                ("links down", f"count(redis_master_link_up{{{job}}} == 0) or vector(0)"),
            ],
        ),
        (
            "memory",
            "bytes",
            [
                ("{{instance}}", f"redis_memory_used_bytes{{{job}}}"),
                ("AOF on {{instance}}", f"redis_aof_current_size_bytes{{{job}}}"),
                ("memory limit", f"vector({memory_bytes(redis.sizing.memory_limit)})"),
            ],
        ),
    ]


def _replicas(workload: Workload) -> list[tuple[str, str]]:
    """Ready replicas against the autoscaler's bounds, or against the desired count."""
    name = workload.name
    if workload.scaling is not None:
        hpa = f'{{horizontalpodautoscaler="{name}"}}'
        return [
            ("current", f"kube_horizontalpodautoscaler_status_current_replicas{hpa}"),
            ("min", f"kube_horizontalpodautoscaler_spec_min_replicas{hpa}"),
            ("max", f"kube_horizontalpodautoscaler_spec_max_replicas{hpa}"),
        ]
    if workload.kind == "StatefulSet":
        sts = f'{{statefulset="{name}"}}'
        return [
            ("ready", f"kube_statefulset_status_replicas_ready{sts}"),
            ("desired", f"kube_statefulset_replicas{sts}"),
        ]
    deployment = f'{{deployment="{name}"}}'
    return [
        ("ready", f"kube_deployment_status_replicas_ready{deployment}"),
        ("desired", f"kube_deployment_spec_replicas{deployment}"),
    ]


def _runs(workload: Workload) -> list[tuple[str, str]]:
    """How long ago a scheduled job last succeeded and last ran, against when it is overdue."""
    assert workload.job is not None
    cronjob = f'{{cronjob="{workload.name}"}}'
    return [
        ("since the last success", f"time() - kube_cronjob_status_last_successful_time{cronjob}"),
        ("since the last run", f"time() - kube_cronjob_status_last_schedule_time{cronjob}"),
        ("overdue after", f"vector({workload.job.overdue_seconds})"),
    ]


def _cpu(workload: Workload, scraped_jobs: set[str]) -> list[tuple[str, str]]:
    """CPU use in percent of the request, against the autoscaler's target where there is one."""
    name = workload.name
    scraped = name in scraped_jobs
    request = f'sum(kube_pod_container_resource_requests{{resource="cpu",container="{name}"}})'
    limit = f'sum(kube_pod_container_resource_limits{{resource="cpu",container="{name}"}})'
    series = [("limit", f"100 * {limit} / {request}")]
    if scraped:
        used = f'sum(rate(process_cpu_seconds_total{{job="{name}"}}[{WINDOW}]))'
        series.insert(0, ("used", f"100 * {used} / {request}"))
    if workload.scaling is not None:
        target = (
            f'kube_horizontalpodautoscaler_spec_target_metric{{horizontalpodautoscaler="{name}",'
            'metric_name="cpu"}'
        )
        series.append(("HPA target", target))
    return series
