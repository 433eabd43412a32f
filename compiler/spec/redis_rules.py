"""Rules over Redis with Sentinel: what a RedisReplication takes, its Sentinels' quorum, its clients."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.kind_rules import settings_not_taken
from compiler.spec.model import Spec
from compiler.spec.names import redis_password_variable, redis_variables
from compiler.spec.operated_rules import OPERATOR_OWNS, operated_overrides, variables_nifty_sets
from compiler.spec.places import placed_components
from compiler.spec.ports import LEAST_PEERS
from compiler.spec.positions import at_value
from compiler.spec.resolved import Resolved, View

# What the operator decides for a Redis, or what it does not have: its pods are the operator's, and
# What the operator decides for a Redis, or what it does not have; and it is no database too.
REDIS_OWNS = (*OPERATOR_OWNS, "database")


def check_redis(doc: Document, spec: Spec, views: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every problem of the Redis components of spec, positioned in doc."""
    found: dict[str, Loc] = {}
    for loc, component in placed_components(spec):
        if component.redis is not None:
            found.setdefault(component.name, loc)
            reason = "is a Redis: its operator runs its pods, so it sets no"
            yield from settings_not_taken(doc, loc, component, REDIS_OWNS, reason, code="N214")
    yield from _overrides(doc, spec, found)
    for view in views:
        for resolved in view.components:
            yield from _sentinels(doc, view, resolved)
    yield from _clients(doc, spec, found)


def _changed(view: View, resolved: Resolved, field: str) -> bool:
    """Whether this view is the base's, or an environment's that changes the Redis's field."""
    override = resolved.override.redis if resolved.override else None
    return view.name is None or (override is not None and field in override.model_fields_set)


def _sentinels(doc: Document, view: View, resolved: Resolved) -> Iterator[Diagnostic]:
    """Enough Sentinels for a quorum that outlives a node, and an odd count of them."""
    redis = resolved.redis
    if redis is None or not (_changed(view, resolved, "replicas") or _changed(view, resolved, "sentinels")):
        return
    if redis.replicas > 1 and redis.sentinels < LEAST_PEERS:
        field = "replicas" if _changed(view, resolved, "replicas") and view.name is not None else "sentinels"
        yield at_value(
            doc,
            resolved.at("redis", field),
            f"{redis.replicas} Redis pods fail over only when a majority of the Sentinels agrees,"
            f" so they need at least {LEAST_PEERS} Sentinels{view.place()}, on distinct nodes,"
            f" to fail over after a node is lost; there are {redis.sentinels}",
            code="N215",
        )
    if redis.sentinels % 2 == 0 and _changed(view, resolved, "sentinels"):
        yield at_value(
            doc,
            resolved.at("redis", "sentinels"),
            f"{redis.sentinels} Sentinels need a majority of {redis.sentinels // 2 + 1}{view.place()}:"
            f" they outlive no more lost nodes than {redis.sentinels - 1} would; use an odd count",
            code="N216",
        )


def _overrides(doc: Document, spec: Spec, found: dict[str, Loc]) -> Iterator[Diagnostic]:
    """An environment changes a Redis's resources and redis block only, and no other's redis block."""
    yield from operated_overrides(doc, spec, found, "redis", "a Redis", code="N214")


def _clients(doc: Document, spec: Spec, found: dict[str, Loc]) -> Iterator[Diagnostic]:
    """A client of a Redis gets its Sentinels, master group and password from nifty, not by itself."""
    yield from variables_nifty_sets(doc, spec, found, _client_variables, code="N217")


def _client_variables(redis: str) -> dict[str, str]:
    """What a client of a Redis gets: its Sentinels (one stands for them all here), their port and
    master group, and the path of the password."""
    return {**redis_variables(redis, 1), redis_password_variable(redis): "the path of the password"}
