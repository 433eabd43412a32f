"""Benchmarks of nifty (outside the normal test run)."""
