"""Validate a loaded document against the input models and the platform's rules."""

from __future__ import annotations

import difflib
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from compiler.diagnostics import Diagnostic, SpecError
from compiler.leaks import find_leaks
from compiler.load import Document, Loc
from compiler.positions import at_key, at_value
from compiler.rules import check_rules
from compiler.spec import Spec


def validate(doc: Document) -> Spec:
    """Return the Spec of doc, or raise SpecError with every problem found."""
    # Secret literals are refused whatever else is wrong: they must not reach a commit.
    leaks = find_leaks(doc)
    try:
        spec = Spec.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError([*leaks, *_pydantic_diagnostics(doc, exc)]) from None
    problems = [*leaks, *check_rules(doc, spec)]
    if problems:
        raise SpecError(problems)
    return spec


def _pydantic_diagnostics(doc: Document, exc: ValidationError) -> list[Diagnostic]:
    """Translate Pydantic errors into positioned diagnostics in the user's terms."""
    found: list[Diagnostic] = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        kind = error["type"]
        if kind == "extra_forbidden":
            found.append(at_key(doc, loc, _unknown_key(loc)))
        elif kind == "missing":
            found.append(at_key(doc, loc[:-1], f"missing required key '{loc[-1]}'"))
        else:
            found.append(at_value(doc, loc, _value_message(error)))
    return found


def _is_union_tag(part: Any) -> bool:
    """Pydantic adds the member type name to the location of union errors; drop it."""
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "bool", "float", "none"})


def _value_message(error: Any) -> str:
    """Pydantic's message with the value that was found."""
    message = str(error["msg"])
    message = message[0].lower() + message[1:]
    value = error.get("input")
    if isinstance(value, dict | list):
        return f"{message} (found a {'mapping' if isinstance(value, dict) else 'list'})"
    return f"{message} (found {value!r})"


def _unknown_key(loc: Loc) -> str:
    """Message for an unknown key, with a suggestion from the keys that are allowed there."""
    allowed = _fields_at(Spec, loc[:-1])
    key = str(loc[-1])
    message = f"unknown key '{key}'"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    if allowed:
        return f"{message}; expected one of: {', '.join(sorted(allowed))}"
    return message


def _fields_at(annotation: Any, loc: Loc) -> list[str]:
    """The field names the model at loc allows (empty when loc is not a model)."""
    current: Any = annotation
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    model = _model_of(current)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one step below annotation along part."""
    model = _model_of(annotation)
    if model is not None:
        field = model.model_fields.get(str(part))
        return field.annotation if field else None
    origin, args = get_origin(_strip(annotation)), get_args(_strip(annotation))
    if origin in (tuple, list) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (through Annotated and Optional), if any."""
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _model_of(arg)
            if found:
                return found
    return None


def _strip(annotation: Any) -> Any:
    """Remove Annotated wrappers."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation
