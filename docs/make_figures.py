"""Make the README's comparison figure and table: ``python docs/make_figures.py [--jobs N]``.

Runs Optuna (TPE), Hyperopt (TPE) and scikit-optimize (GP) on Branin and
Hartmann 6, 10 seeds and 50 trials each (plus 10 runs of random search, the
normalized score's baseline), and writes ``docs/compare.png`` and
``docs/compare.md``: the summary, the normalized scores, the tests across
problems and per problem, and the pooled table of earlier versions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import unitune as ut
from unitune.report import markdown

HERE = Path(__file__).parent


def tables(cmp: ut.Comparison) -> str:
    across = cmp.across_problems()
    within = cmp.within_problems()
    ranks = across.ranks.rename("average rank").rename_axis("backend").reset_index()
    parts = [
        ("Summary", cmp.to_markdown(digits=3)),
        ("Normalized score (Bayesmark's mean score, 95 % bootstrap CI)", markdown(cmp.scores(), digits=3)),
        (f"Across problems: {across.unit}", markdown(ranks, digits=3)),
        ("Per problem: Mann-Whitney U, Holm per problem, A12", markdown(within, digits=3)),
        ("Median final loss (95 % bootstrap CI)", markdown(cmp.medians(), digits=3)),
        ("Pooled (problem, seed) pairs (earlier versions' table; not a valid test)", markdown(cmp.pairwise(), 3)),
    ]
    notes = across.notes + within.attrs.get("notes", [])
    text = "\n\n".join(f"## {title}\n\n{body}" for title, body in parts)
    return text + ("\n\n## Notes\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "") + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    cmp = ut.compare(
        ["branin", "hartmann6"],
        backends=["optuna", "hyperopt", "skopt"],
        n_trials=args.trials,
        seeds=range(args.seeds),
        n_jobs=args.jobs,
        progress=True,
    )
    cmp.plot().savefig(HERE / "compare.png", dpi=110)
    text = tables(cmp)
    (HERE / "compare.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
