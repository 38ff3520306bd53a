"""Keep backend chatter away from the user without touching global settings.

unitune never changes a library's log level or the process's warning filters.
Where a backend would print routine messages (Optuna's "A new study created",
skopt's repeated-point warnings), the call is wrapped in :func:`quiet`, which
silences only the named loggers and only for the duration of the call, then
restores them exactly as they were.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet", "quiet_tqdm_auto"]


@contextmanager
def quiet(*loggers: str, warning_types: tuple[type[Warning], ...] = ()) -> Iterator[None]:
    """Silence ``loggers`` (and warnings of ``warning_types``) inside the block only.

    Example:
        >>> import logging
        >>> with quiet("some.library"):
        ...     logging.getLogger("some.library").disabled
        True
        >>> logging.getLogger("some.library").disabled
        False
    """
    targets = [logging.getLogger(name) for name in loggers]
    before = [t.disabled for t in targets]
    for target in targets:
        target.disabled = True
    try:
        if warning_types:
            with warnings.catch_warnings():
                for kind in warning_types:
                    warnings.simplefilter("ignore", kind)
                yield
        else:
            yield
    finally:
        for target, was in zip(targets, before, strict=True):
            target.disabled = was


def quiet_tqdm_auto() -> None:
    """Import ``tqdm.auto`` once, without the "IProgress not found" warning of its first import.

    Optuna imports ``tqdm.auto`` when it is imported; in a notebook without ipywidgets that
    import prints a warning about progress widgets unitune does not use. Importing it first,
    inside this call's own warning filter, leaves nothing to print later.
    """
    if "tqdm.auto" in sys.modules:
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        importlib.import_module("tqdm.auto")
