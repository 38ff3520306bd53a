"""Optuna backend: define-by-run suggestions through ``Study.ask``/``Study.tell``.

Conditional spaces are native: a trial suggests the conditional's label first
and then only the chosen branch's parameters, exactly as a hand-written
objective would. Categorical choices are suggested as their indices (Optuna's
samplers work on indices, so the trajectory is that of the real choices).
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from unitune._quiet import quiet
from unitune.adapters._base import Adapter, Capabilities, Suggestion, Translation
from unitune.exceptions import SpaceError
from unitune.space import conditions_hold
from unitune.space._elements import Categorical, Conditional, Float, Int

if TYPE_CHECKING:
    import optuna

    from unitune.space import Condition, Param, Space

__all__ = ["OptunaAdapter"]

_SAMPLERS = {
    "tpe": "TPESampler",
    "random": "RandomSampler",
    "cmaes": "CmaEsSampler",
    "nsga2": "NSGAIISampler",
    "qmc": "QMCSampler",
    "grid": "GridSampler",
}


def _fallback_samplers() -> set[str]:
    """Samplers that hand categoricals to an independent sampler (QMC stopped doing so in Optuna 5)."""
    import optuna

    return {"cmaes"} if int(optuna.__version__.split(".")[0]) >= 5 else {"cmaes", "qmc"}


def native_expression(p: Param) -> str:
    """The ``trial.suggest_*`` call that samples ``p`` in hand-written Optuna code."""
    e = p.element
    if isinstance(e, Float):
        extra = ", log=True" if e.log else (f", step={e.step!r}" if e.step is not None else "")
        return f"trial.suggest_float({p.key!r}, {float(e.low)!r}, {float(e.high)!r}{extra})"
    if isinstance(e, Int):
        extra = ", log=True" if e.log else (f", step={e.step!r}" if e.step != 1 else "")
        return f"trial.suggest_int({p.key!r}, {int(e.low)!r}, {int(e.high)!r}{extra})"
    if isinstance(e, Categorical):
        return f"trial.suggest_categorical({p.key!r}, {list(range(len(e.choices)))!r})"
    return f"trial.suggest_categorical({p.key!r}, {list(e.labels)!r})"


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
        "qmc": "quasi-Monte Carlo, scrambled Sobol (QMCSampler; categoricals sampled independently)",
        "grid": "exhaustive grid over a finite space (GridSampler)",
    }
    default = "tpe"

    @classmethod
    def capabilities(cls, algorithm: str) -> Capabilities:
        """Capabilities of an Optuna sampler."""
        pending = {
            "tpe": "constant liar: TPE steers away from running trials (constant_liar, on by default in Optuna 5)",
            "random": "ignored (independent draws)",
            "qmc": "each trial takes the next point of the sequence",
            "cmaes": "ignored (CMA-ES updates on finished generations)",
            "nsga2": "ignored (generations are built from finished trials)",
            "grid": "running grid points are not proposed again",
        }[algorithm]
        return Capabilities(conditional="native", batch=False, pending=pending, grid=algorithm == "grid")

    @classmethod
    def convert_space(cls, space: Space) -> dict[str, optuna.distributions.BaseDistribution]:
        """Optuna distributions keyed by parameter key (define-by-run uses them in order)."""
        from optuna import distributions as d

        out: dict[str, d.BaseDistribution] = {}
        for p in space.params:
            e = p.element
            if isinstance(e, Float):
                step = None if e.step is None else float(e.step)
                out[p.key] = d.FloatDistribution(float(e.low), float(e.high), log=e.log, step=step)
            elif isinstance(e, Int):
                out[p.key] = d.IntDistribution(int(e.low), int(e.high), log=e.log, step=int(e.step))
            elif isinstance(e, Categorical):
                out[p.key] = d.CategoricalDistribution(list(range(len(e.choices))))
            else:
                out[p.key] = d.CategoricalDistribution(list(e.labels))
        return out

    @classmethod
    def explain(cls, space: Space, algorithm: str) -> list[Translation]:
        """How each parameter reaches Optuna with this sampler."""
        rows = []
        fallback = _fallback_samplers()
        for p in space.params:
            fidelity, note = "exact", ""
            if isinstance(p.element, Categorical):
                note = "suggested as the index of the choice; the objective gets the object"
            if algorithm in fallback and isinstance(p.element, (Categorical, Conditional)):
                fidelity = "fallback"
                note = f"{_SAMPLERS[algorithm]} samples categoricals with its independent sampler (random)"
            elif algorithm in {"cmaes", "qmc"} and p.conditions:
                fidelity = "fallback"
                note = f"{_SAMPLERS[algorithm]} samples conditional parameters with its independent sampler"
            elif algorithm == "grid" and space.is_conditional:
                note = "the grid is space.grid(): one grid point per active configuration"
            rows.append(Translation(p.key, repr(p.element), fidelity, native_expression(p), note))
        return rows

    _grid: list[dict[str, Any]]

    def _grid_search_space(self) -> dict[str, list[Any]]:
        if self.space.is_conditional:
            self._grid = [self.space.encode(c) for c in self.space.grid()]
            return {"grid_index": list(range(len(self._grid)))}
        search_space: dict[str, list[Any]] = {}
        for p in self.space.params:
            e = p.element
            if isinstance(e, Float) and e.step is None and float(e.low) != float(e.high):
                raise SpaceError(
                    f"parameter {p.key!r}: optuna:grid needs a finite space; received {e!r}. "
                    "Fix: give the Float a step, or use Categorical([...])."
                )
            search_space[p.key] = list(self.space._finite_values(p))
        return search_space

    def _make_sampler(self) -> optuna.samplers.BaseSampler:
        import optuna

        name = _SAMPLERS[self.algorithm]
        cls = getattr(optuna.samplers, name)
        kwargs: dict[str, Any] = {"seed": self.seed}
        if self.algorithm == "grid":
            kwargs["search_space"] = self._grid_search_space()
        if self.algorithm in {"cmaes", "qmc"}:
            kwargs["warn_independent_sampling"] = False  # unitune.explain reports the fallback instead
        self._check_options(set(inspect.signature(cls).parameters) - {"search_space"}, f"optuna.samplers.{name}")
        kwargs.update(self.options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler: optuna.samplers.BaseSampler = cls(**kwargs)
        if self.algorithm == "grid":  # the adapter checks exhaustion itself (ask returns nothing)
            sampler.after_trial = _no_stop  # type: ignore[method-assign, assignment]
        return sampler

    def _start(self) -> None:
        import optuna

        self._grid = []
        self._taken: set[int] = set()  # grid points asked or finished
        self.sampler = self._make_sampler()
        self._n_grid = len(getattr(self.sampler, "_all_grids", ()))
        storage = optuna.storages.InMemoryStorage()
        with quiet("optuna.storages._in_memory"):  # "A new study created in memory" at INFO
            storage.create_new_study([optuna.study.StudyDirection.MINIMIZE], "unitune")
        self.study = optuna.Study(study_name="unitune", storage=storage, sampler=self.sampler)
        self._trials: dict[int, optuna.Trial] = {}
        self._calls = [_suggest_call(p) for p in self.space.params]
        self._fail = optuna.trial.TrialState.FAIL
        try:  # what Study.optimize calls; the public Study.tell also deep-copies the trial it returns
            from optuna.study._tell import _tell_with_warning
        except ImportError:  # pragma: no cover - a future Optuna without it
            self._tell: Any = None
        else:
            self._tell = _tell_with_warning

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
            if self.algorithm == "grid" and len(self._taken) == self._n_grid:
                break
            trial = self.study.ask()
            if self.algorithm == "grid":
                self._claim_grid_point(trial)
            self._trials[trial._trial_id] = trial  # the id: trial.number is a storage lookup
            out.append(Suggestion(trial._trial_id, self._suggest(trial)))
        return out

    def _claim_grid_point(self, trial: optuna.Trial) -> None:
        """Keep the sampler's grid point unless it is running or done (pending asks, resumed studies)."""
        storage = self.study._storage
        grid_id = storage.get_trial_system_attrs(trial._trial_id)["grid_id"]
        if grid_id in self._taken:
            free = sorted(set(range(self._n_grid)) - self._taken)
            grid_id = int(self.sampler._rng.rng.choice(free))  # type: ignore[attr-defined]
            storage.set_trial_system_attr(trial._trial_id, "grid_id", grid_id)
        self._taken.add(grid_id)

    def tell(self, token: Any, loss: float | None) -> None:
        """Tell Optuna the loss (``None``: the trial failed)."""
        trial = self._trials.pop(token)
        state = self._fail if loss is None or math.isnan(loss) else None
        value = None if state is not None else loss
        if self._tell is None:  # pragma: no cover - a future Optuna without _tell_with_warning
            self.study.tell(trial, value, state=state)
        else:
            self._tell(self.study, trial, value, state=state, suppress_warning=True)

    def add(self, raw: Mapping[str, Any], loss: float | None) -> None:
        """Add a finished trial (resume, warm start) to the sampler's study."""
        import optuna

        dists = self.convert_space(self.space)
        params: dict[str, Any] = {}
        for key, value in raw.items():
            p = self.space.param(key)
            if isinstance(p.element, Conditional):
                params[key] = p.element.labels[int(value)]
            else:
                params[key] = value
        if self._grid:
            params, dists = (
                {"grid_index": self._grid.index(dict(raw))},
                {"grid_index": optuna.distributions.CategoricalDistribution(list(range(len(self._grid))))},
            )
        state = optuna.trial.TrialState.FAIL if loss is None else optuna.trial.TrialState.COMPLETE
        trial = optuna.trial.create_trial(
            params=params,
            distributions={k: dists[k] for k in params},
            value=None if loss is None else loss,
            state=state,
        )
        if self.algorithm == "grid":
            search_space = self.sampler._search_space  # type: ignore[attr-defined]
            trial.system_attrs["search_space"] = search_space
            trial.system_attrs["grid_id"] = self.sampler._all_grids.index(  # type: ignore[attr-defined]
                tuple(params[k] for k in self.sampler._param_names)  # type: ignore[attr-defined]
            )
            self._taken.add(trial.system_attrs["grid_id"])
        self.study.add_trial(trial)


def _suggest_call(p: Param) -> tuple[str, tuple[Condition, ...], str, tuple[Any, ...], dict[str, Any]]:
    """(key, conditions, trial method, positional arguments, keywords) that suggest ``p``, worked out once.

    A Conditional's label is suggested with ``suggest_categorical`` and kept as its index.

    Example:
        >>> from unitune.space import Space
        >>> _suggest_call(Space({"n": Int(1, 9, log=True)}).param("n"))
        ('n', (), 'suggest_int', (1, 9), {'log': True, 'step': 1})
    """
    e = p.element
    if isinstance(e, Float):
        return p.key, p.conditions, "suggest_float", (float(e.low), float(e.high)), {"log": e.log, "step": e.step}
    if isinstance(e, Int):
        return p.key, p.conditions, "suggest_int", (int(e.low), int(e.high)), {"log": e.log, "step": int(e.step)}
    if isinstance(e, Categorical):
        return p.key, p.conditions, "suggest_categorical", (list(range(len(e.choices))),), {}
    return p.key, p.conditions, "suggest_label", (list(e.labels),), {}


def _no_stop(*args: Any) -> None:
    """Replaces ``GridSampler.after_trial``, which calls ``study.stop()`` (only valid inside ``optimize``)."""
