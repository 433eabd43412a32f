"""cert-manager Certificates: each TLS Secret of the public hosts, from the environment's issuer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.plan.model import CertificatePlan, EnvPlan
from compiler.render.durations import go_duration
from compiler.render.labels import metadata, system_labels
from compiler.render.platform import PLATFORM_FILE
from compiler.render.types import Placed

# What cert-manager uses when a Certificate leaves its private key unset, emitted so nothing is implied.
PRIVATE_KEY = {"algorithm": "RSA", "encoding": "PKCS1", "size": 2048}


def render(env: EnvPlan) -> Iterator[Placed]:
    """A Certificate per TLS Secret the environment's cert-manager makes."""
    for certificate in env.certificates:
        yield Placed(PLATFORM_FILE, manifest(env, certificate))


def manifest(env: EnvPlan, certificate: CertificatePlan) -> dict[str, Any]:
    """The Certificate, durations in the form cert-manager writes back, a new key on every renewal."""
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": metadata(env, certificate.secret, system_labels(env)),
        "spec": {
            "secretName": certificate.secret,
            "dnsNames": list(certificate.hosts),
            "duration": go_duration(certificate.duration_seconds),
            "renewBefore": go_duration(certificate.renew_before_seconds),
            "issuerRef": {
                "group": "cert-manager.io",
                "kind": certificate.issuer_kind,
                "name": certificate.issuer_name,
            },
            "privateKey": {**PRIVATE_KEY, "rotationPolicy": "Always"},
        },
    }
