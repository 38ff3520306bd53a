"""Writing results: Markdown tables, self-contained HTML pages with their Markdown twins, figures and setup blocks.

This package sits below ``study`` and ``compare``: it knows tables, figures and
files, not the internals of studies or comparisons. A comparison report and a
study report are both a :class:`Document` filled by their own package.

Example:
    >>> import pandas as pd
    >>> print(markdown(pd.DataFrame({"a": [1.23456], "b": ["x"]}), digits=2))
    | a | b |
    |---|---|
    | 1.2 | x |
"""

from __future__ import annotations

from unitune.report._document import Document, ReportFiles
from unitune.report._figures import img_tag, png_bytes, save_png
from unitune.report._markdown import markdown
from unitune.report._setup import environment, version_of

__all__ = ["Document", "ReportFiles", "environment", "img_tag", "markdown", "png_bytes", "save_png", "version_of"]
