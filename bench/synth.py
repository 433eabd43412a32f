"""`python -m bench.synth N` prints a valid spec with N components over 7 layers; deterministic for N."""

from __future__ import annotations

import sys
from typing import Any

from compiler.syntax.emit import dump

LAYERS = ("ingestion", "processing", "storage", "analysis", "aggregation", "signal", "presentation")
HOT_PATH = {"ingestion", "processing", "signal"}


def _component(index: int, layer: int, count: int) -> dict[str, Any]:
    """The index-th component: scaled, fixed or stateful by turns, talking to the next layer down."""
    name = f"{LAYERS[layer]}-{index:05d}"
    component: dict[str, Any] = {"name": name, "description": f"Synthetic component {index}"}
    if LAYERS[layer] == "storage":
        component.update(
            replicas=1,
            port=5432,
            probe="tcp",
            storage={"size": "10Gi", "path": "/data"},
            secrets=[{"secret": f"{name}-auth", "key": "password", "env": "DB_PASSWORD"}],
        )
    elif index % 3 == 0:
        low = 1 + index % 4
        component["autoscaling"] = {"min": low, "max": low + 5 + index % 7, "cpu": 50 + index % 40}
    else:
        component["replicas"] = 1 + index % 3
    if LAYERS[layer] in HOT_PATH:
        component["resources"] = {"cpu": "1", "memory": "512Mi"}
    targets = [_name(j, count) for j in (index + 1, index + 7) if j < count and _layer(j, count) > layer]
    if targets:
        component["talks_to"] = sorted(set(targets))
    return component


def _layer(index: int, count: int) -> int:
    """Which of the 7 layers the index-th component belongs to (contiguous blocks)."""
    return min(index * len(LAYERS) // max(count, 1), len(LAYERS) - 1)


def _name(index: int, count: int) -> str:
    return f"{LAYERS[_layer(index, count)]}-{index:05d}"


def synth(count: int) -> dict[str, Any]:
    """A spec with count components, both environments and every feature of the shipped spec."""
    components = [_component(i, _layer(i, count), count) for i in range(count)]
    layers = [
        {
            "number": number,
            "name": name,
            "hot_path": name in HOT_PATH,
            "components": [c for i, c in enumerate(components) if _layer(i, count) == number - 1],
        }
        for number, name in enumerate(LAYERS, start=1)
    ]
    scaled = [c["name"] for c in components if "autoscaling" in c]
    fixed = [c["name"] for c in components if "replicas" in c and "storage" not in c]
    return {
        "system": {
            "name": "synth",
            "namespace": "synth",
            "registry": "registry.example.internal/synth",
            "tag": "1.0.0",
        },
        "defaults": {"resources": {"cpu": "250m", "memory": "256Mi"}},
        "layers": [layer for layer in layers if layer["components"]],
        "observability": {
            "prometheus": {
                "image": "prom/prometheus",
                "tag": "v2.53.1",
                "retention": "15d",
                "storage": "20Gi",
            },
            "grafana": {"image": "grafana/grafana", "tag": "11.1.3"},
            "otel_collector": {"image": "otel/opentelemetry-collector-contrib", "tag": "0.105.0"},
        },
        "environments": {
            "dev": {
                "namespace": "synth-dev",
                "tag": "1.1.0-rc.1",
                "components": {
                    **{n: {"autoscaling": {"min": 1, "max": 3}} for n in scaled[::2]},
                    **{n: {"replicas": 1} for n in fixed[::2]},
                },
            },
            "prod": {
                "namespace": "synth-prod",
                "components": {n: {"resources": {"cpu": "500m", "memory": "512Mi"}} for n in scaled[1::4]},
            },
        },
    }


def main(argv: list[str]) -> int:
    """Print the spec for the component count in argv."""
    if len(argv) != 1 or not argv[0].isdigit() or int(argv[0]) < 1:
        print("usage: python -m bench.synth N   (N >= 1 components)", file=sys.stderr)
        return 2
    sys.stdout.write(dump(synth(int(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
