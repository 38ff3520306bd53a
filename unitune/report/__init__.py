"""Writing results: Markdown tables (and, with the report issues, HTML pages and shared figures).

This package sits below ``study`` and ``compare``: it knows tables, figures and
files, not the internals of studies or comparisons.

Example:
    >>> import pandas as pd
    >>> print(markdown(pd.DataFrame({"a": [1.23456], "b": ["x"]}), digits=2))
    | a | b |
    |---|---|
    | 1.2 | x |
"""

from __future__ import annotations

from unitune.report._markdown import markdown

__all__ = ["markdown"]
