"""Checks of a study's arguments, made before any backend is called; each error names the argument and the fix."""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from unitune.exceptions import ArgumentError, ArgumentTypeError, argument_error

if TYPE_CHECKING:
    from unitune.space import Space

__all__ = ["check_count", "check_picklable", "check_seed", "check_storage", "check_timeout", "raw_problem"]

_SEED_LIMIT = 2**32  # NumPy's, Optuna's and scikit-optimize's seeds
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(?!//)")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_seed(seed: Any) -> int | None:
    """``seed`` as a Python int in ``[0, 2**32)``, or None.

    Example:
        >>> check_seed(-1)
        Traceback (most recent call last):
        ...
        unitune.exceptions.ArgumentError: seed must be an int in [0, 2**32) or None; received -1. Fix: ...
    """
    if seed is None:
        return None
    if not _is_int(seed):
        raise argument_error("seed", "must be an int or None", seed, "pass e.g. seed=0", kind=ArgumentTypeError)
    if not 0 <= int(seed) < _SEED_LIMIT:
        raise argument_error("seed", "must be an int in [0, 2**32) or None", seed, "pass e.g. seed=0")
    return int(seed)


def check_count(name: str, value: Any, *, minimum: int = 0, allow: tuple[int, ...] = ()) -> int:
    """An int argument (NumPy ints too) that must be at least ``minimum`` (or one of ``allow``)."""
    if not _is_int(value):
        raise argument_error(name, "must be an int", value, f"pass e.g. {name}=10", kind=ArgumentTypeError)
    if int(value) < minimum and int(value) not in allow:
        extra = f" (or {' or '.join(map(str, allow))})" if allow else ""
        raise argument_error(name, f"must be >= {minimum}{extra}", value, f"pass e.g. {name}={max(minimum, 2)}")
    return int(value)


def check_timeout(timeout: Any) -> float | None:
    """A positive, finite number of seconds, or None."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise argument_error(
            "timeout", "must be a number of seconds", timeout, "pass e.g. timeout=600", kind=ArgumentTypeError
        )
    if not (math.isfinite(float(timeout)) and float(timeout) > 0):
        raise argument_error("timeout", "must be a finite number of seconds > 0", timeout, "pass e.g. timeout=600")
    return float(timeout)


def check_storage(storage: Any) -> None:
    """Refuse what cannot be a storage before anything is created (a URL typo would become a journal file)."""
    if storage is None or hasattr(storage, "create_new_study"):  # an Optuna storage object
        return
    if not isinstance(storage, (str, os.PathLike)):
        raise argument_error(
            "storage",
            "must be None, an Optuna storage URL, a journal-file path or an Optuna storage object",
            storage,
            "pass e.g. storage='sqlite:///runs.db'",
            kind=ArgumentTypeError,
        )
    text = os.fspath(storage)
    if "://" in text:
        return
    scheme = _SCHEME.match(text)
    if scheme:
        rest = text[scheme.end() :].lstrip("/")
        raise argument_error(
            "storage",
            "looks like a URL without '//' (a journal-file path has no scheme)",
            text,
            f"write {scheme.group(1)}:///{rest}" if scheme.group(1).startswith("sqlite") else "write SCHEME://...",
        )
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argument_error("storage", "is a journal-file path in a folder that does not exist", text, "create it")


def check_picklable(objective: Any) -> None:
    """Refuse, before the first trial, an objective that cannot be sent to worker processes."""
    import cloudpickle

    try:
        cloudpickle.dumps(objective)
    except Exception as error:
        raise ArgumentError(
            f"the objective cannot be sent to worker processes: {type(error).__name__}: {error}. Fix: make what "
            "it uses picklable (module-level objects, no open files or locks), or run it in threads "
            "(executor=concurrent.futures.ThreadPoolExecutor(...)) or with n_jobs=1"
        ) from error


def raw_problem(space: Space, raw: Mapping[str, Any]) -> str | None:
    """Why a recorded raw assignment does not fit ``space`` (unknown or missing parameters, values outside), or None.

    Example:
        >>> from unitune import Float, Space
        >>> raw_problem(Space({"x": Float(0, 1)}), {"x": 2.0})
        "'x': 2.0 is outside [0.0, 1.0]"
    """
    keys = set(space.param_keys)
    unknown = sorted(set(raw) - keys)
    if unknown:
        return f"unknown parameter(s) {unknown}"
    active = set(space.active_keys(raw))
    if active != set(raw):
        return f"active parameters {sorted(active)}, recorded {sorted(raw)}"
    for key, value in raw.items():
        prim = space.param(key).primitive
        if prim.kind == "choice":
            if not (isinstance(value, int) and 0 <= value < len(prim.options)):
                return f"{key!r}: choice index {value!r} is outside 0..{len(prim.options) - 1}"
        elif problem := prim.problem(value):
            return f"{key!r}: {problem}"
    return None
