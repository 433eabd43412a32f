"""The resolved plan: every default and environment merged into frozen dataclasses."""
