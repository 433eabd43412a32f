"""A NetworkPolicy read as who may reach whom, on which port: the words a reviewer reads in `nifty diff`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

NAME_LABEL = "app.kubernetes.io/name"
# Labels every selector of the system repeats; they name no peer, so the words leave them out.
IMPLIED_LABELS = frozenset({"app.kubernetes.io/instance"})
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
Direction = Literal["ingress", "egress"]
DIRECTIONS: tuple[tuple[Direction, str], ...] = (("ingress", "from"), ("egress", "to"))


@dataclass(frozen=True)
class Grant:
    """One peer on one port in one direction: `ingress from risk-gateway on 6379/TCP`."""

    direction: Direction
    peer: str
    port: str

    def text(self) -> str:
        """The grant in words."""
        preposition = "from" if self.direction == "ingress" else "to"
        return f"{self.direction} {preposition} {self.peer} on {self.port}"


@dataclass(frozen=True)
class AccessChange:
    """A grant that a NetworkPolicy gains or loses."""

    grant: Grant
    change: Literal["added", "removed"]


def grants(policy: Mapping[str, Any]) -> list[Grant]:
    """Every (direction, peer, port) a NetworkPolicy allows, in the order of its rules, each once."""
    spec = policy.get("spec") or {}
    found: dict[Grant, None] = {}
    for direction, side in DIRECTIONS:
        for rule in spec.get(direction) or []:
            if not isinstance(rule, dict):
                continue
            peers = [_peer(p) for p in rule.get(side) or [] if isinstance(p, dict)] or ["anywhere"]
            ports = [_port(p) for p in rule.get("ports") or [] if isinstance(p, dict)] or ["any port"]
            for peer in peers:
                for port in ports:
                    found[Grant(direction, peer, port)] = None
    return list(found)


def access_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[AccessChange, ...]:
    """The grants new adds to old's and those it takes away: removed ones first, each in policy order."""
    before, after = grants(old), grants(new)
    kept_before, kept_after = set(before), set(after)
    removed = (AccessChange(g, "removed") for g in before if g not in kept_after)
    added = (AccessChange(g, "added") for g in after if g not in kept_before)
    return (*removed, *added)


def without_rules(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The policy without its ingress and egress rules, which access_changes words instead."""
    spec = {k: v for k, v in (policy.get("spec") or {}).items() if k not in {"ingress", "egress"}}
    return {**policy, "spec": spec}


def _peer(peer: Mapping[str, Any]) -> str:
    """`risk-gateway`, `pods k8s-app=kube-dns in namespace kube-system`, `10.0.0.0/8 except 10.1.0.0/16`."""
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        excepted = block.get("except") or []
        return str(block.get("cidr")) + (f" except {', '.join(map(str, excepted))}" if excepted else "")
    pods = peer.get("podSelector")
    namespaces = peer.get("namespaceSelector")
    who = _pods(pods) if isinstance(pods, dict) else None
    if namespaces is None:
        return who or "every pod of the namespace"
    where = _namespaces(namespaces if isinstance(namespaces, dict) else {})
    return f"{who or 'every pod'} in {where}"


def _pods(selector: Mapping[str, Any]) -> str:
    labels = {k: v for k, v in (selector.get("matchLabels") or {}).items() if k not in IMPLIED_LABELS}
    if set(labels) == {NAME_LABEL} and not selector.get("matchExpressions"):
        return str(labels[NAME_LABEL])
    if not labels and not selector.get("matchExpressions"):
        return "every pod of the namespace"
    return f"pods {_selector(labels, selector.get('matchExpressions') or [])}"


def _namespaces(selector: Mapping[str, Any]) -> str:
    labels = dict(selector.get("matchLabels") or {})
    expressions = selector.get("matchExpressions") or []
    if set(labels) == {NAMESPACE_LABEL} and not expressions:
        return f"namespace {labels[NAMESPACE_LABEL]}"
    if not labels and not expressions:
        return "every namespace"
    return f"namespaces {_selector(labels, expressions)}"


def _selector(labels: Mapping[str, Any], expressions: list[Any]) -> str:
    parts = [f"{k}={v}" for k, v in labels.items()]
    parts += [_expression(e) for e in expressions if isinstance(e, dict)]
    return ",".join(parts)


def _expression(expression: Mapping[str, Any]) -> str:
    values = ",".join(map(str, expression.get("values") or []))
    operator = str(expression.get("operator", "")).lower()
    return (
        f"{expression.get('key')} {operator} ({values})" if values else f"{expression.get('key')} {operator}"
    )


def _port(port: Mapping[str, Any]) -> str:
    """`6379/TCP`, `8000-8010/TCP`, `metrics/TCP`, `any port/UDP`."""
    number = port.get("port")
    end = port.get("endPort")
    shown = "any port" if number is None else f"{number}-{end}" if end is not None else str(number)
    return f"{shown}/{port.get('protocol', 'TCP')}"
