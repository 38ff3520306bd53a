"""Study: one search space, one backend, a record, and the ask/tell loop."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from unitune._keywords import suggest_keywords
from unitune.adapters import Outcome, TrialState, get_adapter_class, parse_backend
from unitune.exceptions import (
    ArgumentError,
    StudyError,
    argument_error,
)
from unitune.space import Space, SpaceLike, as_space
from unitune.study._checks import check_count, check_seed, check_storage, check_timeout
from unitune.study._constraints import Constraints, ConstraintsLike
from unitune.study._learning import Learning, storage_text
from unitune.study._objectives import (
    check_backend,
    check_directions,
    judge,
)
from unitune.study._pruning import Pruning, last_finite, resolve_pruner
from unitune.study._results import Results
from unitune.study._resume import check_stored, open_record, signature
from unitune.study._trial import Trial

if TYPE_CHECKING:
    import concurrent.futures

    import pandas as pd

    from unitune.adapters._base import Adapter
    from unitune.study._record import Record

__all__ = ["Objective", "Study"]

logger = logging.getLogger("unitune")

Objective = Callable[..., Any]  # objective(config) or objective(config, trial) (a TrialHandle)
_STATES = {"complete": TrialState.COMPLETE, "failed": TrialState.FAILED, "pruned": TrialState.PRUNED}


class Study(Results, Learning):
    """An optimization of one search space with one backend.

    Args:
        space: The search space (a :class:`~unitune.Space` or a plain dict).
        backend: ``"optuna"``, ``"hyperopt"``, ``"skopt"`` or ``"library:algorithm"``
            (see :func:`unitune.backends`).
        direction: ``"minimize"`` (the default) or ``"maximize"``, for one objective.
        directions: One direction per objective, for several (``["minimize", "maximize"]``): the
            objective returns one number per objective (see ``objectives``); give ``direction`` or ``directions``.
        objectives: Names of the objectives: the objective returns a dict holding them (its other
            entries become trial attributes); they name the columns of :meth:`trials_dataframe`.
        constraints: A function ``(config, result) -> [c0, ...]``, or the names of entries of the
            objective's dict result holding the values; each value ``<= 0`` is satisfied. Best trials are
            feasible ones (see ``unitune.backends()``, column ``constraints``, for what each backend does).
        seed: Seed of the backend (same seed, same suggestions).
        backend_options: Keyword arguments for the native algorithm's constructor.
        storage: Where the record goes: None (memory), an Optuna storage URL such as
            ``"sqlite:///runs.db"``, a journal-file path, or an Optuna storage object.
        study_name: Name of the study in the storage.
        load_if_exists: Continue the study of that name: its finished trials are
            replayed into the backend, trials left running by a process of this machine
            that is gone are run again with the same parameters. Several workers may
            share one stored study (see ``docs/many-workers.md``).
        warm_start: Another Study (any backend) or its :meth:`trials_dataframe`, whose
            finished trials are told to this backend before the first ask.
        allow_changes: Continue a stored study with another backend or a changed space
            (by default an error that says what differs); only the recorded trials that fit
            the space are told to the backend.
        pruner: Stops unpromising trials early: an Optuna pruner (``optuna.pruners.MedianPruner()``,
            ``HyperbandPruner()``, ...) or a short name (``"median"``, ``"asha"``, ``"hyperband"``, ...;
            see ``unitune.study.PRUNERS``). It reads the record, so it works on every backend.
            A seeded in-memory study without ``study_name`` is named ``unitune-seed-<seed>``
            (Hyperband picks a trial's bracket from the study name). See docs/pruning.md.

    Attributes:
        adapter: The backend's adapter (for inspection: ``adapter.study``, ``adapter.sampler``, ...).

    Example:
        >>> import unitune as ut
        >>> study = ut.Study({"x": ut.Float(0, 1)}, backend="hyperopt:rand", seed=1)
        >>> trial = study.ask()
        >>> _ = study.tell(trial, trial.params["x"] ** 2)
        >>> study.best_trial.number
        0
    """

    @suggest_keywords
    def __init__(
        self,
        space: SpaceLike,
        *,
        backend: str = "optuna",
        direction: str | None = None,
        directions: Sequence[str] | None = None,
        objectives: Sequence[str] | None = None,
        constraints: ConstraintsLike | None = None,
        seed: int | None = None,
        backend_options: Mapping[str, Any] | None = None,
        storage: Any = None,
        study_name: str | None = None,
        load_if_exists: bool = False,
        warm_start: Study | pd.DataFrame | None = None,
        allow_changes: bool = False,
        pruner: Any = None,
    ) -> None:
        self.space: Space = as_space(space)
        self.directions, self.objectives = check_directions(direction, directions, objectives)
        self.pruner = resolve_pruner(pruner, n_objectives=len(self.directions))
        self._constraints = None if constraints is None else Constraints(constraints)
        seed = check_seed(seed)
        check_storage(storage)
        library, algorithm = parse_backend(backend)
        self.backend = f"{library}:{algorithm}"
        self.seed = seed
        self._adapter_class = get_adapter_class(library)
        self._algorithm, self._backend_options = algorithm, backend_options
        check_backend(self.backend, self._adapter_class.capabilities(algorithm).objectives, self.directions)
        if study_name is None and storage is None and seed is not None:  # reproducible (Hyperband hashes the name)
            study_name = f"unitune-seed-{seed}"
        attrs = {"backend": self.backend, "seed": seed, "space": self._space_dict(), "signature": signature(self.space)}
        attrs["backend_options"], self._where = dict(backend_options or {}), storage_text(storage)  # for reports
        if self.objectives is not None:
            attrs["objectives"] = self.objectives  # also Optuna's metric names of the record
        self._record: Record = open_record(self.space, storage, study_name, load_if_exists, self.directions, attrs)
        self._trials: list[Trial] = []
        self._running: dict[int, Trial] = {}
        self._stop = False
        self._warm: list[tuple[dict[str, Any], Outcome]] = []
        self.overhead = 0.0  # seconds unitune itself spent in ask/tell
        self._sync: Sync | None = None
        from unitune.study._sync import Sync, worker_seed

        first, must_fit = 0, False
        if self._record.loaded:
            must_fit = check_stored(self._record, attrs, self.directions, allow_changes)
        if storage is not None:  # a stored record: other workers may share it
            self._sync = Sync(self, self._record, must_fit=must_fit)  # type: ignore[arg-type]
            first = len(self._record.trials()) if self._record.loaded else 0
        self._pruning = Pruning(self._record, self.pruner)
        self.adapter: Adapter = self._new_adapter(worker_seed(seed, first))
        if self._sync is not None and self._record.loaded:
            self._sync.open(first)
        if warm_start is not None:
            self._warm_start(warm_start)

    def _space_dict(self) -> Any:
        try:
            return self.space.to_dict()
        except Exception:  # choices that do not serialize: keep a readable form
            return repr(self.space)

    # -- the backend and the record ----------------------------------------------------------------
    def _new_adapter(self, seed: int | None) -> Adapter:
        adapter = self._adapter_class(
            self.space,
            self._algorithm,
            seed=seed,
            options=self._backend_options,
            n_objectives=len(self.directions),
            constrained=self._constraints is not None,
            directions=self.directions,
        )
        if self.pruner is not None:  # before any trial reaches it (Optuna's samplers see the pruner's study)
            adapter.use_pruner(self.pruner, self._record.study_name)
        return adapter

    def _reseed(self, seed: int | None, pending: Mapping[int, Mapping[str, Any]]) -> None:
        """A new backend with another seed, told every finished trial, the warm start and the pending trials."""
        adapter = self._new_adapter(seed)
        finished = sorted(self._trials, key=lambda t: t.number)
        adapter.add_many([*((t.raw, self._outcome(t)) for t in finished), *self._warm])
        for number, raw in pending.items():
            adapter.add_pending(number, raw)
        self.adapter = adapter

    def _warm_start(self, source: Study | pd.DataFrame, *, warn: bool = True) -> int:
        from unitune.study._warm import warm_outcomes

        self._warm = warm_outcomes(self, source, warn=warn)
        self.adapter.add_many(self._warm)
        return len(self._warm)

    @property
    def constrained(self) -> bool:
        """Whether the study has constraints (``constraints=``)."""
        return self._constraints is not None

    def losses(self, values: Sequence[float]) -> tuple[float, ...]:
        """The losses (minimized) of objective values in the study's directions.

        Example:
            >>> import unitune as ut
            >>> ut.Study({"x": ut.Float(0, 1)}, directions=["minimize", "maximize"]).losses([1.0, 2.0])
            (1.0, -2.0)
        """
        return tuple(v if d == "minimize" else -v for v, d in zip(values, self.directions, strict=True))

    def _loss(self, value: float) -> float:
        return value if self.directions[0] == "minimize" else -value

    def _complete(self, trial: Trial, values: tuple[float, ...], constraints: tuple[float, ...] | None) -> None:
        trial.state, trial.values = TrialState.COMPLETE, values
        trial.value = values[0] if len(values) == 1 else None
        trial.constraints = constraints if self._constraints is not None else None

    def _outcome(self, trial: Trial) -> Outcome:
        """The outcome the backend is told for a finished trial (losses: minimized)."""
        intermediate = {step: self._loss(v) for step, v in trial.intermediate.items()}
        if trial.state is TrialState.COMPLETE and trial.values is not None:
            constraints = trial.constraints or ()
            return Outcome.complete(*self.losses(trial.values), intermediate=intermediate, constraints=constraints)
        if trial.state is TrialState.PRUNED:
            return Outcome.pruned(intermediate)
        return Outcome.failed(intermediate=intermediate)

    # -- ask and tell ---------------------------------------------------------------------------
    @overload
    def ask(self) -> Trial: ...

    @overload
    def ask(self, n: int) -> list[Trial]: ...

    def ask(self, n: int | None = None) -> Trial | list[Trial]:
        """Propose one trial, or a list of ``n`` pending trials at once.

        Trials already asked and not told are pending: each backend takes them
        into account its own way (see ``unitune.backends()``, column ``pending``).
        ``ask(n)`` returns fewer than ``n`` trials (possibly none) when the backend
        has nothing left to propose (a finished grid).

        Raises:
            StudyError: when ``ask()`` finds nothing left to propose.
        """
        if n is None:
            trials = self._ask(1)
            if not trials:
                raise StudyError(f"{self.backend} has no configuration left to propose (the grid is done)")
            return trials[0]
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise argument_error("n", "must be an int >= 0", n, "ask(4) asks four trials at once")
        return self._ask(n)

    def _ask(self, n: int) -> list[Trial]:
        if self._sync is None:
            return self._propose(n, self._record.start)
        out = self._sync.ask(n, self._propose)  # other workers' trials told first (see study/_sync.py)
        for trial in out:
            trial._started = time.perf_counter()
            trial._pruning = self._pruning
            self._running[trial.number] = trial
        return out

    def _propose(self, n: int, start: Callable[[dict[str, Any]], tuple[int, int]]) -> list[Trial]:
        """Ask the backend for ``n`` trials and record each with ``start(raw) -> (record id, number)``."""
        out: list[Trial] = []
        t0 = time.perf_counter()
        suggestions = self.adapter.ask(n)
        t1 = time.perf_counter()
        for s in suggestions:
            record_id, number = start(s.raw)
            trial = Trial(number, self.space.decode(s.raw), suggest_time=(t1 - t0) / len(suggestions))
            trial.raw, trial._token, trial._record_id, trial._started = s.raw, s.token, record_id, time.perf_counter()
            trial._pruning = self._pruning
            self._running[number] = trial
            out.append(trial)
        self.overhead += time.perf_counter() - t1
        return out

    def tell(
        self,
        trial: Trial | int,
        value: Any = None,
        *,
        state: Literal["complete", "failed", "pruned"] | TrialState = "complete",
        error: str | None = None,
        constraints: Sequence[float] | None = None,
    ) -> Trial:
        """Report the result of an asked trial.

        Args:
            trial: The trial (or its number).
            value: The objective's value: a number, or a dict with the number under
                ``"value"`` and other entries kept as trial attributes. With several objectives,
                one number per objective (a sequence, or a dict: see ``objectives``).
            state: ``"failed"`` to report a failure, ``"pruned"`` for a trial stopped early
                (``value`` is then ignored).
            error: Why the trial failed.
            constraints: The trial's constraint values (a study with ``constraints=``), instead of
                computing them from ``value``.

        Returns:
            The finished trial. NaN and infinite values make a failed trial with the reason.

        Raises:
            ObjectiveError: if ``value`` is not a number (nor a dict holding one).
            StudyError: if the trial is not running in this study.
        """
        number = trial if isinstance(trial, int) else trial.number
        if number not in self._running:
            raise StudyError(f"trial {number} is not running in this study (already told, or never asked)")
        if state not in _STATES:
            raise argument_error("state", "must be 'complete', 'failed' or 'pruned'", state, "use one of those")
        if constraints is not None and self._constraints is None:
            raise ArgumentError(
                "tell(constraints=...) needs a study with constraints. Fix: create it with constraints=[names] "
                "(or a function) so that every backend knows the study is constrained"
            )
        t0 = time.perf_counter()
        running = self._running[number]
        finished, attrs = _STATES[str(state)], dict[str, Any]()
        values: tuple[float, ...] = ()
        found: tuple[float, ...] | None = None
        if finished is TrialState.COMPLETE:
            finished, values, attrs, error = judge(value, len(self.directions), self.objectives)
            if finished is TrialState.COMPLETE and self._constraints is not None:
                found = self._constraints.evaluate(self.config_for(running), value, constraints)
        elif finished is TrialState.FAILED:
            error = error or "reported as failed"
        del self._running[number]
        running._pruning = None
        running.duration = t0 - running._started
        running.state, running.error = finished, error if finished is TrialState.FAILED else None
        if finished is TrialState.COMPLETE:
            self._complete(running, values, found)
        running.user_attrs.update(attrs)
        recorded = None if running.values is None else list(running.values)
        if finished is TrialState.PRUNED:  # recorded as Optuna records it: with its last reported value
            recorded = last_finite(running.intermediate)
        if self._sync is not None:  # tolerates a trial another worker failed; drops it from the pending ones
            self._sync.finish(running, recorded, attrs)
        else:
            self._record.finish(
                running._record_id,
                finished,
                recorded,
                error=running.error,
                user_attrs=attrs,
                constraints=running.constraints,
            )
        t1 = time.perf_counter()
        outcome = self._outcome(running)
        if running._token is None:  # a trial replayed from the record: not asked from the backend
            self.adapter.add(running.raw, outcome)
        else:
            self.adapter.tell(running._token, outcome)
        running.tell_time = time.perf_counter() - t1
        self._trials.append(running)
        self.overhead += t1 - t0
        return running

    # -- running an objective ----------------------------------------------------------------------
    @suggest_keywords
    def optimize(
        self,
        objective: Objective,
        n_trials: int | None = None,
        *,
        timeout: float | None = None,
        n_jobs: int = 1,
        executor: concurrent.futures.Executor | None = None,
        catch: type[BaseException] | tuple[type[BaseException], ...] = (),
        callbacks: Sequence[Callable[[Study, Trial], None]] = (),
        progress: bool = False,
    ) -> Study:
        """Run ``n_trials`` more trials of ``objective`` (or until ``timeout`` seconds).

        Args:
            objective: Called with the nested configuration; returns a number
                (or a dict with the number under ``"value"``). An objective with a second
                positional parameter without a default, ``objective(config, trial)``, gets a
                :class:`~unitune.TrialHandle` to ``report`` values and ask ``should_prune()``;
                raising :class:`~unitune.TrialPruned` ends the trial as pruned.
            n_trials: Number of trials to run (None: until ``timeout`` or :meth:`stop`).
            timeout: Stop asking new trials after this many seconds.
            n_jobs: Trials in flight at once, in local worker processes (lambdas work).
            executor: Any ``concurrent.futures.Executor`` (threads, processes, a Dask
                ``Client.get_executor()``); trials in flight: ``n_jobs`` if > 1, else
                the executor's worker count.
            catch: Exceptions of the objective that make a failed trial, the study going on
                (e.g. ``catch=(MemoryError,)``). Any other exception is a bug: the trial is
                recorded as failed and the exception stops the study with its traceback, as in
                Optuna (the default, ``()``, catches nothing).
            callbacks: ``f(study, trial)`` called after each finished trial.
            progress: Show a progress bar with the best value.

        Returns:
            The study itself. Ctrl-C stops it cleanly: running trials are recorded as
            failed ("interrupted") and every finished trial is kept.
        """
        from unitune.study._driver import run

        if n_trials is None and timeout is None:
            raise ArgumentError("give n_trials or timeout (or both) so that the study ends; received neither")
        n_trials = None if n_trials is None else check_count("n_trials", n_trials)
        timeout = check_timeout(timeout)
        n_jobs = check_count("n_jobs", n_jobs, minimum=1, allow=(-1,))
        self._stop = False
        self._remember_objective(objective)
        run(self, objective, n_trials, timeout, n_jobs, executor, catch, list(callbacks), progress)
        return self

    def config_for(self, trial: Trial) -> dict[str, Any]:
        """A fresh copy of ``trial``'s configuration, as the objective receives it.

        New dicts and lists, the very choice objects: an objective that changes its
        configuration changes neither ``trial.params`` nor the record.
        """
        return self.space.decode(trial.raw)

    def stop(self) -> None:
        """Ask no new trial; the running ones finish (call it from a callback or the objective's thread)."""
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        """Whether :meth:`stop` was called since the last :meth:`optimize` started."""
        return self._stop
