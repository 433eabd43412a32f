"""Kubernetes resource quantities as numbers, for comparisons and capacity sums."""

from __future__ import annotations

from decimal import Decimal

_BINARY = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}


def cpu_millis(quantity: str) -> int:
    """CPU quantity ('250m', '1', '1.5') in millicores."""
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return int(Decimal(quantity) * 1000)


def memory_bytes(quantity: str) -> int:
    """Memory quantity with a binary suffix ('256Mi') in bytes."""
    return int(quantity[:-2]) * _BINARY[quantity[-2:]]


def format_cpu(millis: int) -> str:
    """Millicores as cores with up to three decimals."""
    return f"{millis / 1000:g}"


def format_memory(count: int) -> str:
    """Bytes in the largest binary unit that keeps one decimal."""
    for unit in ("Ti", "Gi", "Mi", "Ki"):
        size = _BINARY[unit]
        if count >= size:
            return f"{count / size:.1f}".rstrip("0").rstrip(".") + unit
    return str(count)
