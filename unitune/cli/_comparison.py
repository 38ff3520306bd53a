"""``unitune report STORAGE``: the report of a comparison kept in a storage."""

from __future__ import annotations

import argparse

__all__ = ["comparison_report"]


def comparison_report(args: argparse.Namespace) -> int:
    """Load the comparison of ``args.storage`` and write its report to ``args.out``."""
    from unitune.compare import Comparison

    cmp = Comparison.load(args.storage)
    files = cmp.report(args.out)
    print(repr(cmp))
    print(f"wrote {files.html} and {files.markdown} with {len(files.images)} figures beside it")
    return 0
