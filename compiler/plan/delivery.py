"""Plan the Argo CD Applications: one per environment, following out/overlays/<env> in git."""

from __future__ import annotations

from compiler.plan.model import Application, EnvPlan
from compiler.spec.model import Spec


def plan_applications(spec: Spec, envs: tuple[EnvPlan, ...]) -> tuple[Application, ...]:
    """An Application per environment when the spec asks for delivery, in environment order."""
    delivery = spec.delivery
    if delivery is None:
        return ()
    applications = []
    for env in envs:
        change = spec.environments[env.name].delivery
        sync = (change.sync if change else None) or delivery.sync
        applications.append(
            Application(
                name=f"{env.system}-{env.name}",
                environment=env.name,
                argocd_namespace=delivery.namespace,
                project=delivery.project,
                repository=delivery.repository,
                revision=(change.revision if change else None) or delivery.revision,
                path=f"{delivery.path.rstrip('/')}/overlays/{env.name}",
                cluster=(change.cluster if change else None) or delivery.cluster,
                namespace=env.namespace,
                automated=sync.automated,
                prune=sync.prune,
                self_heal=sync.self_heal,
                # The HPA owns these replica counts; Argo CD must neither report nor revert them.
                scaled=tuple((w.kind, w.name) for w in env.workloads if w.scaling is not None),
            )
        )
    return tuple(applications)
