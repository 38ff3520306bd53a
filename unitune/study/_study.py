"""Study, Trial, minimize() and maximize()."""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from unitune.adapters import get_adapter_class, parse_backend
from unitune.exceptions import ConfigError, ObjectiveError, StudyError
from unitune.space import Space, SpaceLike, as_space

if TYPE_CHECKING:
    import concurrent.futures

    import optuna
    import pandas as pd

    from unitune.adapters._base import Adapter

__all__ = ["Trial", "Study", "maximize", "minimize", "VALUE_KEY"]

logger = logging.getLogger("unitune")

#: Key of the objective value when an objective returns a dict; the other entries become trial attributes.
VALUE_KEY = "value"

Objective = Callable[[dict[str, Any]], Any]


@dataclass(slots=True)
class Trial:
    """One evaluation of the objective.

    Attributes:
        number: Position in the study (0, 1, ...), as in the record.
        params: The nested configuration the objective receives.
        state: ``"running"``, ``"complete"`` or ``"failed"``.
        value: The objective's value (None unless complete).
        error: Why the trial failed, if it did.
        user_attrs: Extra entries of a dict returned by the objective.
        suggest_time: Seconds the backend spent proposing this trial (its share of the ask).
        tell_time: Seconds the backend spent taking the result in (model fits often happen here).
        duration: Seconds from ask to tell.

    Example:
        >>> import unitune as ut
        >>> study = ut.minimize(lambda c: c["n"], {"n": ut.Int(0, 3)}, backend="optuna:random", n_trials=2, seed=0)
        >>> trial = study.trials[0]
        >>> trial.number, trial.state, trial.value == trial.params["n"]
        (0, 'complete', True)
    """

    number: int
    params: dict[str, Any]
    state: str = "running"
    value: float | None = None
    error: str | None = None
    user_attrs: dict[str, Any] = field(default_factory=dict)
    suggest_time: float = 0.0
    tell_time: float = 0.0
    duration: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    _token: Any = field(default=None, repr=False)
    _record_id: int = field(default=-1, repr=False)
    _started: float = field(default=0.0, repr=False)


