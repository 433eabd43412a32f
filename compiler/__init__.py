"""nifty: compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.pipeline import compile_spec

__all__ = ["compile_spec"]


def __getattr__(name: str) -> Any:
    """Import the pipeline on first use, so that `nifty --help` and the CLI start light."""
    if name == "compile_spec":
        from compiler.pipeline import compile_spec

        return compile_spec
    raise AttributeError(f"module 'compiler' has no attribute {name!r}")
