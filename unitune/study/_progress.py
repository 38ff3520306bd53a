"""The progress bar of a run, and unitune's own warnings printed above it rather than through it."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from collections.abc import Iterator
from typing import Any

__all__ = ["progress_bar"]


class _AboveTheBar(logging.Handler):
    """Writes unitune's log records with ``tqdm.write``, which prints above the bar and redraws it."""

    def __init__(self, bar: Any) -> None:
        super().__init__(logging.WARNING)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.bar.write(self.format(record), file=self.bar.fp)  # where the bar is, not stdout
        except Exception:  # a handler must never raise
            self.handleError(record)


@contextlib.contextmanager
def progress_bar(total: int | None, desc: str) -> Iterator[Any]:
    """A tqdm bar for the run; its warnings go above the bar while logging is not configured.

    The notebook bar (``tqdm.auto``) is used only where ipywidgets is installed, so a notebook
    without it gets a text bar rather than tqdm's "IProgress not found" warning. When neither
    the ``unitune`` logger nor the root logger has handlers (Python would print warnings with
    its last-resort handler, over the bar), a handler on the ``unitune`` logger alone writes
    them above the bar for the duration of the run; logging a user configured is left as it is.
    """
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as bar_class
    else:
        from tqdm import tqdm as bar_class  # type: ignore[assignment]
    bar = bar_class(total=total, desc=desc, unit="trial")
    log = logging.getLogger("unitune")
    handler = None
    if not log.handlers and not logging.getLogger().handlers:
        handler, propagate = _AboveTheBar(bar), log.propagate
        log.addHandler(handler)
        log.propagate = False
    try:
        yield bar
    finally:
        if handler is not None:
            log.removeHandler(handler)
            log.propagate = propagate
        bar.close()
