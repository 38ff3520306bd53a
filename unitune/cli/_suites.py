"""The suite options of ``unitune bench`` (``--suite``, ``--filter``) and the listing of ``unitune problems``."""

from __future__ import annotations

import argparse
import shutil
import textwrap
from typing import Any

__all__ = ["add_suite_options", "bench_problems", "print_problems"]


def add_suite_options(bench: argparse.ArgumentParser) -> None:
    """Add ``--suite`` and ``--filter`` to the ``bench`` parser."""
    bench.add_argument(
        "--suite",
        default=None,
        help="run a benchmark suite instead of --problems: bbob, bayesmark, synthetic or sklearn "
        "(see 'unitune problems')",
    )
    bench.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUES",
        help="narrow the suite, repeatable: comma-separated values, integer ranges as A-B, e.g. "
        "--filter dimensions=2,5 --filter instances=1-3",
    )
    bench.set_defaults(problems=None)  # None: --problems not given (branin, unless --suite)


def _values(text: str) -> list[Any]:
    values: list[Any] = []
    for item in (part.strip() for part in text.split(",")):
        low, dash, high = item.partition("-")
        if dash and low.isdigit() and high.isdigit():
            values.extend(range(int(low), int(high) + 1))
        elif item:
            values.append(item)
    return values


def bench_problems(args: argparse.Namespace) -> list[Any]:
    """The problems ``bench`` runs: the ``--problems`` names, or the filtered ``--suite``."""
    from unitune.exceptions import ArgumentError

    if args.suite is None:
        if args.filter:
            raise ArgumentError("--filter narrows a suite; pass --suite NAME as well (see 'unitune problems').")
        return [name.strip() for name in (args.problems or "branin").split(",") if name.strip()]
    if args.problems is not None:
        raise ArgumentError("pass either --problems or --suite, not both.")
    filters: dict[str, list[Any]] = {}
    for item in args.filter:
        key, sep, text = item.partition("=")
        if not sep or not key.strip() or not _values(text):
            raise ArgumentError(f"--filter {item!r}: use KEY=VALUE[,VALUE...], e.g. --filter dimensions=2,5.")
        filters.setdefault(key.strip(), []).extend(_values(text))
    from unitune.problems import suite

    return suite(args.suite, **filters)


def print_problems() -> None:
    """Print the built-in problems with their optima, then the suites and their filters."""
    from unitune.problems import get, names, suites

    for name in names():
        print(f"{name:28s} optimum={get(name).optimum}")
    print("\nSuites (unitune bench --suite NAME [--filter KEY=VALUES]...; ut.problems.suite(NAME, **filters)):")
    width = max(60, shutil.get_terminal_size().columns - 1)
    for name, description in suites().items():
        print(textwrap.fill(description, width, initial_indent=f"  {name:10s} ", subsequent_indent=" " * 13))
