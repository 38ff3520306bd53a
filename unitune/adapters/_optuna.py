"""Optuna backend: define-by-run suggestions through ``Study.ask``/``Study.tell``.

Conditional spaces are native: a trial suggests the conditional's label first
and then only the chosen branch's parameters, exactly as a hand-written
objective would. Categorical choices are suggested as their indices (Optuna's
samplers work on indices, so the trajectory is that of the real choices).

How each primitive becomes an Optuna distribution and a ``trial.suggest_*``
call is in :mod:`unitune.adapters._optuna_space`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from unitune._quiet import quiet
from unitune.adapters._base import Adapter, Capabilities, Suggestion, Translation, signature_defaults
from unitune.adapters._optuna_compat import (
    STORAGE_LOGGERS,
    constraint_attrs,
    qmc_samples_categoricals,
    tell_without_copy,
    tells_constraints_by_trial,
    trial_constraints,
)
from unitune.adapters._optuna_space import distribution, native_expression, suggest_call
from unitune.adapters._outcome import Outcome, TrialState
from unitune.exceptions import SpaceError, StudyError
from unitune.space import conditions_hold

if TYPE_CHECKING:
    import optuna

    from unitune.space import Space

__all__ = ["OptunaAdapter"]

_SAMPLERS = {
    "tpe": "TPESampler",
    "random": "RandomSampler",
    "cmaes": "CmaEsSampler",
    "nsga2": "NSGAIISampler",
    "nsga3": "NSGAIIISampler",
    "qmc": "QMCSampler",
    "grid": "GridSampler",
}


#: What each sampler does with a pruned trial.
_PRUNED_USE = {
    "tpe": "TPE ranks it by its last reported value",
    "random": "not used (independent draws)",
    "qmc": "not used (the sequence goes on)",
    "cmaes": "CMA-ES skips it unless consider_pruned_trials=True",
    "nsga2": "NSGA-II builds generations from complete trials",
    "nsga3": "NSGA-III builds generations from complete trials",
    "grid": "its grid point counts as done",
}


#: Samplers that model only the parameters every trial has: a branch's parameters go to their independent sampler.
_BRANCHES_INDEPENDENT = frozenset({"cmaes", "qmc", "nsga2", "nsga3"})
#: Samplers that take ``constraints_func`` (the way constraints reach them before Optuna 5).
_CONSTRAINED = frozenset({"tpe", "nsga2", "nsga3"})
#: What each sampler does with several objectives and with constraint values (``Capabilities``).
_OBJECTIVES = {
    "tpe": "native: multi-objective TPE (good trials by non-dominated rank and hypervolume contribution)",
    "random": "native: independent draws, whatever the objectives",
    "nsga2": "native: NSGA-II (non-dominated sorting, crowding distance)",
    "nsga3": "native: NSGA-III (non-dominated sorting, reference points)",
    "qmc": "native: the Sobol sequence, whatever the objectives",
    "grid": "native: the grid is enumerated, whatever the objectives",
    "cmaes": "single only (CmaEsSampler optimizes one objective)",
}
_CONSTRAINTS = {
    "tpe": "native: infeasible trials ranked after feasible ones, by total violation (Optuna's constrained TPE)",
    "nsga2": "native: constrained domination (Deb's feasibility rule)",
    "nsga3": "native: constrained domination (Deb's feasibility rule)",
    "random": "recorded: random sampling uses no values; best trials are feasible ones",
    "qmc": "recorded: the Sobol sequence uses no values; best trials are feasible ones",
    "grid": "recorded: the grid uses no values; best trials are feasible ones",
    "cmaes": "ignored: CmaEsSampler does not use them (recorded: best trials are feasible ones)",
}


def _tpe_pending() -> str:
    """What TPE does with running trials with the installed Optuna's default (constant_liar's default changed in 5)."""
    from optuna.samplers import TPESampler

    if signature_defaults(TPESampler).get("constant_liar"):
        return "constant liar: TPE steers away from running trials (TPESampler's default, constant_liar=True)"
    return (
        "ignored by default in this Optuna (constant_liar=False); pass backend_options={'constant_liar': True} "
        "to steer away from running trials"
    )


def _fallback_samplers() -> set[str]:
    """Samplers that hand categoricals to an independent sampler."""
    return {"cmaes"} if qmc_samples_categoricals() else {"cmaes", "qmc"}


def _grid_sampler_class() -> type[optuna.samplers.GridSampler]:
    """``GridSampler`` without its ``after_trial`` (which calls ``study.stop()``, valid only inside ``optimize``).

    The adapter sees the end of the grid itself: ``ask`` then returns nothing.
    """
    from optuna.samplers import GridSampler

    class _GridSampler(GridSampler):
        def after_trial(self, *args: Any, **kwargs: Any) -> None:
            return None

    return _GridSampler


class OptunaAdapter(Adapter):
    """Optuna's samplers behind the unitune adapter contract."""

    library = "optuna"
    package = "optuna"
    module = "optuna"
    algorithms: ClassVar[Mapping[str, str]] = {
        "tpe": "Tree-structured Parzen Estimator (TPESampler)",
        "random": "independent uniform sampling (RandomSampler)",
        "cmaes": "CMA evolution strategy (CmaEsSampler; categoricals sampled independently)",
        "nsga2": "genetic algorithm NSGA-II (NSGAIISampler)",
        "nsga3": "genetic algorithm NSGA-III for many objectives (NSGAIIISampler)",
        "qmc": "quasi-Monte Carlo, scrambled Sobol (QMCSampler; categoricals sampled independently)",
        "grid": "exhaustive grid over a finite space (GridSampler)",
    }
    default = "tpe"
    startup_options: ClassVar[Mapping[str, tuple[str, int, str]]] = {
        "tpe": ("n_startup_trials", 10, "random trials"),
        "cmaes": ("n_startup_trials", 1, "random trials"),
        "nsga2": ("population_size", 50, "trials: the first generation, random"),
        "nsga3": ("population_size", 50, "trials: the first generation, random"),
    }

    @classmethod
    def capabilities(cls, algorithm: str) -> Capabilities:
        """Capabilities of an Optuna sampler."""
        pending = {
            "tpe": _tpe_pending(),
            "random": "ignored (independent draws)",
            "qmc": "each trial takes the next point of the sequence",
            "cmaes": "ignored (CMA-ES updates on finished generations)",
            "nsga2": "ignored (generations are built from finished trials)",
            "nsga3": "ignored (generations are built from finished trials)",
            "grid": "running grid points are not proposed again",
        }[algorithm]
        conditional = "native"
        if algorithm in _BRANCHES_INDEPENDENT:
            conditional = "fallback: a branch's parameters are sampled by the independent sampler (random)"
        others = {
            "tpe": "RUNNING trials of its study, taken into account as its own running ones (see pending)",
            "grid": "their grid points are not proposed",
        }.get(algorithm, "RUNNING trials of its study; this sampler ignores them")
        return Capabilities(
            conditional=conditional,
            batch=False,
            pending=pending,
            others_running=others,
            grid=algorithm == "grid",
            pruned="told as pruned with its intermediate values: " + _PRUNED_USE[algorithm],
            objectives=_OBJECTIVES[algorithm],
            constraints=_CONSTRAINTS[algorithm],
        )

    @classmethod
    def convert_space(cls, space: Space) -> dict[str, optuna.distributions.BaseDistribution]:
        """Optuna distributions keyed by parameter key (define-by-run uses them in order)."""
        return {p.key: distribution(p.primitive) for p in space.params}

    @classmethod
    def explain(cls, space: Space, algorithm: str) -> list[Translation]:
        """How each parameter reaches Optuna with this sampler."""
        rows = []
        fallback = _fallback_samplers()
        for p in space.params:
            fidelity, note = "exact", ""
            choice = p.primitive.kind == "choice"
            if choice and p.primitive.labels is None:
                note = "suggested as the index of the choice; the objective gets the object"
            if algorithm in fallback and choice:
                fidelity = "fallback"
                note = f"{_SAMPLERS[algorithm]} samples categoricals with its independent sampler (random)"
            elif algorithm in _BRANCHES_INDEPENDENT and p.conditions:
                fidelity = "fallback"
                note = f"{_SAMPLERS[algorithm]} samples conditional parameters with its independent sampler"
            elif algorithm == "grid" and space.is_conditional:
                note = "the grid is space.grid(): one grid point per active configuration"
            rows.append(Translation(p.key, repr(p.element), fidelity, native_expression(p), note))
        return rows

    def _grid_search_space(self) -> dict[str, list[Any]]:
        if self.space.is_conditional:
            self._grid[:] = [self.space.encode(c) for c in self.space.grid()]
            return {"grid_index": list(range(len(self._grid)))}
        search_space: dict[str, list[Any]] = {}
        for p in self.space.params:
            try:
                search_space[p.key] = p.primitive.categories if p.primitive.kind == "choice" else p.primitive.values()
            except ValueError:
                raise SpaceError(
                    f"parameter {p.key!r}: optuna:grid needs a finite space; received {p.element!r}. "
                    "Fix: give the Float a step, or use Categorical([...])."
                ) from None
        return search_space

    def _make_sampler(self) -> optuna.samplers.BaseSampler:
        import optuna

        name = _SAMPLERS[self.algorithm]
        cls = _grid_sampler_class() if self.algorithm == "grid" else getattr(optuna.samplers, name)
        kwargs: dict[str, Any] = {"seed": self.seed}
        if self.algorithm == "grid":
            kwargs["search_space"] = search_space = self._grid_search_space()
            self._n_grid = math.prod(len(values) for values in search_space.values())
        if self.algorithm in {"cmaes", "qmc"}:
            kwargs["warn_independent_sampling"] = False  # unitune.explain reports the fallback instead
        if self.constrained and self.algorithm in _CONSTRAINED and not tells_constraints_by_trial():
            kwargs["constraints_func"] = self._constraints_of  # before Optuna 5: samplers see constraints only so
        self._check_options(signature_defaults(cls, skip={"search_space"}), f"optuna.samplers.{name}")
        kwargs.update(self.options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler: optuna.samplers.BaseSampler = cls(**kwargs)
        return sampler

    def _start(self) -> None:
        import optuna

        self._grid: list[dict[str, Any]] = []
        self._n_grid = 0
        self._constraints: dict[int, tuple[float, ...]] = {}  # by trial number, for constraints_func (Optuna < 5)
        self._taken: set[tuple[tuple[str, Any], ...]] = set()  # grid points asked or finished
        self.sampler = self._make_sampler()
        self._foreign: dict[Any, int] = {}  # other workers' running trials: key -> trial id in self.study
        self.study = self._new_study("unitune", None)
        self._trials: dict[int, optuna.Trial] = {}
        self._calls = [suggest_call(p) for p in self.space.params]
        self._states = {
            TrialState.COMPLETE: optuna.trial.TrialState.COMPLETE,
            TrialState.FAILED: optuna.trial.TrialState.FAIL,
            TrialState.PRUNED: optuna.trial.TrialState.PRUNED,
        }

    def _new_study(self, name: str, pruner: optuna.pruners.BasePruner | None) -> optuna.Study:
        import optuna

        self._storage = storage = optuna.storages.InMemoryStorage()
        # the study's own directions, values in their own sign: samplers break ties as in hand-written code
        directions = [optuna.study.StudyDirection[d.upper()] for d in self.directions]
        self._signs = [1.0 if d == "minimize" else -1.0 for d in self.directions]
        with quiet(*STORAGE_LOGGERS):  # "A new study created in memory" at INFO
            self._study_id = storage.create_new_study(directions, name)
        return optuna.Study(study_name=name, storage=storage, sampler=self.sampler, pruner=pruner)

    def use_pruner(self, pruner: Any, study_name: str) -> None:
        """Make the sampler's study as ``optuna.create_study(study_name=..., pruner=...)`` makes it.

        Optuna passes its samplers a Hyperband bracket's view of the study (the samplers of
        Optuna 5 read every trial through it all the same); with the pruner and the name, the
        sampler's study is the hand-written program's in every version.

        Raises:
            StudyError: once a trial was asked or added.
        """
        if self._trials or self.study.get_trials(deepcopy=False):
            raise StudyError("optuna adapter: the pruner must be set before the first trial")
        self.study = self._new_study(study_name, pruner)

    def _suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        if self._grid:
            return dict(self._grid[trial.suggest_categorical("grid_index", list(range(len(self._grid))))])
        raw: dict[str, Any] = {}
        for key, conditions, method, args, kwargs in self._calls:
            if conditions and not conditions_hold(conditions, raw):
                continue
            if method == "suggest_label":  # a Conditional: its label is suggested, its index kept
                raw[key] = args[0].index(trial.suggest_categorical(key, *args))
            else:
                raw[key] = getattr(trial, method)(key, *args, **kwargs)
        return raw

    def ask(self, n: int = 1) -> list[Suggestion]:
        """Ask Optuna for ``n`` trials (running trials stay RUNNING in its study)."""
        out = []
        for _ in range(n):
            suggestion = self._ask_grid_point() if self.algorithm == "grid" else self._ask_one()
            if suggestion is None:
                break
            out.append(suggestion)
        return out

    def _ask_one(self) -> Suggestion:
        trial = self.study.ask()
        self._trials[trial.number] = trial
        return Suggestion(trial.number, self._suggest(trial))

    def _ask_grid_point(self) -> Suggestion | None:
        """The sampler's next grid point that is neither running nor done (resumed studies hold finished ones).

        A point the sampler proposes again (it knows only the points it proposed) is told to its
        own study as failed, which marks it visited there, and the sampler is asked again.
        """
        while len(self._taken) < self._n_grid:
            suggestion = self._ask_one()
            point = tuple(sorted(suggestion.raw.items()))
            if point not in self._taken:
                self._taken.add(point)
                return suggestion
            tell_without_copy(self.study, self._trials.pop(suggestion.token), None, self._states[TrialState.FAILED])
        return None

    def tell(self, token: Any, outcome: Outcome) -> None:
        """Tell Optuna the outcome (intermediate values first: pruners and TPE read them)."""
        try:
            trial = self._trials.pop(token)
        except KeyError:
            raise StudyError(f"optuna adapter: unknown or already told trial token {token!r}") from None
        for step, loss in outcome.intermediate.items():
            trial.report(self._signs[0] * loss, step)
        if self.constrained and outcome.state is TrialState.COMPLETE:
            self._tell_constraints(trial, outcome.constraints)
        values = self._values(outcome) if outcome.state is TrialState.COMPLETE else None
        if values is not None and not all(math.isfinite(v) for v in values):
            values, state = None, self._states[TrialState.FAILED]
        else:
            state = self._states[outcome.state]
        tell_without_copy(self.study, trial, values, state)

    def add(self, raw: Mapping[str, Any], outcome: Outcome) -> None:
        """Add a finished trial (resume, warm start, another worker) to the sampler's study."""
        import optuna

        complete = outcome.state is TrialState.COMPLETE
        params, dists = self._native(raw)
        trial = optuna.trial.create_trial(
            params=params,
            distributions=dists,
            values=self._values(outcome) if complete else None,
            state=self._states[outcome.state],
            intermediate_values={step: self._signs[0] * loss for step, loss in outcome.intermediate.items()},
            system_attrs=self._added_constraints(outcome),
        )
        self.study.add_trial(trial)

    def add_pending(self, key: Any, raw: Mapping[str, Any]) -> None:
        """Another worker's running trial: a RUNNING trial of the sampler's study (TPE's constant liar sees it)."""
        import optuna

        params, dists = self._native(raw)
        running = optuna.trial.create_trial(params=params, distributions=dists, state=optuna.trial.TrialState.RUNNING)
        self._foreign[key] = self._storage.create_new_trial(self._study_id, template_trial=running)

    def drop_pending(self, key: Any) -> None:
        """The trial finished elsewhere: its RUNNING stand-in fails (samplers skip failed trials)."""
        import optuna

        trial_id = self._foreign.pop(key, None)
        if trial_id is not None:
            self._storage.set_trial_state_values(trial_id, optuna.trial.TrialState.FAIL)

    def _native(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Optuna's params and distributions of a raw assignment (a grid point's index for the grid)."""
        import optuna

        if self._grid:
            params: dict[str, Any] = {"grid_index": self._grid.index(dict(raw))}
            dists: dict[str, optuna.distributions.BaseDistribution] = {
                "grid_index": optuna.distributions.CategoricalDistribution(list(range(len(self._grid))))
            }
        else:
            params, dists = {}, {}
            for key, value in raw.items():
                prim = self.space.param(key).primitive
                params[key] = prim.categories[int(value)] if prim.kind == "choice" else value
                dists[key] = distribution(prim)
        if self.algorithm == "grid":
            self._taken.add(tuple(sorted(raw.items())))
        return params, dists

    def _values(self, outcome: Outcome) -> list[float]:
        """The values of a complete trial in the directions of the study (losses are minimized)."""
        return [sign * loss for sign, loss in zip(self._signs, outcome.losses, strict=True)]

    def _added_constraints(self, outcome: Outcome) -> dict[str, Any] | None:
        """System attributes of an added trial: its constraint values (empty for a pruned one, which has none).

        Optuna < 5 ranks a finished trial without recorded constraint values below every other one.
        """
        if not self.constrained or outcome.state is TrialState.FAILED:
            return None
        return dict(constraint_attrs(outcome.constraints))

    def _tell_constraints(self, trial: optuna.Trial, values: Sequence[float]) -> None:
        """Give a trial's constraint values to the sampler as hand-written code does, before its tell."""
        if tells_constraints_by_trial():
            for i, value in enumerate(values):
                trial.set_constraint(str(i), value)  # Optuna >= 5: the samplers read them from the trial
        else:
            self._constraints[trial.number] = tuple(values)  # read by constraints_func in the sampler's after_trial

    def _constraints_of(self, trial: optuna.trial.FrozenTrial) -> tuple[float, ...]:
        """The sampler's ``constraints_func`` (Optuna < 5): the values told, or those recorded for an added trial."""
        if trial.number in self._constraints:
            return self._constraints[trial.number]
        return trial_constraints(trial) or ()
