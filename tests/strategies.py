"""Hypothesis strategies for valid specs, as the plain data a person would write."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from compiler.spec.quantities import cpu_millis

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6})?", fullmatch=True)
CPUS = st.sampled_from(["100m", "250m", "500m", "1", "2"])
MEMORIES = st.sampled_from(["128Mi", "256Mi", "512Mi", "1Gi"])
RESERVED = {"prometheus", "grafana", "otel-collector"}


@st.composite
def autoscaling(draw: st.DrawFn) -> dict[str, int]:
    """min <= max within 1..1000, a CPU target within 1..100."""
    low = draw(st.integers(1, 20))
    return {"min": low, "max": draw(st.integers(low, low + 30)), "cpu": draw(st.integers(1, 100))}


# A named port beside the main one (8080); components with it may be reached on it.
ADMIN = {"name": "admin", "port": 9000}


@st.composite
def connection(draw: st.DrawFn, target: str, admin: bool) -> str | dict[str, str]:
    """A talks_to entry in any of its forms, on the main port or on the target's admin port."""
    forms: list[str | dict[str, str]] = [target, {"component": target}]
    if admin and draw(st.booleans()):
        forms = [f"{target}:admin", {"component": target, "port": "admin"}]
    return draw(st.sampled_from(forms))


POD_FIELDS = ["name", "namespace", "ip", "node", "service_account"]
POD_RESOURCES = {"cpu_request": "1m", "cpu_limit": "1", "memory_request": "1Ki", "memory_limit": "1Mi"}