class Study:
    """An optimization of one search space with one backend.

    Args:
        space: The search space (a :class:`~unitune.Space` or a plain dict).
        backend: ``"optuna"``, ``"hyperopt"``, ``"skopt"`` or ``"library:algorithm"``
            (see :func:`unitune.backends`).
        direction: ``"minimize"`` or ``"maximize"``.
        seed: Seed of the backend (same seed, same suggestions).
        backend_options: Keyword arguments for the native algorithm's constructor.
        storage: Where the record goes: None (memory), an Optuna storage URL such as
            ``"sqlite:///runs.db"``, a journal-file path, or an Optuna storage object.
        study_name: Name of the study in the storage.
        load_if_exists: Continue the study of that name: its finished trials are
            replayed into the backend, trials left running by a killed process are
            run again with the same parameters.
        warm_start: Another Study (any backend) or its :meth:`trials_dataframe`, whose
            finished trials are told to this backend before the first ask.

    Example:
        >>> import unitune as ut
        >>> study = ut.Study({"x": ut.Float(0, 1)}, backend="hyperopt:rand", seed=1)
        >>> trial = study.ask()
        >>> _ = study.tell(trial, trial.params["x"] ** 2)
        >>> study.best_trial.number
        0
    """

    def __init__(
        self,
        space: SpaceLike,
        *,
        backend: str = "optuna",
        direction: str = "minimize",
        seed: int | None = None,
        backend_options: Mapping[str, Any] | None = None,
        storage: Any = None,
        study_name: str | None = None,
        load_if_exists: bool = False,
        warm_start: Study | pd.DataFrame | None = None,
    ) -> None:
        from unitune.study._record import Record

        self.space: Space = as_space(space)
        if direction not in ("minimize", "maximize"):
            raise ValueError(f"direction must be 'minimize' or 'maximize'; received {direction!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"seed must be an int or None; received {seed!r}")
        library, algorithm = parse_backend(backend)
        self.backend = f"{library}:{algorithm}"
        self.direction = direction
        self.seed = seed
        cls = get_adapter_class(library)
        self.record = Record(
            self.space,
            storage=storage,
            study_name=study_name,
            load_if_exists=load_if_exists,
            direction=direction,
            attrs={"backend": self.backend, "seed": seed, "space": self._space_dict()},
        )
        self._trials: list[Trial] = []
        self._running: dict[int, Trial] = {}
        self._stale: list[Trial] = []
        self._stop = False
        self.overhead = 0.0  # seconds unitune itself spent in ask/tell
        recorded = len(self.record.trials()) if self.record.loaded else 0
        self.adapter: Adapter = cls(self.space, algorithm, seed=_resumed_seed(seed, recorded), options=backend_options)
        if self.record.loaded:
            self._load_recorded()
        if warm_start is not None:
            self._warm_start(warm_start)

    def _space_dict(self) -> Any:
        try:
            return self.space.to_dict()
        except Exception:  # choices that do not serialize: keep a readable form
            return repr(self.space)

    # -- the record -----------------------------------------------------------------------------
    def _load_recorded(self) -> None:
        told = []
        for frozen in self.record.trials():
            raw = self.record.raw_of(frozen)
            params = self.space.decode(raw)
            trial = Trial(frozen.number, params, raw=raw, _record_id=frozen._trial_id)
            if frozen.state.name == "RUNNING":  # left by a process that died: run it again
                self._stale.append(trial)
                continue
            if frozen.state.name == "COMPLETE" and frozen.value is not None:
                trial.state, trial.value = "complete", float(frozen.value)
            else:
                trial.state, trial.error = "failed", str(frozen.system_attrs.get("fail_reason", frozen.state.name))
            trial.user_attrs = dict(frozen.user_attrs)
            self._trials.append(trial)
            told.append((raw, self._loss(trial)))
        self.adapter.add_many(told)

    def _warm_start(self, source: Study | pd.DataFrame) -> None:
        told = []
        rows = source.trials if isinstance(source, Study) else _trials_from_dataframe(source)
        for trial in rows:
            if trial.state != "complete" or trial.value is None:
                continue
            try:
                raw = self.space.encode(trial.params)
            except ConfigError:
                continue  # a configuration outside this space cannot be told
            told.append((raw, trial.value if self.direction == "minimize" else -trial.value))
        logger.info("warm start: told %d trials to %s", len(told), self.backend)
        self.adapter.add_many(told)

    # -- ask and tell ---------------------------------------------------------------------------
    @overload
    def ask(self) -> Trial: ...

    @overload
    def ask(self, n: int) -> list[Trial]: ...

    def ask(self, n: int | None = None) -> Trial | list[Trial]:
        """Propose one trial, or ``n`` pending trials at once.

        Trials already asked and not told are pending: each backend takes them
        into account its own way (see ``unitune.backends()``, column ``pending``).

        Raises:
            StudyError: when the backend has nothing left to propose (a finished grid).
        """
        trials = self._ask(1 if n is None else n)
        if n is None:
            if not trials:
                raise StudyError(f"{self.backend} has no configuration left to propose (the grid is done)")
            return trials[0]
        return trials

    def _ask(self, n: int) -> list[Trial]:
        out: list[Trial] = []
        while self._stale and len(out) < n:  # trials a killed process left running
            trial = self._stale.pop(0)
            trial._started = time.perf_counter()
            self._running[trial.number] = trial
            out.append(trial)
        if len(out) == n:
            return out
        t0 = time.perf_counter()
        suggestions = self.adapter.ask(n - len(out))
        t1 = time.perf_counter()
        for s in suggestions:
            params = self.space.decode(s.raw)
            record_id, number = self.record.start(s.raw)
            trial = Trial(number, params, raw=s.raw, suggest_time=(t1 - t0) / len(suggestions))
            trial._token, trial._record_id, trial._started = s.token, record_id, time.perf_counter()
            self._running[number] = trial
            out.append(trial)
        self.overhead += time.perf_counter() - t1
        return out

    def tell(
        self,
        trial: Trial | int,
        value: Any = None,
        *,
        state: Literal["complete", "failed"] = "complete",
        error: str | None = None,
    ) -> Trial:
        """Report the result of an asked trial.

        Args:
            trial: The trial (or its number).
            value: The objective's value: a number, or a dict with the number under
                ``"value"`` and other entries kept as trial attributes.
            state: ``"failed"`` to report a failure (``value`` is then ignored).
            error: Why the trial failed.

        Returns:
            The finished trial. NaN and infinite values make a failed trial with the reason.

        Raises:
            ObjectiveError: if ``value`` is not a number (nor a dict holding one).
            StudyError: if the trial is not running in this study.
        """
        number = trial if isinstance(trial, int) else trial.number
        if number not in self._running:
            raise StudyError(f"trial {number} is not running in this study (already told, or never asked)")
        t0 = time.perf_counter()
        running = self._running[number]
        attrs: dict[str, Any] = {}
        if state == "failed":
            loss = None
            error = error or "reported as failed"
        elif state != "complete":
            raise ValueError(f"state must be 'complete' or 'failed'; received {state!r}")
        else:
            value, attrs = _unpack(value)
            if not math.isfinite(value):
                error = f"the objective returned {value!r}"
                loss = None
            else:
                loss = value if self.direction == "minimize" else -value
        del self._running[number]
        running.duration = t0 - running._started
        if loss is None:
            running.state, running.error = "failed", error
        else:
            running.state, running.value = "complete", value
        running.user_attrs.update(attrs)
        self.record.finish(running._record_id, running.value, error=running.error, user_attrs=attrs)
        t1 = time.perf_counter()
        if running._token is None:  # a trial replayed from the record: not asked from the backend
            self.adapter.add(running.raw, loss)
        else:
            self.adapter.tell(running._token, loss)
        running.tell_time = time.perf_counter() - t1
        self._trials.append(running)
        self.overhead += t1 - t0
        return running

    # -- running an objective ----------------------------------------------------------------------
    def optimize(
        self,
        objective: Objective,
        n_trials: int | None = None,
        *,
        timeout: float | None = None,
        n_jobs: int = 1,
        executor: concurrent.futures.Executor | None = None,
        catch: type[BaseException] | tuple[type[BaseException], ...] = Exception,
        callbacks: Sequence[Callable[[Study, Trial], None]] = (),
        progress: bool = False,
    ) -> Study:
        """Run ``n_trials`` more trials of ``objective`` (or until ``timeout`` seconds).

        Args:
            objective: Called with the nested configuration; returns a number
                (or a dict with the number under ``"value"``).
            n_trials: Number of trials to run (None: until ``timeout`` or :meth:`stop`).
            timeout: Stop asking new trials after this many seconds.
            n_jobs: Trials in flight at once, in local worker processes (lambdas work).
            executor: Any ``concurrent.futures.Executor`` (threads, processes, a Dask
                ``Client.get_executor()``); trials in flight: ``n_jobs`` if > 1, else
                the executor's worker count.
            catch: Exceptions of the objective that make a failed trial; any other
                exception is recorded and then stops the study.
            callbacks: ``f(study, trial)`` called after each finished trial.
            progress: Show a progress bar with the best value.

        Returns:
            The study itself. Ctrl-C stops it cleanly: running trials are recorded as
            failed ("interrupted") and every finished trial is kept.
        """
        from unitune.study._driver import run

        if n_trials is None and timeout is None:
            raise ValueError("give n_trials or timeout (or both) so that the study ends")
        if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0):
            raise ValueError(f"n_trials must be a non-negative int; received {n_trials!r}")
        self._stop = False
        run(self, objective, n_trials, timeout, n_jobs, executor, catch, list(callbacks), progress)
        return self

    def stop(self) -> None:
        """Ask no new trial; the running ones finish (call it from a callback or the objective's thread)."""
        self._stop = True

    # -- results --------------------------------------------------------------------------------
    @property
    def trials(self) -> list[Trial]:
        """Finished trials (complete and failed), in the order they finished."""
        return list(self._trials)

    @property
    def best_trial(self) -> Trial:
        """The complete trial with the best value.

        Raises:
            StudyError: if no trial has completed.
        """
        done = [t for t in self._trials if t.state == "complete" and t.value is not None]
        if not done:
            raise StudyError("no trial has completed yet, so there is no best trial")
        sign = 1.0 if self.direction == "minimize" else -1.0
        return min(done, key=lambda t: (sign * t.value, t.number))  # type: ignore[operator]

    @property
    def best_params(self) -> dict[str, Any]:
        """The configuration of the best trial."""
        return self.best_trial.params

    @property
    def best_value(self) -> float:
        """The value of the best trial."""
        value = self.best_trial.value
        assert value is not None
        return value

    @property
    def optuna_study(self) -> optuna.Study:
        """The record as an ``optuna.Study`` (``optuna.visualization`` works on any backend)."""
        return self.record.optuna_study()

    def trials_dataframe(self) -> pd.DataFrame:
        """One row per finished trial: number, state, value, timings, ``params_<flat name>`` (NaN where inactive).

        Example:
            >>> import unitune as ut
            >>> study = ut.minimize(lambda c: c["x"], {"x": ut.Int(0, 3)}, backend="optuna:random", n_trials=3)
            >>> list(study.trials_dataframe().columns)
            ['number', 'state', 'value', 'duration', 'suggest_time', 'tell_time', 'error', 'params_x']
        """
        from unitune.study._frame import trials_dataframe

        return trials_dataframe(self)

    def __repr__(self) -> str:
        return f"Study(backend={self.backend!r}, direction={self.direction!r}, trials={len(self._trials)})"

    def _loss(self, trial: Trial) -> float | None:
        if trial.state != "complete" or trial.value is None:
            return None
        return trial.value if self.direction == "minimize" else -trial.value


