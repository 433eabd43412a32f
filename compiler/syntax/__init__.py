"""YAML both ways: how a plain scalar resolves under YAML 1.1 and 1.2, and canonical emission."""
