"""Backend registry: ``"library"`` or ``"library:algorithm"`` -> adapter class, imported lazily.

Built-in backends are listed here as import strings, so nothing is imported
until a backend is used. Third-party adapters register through the
entry-point group ``unitune.adapters``: the entry point's name is the
library name and its value ``"package.module:AdapterClass"``.

Example:
    >>> parse_backend("skopt")
    ('skopt', 'gp')
    >>> parse_backend("optuna:random")
    ('optuna', 'random')
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from functools import cache
from typing import TYPE_CHECKING

from unitune._quiet import quiet_tqdm_auto
from unitune.adapters._outcome import Outcome, TrialState
from unitune.exceptions import BackendError, BackendNotInstalledError

if TYPE_CHECKING:
    from unitune.adapters._base import Adapter

__all__ = ["BUILTIN", "Outcome", "TrialState", "backend_names", "get_adapter_class", "parse_backend", "registry"]

BUILTIN: dict[str, str] = {
    "optuna": "unitune.adapters._optuna:OptunaAdapter",
    "hyperopt": "unitune.adapters._hyperopt:HyperoptAdapter",
    "skopt": "unitune.adapters._skopt:SkoptAdapter",
}
_ALIASES = {"scikit-optimize": "skopt"}


@cache
def registry() -> dict[str, str]:
    """Library name -> ``"module:Class"`` for built-in and entry-point adapters."""
    from importlib.metadata import entry_points  # 25 ms: only when a backend is first looked up

    found = dict(BUILTIN)
    for ep in entry_points(group="unitune.adapters"):
        found.setdefault(ep.name, ep.value)
    return found


def _load(library: str) -> type[Adapter]:
    quiet_tqdm_auto()  # before any backend imports it
    module_name, _, class_name = registry()[library].partition(":")
    cls: type[Adapter] = getattr(importlib.import_module(module_name), class_name)
    return cls


def get_adapter_class(library: str) -> type[Adapter]:
    """The adapter class of a library, checking that the library is installed.

    Raises:
        BackendError: for an unknown library, with the known names and a close match.
        BackendNotInstalledError: when the library's package is missing.
    """
    library = _ALIASES.get(library, library)
    if library not in registry():
        raise _unknown("backend", library, sorted(registry()))
    cls = _load(library)
    if importlib.util.find_spec(cls.module) is None:
        raise BackendNotInstalledError(
            f"backend {library!r} needs the package {cls.package!r}, which is not installed. "
            f"Fix: pip install {cls.package}"
        )
    return cls


def parse_backend(backend: str) -> tuple[str, str]:
    """Split ``"library[:algorithm]"`` into ``(library, algorithm)``, filling in the default algorithm.

    Raises:
        BackendError: for an unknown library or algorithm.
    """
    if not isinstance(backend, str) or not backend:
        raise BackendError(
            f"backend must be a string such as 'optuna' or 'hyperopt:tpe'; received {backend!r}. "
            f"Fix: use one of {backend_names()}"
        )
    library, _, algorithm = backend.strip().lower().partition(":")
    library = _ALIASES.get(library, library)
    if library not in registry():
        raise _unknown("backend", backend, backend_names(), [*registry(), *backend_names()])
    cls = _load(library)
    algorithm = algorithm or cls.default
    if algorithm not in cls.algorithms:
        raise _unknown(
            f"algorithm of {library!r}", f"{library}:{algorithm}", [f"{library}:{a}" for a in cls.algorithms]
        )
    return library, algorithm


def backend_names() -> list[str]:
    """Every ``library:algorithm`` name, built-in and registered."""
    return [f"{lib}:{alg}" for lib in registry() for alg in _load(lib).algorithms]


def _unknown(what: str, name: str, known: list[str], candidates: list[str] | None = None) -> BackendError:
    close = difflib.get_close_matches(name, candidates or known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return BackendError(f"unknown {what} {name!r}. Fix: {hint}use one of {', '.join(known)}")
