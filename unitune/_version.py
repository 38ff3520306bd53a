"""The version of unitune (one place: the package metadata and ``unitune --version`` read it)."""

__version__ = "0.1.0"
