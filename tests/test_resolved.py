"""The resolved view: one table of what profiles and environments set, each value with its origin."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from compiler.spec.inheritance import BY_OVERRIDE, BY_PROFILE, INHERITED
from compiler.spec.load import parse_spec
from compiler.spec.model import Component, ComponentOverride, Profile, Spec
from compiler.spec.profiles import apply_profiles
from compiler.spec.resolved import Origin, views
from compiler.spec.validate import validate

BASE = (Path(__file__).parent / "invalid" / "base.yaml").read_text(encoding="utf-8")
DEV = "      feed-handler: {replicas: 1}\n"


def _component_field(path: tuple[str, ...]) -> Any:
    """The annotation of the component's field at path, or None when there is none."""
    model: Any = Component
    for part in path:
        while get_origin(model) is not None and not (
            isinstance(model, type) and issubclass(model, BaseModel)
        ):
            model = next(
                (a for a in get_args(model) if isinstance(a, type) and issubclass(a, BaseModel)), None
            )
        if model is None or part not in model.model_fields:
            return None
        model = model.model_fields[part].annotation
    return model


def test_the_table_names_every_field_an_environment_and_a_profile_may_set() -> None:
    assert set(BY_OVERRIDE) == set(ComponentOverride.model_fields)
    assert set(BY_PROFILE) == set(Profile.model_fields) - {"description"}
    for row in INHERITED:
        assert _component_field(row.path) is not None, row


def _resolved(dev: str, name: str, env: str | None = "dev") -> Any:
    spec = validate(parse_spec(BASE.replace(DEV, DEV + dev).encode(), "spec/system.yaml"))
    spec, origins = apply_profiles(spec)
    view = next(v for v in views(spec, frozenset(origins)) if v.name == env)
    return next(c for c in view.components if c.name == name)


def test_each_value_names_who_set_it_and_where() -> None:
    redis = _resolved(
        "      redis: {env: {MODE: dev}, storage: {size: 1Gi}, writable: {/tmp: 1Gi}}\n", "redis"
    )
    assert redis.env["MODE"] == "dev"
    assert redis.origin("env", "MODE") is Origin.ENVIRONMENT
    assert redis.at("env", "MODE") == ("environments", "dev", "components", "redis", "env", "MODE")
    assert redis.at("storage", "size") == ("environments", "dev", "components", "redis", "storage", "size")
    assert redis.origin("storage", "path") is Origin.COMPONENT
    assert redis.at("writable", 0) == ("environments", "dev", "components", "redis", "writable", "/tmp")
    assert redis.scratches == (("/tmp", "1Gi"),)
    assert redis.origin("health") is Origin.DEFAULT
    assert redis.origin("image") is Origin.COMPONENT
    base = _resolved("", "redis", None)
    assert base.origin("env", "MODE") is Origin.DEFAULT  # written nowhere
    assert base.at("resources", "cpu") == ("defaults", "resources", "cpu")
    assert _resolved("", "feed-handler", None).origin("resources", "cpu") is Origin.COMPONENT
    assert base.at("storage", "size")[:1] == ("layers",)


def test_a_value_from_a_profile_says_so() -> None:
    profiled = BASE.replace("layers:\n", "profiles:\n  cache: {probe: tcp}\n\nlayers:\n", 1).replace(
        "        probe: tcp\n        storage:", "        profile: cache\n        storage:"
    )
    assert profiled != BASE
    validate(parse_spec(profiled.encode(), "spec/system.yaml"))
    spec, origins = apply_profiles(
        Spec.model_validate(parse_spec(profiled.encode(), "spec/system.yaml").data)
    )
    (base, *_) = views(spec, frozenset(origins))
    redis = next(c for c in base.components if c.name == "redis")
    assert redis.origin("probe") is Origin.PROFILE
    assert dataclasses.replace(redis, profiled=frozenset()).origin("probe") is Origin.COMPONENT


def test_the_tls_secret_of_an_environment_is_seen() -> None:
    dev = "      redis: {tls_secret: dev-tls}\n"
    text = BASE.replace(
        "      - name: redis\n",
        "      - name: redis\n        ingress: {host: r.example.com, tls_secret: r-tls}\n",
    )
    spec = validate(parse_spec(text.replace(DEV, DEV + dev).encode(), "spec/system.yaml"))
    (base, dev_view) = views(spec)
    routes = [next(c for c in view.components if c.name == "redis").route for view in (base, dev_view)]
    assert [route.tls_secret if route else None for route in routes] == ["r-tls", "dev-tls"]


def test_an_override_written_empty_changes_nothing() -> None:
    """`autoscaling:` with nothing under it is null: the base's bounds hold, set by the component."""
    text = BASE.replace("        autoscaling: {min: 1, max: 4}\n", "        autoscaling:\n")
    assert text != BASE
    spec = validate(parse_spec(text.encode(), "spec/system.yaml"))
    dev, base = (next(c for c in v.components if c.name == "indicator-engine") for v in views(spec)[1::-1])
    assert dev.bounds == base.bounds
    assert dev.origin("autoscaling", "min") is Origin.COMPONENT
    storage = _resolved("      redis: {storage: null, replicas: 3}\n", "redis")
    assert storage.volume == _resolved("", "redis", None).volume
