"""The pipeline: load -> validate -> plan -> build the tree; the only stage that reads inputs."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.diagnostics import Diagnostic, SpecError
from compiler.output.tree import build_tree
from compiler.paths import display_path, source_name
from compiler.plan.model import Plan
from compiler.plan.resolve import plan
from compiler.render.alerts import alerts
from compiler.render.types import Manifest
from compiler.spec.document import Document
from compiler.spec.include import INCLUDE, read_system
from compiler.spec.load import parse_spec
from compiler.spec.monitoring import check_monitoring
from compiler.spec.names import MonitoringFile
from compiler.spec.validate import validate

if TYPE_CHECKING:
    from compiler.review.specdiff import SpecChange

MONITORING_SUFFIXES = (".yaml", ".yml", ".json")


def load_plan(spec_path: Path, monitoring_dir: Path) -> Plan:
    """Read, validate and plan the spec; raise SpecError with every problem found."""
    return load(spec_path, monitoring_dir)[0]


def load(
    spec_path: Path, monitoring_dir: Path, document: Document | None = None
) -> tuple[Plan, tuple[str, ...]]:
    """The plan, and the files the spec includes (absolute paths); document is the spec, if read."""
    if document is None:
        document = read_system(spec_path, display_path(spec_path))
    monitoring = read_monitoring(monitoring_dir)
    folder = display_path(monitoring_dir)
    try:
        spec = validate(document)
    except SpecError as error:
        raise SpecError([*error.diagnostics, *check_monitoring(monitoring, folder)]) from None
    result = plan(spec, monitoring, source_name(spec_path))
    generated = frozenset(a.name for env in (result.base, *result.environments) for a in alerts(env))
    problems = check_monitoring(monitoring, folder, generated)
    if problems:
        raise SpecError(problems)
    return result, document.included


def read_monitoring(folder: Path) -> tuple[MonitoringFile, ...]:
    """The hand-authored monitoring files, by path relative to folder, sorted."""
    if not folder.exists():
        return ()
    if not folder.is_dir():
        raise SpecError([Diagnostic(display_path(folder), 0, 0, "is not a directory", code="N008")])
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in MONITORING_SUFFIXES:
            try:
                content = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError) as exc:
                raise SpecError(
                    [Diagnostic(display_path(path), 0, 0, f"cannot read: {exc}", code="N008")]
                ) from None
            files.append(MonitoringFile(path.relative_to(folder).as_posix(), content))
    return tuple(files)


def compile_spec(
    spec_path: Path,
    monitoring_dir: Path,
    schema: str | None = None,
    builds: dict[str, list[Manifest]] | None = None,
    document: Document | None = None,
) -> dict[str, str]:
    """The whole out/ tree for a spec, in memory; schema is the JSON Schema's text, when known.

    builds, when given, receives each environment's objects as `kubectl kustomize` prints them;
    document is the spec when the caller has read it already.
    """
    return compile_with_sources(spec_path, monitoring_dir, schema, builds, document)[0]


def compile_with_sources(
    spec_path: Path,
    monitoring_dir: Path,
    schema: str | None = None,
    builds: dict[str, list[Manifest]] | None = None,
    document: Document | None = None,
) -> tuple[dict[str, str], tuple[str, ...], date | None]:
    """The whole out/ tree for a spec, the files it includes, and its market calendar's last listed day."""
    result, included = load(spec_path, monitoring_dir, document)
    last_day = result.market.last_day if result.market else None
    return build_tree(result, schema, builds), included, last_day


def spec_changes(
    spec_path: Path, revision: str, document: Document | None = None
) -> tuple[SpecChange, ...] | str:
    """What changed in the spec (its included files too) since revision, in its own terms; or why not.

    Raises RevisionError when git cannot read the revision at all.
    """
    # Only `nifty diff` needs git and the spec diff: a compile does not import them.
    from compiler.review.revision import read_file_at
    from compiler.review.specdiff import diff_specs

    shown = display_path(spec_path)
    raw = read_file_at(spec_path, revision)
    if raw is None:
        return f"not at {revision}; its changes are not listed"
    try:
        old = parse_spec(raw, shown)
        if INCLUDE in old.data:
            old = _system_at(spec_path, revision, shown)
    except SpecError:
        return f"unreadable at {revision}; its changes are not listed"
    return diff_specs(old.data, (document or read_system(spec_path, shown)).data)


def _system_at(spec_path: Path, revision: str, shown: str) -> Document:
    """The spec with the files it included at revision, read from a copy of its folder then."""
    from compiler.review.revision import read_revision

    with tempfile.TemporaryDirectory() as scratch:
        for relative, text in read_revision(spec_path.parent, revision).items():
            copy = Path(scratch, relative)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(text, encoding="utf-8")
        return read_system(Path(scratch, spec_path.name), shown)
