"""Hyperopt backend: TPE, random search and annealing through hyperopt's own ``Trials``.

Ask/tell is emulated the way ``hyperopt.fmin`` drives an algorithm
(``FMinIter.run``): new trial ids from the ``Trials``, one call of the
algorithm's ``suggest(new_ids, domain, trials, seed)`` per trial with a seed
drawn from ``numpy.random.default_rng(seed)``, the returned documents
inserted. A seeded unitune loop therefore proposes exactly what ``fmin`` with
the same hand-written ``hp`` space and ``rstate`` proposes.

Values are read from each trial's ``misc["vals"]`` (the raw form: choice
indices, step indices), never by evaluating the pyll graph; hyperopt is
imported only when an adapter is used.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from unitune.adapters._base import Adapter, Capabilities, Suggestion, Translation, signature_defaults
from unitune.adapters._hyperopt_compat import insert_listed, remove_listed
from unitune.adapters._outcome import Outcome, TrialState
from unitune.adapters._parego import Scalarizer
from unitune.exceptions import ConfigError, StudyError
from unitune.space import Param, Primitive, Space, conditions_hold

__all__ = ["HyperoptAdapter"]

_PENDING = {
    "tpe": "seen as trials of infinite loss: hyperopt's TPE counts pending trials toward n_startup_jobs "
    "and puts them in its 'bad' group, steering new points away from them (as fmin with max_queue_len > 1)",
    "anneal": "seen as trials of infinite loss (ranked last, so rarely annealed around)",
    "rand": "ignored (random search uses no history)",
}
_FAILURES = {
    "tpe": "told as failed (status 'fail'); TPE treats it as an infinite loss (in its 'bad' group)",
    "anneal": "told as failed (status 'fail'); annealing ranks it last (infinite loss)",
    "rand": "told as failed (status 'fail'); random search ignores it",
}
_OTHERS = {
    "tpe": "inserted as running trials, like its own pending ones (infinite loss for TPE)",
    "anneal": "inserted as running trials, like its own pending ones",
    "rand": "ignored (random search uses no history)",
}
_OBJECTIVES = (
    "fallback: ParEGO, Knowles 2006 (a fresh augmented Chebyshev scalarization of every trial's losses "
    "before each ask, weights seeded)"
)
_CONSTRAINTS = (
    "fallback: Deb's feasibility rule as a loss (infeasible trials told the worst feasible loss plus their "
    "scaled violation, again before each ask)"
)
_PRUNED = (
    "stand-in: told as complete with its last reported value (hyperopt has no pruned state), "
    "or as failed if it reported none"
)


def _never_called(config: Any) -> float:  # the Domain's objective; unitune evaluates trials itself
    raise RuntimeError("the hyperopt adapter never evaluates its Domain")


def _spec(prim: Primitive) -> tuple[str, tuple[float, ...], str]:
    """(hp function, arguments after the label, note) for a primitive that is not a branch choice."""
    if prim.kind == "choice":
        return "choice", (), "the trial stores the choice's index; unitune maps it to the choice object"
    lo, hi = prim.interval
    if prim.stepped:
        return "quniform", (lo, hi, 1), f"index k in 0..{prim.n_steps} equally likely, value = low + k*step"
    if prim.kind == "int" and prim.log:
        note = f"each k has the probability that a log-uniform draw on [{lo}, {hi}] rounds to k; clipped to bounds"
        return "qloguniform", (math.log(lo), math.log(hi), 1), note
    if prim.kind == "int":
        return "quniform", (lo, hi, 1), "every integer of low..high equally likely (ordinal for TPE); clipped to bounds"
    if prim.log:
        return "loguniform", (math.log(lo), math.log(hi)), "log-uniform on [low, high]"
    return "uniform", (lo, hi), ""


def _children(space: Space) -> dict[tuple[str, int] | None, list[Param]]:
    """Parameters grouped by their innermost condition (None: always active); constants left out.

    hyperopt's ``hp.uniform`` needs ``low < high``: a fixed real interval is a constant, not a dimension.
    """
    groups: dict[tuple[str, int] | None, list[Param]] = {}
    for p in space.params:
        if p.primitive.fixed:
            continue
        last = (p.conditions[-1].key, p.conditions[-1].index) if p.conditions else None
        groups.setdefault(last, []).append(p)
    return groups


def _to_val(prim: Primitive, raw: Any) -> float | int:
    """What hyperopt stores in ``misc["vals"]`` for a raw value: a choice's index as an int, else the coordinate."""
    return int(raw) if prim.kind == "choice" else prim.to_coordinate(raw)


def _accepted_options(algorithm: str) -> dict[str, Any]:
    """Keyword options of the algorithm and their defaults (anneal.suggest forwards them to ``AnnealingAlgo``)."""
    from hyperopt import anneal, tpe

    if algorithm == "rand":
        return {}
    fn: Callable[..., Any] = tpe.suggest if algorithm == "tpe" else anneal.AnnealingAlgo.__init__
    options = signature_defaults(fn, skip={"self", "new_ids", "domain", "trials", "seed"})
    return {name: default for name, default in options.items() if name != "kwargs"}


