"""What does ParEGO's fresh scalarization per ask cost Hyperopt and scikit-optimize? (docs/multi-objective.md)

Run:  python benchmarks/parego_cost.py             (100 and 1,000 trials; about 10 minutes, most of it skopt:gp)
      python benchmarks/parego_cost.py --quick     (a smoke test)
      python benchmarks/parego_cost.py --sizes 100,1000,3000 --repeats 5 --backends hyperopt:tpe

With several objectives, the adapters of Hyperopt and scikit-optimize give every finished trial
a new loss before each ask (ParEGO, with fresh weights): Hyperopt's documents are rewritten
(O(n) per ask), scikit-optimize's told values replaced and its model refitted (one fit per ask,
where a study of one objective fits once per tell). For each backend and history size n, an
adapter is told n trials of ZDT1 (5 variables, two objectives) in one ``add_many``, then asked
and told ``--repeats`` more trials; the table gives the medians of

* ``scalarize``: the time of the re-scalarization alone (Hyperopt: computing the losses and
  rewriting the documents; scikit-optimize: computing the losses and refitting the model);
* ``ask + tell``: a whole ask and tell with two objectives;
* ``one objective``: a whole ask and tell of the same adapter with one objective (the first),
  for comparison: ParEGO's own extra cost is the difference.

Times are ``time.perf_counter`` medians over the repeats, in one process (a quiet machine gives
steadier numbers; the ratio matters more than the absolute values).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

import numpy as np

import unitune as ut
from unitune.adapters import Outcome, get_adapter_class, parse_backend

PROBLEM = ut.problems.get("zdt1_5d")
SPACE = ut.Space(PROBLEM.space)


def history(n: int, seed: int) -> list[tuple[dict[str, Any], Outcome]]:
    rng = np.random.default_rng(seed)
    told = []
    for _ in range(n):
        raw = {key: float(v) for key, v in zip(SPACE.param_keys, rng.random(len(SPACE.param_keys)), strict=True)}
        told.append((raw, Outcome.complete(*PROBLEM(SPACE.decode(raw)))))
    return told


def adapter(backend: str, n_objectives: int, told: list[tuple[dict[str, Any], Outcome]]) -> Any:
    library, algorithm = parse_backend(backend)
    made = get_adapter_class(library)(SPACE, algorithm, seed=0, n_objectives=n_objectives)
    if n_objectives == 1:
        told = [(raw, Outcome.complete(outcome.losses[0])) for raw, outcome in told]
    made.add_many(told)
    return made


def step(made: Any, n_objectives: int) -> float:
    t0 = time.perf_counter()
    (suggestion,) = made.ask(1)
    values = PROBLEM(SPACE.decode(suggestion.raw))
    made.tell(suggestion.token, Outcome.complete(*values[:n_objectives]))
    return time.perf_counter() - t0


def scalarize(made: Any, backend: str) -> float:
    t0 = time.perf_counter()
    if backend.startswith("hyperopt"):
        made._rescalarize()
    else:
        made._rescalarize(fit=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="hyperopt:tpe,skopt:gp,skopt:forest")
    parser.add_argument("--quick", action="store_true", help="sizes 20 and 50, 2 repeats")
    args = parser.parse_args()
    sizes = [20, 50] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeats = 2 if args.quick else args.repeats
    warnings.simplefilter("ignore")  # skopt's repeated-point warnings on a random history
    print("## ParEGO's cost per ask (medians, milliseconds)\n")
    print("| backend | trials told | scalarize | ask + tell, two objectives | ask + tell, one objective |")
    print("|---|---|---|---|---|")
    for backend in args.backends.split(","):
        for n in sizes:
            told = history(n, seed=n)
            multi = adapter(backend, 2, told)
            scalar = [scalarize(multi, backend) for _ in range(repeats)]
            both = [step(multi, 2) for _ in range(repeats)]
            single = adapter(backend, 1, told)
            one = [step(single, 1) for _ in range(repeats)]
            cells = [statistics.median(x) * 1e3 for x in (scalar, both, one)]
            print(f"| {backend} | {n} | " + " | ".join(f"{c:.3g}" for c in cells) + " |", flush=True)


if __name__ == "__main__":
    main()