def _resumed_seed(seed: int | None, recorded: int) -> int | None:
    """A continued study must not replay its first suggestions: derive a new seed from the trial count."""
    if seed is None or recorded == 0:
        return seed
    import numpy as np

    return int(np.random.SeedSequence([seed, recorded]).generate_state(1)[0])


def _unpack(value: Any) -> tuple[float, dict[str, Any]]:
    if type(value) is float or type(value) is int:  # the common case, before the ABC checks below
        return float(value), {}
    attrs: dict[str, Any] = {}
    if isinstance(value, Mapping):
        if VALUE_KEY not in value:
            raise ObjectiveError(
                f"the objective returned a dict without the key {VALUE_KEY!r}: {sorted(map(str, value))}. "
                f"Fix: return a number, or a dict with the number under {VALUE_KEY!r}"
            )
        attrs = {str(k): v for k, v in value.items() if k != VALUE_KEY}
        value = value[VALUE_KEY]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # 0-d arrays, torch scalars and friends
            import numpy as np

            if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
                return float(value.reshape(())), attrs
        except ImportError:  # pragma: no cover
            pass
        raise ObjectiveError(
            f"the objective must return a number; it returned {value!r} ({type(value).__name__}). "
            f"Fix: return a float, or a dict with the float under {VALUE_KEY!r}"
        )
    return float(value), attrs


