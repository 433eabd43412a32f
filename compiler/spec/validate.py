"""Validate a loaded document against the input models and the platform's rules."""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from compiler.diagnostics import Diagnostic, SpecError, clip, coded
from compiler.spec.document import Document, Loc
from compiler.spec.leaks import find_leaks
from compiler.spec.market import CLOCK, DATE, ZONE
from compiler.spec.model import (
    ANNOTATION,
    ARG,
    CHECK,
    CIDR,
    CLUSTER,
    CPU,
    DESTINATION,
    DIGEST,
    DIVISOR,
    DNS_LABEL,
    DURATION,
    ENDPOINT,
    ENV_NAME,
    FOLDER,
    HOST,
    IMAGE,
    INTERVAL,
    MEMORY,
    METRIC,
    PATH,
    PORT_NAME,
    REASON,
    REPOSITORY,
    RETENTION,
    REVISION,
    RULE,
    TAG,
    TARGET,
    THRESHOLD,
    URL,
    Spec,
)
from compiler.spec.operators import GATEWAY_DURATION, HOURS, LABEL_KEY, LABEL_VALUE, REMOTE_KEY
from compiler.spec.positions import at_key, at_key_in, at_value
from compiler.spec.profiles import apply_profiles
from compiler.spec.rules import check_rules

# What each pattern of the spec means, in words a spec author knows.
PATTERN_HINTS = {
    DNS_LABEL: "a valid name: lowercase letters, digits and '-', starting and ending with a letter or digit",
    CPU: "a CPU quantity such as 250m or 1",
    MEMORY: "a size such as 512Mi or 2Gi (Ki, Mi, Gi or Ti)",
    TAG: "a valid image tag: letters, digits, '_', '.' and '-', at most 128",
    IMAGE: "a valid image name such as prom/prometheus or registry.example:5000/team/app (lowercase)",
    DIGEST: "a digest of the form sha256:<64 hex digits>",
    DURATION: "a duration such as 15d, 12h, 2w or 1y",
    PATH: "an absolute path such as /data",
    ENV_NAME: "a valid environment variable name: uppercase letters, digits and '_'",
    REPOSITORY: "a Git repository URL starting with https://, ssh:// or git@",
    CLUSTER: "an API server URL starting with https://",
    REVISION: "a branch, tag or commit: letters, digits, '_', '.', '/' and '-'",
    FOLDER: "a relative folder such as out or deploy/out",
    CHECK: "a checkov check ID such as CKV_K8S_22 or CKV2_K8S_6",
    RULE: "a check's code such as N502 (docs/rules.md lists them)",
    CIDR: "an IPv4 block such as 10.0.0.0/8 or 0.0.0.0/0",
    HOST: "a public host name such as api.nifty50.example (lowercase, with a dot)",
    REASON: "a reason of 10 to 300 characters on one line, without '='",
    ARG: "an argument of 1 to 500 characters on one line",
    INTERVAL: "an interval such as 15s, 5m or 1h",
    THRESHOLD: "a threshold above zero such as 500us, 0.5ms, 250ms, 5s or 2m",
    METRIC: "a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit",
    ENDPOINT: "host:port such as tempo.tracing.svc:4317 (lowercase)",
    ANNOTATION: "an annotation key such as nginx.ingress.kubernetes.io/proxy-read-timeout",
    DIVISOR: "a unit such as 1m (millicores), 1Mi or 1Gi (memory), or 1",
    PORT_NAME: "a port name such as kafka or admin-api: lowercase letters, digits, '-', a letter first",
    TARGET: "a component's name, or its name and a port name, such as bus or bus:kafka (lowercase)",
    URL: "an https:// URL such as https://runbooks.nifty50.example",
    r"^[-._a-zA-Z0-9]+$": "a valid Secret key: letters, digits, '-', '_' and '.'",
    CLOCK: 'a 24-hour time such as "09:15" (quoted)',
    DATE: 'a date such as "2026-01-26" (quoted)',
    ZONE: "an IANA time zone such as Asia/Kolkata",
    HOURS: "whole hours such as 2160h (90 days)",
    REMOTE_KEY: "a key of the secret store such as nifty50/prod/broker-api: no spaces",
    GATEWAY_DURATION: "a Gateway API duration such as 1h, 90s or 1h30m",
    LABEL_KEY: "a label key such as release or app.kubernetes.io/part-of",
    LABEL_VALUE: "a label value of letters, digits, '-', '_' and '.', such as kube-prometheus-stack",
    DESTINATION: "an S3 bucket and folder such as s3://backups/timescaledb (lowercase bucket)",
    RETENTION: "a retention such as 30d, 4w or 6m (days, weeks or months)",
}


