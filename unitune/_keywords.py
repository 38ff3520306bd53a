"""Mistyped keyword arguments get a did-you-mean, as mistyped backend names do.

Example:
    >>> @suggest_keywords
    ... def run(objective, *, n_trials=10, timeout=None):
    ...     return n_trials
    >>> run(None, n_trails=5)
    Traceback (most recent call last):
    ...
    unitune.exceptions.ArgumentTypeError: run() has no argument 'n_trails'. Fix: did you mean 'n_trials'? ...
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from unitune.exceptions import ArgumentTypeError

__all__ = ["suggest_keywords"]

P = ParamSpec("P")
R = TypeVar("R")


def suggest_keywords(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap ``fn`` so that an unknown keyword argument names the closest known one; the signature is kept."""
    parameters = inspect.signature(fn).parameters
    known = [n for n, p in parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    known = [n for n in known if n != "self"]
    name = fn.__qualname__.replace(".__init__", "")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for key in kwargs:
            if key not in parameters:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise ArgumentTypeError(f"{name}() has no argument {key!r}. Fix: {hint}it takes {', '.join(known)}")
        return fn(*args, **kwargs)

    return wrapper
