"""One public surface, guarded: ``unitune.__all__`` lists exactly what ``import unitune`` offers, and every package's
``__all__`` resolves."""

from __future__ import annotations

import importlib
import inspect

import pytest

import unitune

PUBLIC_MODULES = {"problems"}  # submodules that are part of the top-level surface (ut.problems.get, ...)
PACKAGES = ["space", "adapters", "study", "report", "compare", "problems", "sklearn", "cli", "exceptions"]


def test_all_lists_every_public_member_in_order() -> None:
    members = {
        name
        for name, value in vars(unitune).items()
        if not name.startswith("_")
        and name != "annotations"
        and (not inspect.ismodule(value) or name in PUBLIC_MODULES)
    }
    lazy = set(unitune._LAZY)  # imported on first use (see unitune.__getattr__)
    assert set(unitune.__all__) == members | lazy | {"__version__"}
    assert all(getattr(unitune, name) is not None for name in lazy)
    assert list(unitune.__all__) == sorted(unitune.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_all_resolves(package: str) -> None:
    module = importlib.import_module(f"unitune.{package}")
    assert module.__all__, package
    for name in module.__all__:
        assert hasattr(module, name), f"unitune.{package}.{name}"


def test_public_exceptions_are_unitune_errors_with_a_builtin_base() -> None:
    errors = [getattr(unitune, n) for n in unitune.__all__ if n.endswith("Error")]
    for error in errors:
        assert issubclass(error, unitune.UnituneError), error
        assert error is unitune.UnituneError or any(
            base.__module__ == "builtins" and base is not Exception for base in error.__mro__[1:]
        ), error
