"""A component's rule broken through an environment's override is refused at the override's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.diagnostics import SpecError
from compiler.spec.load import parse_spec
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
DEV = "      feed-handler: {replicas: 1}\n"
# The API gets an ingress and a cluster gets peers in the base, so that overrides can break them.
INGRESS = (
    "      - name: indicator-engine\n",
    "      - name: indicator-engine\n        ingress: {host: api.nifty50.example, tls_secret: api-tls}\n",
)
SECOND = (
    "      - name: redis\n",
    "      - name: redis\n        ingress: {host: cache.nifty50.example, tls_secret: c-tls, path: /cache}\n",
)
CLUSTER = (
    "        storage: {size: 5Gi, path: /data}\n",
    "        storage: {size: 5Gi, path: /data}\n        replicas: 3\n        peer_ports: [main]\n",
)

# Each override that breaks a rule the component is held to, and the check that refuses it.
BROKEN = {
    "reserved variable": ("      feed-handler: {replicas: 1, env: {OTEL_SERVICE_NAME: spoofed}}\n", "N703"),
    "expansion of nothing": ('      feed-handler: {replicas: 1, env: {UPSTREAM: "$(NOPE)"}}\n', "N701"),
    "literal in a secret variable": ("      feed-handler: {replicas: 1, env: {API_SECRET: x}}\n", "N508"),
    "variable that holds a secret": ("      feed-handler: {replicas: 1, env: {BROKER_API_KEY: x}}\n", "N508"),
    "limit below request": ("      feed-handler: {resources: {cpu: '2', cpu_limit: '1'}}\n", "N204"),
    "hot path bursts": ("      feed-handler: {resources: {cpu_limit: '2'}}\n", "N205"),
    "bounds reversed": ("        autoscaling: {min: 30}\n", "N203"),
    "second certificate": ("      redis: {host: api.nifty50.example, tls_secret: other-tls}\n", "N502"),
    "certificate of a moved host": ("      redis: {host: api.nifty50.example}\n", "N502"),
    "plain HTTP": (
        "      redis: {ingress_annotations: {nginx.ingress.kubernetes.io/ssl-redirect: 'false'}}\n",
        "N601",
    ),
    "cluster of two": ("      redis: {replicas: 2}\n", "N401"),
    "cluster of four": ("      redis: {replicas: 4}\n", "N406"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_override_that_breaks_a_rule_is_refused_at_its_line(name: str) -> None:
    line, code = BROKEN[name]
    text = BASE
    for old, new in (INGRESS, SECOND, CLUSTER):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    validate(parse_spec(text.encode(), "spec/system.yaml"))  # valid before the override
    if line.startswith("        autoscaling"):
        broken = text.replace("        autoscaling: {min: 1, max: 4}\n", line)
    else:
        broken = text.replace(DEV, line if line.startswith("      feed-handler") else DEV + line)
    with pytest.raises(SpecError) as error:
        validate(parse_spec(broken.encode(), "spec/system.yaml"))
    at = broken.splitlines().index(line.rstrip("\n")) + 1
    found = {(d.code, d.line) for d in error.value.diagnostics}
    # Where a value breaks two checks (a hot-path limit, a literal in a variable), both speak.
    assert (code, at) in found, found
    assert {line for _, line in found} == {at}, found
