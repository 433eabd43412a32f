"""nifty: compile spec/system.yaml into the Kustomize tree of the Nifty 50 Trading System."""

from compiler.pipeline import compile_spec

__all__ = ["compile_spec"]
