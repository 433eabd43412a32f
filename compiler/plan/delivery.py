"""Plan the Argo CD Applications, one per environment following out/overlays/<env>, and their project."""

from __future__ import annotations

from compiler.plan.market import Calendar, cron_spans
from compiler.plan.model import Application, EnvPlan, FreezeWindow, Project
from compiler.spec.model import Spec


def project_name(spec: Spec) -> str:
    """The AppProject's name: the spec's choice, or the system's name."""
    chosen = spec.delivery.project if spec.delivery else None
    return chosen or spec.system.name


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
                project=project_name(spec),
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
                frozen=change.freeze if change else False,
                lead_minutes=freeze_lead(env),
            )
        )
    return tuple(applications)


def freeze_lead(env: EnvPlan) -> int:
    """How long before the open a freeze starts: with the earliest pre-scaling floor, else at the open."""
    return max(
        (w.scaling.floor.lead_minutes for w in env.workloads if w.scaling and w.scaling.floor), default=0
    )


def plan_project(
    spec: Spec, applications: tuple[Application, ...], calendar: Calendar | None
) -> Project | None:
    """The AppProject of the Applications; frozen ones get deny windows while the market trades."""
    if spec.delivery is None:
        return None
    frozen = tuple(app.name for app in applications if app.frozen)
    windows: list[FreezeWindow] = []
    if calendar is not None:
        for lead in sorted({app.lead_minutes for app in applications if app.frozen}):
            names = tuple(app.name for app in applications if app.frozen and app.lead_minutes == lead)
            windows += [
                FreezeWindow(span.name, span.start, span.minutes, names, lead)
                for span in cron_spans(calendar, lead)
            ]
    return Project(
        name=project_name(spec),
        argocd_namespace=spec.delivery.namespace,
        repository=spec.delivery.repository,
        destinations=tuple(sorted({(app.cluster, app.namespace) for app in applications})),
        timezone=calendar.timezone if calendar else "UTC",
        windows=tuple(windows),
        frozen=frozen,
    )
