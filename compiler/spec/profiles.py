"""Profiles: named bundles of component settings, laid under the components that pick them up."""

from __future__ import annotations

from typing import Any

from compiler.spec.document import Loc
from compiler.spec.inheritance import SCALING, WHOLE
from compiler.spec.model import Component, FromPod, Profile, Resources, Spec

# Where a value of an expanded component came from: its location -> the profile's location.
Origins = dict[Loc, Loc]


def profile_names(component: Component) -> list[str]:
    """The profiles a component picks up, in order."""
    if component.profile is None:
        return []
    return [component.profile] if isinstance(component.profile, str) else list(component.profile)


def apply_profiles(spec: Spec) -> tuple[Spec, Origins]:
    """spec with every component's profiles laid under it, and where each inherited value stands."""
    if not spec.profiles:
        return spec, {}
    origins: Origins = {}
    layers = []
    for li, layer in enumerate(spec.layers):
        components = [
            _expanded(spec.profiles, component, ("layers", li, "components", ci), origins)
            for ci, component in enumerate(layer.components)
        ]
        layers.append(layer.model_copy(update={"components": components}))
    return spec.model_copy(update={"layers": layers}), origins


def _expanded(profiles: dict[str, Profile], component: Component, loc: Loc, origins: Origins) -> Component:
    """One component over its profiles (unknown names are left to the rules)."""
    chosen = [(name, profiles[name]) for name in profile_names(component) if name in profiles]
    if not chosen:
        return component
    own = component.model_fields_set
    update: dict[str, Any] = {}
    for name, profile in chosen:
        given = profile.model_fields_set
        source: Loc = ("profiles", name)
        for field in WHOLE:
            if field in given and field not in own:
                update[field] = getattr(profile, field)
                origins[(*loc, field)] = (*source, field)
        if given & set(SCALING) and not own & set(SCALING):
            # A later profile's choice replaces an earlier one's, replicas for autoscaling or back.
            for field in SCALING:
                update[field] = getattr(profile, field) if field in given else None
                if field in given:
                    origins[(*loc, field)] = (*source, field)
                else:
                    origins.pop((*loc, field), None)
    update["resources"] = _resources(chosen, component, loc, origins)
    update["env"] = _env(chosen, component, loc, origins)
    update["secrets"] = _appended(chosen, component, "secrets", loc, origins, key=lambda s: s)
    update["exceptions"] = _appended(chosen, component, "exceptions", loc, origins, key=lambda e: e.check)
    return component.model_copy(update=update)


def _resources(
    chosen: list[tuple[str, Profile]], component: Component, loc: Loc, origins: Origins
) -> Resources | None:
    """Requests and limits field by field: the component's over the profiles', a later profile's first."""
    values: dict[str, str] = {}
    for name, profile in chosen:
        if profile.resources is None:
            continue
        for field, value in profile.resources.model_dump(exclude_none=True).items():
            values[field] = value
            origins[(*loc, "resources", field)] = ("profiles", name, "resources", field)
        if component.resources is None:
            origins[(*loc, "resources")] = ("profiles", name, "resources")
    if not values:
        return component.resources
    if component.resources is not None:
        for field, value in component.resources.model_dump(exclude_none=True).items():
            values[field] = value
            origins.pop((*loc, "resources", field), None)
    return Resources(**values)


def _env(
    chosen: list[tuple[str, Profile]], component: Component, loc: Loc, origins: Origins
) -> dict[str, str | FromPod]:
    """Variables: the component's over the profiles', by name."""
    merged: dict[str, str | FromPod] = {}
    for name, profile in chosen:
        for variable, value in profile.env.items():
            merged[variable] = value
            if variable not in component.env:
                origins[(*loc, "env", variable)] = ("profiles", name, "env", variable)
    return {**merged, **component.env}


def _appended(
    chosen: list[tuple[str, Profile]],
    component: Component,
    field: str,
    loc: Loc,
    origins: Origins,
    *,
    key: Any,
) -> list[Any]:
    """The component's own items, then each profile's that it does not already have."""
    items = list(getattr(component, field))
    seen = {key(item) for item in items}
    for name, profile in chosen:
        for index, item in enumerate(getattr(profile, field)):
            if key(item) in seen:
                continue
            origins[(*loc, field, len(items))] = ("profiles", name, field, index)
            items.append(item)
            seen.add(key(item))
    return items
