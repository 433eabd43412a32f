"""What the rules of the stores an operator runs (databases, Redis) share: the settings the operator
owns, what an environment may change, and the variables nifty gives their clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from compiler.diagnostics import Diagnostic
from compiler.spec.document import Document, Loc
from compiler.spec.inheritance import BY_OVERRIDE
from compiler.spec.kind_rules import SERVING
from compiler.spec.model import Spec
from compiler.spec.places import placed_components
from compiler.spec.ports import connection
from compiler.spec.positions import at_key, at_value

# What the operator decides for a store, or what the store does not have: its pods are the operator's.
OPERATOR_OWNS = (
    "image",
    "tag",
    "digest",
    *SERVING,
    "schedule",
    "talks_to",
    "secrets",
    "writable",
    "args",
    "env",
    "dedicated_cores",
    "ingress",
    "external",
    "metrics",
    "objectives",
)


def operated_overrides(
    doc: Document,
    spec: Spec,
    found: Mapping[str, Loc],
    block: str,
    kind: str,
    *,
    code: str,
) -> Iterator[Diagnostic]:
    """An environment changes a store's resources and its block only, and no other component's block.

    block: the store's key ("database", "redis"); kind: what the store is called, with its article."""
    for env_name, env in spec.environments.items():
        for name, override in env.components.items():
            where: Loc = ("environments", env_name, "components", name)
            if name not in found:
                if getattr(override, block) is not None:
                    yield at_key(doc, (*where, block), f"'{name}' is not {kind}", code=code)
                continue
            for key in sorted(override.model_fields_set - {"resources", block}):
                if key in BY_OVERRIDE:
                    yield at_key(
                        doc,
                        (*where, key),
                        f"'{name}' is {kind}: its operator runs its pods, so an environment sets no {key}",
                        code=code,
                    )


def variables_nifty_sets(
    doc: Document,
    spec: Spec,
    found: Mapping[str, Loc],
    variables: Callable[[str], Mapping[str, str]],
    *,
    code: str,
) -> Iterator[Diagnostic]:
    """A client of a store neither sets nor takes from a Secret a variable nifty gives it for the store.

    variables: a store's name to the variables its clients get, each with what it holds."""
    for loc, component in placed_components(spec):
        for entry in component.talks_to:
            target, _ = connection(entry)
            if target not in found:
                continue
            given = variables(target)
            for variable in given:
                if variable in component.env:
                    yield at_key(
                        doc,
                        (*loc, "env", variable),
                        f"{variable} is a variable nifty sets for '{target}' ({given[variable]}); remove it",
                        code=code,
                    )
            for index, secret in enumerate(component.secrets):
                if secret.env is not None and secret.env in given:
                    yield at_value(
                        doc,
                        (*loc, "secrets", index, "env"),
                        f"{secret.env} is a variable nifty sets for '{target}' ({given[secret.env]});"
                        " name another",
                        code=code,
                    )
