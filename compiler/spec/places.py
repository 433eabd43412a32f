"""Where each component stands in the spec: the place a diagnostic about it points at."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.spec.document import Loc
from compiler.spec.model import Component, Spec


def placed_components(spec: Spec) -> Iterator[tuple[Loc, Component]]:
    """Every component in the spec's order, with its place: ("layers", i, "components", j)."""
    for li, layer in enumerate(spec.layers):
        for ci, component in enumerate(layer.components):
            yield ("layers", li, "components", ci), component


def components_by_name(spec: Spec) -> dict[str, tuple[Loc, Component]]:
    """Each component by name, at its first place (a name written twice is its own rule's)."""
    found: dict[str, tuple[Loc, Component]] = {}
    for loc, component in placed_components(spec):
        found.setdefault(component.name, (loc, component))
    return found