# The code of every problem the loader finds in the file itself (compiler.registry).
LOAD = "N001"


def validate(doc: Document) -> Spec:
    """Return the Spec of doc, or raise SpecError with every problem found."""
    # Secret literals are refused whatever else is wrong: they must not reach a commit.
    leaks = find_leaks(doc)
    try:
        spec = Spec.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError([*coded(doc.problems, LOAD), *leaks, *_pydantic_diagnostics(doc, exc)]) from None
    if doc.problems:
        raise SpecError([*coded(doc.problems, LOAD), *leaks])
    spec, origins = apply_profiles(spec)
    if origins:
        doc = dataclasses.replace(doc, origins=origins)
    problems = [*leaks, *check_rules(doc, spec)]
    if problems:
        raise SpecError(problems)
    return spec


def _pydantic_diagnostics(doc: Document, exc: ValidationError) -> list[Diagnostic]:
    """Translate Pydantic errors into positioned diagnostics in the user's terms."""
    found: list[Diagnostic] = []
    for error in exc.errors(include_url=False):
        kind = error["type"]
        raw_loc = tuple(error["loc"])
        if kind == "missing":
            loc: Loc = (*_data_loc(doc.data, raw_loc[:-1]), raw_loc[-1])
        else:
            loc = _data_loc(doc.data, raw_loc)
        if doc.is_refused(loc):
            continue
        if kind == "extra_forbidden":
            found.append(at_key_in(doc, loc, _unknown_key(loc), code="N003"))
        elif kind == "missing":
            found.append(at_key(doc, loc[:-1], f"missing required key '{loc[-1]}'", code="N004"))
        elif "[key]" in raw_loc:
            found.append(at_key(doc, loc, _value_message(doc, loc, error), field=False, code="N005"))
        else:
            found.append(at_value(doc, loc, _value_message(doc, loc, error), code="N005"))
    return found


def _data_loc(data: Any, raw_loc: tuple[str | int, ...]) -> Loc:
    """The parts of a Pydantic location that step through the data.

    Pydantic adds markers to locations (the member type of a union, '[key]' for a mapping key);
    they are told apart from the user's own keys by walking the data, since any text can be a key.
    """
    loc: list[str | int] = []
    node = data
    for part in raw_loc:
        inside_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        inside_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if inside_mapping or inside_list:
            node = node[part]
            loc.append(part)
    return tuple(loc)


