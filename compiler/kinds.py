"""The one table of the kinds of object nifty writes: their API, scope, pods and whose schema they follow.

Kustomize's transformers read it for the kinds without a namespace and where a kind keeps its pods
(and so do the overlays, which are derived through them); the Argo CD project admits the
cluster-scoped kinds it lists; the tests check each object against the schema its row names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Who defines a kind's schema: Kubernetes itself (kubernetes-validate knows it), or a project's CRD.
KUBERNETES = "kubernetes"


@dataclass(frozen=True)
class Kind:
    """A kind of object: its API group and version, whether it lives in a namespace, its pods' template."""

    kind: str
    api_version: str
    namespaced: bool = True
    # Where a workload keeps its pod template; None for a kind that runs no pods.
    pod_template: tuple[str, ...] | None = None
    schema: str = KUBERNETES

    @property
    def group(self) -> str:
        """The API group; empty for the core group."""
        return self.api_version.rpartition("/")[0]


TEMPLATE = ("spec", "template")

KINDS = (
    Kind("Namespace", "v1", namespaced=False),
    Kind("PriorityClass", "scheduling.k8s.io/v1", namespaced=False),
    Kind("ServiceAccount", "v1"),
    Kind("ConfigMap", "v1"),
    Kind("Service", "v1"),
    Kind("Role", "rbac.authorization.k8s.io/v1"),
    Kind("RoleBinding", "rbac.authorization.k8s.io/v1"),
    Kind("Deployment", "apps/v1", pod_template=TEMPLATE),
    Kind("StatefulSet", "apps/v1", pod_template=TEMPLATE),
    Kind("CronJob", "batch/v1", pod_template=("spec", "jobTemplate", "spec", "template")),
    Kind("PodDisruptionBudget", "policy/v1"),
    Kind("HorizontalPodAutoscaler", "autoscaling/v2"),
    Kind("NetworkPolicy", "networking.k8s.io/v1"),
    Kind("Ingress", "networking.k8s.io/v1"),
    Kind("ScaledObject", "keda.sh/v1alpha1", schema="keda"),
    Kind("HTTPRoute", "gateway.networking.k8s.io/v1", schema="gateway-api"),
    Kind("ReferenceGrant", "gateway.networking.k8s.io/v1beta1", schema="gateway-api"),
    Kind("Certificate", "cert-manager.io/v1", schema="cert-manager"),
    Kind("ExternalSecret", "external-secrets.io/v1", schema="external-secrets"),
    Kind("ServiceMonitor", "monitoring.coreos.com/v1", schema="prometheus-operator"),
    Kind("PodMonitor", "monitoring.coreos.com/v1", schema="prometheus-operator"),
    Kind("PrometheusRule", "monitoring.coreos.com/v1", schema="prometheus-operator"),
    Kind("AlertmanagerConfig", "monitoring.coreos.com/v1alpha1", schema="prometheus-operator"),
    Kind("Cluster", "postgresql.cnpg.io/v1", schema="cloudnative-pg"),
    Kind("ScheduledBackup", "postgresql.cnpg.io/v1", schema="cloudnative-pg"),
    # Its pods' template holds labels only: the operator writes PgBouncer's container.
    Kind("Pooler", "postgresql.cnpg.io/v1", schema="cloudnative-pg"),
    Kind("ObjectStore", "barmancloud.cnpg.io/v1", schema="barman-cloud"),
    Kind("RedisReplication", "redis.redis.opstreelabs.in/v1beta2", schema="redis-operator"),
    Kind("Application", "argoproj.io/v1alpha1", schema="argo-cd"),
    Kind("AppProject", "argoproj.io/v1alpha1", schema="argo-cd"),
)

BY_KIND = {kind.kind: kind for kind in KINDS}
CLUSTER_SCOPED = frozenset(kind.kind for kind in KINDS if not kind.namespaced)
# The kinds that run pods, with where each keeps its pod template.
POD_TEMPLATES = {kind.kind: kind.pod_template for kind in KINDS if kind.pod_template is not None}
# A scheduled kind's pods run only while a run lasts: none at the least, one at the most.
SCHEDULED = frozenset({"CronJob"})


def pod_template(manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pod template of an object of a kind that runs pods, or None."""
    path = POD_TEMPLATES.get(manifest.get("kind", ""))
    node: Any = manifest if path is not None else None
    for key in path or ():
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and node else None
