"""One (problem, backend, seed) run of a comparison: in memory, or in a storage that survives a kill.

In a storage (see :mod:`unitune.compare._store` for the layout) a run is a study
that receives each trial once it has finished. A run that was interrupted (a
kill -9, a lost worker) is continued **exactly**: the backend, built again with
the run's seed, is asked again from the start and told the recorded result of
each recorded trial in order (the objective is not evaluated again), and each
configuration it proposes is checked against the recorded one. The run then goes
on as if it had never stopped, so its trials equal an uninterrupted run's.

Study's own resume (``load_if_exists=True``) is different on purpose: it reseeds
the backend from the number of recorded trials so that a continued study does
not repeat its suggestions. That is what a run falls back to when the backend
does not propose the recorded configurations again (a backend that is not
deterministic for a seed): the continuation is then recorded as ``"reseeded"``
with the reason, in the run's study and in the comparison's setup.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unitune.adapters._optuna_compat import STORAGE_LOGGERS
from unitune.compare._fidelity import fresh_pruner, reports, with_trial
from unitune.compare._multi import rescore, study_aims
from unitune.compare._rows import TIMING_KEY, entry_of_frozen, pack, run_rows, trial_of_frozen
from unitune.compare._store import CONTINUED, DONE, RESULT, RUN, _counts, open_storage, run_name
from unitune.exceptions import StudyError

if TYPE_CHECKING:
    import optuna

    from unitune.problems import Problem
    from unitune.study import Study, Trial

__all__ = ["Run", "RunResult", "run_one"]

logger = logging.getLogger("unitune")


@dataclass(frozen=True)
class Run:
    """One run of a comparison."""

    problem: Problem
    backend: str
    seed: int
    n_trials: int
    options: Mapping[str, Any] = field(default_factory=dict)
    pruner: Any = None  # pruning (compare/_fidelity.py): the pruner and the run's label, "backend+pruner"
    label: str = ""

    @property
    def shown(self) -> str:
        """The run's backend in the trials table: its label (``"hyperopt:tpe+asha"``), else the backend."""
        return self.label or self.backend

    @property
    def name(self) -> str:
        """The name of the run's study in a storage."""
        return run_name(self.problem.name, self.shown, self.seed)

    def study(self, **stored: Any) -> Study:
        """A new study of this run (in memory, or ``stored`` keywords: storage, study_name, ...)."""
        from unitune.study import Study

        return Study(
            self.problem.space,
            backend=self.backend,
            seed=self.seed,
            backend_options=self.options,
            pruner=fresh_pruner(self.pruner),
            **study_aims(self.problem),  # direction(s), constraints
            **stored,
        )

    def rows(self, entries: list[dict[str, Any]], trials: Sequence[Trial]) -> list[dict[str, Any]]:
        """The run's rows of the trials table, scored by hypervolume or feasibility where the problem asks."""
        p = self.problem
        rows = run_rows(p.name, self.shown, self.seed, p.direction, p.optimum, entries)
        if p.directions is not None or p.constraints is not None:
            rescore(p, trials, rows)  # compare/_multi.py
        return rows

    def objective(self, timed: Callable[[dict[str, Any], Any], Any]) -> Callable[..., Any]:
        """The objective the run's study is given: ``(config, trial)`` when the problem reports steps."""
        return with_trial(timed) if reports(self.problem) else timed


@dataclass(frozen=True)
class RunResult:
    """What a worker sends back.

    Attributes:
        rows: The rows of a run in memory (None when they are in the storage).
        continued: How an interrupted run was continued (None for a run that was not).
    """

    rows: list[dict[str, Any]] | None
    continued: dict[str, Any] | None = None


class _Clock:
    """The timings of each trial of a sequential run (one trial at a time)."""

    def __init__(self, study: Study, offset: float = 0.0) -> None:
        self.study = study
        self.start = time.perf_counter() - offset
        self.eval_time = math.nan
        self.overhead = study.overhead

    def timed(self, run: Run) -> Callable[..., Any]:
        def objective(config: dict[str, Any], trial: Any = None) -> Any:  # a float, or a tuple of them
            t0 = time.perf_counter()
            try:
                return run.problem(config, trial)
            finally:
                self.eval_time = time.perf_counter() - t0

        return run.objective(objective)

    def timing(self, trial: Trial) -> dict[str, float]:
        """The timings of a trial just told (call once per trial, in order)."""
        overhead, self.overhead = self.study.overhead - self.overhead, self.study.overhead
        eval_time, self.eval_time = self.eval_time, math.nan
        return {
            "suggest_time": trial.suggest_time + trial.tell_time,
            "eval_time": eval_time,
            "overhead": overhead,
            "wall_time": time.perf_counter() - self.start,
        }


