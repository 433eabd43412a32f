"""What renderers return: manifests placed in files, and sources of generated ConfigMaps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Placed:
    """A manifest and the file of out/base it belongs in."""

    file: str
    manifest: Manifest


@dataclass(frozen=True)
class ConfigSource:
    """A ConfigMap that the kustomization generates from files (key, content) and literals (key, value)."""

    name: str
    files: tuple[tuple[str, str], ...]
    literals: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rendered:
    """Everything one environment renders to."""

    placed: tuple[Placed, ...]
    configs: tuple[ConfigSource, ...]