class HyperoptAdapter(Adapter):
    """Hyperopt's ``tpe``, ``rand`` and ``anneal`` algorithms.

    ``options`` are keyword arguments of the algorithm's ``suggest`` (e.g.
    ``n_startup_jobs``, ``gamma``, ``n_EI_candidates`` for TPE;
    ``avg_best_idx``, ``shrink_coef`` for annealing). The token of a
    suggestion is hyperopt's trial id.
    """

    library: ClassVar[str] = "hyperopt"
    package: ClassVar[str] = "hyperopt"
    module: ClassVar[str] = "hyperopt"
    algorithms: ClassVar[Mapping[str, str]] = {
        "tpe": "Tree-structured Parzen Estimator (hyperopt.tpe.suggest)",
        "rand": "random search (hyperopt.rand.suggest)",
        "anneal": "simulated annealing around the best trials (hyperopt.anneal.suggest)",
    }
    default: ClassVar[str] = "tpe"
    startup_options: ClassVar[Mapping[str, tuple[str, int, str]]] = {"tpe": ("n_startup_jobs", 20, "random trials")}

    @classmethod
    def capabilities(cls, algorithm: str) -> Capabilities:
        """Conditional spaces are native; hyperopt has no batch proposal after TPE's startup."""
        return Capabilities(
            conditional="native",
            batch=False,
            pending=_PENDING.get(algorithm, _PENDING["tpe"]),
            others_running=_OTHERS.get(algorithm, _OTHERS["tpe"]),
            grid=False,
            failures=_FAILURES.get(algorithm, _FAILURES["tpe"]),
            pruned=_PRUNED,
            objectives="native: random search uses no values" if algorithm == "rand" else _OBJECTIVES,
            constraints="recorded: random search uses no values" if algorithm == "rand" else _CONSTRAINTS,
        )

    @classmethod
    def convert_space(cls, space: Space) -> Any:
        """A dict ``{key: hp expression}``; a Conditional is ``hp.choice(key, [branch dicts])``."""
        from hyperopt import hp

        groups = _children(space)

        def build(group: tuple[str, int] | None) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for p in groups.get(group, []):
                prim = p.primitive
                if p.branching:
                    out[p.key] = hp.choice(p.key, [build((p.key, i)) for i in range(len(prim.options))])
                elif prim.kind == "choice":
                    out[p.key] = hp.choice(p.key, prim.categories)
                else:
                    name, args, _ = _spec(prim)
                    out[p.key] = getattr(hp, name)(p.key, *args)
            return out

        return build(None)

    @classmethod
    def explain(cls, space: Space, algorithm: str) -> list[Translation]:
        """Every parameter reaches hyperopt exactly (see the notes for index encodings)."""
        rows = []
        for p in space.params:
            prim = p.primitive
            if p.branching:
                branches = ", ".join(f"{{...{label!r}...}}" for label in prim.options)
                native = f"hp.choice({p.key!r}, [{branches}])"
                note = "native: only the chosen branch is sampled; the trial stores the branch index"
            elif prim.fixed:
                native, note = repr(float(prim.low)), "a constant: hyperopt's hp.uniform needs low < high"
            elif prim.kind == "choice":
                native, note = f"hp.choice({p.key!r}, {prim.categories!r})", _spec(prim)[2]
            else:
                name, args, note = _spec(prim)
                native = f"hp.{name}({p.key!r}, {', '.join(repr(a) for a in args)})"
            rows.append(Translation(p.key, repr(p.element), "exact", native, note))
        return rows

    def _start(self) -> None:
        from hyperopt import Domain, Trials, anneal, hp, rand, tpe

        self._check_options(_accepted_options(self.algorithm), f"hyperopt.{self.algorithm}.suggest")
        suggest = {"tpe": tpe.suggest, "anneal": anneal.suggest, "rand": rand.suggest}[self.algorithm]
        options = {"verbose": False, **self.options} if self.algorithm == "tpe" else self.options  # no INFO chatter
        self._algo: Callable[..., list[dict[str, Any]]] = functools.partial(suggest, **options)
        # hyperopt cannot build a Domain without parameters: a space of constants gets a 1-choice placeholder
        self._domain = Domain(_never_called, self.native or {"": hp.choice("", [0])})
        self._trials = Trials()
        self._rstate = np.random.default_rng(self.seed)
        self._running: dict[int, dict[str, Any]] = {}
        self._foreign: dict[Any, dict[str, Any]] = {}  # other workers' running trials: key -> listed document
        # several objectives or constraints: every finished document's loss is rewritten before each suggest
        rescale = (self.n_objectives > 1 or self.constrained) and self.algorithm != "rand"
        self._scalarizer = Scalarizer(self.n_objectives, self.seed) if rescale else None
        self._finished: list[tuple[dict[str, Any], Outcome]] = []

    def ask(self, n: int = 1) -> list[Suggestion]:
        """Propose ``n`` trials, one ``suggest`` call each (TPE proposes one point per call after startup)."""
        from hyperopt import JOB_STATE_RUNNING

        trials, out = self._trials, []
        for _ in range(n):
            if self._scalarizer is not None:
                self._rescalarize()
            new_ids = trials.new_trial_ids(1)
            docs = self._algo(new_ids, self._domain, trials, self._rstate.integers(2**31 - 1))
            if not docs:
                break
            for doc in insert_listed(self._trials, docs):
                doc["state"] = JOB_STATE_RUNNING
                self._running[doc["tid"]] = doc
                out.append(Suggestion(token=doc["tid"], raw=self._raw(doc["misc"]["vals"])))
        return out

    def _rescalarize(self) -> None:
        """Write each finished trial's loss of this ask (ParEGO, penalty) into its listed document: O(n)."""
        from hyperopt import STATUS_FAIL, STATUS_OK

        assert self._scalarizer is not None
        losses = self._scalarizer.losses([outcome for _, outcome in self._finished])
        for (doc, _), loss in zip(self._finished, losses, strict=True):
            doc["result"] = {"status": STATUS_FAIL} if loss is None else {"loss": loss, "status": STATUS_OK}

    def _raw(self, vals: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for p in self.space.params:  # a Conditional comes before its branches' parameters
            if vals.get(p.key):
                raw[p.key] = p.primitive.from_coordinate(vals[p.key][0])
            elif p.primitive.fixed and conditions_hold(p.conditions, raw):
                raw[p.key] = float(p.primitive.low)
        return raw

    @staticmethod
    def _result(outcome: Outcome) -> dict[str, Any]:
        """Hyperopt's result document: the loss, or a pruned trial's last reported loss (the stand-in)."""
        from hyperopt import STATUS_FAIL, STATUS_OK

        loss = outcome.loss if outcome.state is TrialState.COMPLETE else None
        if outcome.state is TrialState.PRUNED:
            loss = outcome.last_intermediate
        if loss is None or math.isnan(loss):
            return {"status": STATUS_FAIL}
        return {"loss": float(loss), "status": STATUS_OK}

    def tell(self, token: Any, outcome: Outcome) -> None:
        """Mark the trial done with its loss (a failure: status ``'fail'``; pruned: see capabilities).

        Raises:
            StudyError: if ``token`` is not a pending trial of this adapter.
        """
        from hyperopt import JOB_STATE_DONE

        if token not in self._running:
            raise StudyError(f"hyperopt adapter: unknown or already told trial token {token!r}")
        doc = self._running.pop(token)
        doc["result"] = self._result(outcome)
        doc["state"] = JOB_STATE_DONE  # the listed document itself: the next suggest sees it done
        if self._scalarizer is not None:
            self._finished.append((doc, outcome))

    def add(self, raw: Mapping[str, Any], outcome: Outcome) -> None:
        """Insert a finished trial that was not asked (resume, warm start, another worker)."""
        from hyperopt import JOB_STATE_DONE

        doc = self._insert(raw, self._result(outcome), JOB_STATE_DONE)
        if self._scalarizer is not None:
            self._finished.append((doc, outcome))

    def add_pending(self, key: Any, raw: Mapping[str, Any]) -> None:
        """Insert another worker's running trial as a running document (as ``fmin`` lists its queued ones)."""
        from hyperopt import JOB_STATE_RUNNING, STATUS_NEW

        self._foreign[key] = self._insert(raw, {"status": STATUS_NEW}, JOB_STATE_RUNNING)

    def drop_pending(self, key: Any) -> None:
        """Remove the running document of a trial that finished elsewhere (its outcome is added next)."""
        doc = self._foreign.pop(key, None)
        if doc is not None:
            remove_listed(self._trials, doc)

    def _insert(self, raw: Mapping[str, Any], result: dict[str, Any], state: int) -> dict[str, Any]:
        (tid,) = self._trials.new_trial_ids(1)
        active = set(self.space.active_keys(raw))
        missing = [k for k in active if k not in raw]
        if missing:
            raise ConfigError(f"raw assignment {dict(raw)!r} lacks the active parameter(s) {missing}")
        idxs: dict[str, list[int]] = {}
        vals: dict[str, list[float | int]] = {}
        for p in self.space.params:
            if p.primitive.fixed:
                continue
            on = p.key in active
            idxs[p.key] = [tid] if on else []
            vals[p.key] = [_to_val(p.primitive, raw[p.key])] if on else []
        misc = {"tid": tid, "cmd": self._domain.cmd, "workdir": self._domain.workdir, "idxs": idxs, "vals": vals}
        docs = self._trials.new_trial_docs([tid], [None], [result], [misc])
        docs[0]["state"] = state
        inserted: dict[str, Any] = insert_listed(self._trials, docs)[0]
        return inserted
