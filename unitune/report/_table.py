"""Tables that read well in a terminal and stay pandas DataFrames.

``ut.explain``, ``ut.backends()``, ``Comparison.summary()`` and
``Study.trials_dataframe()`` return a :class:`Table`: a ``pandas.DataFrame`` in
every way (columns, indexing, ``to_csv``, HTML in notebooks), whose text form
(``print(table)``, ``str(table)``) fits the terminal's width (``$COLUMNS``)
instead of hiding columns behind ``...``. A table that fits is printed as
pandas prints it; a short table with long texts is printed one row per block,
each value wrapped; a long one is printed in column blocks that fit.

This module imports pandas: it is imported only by functions that make tables.
"""

from __future__ import annotations

import math
import shutil
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["Table", "as_table", "key_values", "terminal_width"]

_MAX_BLOCK_ROWS = 30  # up to this many rows, a table too wide for the terminal is printed row by row


def terminal_width(default: int = 100) -> int:
    """The width to print in: ``$COLUMNS``, else the terminal's, else ``default``."""
    return max(40, shutil.get_terminal_size((default, 24)).columns)


class Table(pd.DataFrame):
    """A ``pandas.DataFrame`` whose text form fits the terminal (see the module docstring)."""

    @property
    def _constructor(self) -> type[Table]:
        return Table

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """The notebook view: every column, every text in full (no ``...``), the caption above."""
        with pd.option_context("display.max_colwidth", None, "display.max_columns", None):
            html: str = pd.DataFrame(self).to_html(max_rows=2 * _MAX_BLOCK_ROWS, notebook=True)
        caption = self.attrs.get("caption")
        return html if not caption else f"<p>{caption}</p>{html}"

    def to_text(self, width: int | None = None) -> str:
        """The text form, at most ``width`` characters wide (default: :func:`terminal_width`).

        Example:
            >>> table = as_table(pd.DataFrame({"param": ["lr"], "note": ["a long note " * 12]}))
            >>> print(table.to_text(width=40))
            param: lr
              note: a long note a long note a long
                    note a long note a long note a
                    long note a long note a long
                    note a long note a long note a
                    long note a long note
        """
        width = width or terminal_width()
        caption = self.attrs.get("caption")
        head = "" if not caption else "\n".join(textwrap.wrap(str(caption), width)) + "\n\n"
        frame = pd.DataFrame(self)
        plain: str = frame.to_string(index=False)
        if max(map(len, plain.splitlines()), default=0) <= width:
            return head + plain
        if len(frame) <= _MAX_BLOCK_ROWS and len(frame.columns) > 1:
            return head + _blocks(frame, width)
        text: str = frame.to_string(
            index=False, line_width=width, max_rows=2 * _MAX_BLOCK_ROWS, max_colwidth=width // 2
        )
        return head + text


def as_table(frame: pd.DataFrame) -> Table:
    """``frame`` as a :class:`Table` (same data, same index)."""
    table: Table = Table(frame)
    return table


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def _blocks(frame: pd.DataFrame, width: int) -> str:
    """One block per row: the first column as its title, then every other column, wrapped to ``width``."""
    first, *rest = [str(c) for c in frame.columns]
    label = max(len(c) for c in rest) + 2
    lines: list[str] = []
    for row in frame.itertuples(index=False):
        values = [_cell(v) for v in row]
        if lines:
            lines.append("")
        lines.append(f"{first}: {values[0]}"[:width])
        for column, value in zip(rest, values[1:], strict=True):
            head = f"  {column}: ".ljust(label + 2)
            wrapped = textwrap.wrap(value, width=max(10, width - len(head))) or [""]
            lines.append((head + wrapped[0]).rstrip())
            lines.extend(" " * len(head) + more for more in wrapped[1:])
    return "\n".join(lines)


def key_values(items: Mapping[str, object]) -> pd.DataFrame:
    """A two-column table (``item``, ``value``) of a report's facts, each value as text.

    Example:
        >>> key_values({"seed": 0, "backend": "optuna:tpe"}).values.tolist()
        [['seed', '0'], ['backend', 'optuna:tpe']]
    """
    frame: pd.DataFrame = pd.DataFrame({"item": list(items), "value": [str(v) for v in items.values()]})
    return frame
