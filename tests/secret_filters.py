"""detect-secrets filters for this repository: what its scan may pass over, and why."""

from __future__ import annotations

import re

# A Kubernetes Secret is named, never held, by these keys (`secret` and `tls_secret` in the spec,
# `secretName` in out/): the schema makes the value a DNS-1123 name, the name of a Secret. An
# ExternalSecret's `secretKey` in out/ names a key of the Secret it makes (the spec's `key`), in the
# same lowercase form.
# detect-secrets hands YAML over as `key: "value"` lines (with the line's comment, if any), other
# files line by line.
SECRET_REFERENCE = re.compile(
    r"""(?:^|[\s{,-])(?:secret|tls_secret|secretName|secretKey)\s*:\s*(["']?)([a-z0-9][a-z0-9.-]{0,252})\1(?:\s*[,}]|\s+#|\s*$)"""
)


def is_secret_name(secret: str, line: str) -> bool:
    """The finding is the name of a Kubernetes Secret, written where the schema wants a name."""
    return secret in {match.group(2) for match in SECRET_REFERENCE.finditer(line)}
