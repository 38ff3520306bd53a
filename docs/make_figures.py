"""Make the README's comparison figure and table: ``python docs/make_figures.py [--jobs N]``.

Runs Optuna (TPE), Hyperopt (TPE) and scikit-optimize (GP) on Branin and
Hartmann 6, 10 seeds and 50 trials each, and writes ``docs/compare.png`` and
``docs/compare.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import unitune as ut

HERE = Path(__file__).parent


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
    from unitune.compare._stats import markdown

    text = "## Summary\n\n" + cmp.to_markdown(digits=3) + "\n\n## Pairwise (Wilcoxon, Holm)\n\n"
    text += markdown(cmp.pairwise(), digits=3) + "\n"
    (HERE / "compare.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
