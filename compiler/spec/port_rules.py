"""Rules over named ports, clusters (peer_ports) and connections (talks_to) between components."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterator

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.model import Component, Connection, Spec
from compiler.spec.names import PEER_SUFFIX, peer_service_name
from compiler.spec.places import components_by_name
from compiler.spec.ports import LEAST_PEERS, MAIN, connection, port_numbers, quorum
from compiler.spec.positions import at_key, at_value
from compiler.spec.resolved import Origin, Resolved, View
from compiler.spec.suggest import suggest

MULTICAST = ipaddress.IPv4Network("224.0.0.0/4")

MAX_NAME = 63


def check_ports(doc: Document, spec: Spec, seen: tuple[View, ...]) -> Iterator[Diagnostic]:
    """Every problem of ports, clusters and connections, positioned in doc."""
    found = components_by_name(spec)
    ports = {name: port_numbers(c, spec.defaults.port) for name, (_, c) in found.items()}
    for name, (loc, component) in found.items():
        yield from _ports(doc, loc, component, spec.defaults.port)
        yield from _peers(doc, loc, component, ports[name], found)
        yield from _talks_to(doc, loc, component, ports)
    reported: set[Loc] = set()
    for view in seen:
        for resolved in view.components:
            if resolved.component.peer_ports and resolved.component.autoscaling is None:
                yield from _cluster_size(doc, view, resolved)
            for index, external in enumerate(resolved.external):
                where = (*resolved.at("external"), index)
                if where not in reported and _multicast(external.cidr) and external.protocol != "udp":
                    reported.add(where)
                    yield at_key(
                        doc,
                        where,
                        f"{external.cidr} is a multicast block, and multicast carries UDP only: "
                        f"set protocol: udp (it is {external.protocol})",
                        field=False,
                        code="N407",
                    )


def _multicast(cidr: str) -> bool:
    """Whether an address block lies within IPv4's multicast range (224.0.0.0/4)."""
    return ipaddress.IPv4Network(cidr, strict=False).subnet_of(MULTICAST)


def _cluster_size(doc: Document, view: View, resolved: Resolved) -> Iterator[Diagnostic]:
    """A cluster keeps a majority while one member drains: odd, 3 or more; 1 where quorum is not needed."""
    replicas = resolved.replicas or 1
    single = view.environment is not None and not view.environment.quorum and replicas == 1
    if single or (replicas >= LEAST_PEERS and replicas % 2):
        return
    written = resolved.origin("replicas") is not Origin.DEFAULT
    where = resolved.at("replicas") if written else (*resolved.loc, "peer_ports")
    place = at_value if written else at_key
    if replicas < LEAST_PEERS:
        yield place(doc, where, _too_few(replicas), field=False, code="N401")
    else:
        yield place(
            doc,
            where,
            f"a cluster (peer_ports) of {replicas} keeps a majority of {quorum(replicas)}, so it tolerates"
            f" no more lost members than {replicas - 1} would; run an odd number",
            field=False,
            code="N406",
        )


def _ports(doc: Document, loc: Loc, component: Component, default: int) -> Iterator[Diagnostic]:
    names: dict[str, int] = {MAIN: component.port or default}
    numbers = {component.port or default: MAIN}
    for index, port in enumerate(component.ports):
        where = (*loc, "ports", index)
        if port.name == MAIN:
            yield at_value(
                doc, (*where, "name"), "'main' names the component's own port; choose another", code="N402"
            )
        elif port.name in names:
            yield at_value(doc, (*where, "name"), f"port name '{port.name}' is used twice", code="N402")
        if port.port in numbers:
            yield at_value(
                doc,
                (*where, "port"),
                f"port {port.port} is already the port '{numbers[port.port]}'",
                code="N402",
            )
        names.setdefault(port.name, port.port)
        numbers.setdefault(port.port, port.name)


def _peers(
    doc: Document,
    loc: Loc,
    component: Component,
    ports: dict[str, int],
    found: dict[str, tuple[Loc, Component]],
) -> Iterator[Diagnostic]:
    if not component.peer_ports:
        return
    seen: set[str] = set()
    for index, name in enumerate(component.peer_ports):
        where = (*loc, "peer_ports", index)
        if name not in ports:
            yield at_value(
                doc,
                where,
                f"peer port '{name}' is not a port of '{component.name}'{_near(name, ports)}",
                code="N403",
            )
        elif name in seen:
            yield at_value(doc, where, f"peer port '{name}' is listed twice", code="N403")
        seen.add(name)
    if component.autoscaling is not None:
        yield at_key(
            doc,
            (*loc, "autoscaling"),
            "a cluster (peer_ports) has a fixed membership and cannot autoscale; set replicas",
            field=False,
            code="N403",
        )
    service = peer_service_name(component.name)
    if len(service) > MAX_NAME:
        yield at_value(
            doc,
            (*loc, "name"),
            f"name is too long for its peer Service '{service}' ({MAX_NAME} characters at most)",
            field=False,
            code="N404",
        )
    if service in found:
        yield at_value(
            doc,
            (*found[service][0], "name"),
            f"name '{service}' is taken by the peer Service of '{component.name}'"
            f" (its name and '{PEER_SUFFIX}')",
            field=False,
            code="N404",
        )


def _too_few(replicas: int) -> str:
    return (
        f"a cluster (peer_ports) needs {LEAST_PEERS} replicas or more to keep a majority while one is"
        f" drained; {replicas} would keep {quorum(replicas)} of {replicas}, so no pod could ever be evicted"
        " (an environment that needs no quorum, `quorum: false`, may run 1)"
    )


def _talks_to(
    doc: Document, loc: Loc, component: Component, ports: dict[str, dict[str, int]]
) -> Iterator[Diagnostic]:
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(component.talks_to):
        where = (*loc, "talks_to", index)
        target, port = connection(entry)
        target_at = (*where, "component") if isinstance(entry, Connection) else where
        port_at = (*where, "port") if isinstance(entry, Connection) else where
        written = f"{target}:{port}" if port else target
        if target == component.name:
            yield at_value(
                doc,
                target_at,
                f"'{target}' cannot talk to itself; its replicas talk to each other on its peer_ports",
                field=False,
                code="N405",
            )
        elif target not in ports:
            yield at_value(
                doc,
                target_at,
                f"talks_to '{target}', which is not a component"
                f"{suggest(target, ports, otherwise=' of the system')}",
                field=False,
                code="N405",
            )
        elif port is not None and port not in ports[target]:
            yield at_value(
                doc,
                port_at,
                f"talks_to '{written}': '{target}' has no port '{port}'{_near(port, ports[target])}",
                field=False,
                code="N405",
            )
        elif (target, port or MAIN) in seen:
            yield at_value(doc, where, f"'{written}' is listed twice in talks_to", field=False, code="N405")
        seen.add((target, port or MAIN))


def _near(name: str, ports: Collection[str]) -> str:
    """The closest port name, else the component's port names."""
    return suggest(name, ports, otherwise=f"; its ports: {', '.join(sorted(ports))}")