def _value_message(doc: Document, loc: Loc, error: Any) -> str:
    """What is wrong with a value, quoting what the user wrote."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    written = doc.positions.texts.get(loc)
    found = _found(value, written)
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == MEMORY and UNITLESS.match(value):
        return f"'{value}' is a size without a unit; write it with one, such as {value}Mi (Ki, Mi, Gi or Ti)"
    if kind == "string_pattern_mismatch":
        return f"'{clip(value)}' is not {PATTERN_HINTS.get(ctx.get('pattern', ''), 'in the expected form')}"
    if kind == "string_too_long":
        return f"is {len(value)} characters long; the limit is {ctx['max_length']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "greater_than_equal":
        return f"{found} is below the minimum of {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{found} is above the maximum of {ctx['le']}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} entry, found none"
    if kind == "literal_error":
        return f"expected {ctx['expected']}, found {found}"
    if kind == "string_type":
        return f"expected a string, found {found}{_string_hint(loc, value, written)}"
    if kind == "int_type":
        percent = PERCENT.match(value) if isinstance(value, str) else None
        hint = (
            f"; write {value} without quotes"
            if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10
            else f"; write {percent[1]}, a number of percent without the sign"
            if percent
            else ""
        )
        return f"expected a whole number, found {found}{hint}"
    if kind == "bool_type":
        return f"expected true or false, found {found}"
    if kind in {"model_type", "dict_type"}:
        return f"expected a mapping of keys, found {found}"
    if kind == "list_type":
        return f"expected a list, found {found}"
    message = str(error["msg"])
    return f"{message[0].lower()}{message[1:]} (found {found})"


# A size in bytes, which Kubernetes reads but nobody means for a request.
UNITLESS = re.compile(r"^[1-9][0-9]{0,8}$")
# `cpu: 70%` for a percentage, which the spec writes as a number.
PERCENT = re.compile(r"^\s*([1-9][0-9]{0,2})\s*%\s*$")


def _string_hint(loc: Loc, value: Any, written: str | None) -> str:
    """How to write a string where a number or boolean stands: quoted, when that is then valid.

    A quoted value that the field's pattern refuses would take a second round trip (`memory: 1024`,
    then `"1024"`, which is no size), so the hint names a valid form instead.
    """
    if written is None or isinstance(value, dict | list):
        return ""
    pattern = _pattern_at(loc)
    if pattern is None or re.match(pattern, written):
        return f'; quote it: "{clip(written)}"'
    if pattern == MEMORY and isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return f"; write it with a unit, such as {value}Mi (Ki, Mi, Gi or Ti)"
    return f"; write {PATTERN_HINTS.get(pattern, 'a quoted string')}"


def _pattern_at(loc: Loc) -> str | None:
    """The pattern the string at loc must match, if its field has one."""
    if not loc:
        return None
    model = _model_at(Spec, loc[:-1])
    if model is not None:
        field = model.model_fields.get(str(loc[-1]))
        if field is None:
            return None
        return _pattern_in(field.metadata) or _pattern_of(field.annotation)
    return _pattern_of(_model_step_chain(loc))


def _model_step_chain(loc: Loc) -> Any:
    current: Any = Spec
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return current


def _pattern_of(annotation: Any) -> str | None:
    """The string pattern inside an annotation (through Annotated and Optional), if any."""
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return _pattern_in(metadata) or _pattern_of(inner)
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            found = _pattern_of(arg)
            if found:
                return found
    return None


def _pattern_in(metadata: Any) -> str | None:
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


def _found(value: Any, written: str | None) -> str:
    """A value in words, as the user wrote it where known."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {written or str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {written or value}"
    return f"the string '{clip(value)}'"


# Where a near miss says less than the list: an environment changes only some things, and a user
# reaching for one it cannot change (storage before it could) is better served by all of them.
LISTED = {
    "Environment": "an environment may set",
    "ComponentOverride": "an environment may change in a component",
    "StorageOverride": "an environment may change in a volume",
}


def _unknown_key(loc: Loc) -> str:
    """Message for an unknown key, with a suggestion from the keys that are allowed there."""
    allowed = _fields_at(Spec, loc[:-1])
    key = str(loc[-1])
    message = f"unknown key '{clip(key)}'"
    model = _model_at(Spec, loc[:-1])
    if model is not None and model.__name__ in LISTED:
        return f"{message}; {LISTED[model.__name__]}: {', '.join(sorted(allowed))}"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    if allowed:
        return f"{message}; expected one of: {', '.join(sorted(allowed))}"
    return message


def _fields_at(annotation: Any, loc: Loc) -> list[str]:
    """The field names the model at loc allows (empty when loc is not a model)."""
    model = _model_at(annotation, loc)
    return list(model.model_fields) if model else []


def _model_at(annotation: Any, loc: Loc) -> type[BaseModel] | None:
    """The model at loc, or None when loc is not a model."""
    current: Any = annotation
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return _model_of(current)


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