def run_one(run: Run, storage: Any = None) -> RunResult:
    """Run (or, in a storage, continue) one run; module level, so that it pickles into workers."""
    if storage is not None:
        return _stored_run(run, storage)
    study = run.study()
    clock = _Clock(study)
    entries: list[dict[str, Any]] = []

    def on_trial(study: Study, trial: Trial) -> None:
        entries.append(_entry(trial, clock.timing(trial)))

    study.optimize(clock.timed(run), run.n_trials, callbacks=[on_trial], catch=Exception)
    return RunResult(run.rows(entries, study.trials))


def _entry(trial: Trial, timing: Mapping[str, float]) -> dict[str, Any]:
    value = trial.value if trial.state == "complete" and trial.value is not None else math.nan
    last = math.nan if trial.last_step is None else float(trial.last_step)
    return {"state": trial.state, "value": float(value), "last_step": last, **timing}


# -- a run in a storage ---------------------------------------------------------------------------------


def _stored_run(run: Run, storage: Any) -> RunResult:
    store = open_storage(storage)
    study = run.study()
    live = study.optuna_study  # the record in Optuna's form: each finished trial is copied from it
    study_id = _open_run_study(store, run, live)
    recorded = sorted(store.get_all_trials(study_id, deepcopy=False), key=lambda t: t.number)
    counted = [t for t in recorded if _counts(t)]
    entries = [entry_of_frozen(t) for t in counted]
    if len(counted) >= run.n_trials and len(counted) == len(recorded):  # finished; killed before it said so
        _done(store, study_id, run)
        return RunResult(None)
    walls = [e["wall_time"] for e in entries if not math.isnan(e["wall_time"])]
    offset = walls[-1] if walls else 0.0  # the run's time before it was interrupted
    began = time.perf_counter()
    continued = None
    if recorded:
        reason = None if len(counted) == len(recorded) else "the record holds a trial left running (a reseeded run)"
        if reason is None:
            reason = _replay(study, live, recorded)
        continued = {"recorded": len(counted), "mode": "replayed" if reason is None else "reseeded"}
        if reason is not None:
            continued["reason"] = reason
            logger.warning("%s: not continued exactly, reseeded instead: %s", run.name, reason)
        events = store.get_study_user_attrs(study_id).get(CONTINUED) or []
        store.set_study_user_attr(study_id, CONTINUED, [*events, continued])
        if reason is not None:
            _reseeded(run, store, len(counted), offset)
            _done(store, study_id, run)
            return RunResult(None, continued)
    clock = _Clock(study, offset + time.perf_counter() - began)  # a replay counts as the run's time

    def copy(study: Study, trial: Trial) -> None:
        stored = _with_timing(live.get_trials(deepcopy=False)[trial.number], clock.timing(trial))
        store.create_new_trial(study_id, template_trial=stored)

    study.optimize(clock.timed(run), run.n_trials - len(counted), callbacks=[copy], catch=Exception)
    _done(store, study_id, run)
    return RunResult(None, continued)


def _done(store: optuna.storages.BaseStorage, study_id: int, run: Run) -> None:
    """Mark a run finished, its rows beside it (what ``Comparison.load`` reads), made from its stored trials."""
    stored = sorted(store.get_all_trials(study_id, deepcopy=False), key=lambda t: t.number)
    counted = [t for t in stored if _counts(t)]
    rows = run.rows([entry_of_frozen(t) for t in counted], [trial_of_frozen(t) for t in counted])
    store.set_study_user_attr(study_id, RESULT, pack(rows))
    store.set_study_user_attr(study_id, DONE, True)


