"""The argument parser and the dispatch of ``unitune`` commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from unitune.cli._suites import add_suite_options, bench_problems, print_problems

__all__ = ["main"]


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unitune",
        description="One search space and one API over Optuna, Hyperopt and scikit-optimize.",
        epilog="Run 'unitune COMMAND --help' for the options of a command.",
    )
    from unitune._version import __version__

    parser.add_argument("--version", action="version", version=f"unitune {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    bench = sub.add_parser(
        "bench",
        help="compare backends on benchmark problems",
        description="Run every (problem, backend, seed) with the same budget; write the long CSV, the summary "
        "(Markdown), the pooled pairwise table and the convergence figure to --out, and print the summary; "
        "with --report also the comparison report (statistics, normalized scores, figures).",
    )
    bench.add_argument(
        "--problems", default="branin", help="comma-separated problem names (default: branin); see 'unitune problems'"
    )
    bench.add_argument(
        "--backends",
        default="optuna,hyperopt,skopt",
        help="comma-separated backends (default: optuna,hyperopt,skopt); see 'unitune backends'",
    )
    bench.add_argument("--trials", type=int, default=50, help="trials per run (default: 50)")
    bench.add_argument("--seeds", type=int, default=10, help="runs per backend, seeds 0..N-1 (default: 10)")
    bench.add_argument("--jobs", type=int, default=1, help="runs in parallel, in worker processes (default: 1)")
    bench.add_argument("--out", default="unitune-bench", help="output folder (default: ./unitune-bench)")
    bench.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    bench.add_argument(
        "--report",
        action="store_true",
        help="also write the comparison report to --out: report.html (self-contained), report.md and its PNGs",
    )
    add_suite_options(bench)
    bench.add_argument(
        "--storage",
        default=None,
        help="keep every run in this Optuna storage (e.g. sqlite:///bench.db, or a journal-file path): the same "
        "command run again after an interruption continues where it stopped; 'unitune report STORAGE' reads it",
    )

    sub.add_parser(
        "backends",
        help="print every backend:algorithm and its capabilities",
        description="Print the capability table of every registered backend:algorithm.",
    )
    sub.add_parser(
        "problems",
        help="print the built-in benchmark problems and suites",
        description="Print the names of the built-in problems (and their optima), then the suites and their filters.",
    )

    run = sub.add_parser(
        "run",
        help="tune an objective MODULE:FUNCTION over a space file",
        description="Tune a Python objective (MODULE:FUNCTION, importable from the current folder) over a "
        "search space written in YAML or JSON (the format of Space.to_dict).",
    )
    run.add_argument("objective", help="the objective as MODULE:FUNCTION, e.g. train:objective")
    run.add_argument("--space", required=True, help="the search space file (.yaml, .yml or .json)")
    run.add_argument("--backend", default="optuna", help="backend, e.g. optuna, hyperopt:tpe, skopt:gp")
    run.add_argument("--trials", type=int, default=100, help="trials to run (with --storage: the study's total)")
    run.add_argument("--direction", choices=["minimize", "maximize"], default="minimize")
    run.add_argument("--seed", type=int, default=None, help="seed of the backend")
    run.add_argument(
        "--backend-options",
        default=None,
        metavar="JSON",
        help="options of the native algorithm as a JSON object, e.g. '{\"n_startup_trials\": 5}'",
    )
    run.add_argument("--timeout", type=float, default=None, metavar="S", help="stop asking new trials after S seconds")
    run.add_argument("--storage", default=None, help="where to record the study, e.g. sqlite:///runs.db")
    run.add_argument("--study-name", default=None, help="name of the study in the storage (resumes if it exists)")
    run.add_argument("--jobs", type=int, default=1, help="trials in flight, in worker processes")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    show = sub.add_parser(
        "show",
        help="summarize a stored study",
        description="Print the summary and the best trial of a study in an Optuna storage.",
    )
    show.add_argument("storage", help="the storage, e.g. sqlite:///runs.db or a journal file path")
    show.add_argument("--study-name", default=None, help="the study (default: the only one in the storage)")

    report = sub.add_parser(
        "report",
        help="write the report of a stored comparison, or of one stored study",
        description="Write a report (one self-contained HTML page, and Markdown with its figures): of the "
        "comparison in a storage written by compare(..., storage=...) or 'unitune bench --storage'; or, with "
        "--study-name, of that study of an Optuna storage, whatever its backend.",
    )
    report.add_argument("storage", help="the storage, e.g. sqlite:///bench.db or a journal file path")
    report.add_argument("--study-name", default=None, help="report this study of the storage (a study report)")
    report.add_argument(
        "--out", default="unitune-report", help="output folder or .html file (default: ./unitune-report)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``unitune`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    from unitune.exceptions import UnituneError

    try:
        if args.command == "bench":
            return _bench(args)
        if args.command == "backends":
            from unitune.adapters._info import backends

            print(backends().drop(columns=["library", "algorithm"]).to_text())
            return 0
        if args.command == "problems":
            print_problems()
            return 0
        if args.command == "report" and args.study_name is None:  # a comparison
            from unitune.cli._comparison import comparison_report

            return comparison_report(args)
        if args.command == "report":  # one study
            from unitune.cli._study_report import study_report

            return study_report(args)
        from unitune.cli._run import run_command, show_command

        return run_command(args) if args.command == "run" else show_command(args)
    except (UnituneError, ValueError, TypeError, FileNotFoundError, ImportError) as error:
        print(f"unitune {args.command}: error: {error}", file=sys.stderr)
        return 2


def _bench(args: argparse.Namespace) -> int:
    from unitune.compare import compare

    out = Path(args.out)
    cmp = compare(
        bench_problems(args),
        backends=_split(args.backends),
        n_trials=args.trials,
        seeds=args.seeds,
        n_jobs=args.jobs,
        progress=not args.no_progress,
        storage=args.storage,
    )
    out.mkdir(parents=True, exist_ok=True)  # after compare: bad input leaves no folder behind
    cmp.to_csv(out / "trials.csv")
    (out / "summary.md").write_text(cmp.to_markdown() + "\n")
    from unitune.report import markdown

    (out / "pairwise.md").write_text(markdown(cmp.pairwise()) + "\n")
    cmp.plot().savefig(out / "convergence.png", dpi=120)
    print(cmp.summary().to_text())
    if len(cmp.failures):
        print(f"\n{len(cmp.failures)} runs failed:\n{cmp.failures.to_string(index=False)}")
    print(f"\nwrote {out}/trials.csv, summary.md, pairwise.md, convergence.png")
    import shlex

    cmp.setup["command"] = shlex.join(["unitune", *args.argv])
    if args.storage is not None:  # 'unitune report STORAGE' shows the command too
        from unitune.compare._store import ComparisonStore

        ComparisonStore(args.storage).annotate(command=cmp.setup["command"])
    if args.report:
        files = cmp.report(out / "report.html")
        print(f"wrote {files.html} and {files.markdown} with {len(files.images)} figures beside it")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
