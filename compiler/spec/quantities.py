"""Kubernetes resource quantities as numbers, for comparisons and capacity sums."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_BINARY = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}


def cpu_millis(quantity: str) -> int:
    """CPU quantity ('250m', '1', '1.5') in millicores."""
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return int(Decimal(quantity) * 1000)


def memory_bytes(quantity: str) -> int:
    """Memory quantity with a binary suffix ('256Mi') in bytes."""
    return int(quantity[:-2]) * _BINARY[quantity[-2:]]


def shown(value: Decimal) -> str:
    """A number for a table: rounded half up to at most two decimals, trailing zeros dropped.

    CPU and memory go through this one rule, so 11.25 reads as 11.25 in either column.
    """
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_cpu(millis: int) -> str:
    """Millicores as cores, two decimals at most."""
    return shown(Decimal(millis) / 1000)


def format_memory(count: int) -> str:
    """Bytes in the largest binary unit that holds at least one of it, two decimals at most."""
    for unit in ("Ti", "Gi", "Mi", "Ki"):
        size = _BINARY[unit]
        if count >= size:
            return shown(Decimal(count) / size) + unit
    return str(count)