def _open_run_study(store: optuna.storages.BaseStorage, run: Run, live: optuna.Study) -> int:
    """The id of the run's study: created with the study's attributes, or checked against them."""
    import optuna

    from unitune._quiet import quiet

    directions = [optuna.study.StudyDirection[d.upper()] for d in run.problem.directions or [run.problem.direction]]
    with quiet(*STORAGE_LOGGERS):
        try:
            study_id = store.create_new_study(directions, run.name)
        except optuna.exceptions.DuplicatedStudyError:
            study_id = store.get_study_id_from_name(run.name)
    stored = store.get_study_user_attrs(study_id)
    if RUN not in stored:  # new, or created by an attempt that died before it wrote its attributes (RUN last)
        for key, value in {**live.user_attrs, RUN: _identity(run)}.items():
            store.set_study_user_attr(study_id, key, value)
        return study_id
    differences = [
        f"{what} is {mine!r}, stored {theirs!r}"
        for what, mine, theirs in (
            ("the directions", [d.name for d in directions], [d.name for d in store.get_study_directions(study_id)]),
            ("the backend", live.user_attrs.get("unitune.backend"), stored.get("unitune.backend")),
            ("the space", live.user_attrs.get("unitune.signature"), stored.get("unitune.signature")),
        )
        if mine != theirs
    ]
    if differences:
        raise StudyError(
            f"run {run.name!r} cannot be continued: the storage holds another run of that name ("
            + "; ".join(differences)
            + "). Fix: give the problem another name, or use another storage"
        )
    return study_id


def _identity(run: Run) -> dict[str, Any]:
    return {"problem": run.problem.name, "backend": run.shown, "seed": run.seed}


def _replay(study: Study, live: optuna.Study, recorded: list[optuna.trial.FrozenTrial]) -> str | None:
    """Ask the seeded backend again for each recorded trial and tell it the recorded result.

    A trial's recorded reports are reported again, each followed by the pruner's decision (as
    the objective made them), so that a pruner keeping state in the record holds the same
    state; a trial's values and constraint values are told as recorded.

    Returns:
        None when every proposed configuration is the recorded one, else why the backend cannot
        be continued exactly (the study is then spent).
    """
    for frozen in recorded:
        try:
            trial = study.ask()
        except StudyError as error:
            return f"trial {frozen.number}: {error}"
        asked = live.get_trials(deepcopy=False)[trial.number].params
        if trial.number != frozen.number or asked != frozen.params:
            return (
                f"trial {frozen.number}: the backend, seeded again, proposed {asked} where the record holds "
                f"{frozen.params} (the backend is not deterministic for a seed)"
            )
        for step, value in sorted(frozen.intermediate_values.items()):  # as the objective reported them
            trial.report(value, step)
            trial.should_prune()  # the pruner's decision, which may keep state in the record (successive halving)
        if frozen.state.name == "COMPLETE":  # every value, and the recorded constraint values (not evaluated again)
            told = trial_of_frozen(frozen)
            values = list(frozen.values) if len(frozen.values) > 1 else frozen.values[0]
            study.tell(trial, values, constraints=told.constraints)
        elif frozen.state.name == "PRUNED":
            study.tell(trial, state="pruned")
        else:
            study.tell(trial, state="failed", error=str(frozen.system_attrs.get("fail_reason", "failed")))
        replayed = live.get_trials(deepcopy=False)[trial.number].system_attrs
        if replayed != frozen.system_attrs:
            return (
                f"trial {frozen.number}: replayed, its record holds {replayed} where the storage holds "
                f"{frozen.system_attrs} (a pruner's state, e.g. successive halving's rungs, that differs)"
            )
    return None


def _with_timing(frozen: optuna.trial.FrozenTrial, timing: Mapping[str, float]) -> optuna.trial.FrozenTrial:
    """A copy of a finished trial for the storage, its timings in its user attributes."""
    from optuna.trial import FrozenTrial

    return FrozenTrial(
        number=frozen.number,
        state=frozen.state,
        value=None,
        values=frozen.values,
        datetime_start=frozen.datetime_start,
        datetime_complete=frozen.datetime_complete,
        params=frozen.params,
        distributions=frozen.distributions,
        user_attrs={**frozen.user_attrs, TIMING_KEY: dict(timing)},
        system_attrs=frozen.system_attrs,
        intermediate_values=frozen.intermediate_values,
        trial_id=-1,
    )


def _reseeded(run: Run, store: optuna.storages.BaseStorage, counted: int, offset: float) -> None:
    """Continue the run with Study's own resume (the backend reseeded), its timings in the trials' attributes."""
    study = run.study(storage=store, study_name=run.name, load_if_exists=True)
    start = time.perf_counter() - offset

    def timed(config: dict[str, Any], trial: Any = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        value = run.problem(config, trial)
        running = study.running
        timing = {
            "suggest_time": running[0].suggest_time if running else math.nan,  # its share of the ask only
            "eval_time": time.perf_counter() - t0,
            "overhead": math.nan,
            "wall_time": time.perf_counter() - start,
        }
        return {"values" if run.problem.directions is not None else "value": value, TIMING_KEY: timing}

    study.optimize(run.objective(timed), run.n_trials - counted, catch=Exception)