def _trials_from_dataframe(frame: pd.DataFrame) -> Iterable[Trial]:
    from unitune.study._frame import trials_from_dataframe

    return trials_from_dataframe(frame)


_OPTIMIZE_ARGS = frozenset({"timeout", "n_jobs", "executor", "catch", "callbacks", "progress"})


def _run(direction: str, objective: Objective, space: SpaceLike, n_trials: int | None = None, **kwargs: Any) -> Study:
    optimize_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _OPTIMIZE_ARGS}
    study = Study(space, direction=direction, **kwargs)
    if n_trials is not None and study.record.loaded:  # resuming: n_trials is the study's total
        n_trials = max(0, n_trials - len(study.trials))
    return study.optimize(objective, n_trials, **optimize_kwargs)


def minimize(objective: Objective, space: SpaceLike, **kwargs: Any) -> Study:
    """Minimize ``objective`` over ``space``; returns the finished :class:`Study`.

    Takes the arguments of :class:`Study` (``backend``, ``seed``, ``storage``, ...) and
    of :meth:`Study.optimize` (``n_trials``, ``timeout``, ``n_jobs``, ...). When it
    continues a stored study (``load_if_exists=True``), ``n_trials`` is the total
    the study should reach, so re-running the same command after a crash finishes it.

    Example:
        >>> import unitune as ut
        >>> study = ut.minimize(lambda c: abs(c["n"] - 2), {"n": ut.Int(0, 5)},
        ...                     backend="hyperopt", n_trials=15, seed=0)
        >>> study.best_params
        {'n': 2}
    """
    return _run("minimize", objective, space, **kwargs)


def maximize(objective: Objective, space: SpaceLike, **kwargs: Any) -> Study:
    """Maximize ``objective`` over ``space``; see :func:`minimize`.

    Example:
        >>> import unitune as ut
        >>> ut.maximize(lambda c: -abs(c["n"] - 2), {"n": ut.Int(0, 5)},
        ...             backend="optuna:random", n_trials=15, seed=0).best_value
        0.0
    """
    return _run("maximize", objective, space, **kwargs)