@st.composite
def from_pod(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """Variables from the pod, a plain one that expands one of them, and arguments that expand both."""
    field = draw(st.sampled_from(POD_FIELDS))
    resource = draw(st.sampled_from(sorted(POD_RESOURCES)))
    amount: dict[str, str] = {"from_pod": resource}
    if draw(st.booleans()):
        amount["divisor"] = POD_RESOURCES[resource]
    env = {"POD_VALUE": {"from_pod": field}, "AMOUNT": amount, "ADVERTISED": "$(POD_VALUE):8080"}
    return env, ["--advertise=$(ADVERTISED)", "--amount=$(AMOUNT)"]


NGINX = "nginx.ingress.kubernetes.io/"
SETTINGS = {
    "proxy-read-timeout": ["60", "3600"],
    "proxy-body-size": ["1m", "8m"],
    "backend-protocol": ["HTTP", "GRPC"],
}


@st.composite
def ingress_settings(draw: st.DrawFn) -> dict[str, str]:
    """Some controller settings of an Ingress, each a string."""
    keys = draw(st.lists(st.sampled_from(sorted(SETTINGS)), unique=True, min_size=1))
    return {f"{NGINX}{key}": draw(st.sampled_from(SETTINGS[key])) for key in keys}


@st.composite
def component(draw: st.DrawFn, name: str, others: list[str], admin: set[str] | None = None) -> dict[str, Any]:
    """A component that scales, or runs fixed replicas, or keeps state, or forms a cluster."""
    admin = admin or set()
    shape = draw(st.sampled_from(["scaled", "fixed", "stateful", "clustered"]))
    result: dict[str, Any] = {"name": name}
    if name in admin:
        result["ports"] = [ADMIN]
    if shape == "scaled":
        result["autoscaling"] = draw(autoscaling())
    elif shape == "clustered":
        # A cluster keeps a majority while one member drains: odd, 3 or more.
        result["replicas"] = draw(st.sampled_from([3, 5]))
        peers = ["main", "admin"] if name in admin else ["main"]
        result["peer_ports"] = draw(st.lists(st.sampled_from(peers), min_size=1, unique=True))
    else:
        result["replicas"] = draw(st.integers(1, 5))
    if (shape in ("stateful", "clustered") and draw(st.booleans())) or shape == "stateful":
        result["storage"] = {"size": draw(st.sampled_from(["1Gi", "10Gi"])), "path": "/data"}
        result["probe"] = "tcp"
    if draw(st.booleans()):
        cpu = draw(CPUS)
        result["resources"] = {"cpu": cpu, "memory": draw(MEMORIES)}
        if draw(st.booleans()):
            # A limit the base writes, which an environment's request then moves (off the hot path).
            result["resources"]["cpu_limit"] = f"{cpu_millis(cpu) * 2}m"
    if others:
        targets = draw(st.lists(st.sampled_from(others), unique=True, max_size=3))
        result["talks_to"] = [draw(connection(t, t in admin)) for t in targets]
    if draw(st.booleans()):
        result["env"], result["args"] = draw(from_pod())
    if draw(st.booleans()):
        size = draw(st.sampled_from(["512Ki", "16Mi", "256Mi", "1Gi"]))
        result["writable"] = ["/tmp", {"path": "/var/cache/app", "size": size}]
    if draw(st.booleans()):
        result["secrets"] = [{"secret": f"{name}-creds", "key": "password", "env": "APP_PASSWORD"}]
    return result


@st.composite
def override(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """What an environment changes in one component; merged bounds stay min <= max."""
    change: dict[str, Any] = {}
    if "autoscaling" in base:
        bounds = draw(autoscaling())
        keys = draw(st.sets(st.sampled_from(["min", "max", "cpu"]), min_size=1))
        merged = {**base["autoscaling"], **{k: bounds[k] for k in keys}}
        if merged["min"] > merged["max"]:
            keys |= {"min", "max"}
        change["autoscaling"] = {k: bounds[k] for k in sorted(keys)}
    else:
        # A cluster runs an odd number, 3 or more, in every environment.
        change["replicas"] = draw(st.sampled_from([3, 5]) if "peer_ports" in base else st.integers(1, 5))
    if draw(st.booleans()):
        change["resources"] = {"cpu": draw(CPUS), "memory": draw(MEMORIES)}
        if draw(st.booleans()):
            del change["resources"]["memory"]
    if draw(st.booleans()):
        change["tag"] = draw(st.sampled_from(["3.0.0", "3.1.0-rc.1"]))
    if "ingress" in base and draw(st.booleans()):
        change["ingress_annotations"] = draw(ingress_settings())
    if "storage" in base and draw(st.booleans()):
        change["storage"] = {"size": draw(st.sampled_from(["2Gi", "20Gi"]))}
        if draw(st.booleans()):
            change["storage"]["storage_class"] = "fast-ssd"
    if "secrets" in base and draw(st.booleans()):
        change["secrets"] = {base["secrets"][0]["secret"]: f"{base['name']}-creds-env"}
    if draw(st.booleans()):
        change["env"] = {"LOG_LEVEL": draw(st.sampled_from(["debug", "warn"]))}
    if draw(st.booleans()):
        change["external"] = [{"cidr": "10.20.0.0/16", "port": draw(st.sampled_from([443, 9443]))}]
    if draw(st.booleans()):
        # Every generated component writes /tmp.
        change["writable"] = {"/tmp": draw(st.sampled_from(["128Mi", "1Gi"]))}
    return change


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A whole valid spec with layers, components, data flow and environments."""
    names = draw(st.lists(NAMES.filter(lambda n: n not in RESERVED), min_size=1, max_size=7, unique=True))
    numbers = sorted(draw(st.lists(st.integers(1, 9), min_size=1, max_size=len(names), unique=True)))
    groups: list[list[str]] = [[] for _ in numbers]
    for index, name in enumerate(names):
        groups[index % len(numbers)].append(name)
    admin = set(draw(st.lists(st.sampled_from(names), unique=True)))
    components = {name: draw(component(name, [n for n in names if n != name], admin)) for name in names}
    # Some components share one host, each at its own path; the first may take the root.
    public = draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
    for index, name in enumerate(public):
        path = "/" if index == 0 and draw(st.booleans()) else f"/{name}"
        components[name]["ingress"] = {"host": "app.example.com", "tls_secret": "app-tls", "path": path}
        if draw(st.booleans()):
            components[name]["ingress"]["annotations"] = draw(ingress_settings())
    profiles = {
        "sized": {"resources": {"cpu": draw(CPUS), "memory": draw(MEMORIES)}, "env": {"SIZED": "yes"}},
        "shared": {"secrets": [{"secret": "shared-creds", "key": "token", "env": "SHARED_TOKEN"}]},
    }
    for name in names:
        chosen = draw(st.lists(st.sampled_from(sorted(profiles)), unique=True, max_size=2))
        if chosen:
            components[name]["profile"] = chosen[0] if len(chosen) == 1 else chosen
    layers: list[dict[str, Any]] = [
        {
            "number": number,
            "name": f"layer{number}",
            "hot_path": draw(st.booleans()),
            "components": [components[n] for n in group],
        }
        for number, group in zip(numbers, groups, strict=True)
        if group
    ]
    for layer in layers:
        if layer["hot_path"]:
            # The hot path needs limits equal to requests: it writes none.
            for comp in layer["components"]:
                comp.get("resources", {}).pop("cpu_limit", None)
    environments: dict[str, Any] = {}
    for env in draw(st.lists(st.sampled_from(["dev", "staging", "prod"]), unique=True, max_size=2)):
        chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
        environments[env] = {
            "namespace": f"sys-{env}",
            "components": {n: draw(override(components[n])) for n in chosen},
        }
        if draw(st.booleans()):
            environments[env]["tag"] = "9.9.9"
    return {
        "system": {
            "name": "sys",
            "namespace": "sys",
            "registry": "registry.example.internal/sys",
            "tag": "1.0.0",
        },
        "profiles": profiles,
        "layers": layers,
        "observability": {
            "prometheus": {"image": "prom/prometheus", "tag": "v2.53.1"},
            "grafana": {"image": "grafana/grafana", "tag": "11.1.3"},
            "otel_collector": {"image": "otel/opentelemetry-collector-contrib", "tag": "0.105.0"},
        },
        "environments": environments,
    }


def expected_bounds(spec: dict[str, Any], env: str | None) -> dict[str, tuple[int, int, int]]:
    """The autoscaling bounds each scaled component must end with, computed from the spec data alone."""
    result: dict[str, tuple[int, int, int]] = {}
    overrides = spec["environments"][env]["components"] if env else {}
    for layer in spec["layers"]:
        for comp in layer["components"]:
            if "autoscaling" not in comp:
                continue
            merged = {**comp["autoscaling"], **overrides.get(comp["name"], {}).get("autoscaling", {})}
            result[comp["name"]] = (merged["min"], merged["max"], merged["cpu"])
    return result
