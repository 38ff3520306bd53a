"""Many workers, one study: a worker kept in step with the shared record.

Several processes (or machines) run the same study against one storage. Each
worker is a :class:`~unitune.Study` whose record is that storage; this module
is what makes them cooperate. The rules:

* **Before each ask**, the worker reads the record once. Every trial that
  finished since its last read, in any worker, is told to its backend
  (``Adapter.add``), exactly once: the numbers it has seen are kept. Other
  workers' RUNNING trials are told as pending (``Adapter.add_pending``), where
  the backend takes pending trials into account, and dropped when they finish.
* **Who runs a trial.** A RUNNING trial belongs to the worker that recorded it
  (trial system attribute ``unitune:worker``). It is run again only when that
  worker is gone:

  - when a worker *opens* the study, RUNNING trials recorded on this machine by a
    process that has exited are taken over at once, under the same number and
    with the same parameters (a worker re-run after ``kill -9`` continues where it
    stopped);
  - while workers run, a trial whose worker stopped recording heartbeats for the
    grace period is failed by the next worker that asks, and Optuna's retry
    callback re-creates it as WAITING with the same parameters (a new number);
    WAITING trials are run before the backend is asked for new ones.

* **Seeds.** A worker's backend is seeded from the study's seed and the number
  of the first trial the worker creates (:func:`worker_seed`), a number the
  storage hands out once: the first trial is created, then drawn. A single worker
  (a fresh or resumed study) therefore makes the suggestions it always made;
  several workers get distinct streams, and are not reproducible run to run.
* **Budget.** ``minimize(n_trials=...)`` on a stored study is the study's total
  across workers: a worker stops asking when the record holds that many trials
  (a failed trial that was re-created counts once); workers that check at the
  same time overshoot by at most their number minus one. A worker that reached
  the total runs the WAITING trials that remain and, when heartbeats are on,
  waits while other workers' trials run (at most the grace period plus two
  heartbeat intervals), so that a trial abandoned at the end is still run again.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from unitune.adapters import Outcome, TrialState
from unitune.adapters._optuna_compat import heartbeat_interval, trial_constraints
from unitune.exceptions import UnituneWarning
from unitune.study._checks import raw_problem
from unitune.study._liveness import WORKER_KEY, Heartbeat, claim_lock, gone, identity
from unitune.study._trial import Trial

if TYPE_CHECKING:
    import optuna

    from unitune.study._record import StorageRecord
    from unitune.study._study import Study

__all__ = ["Sync", "worker_seed"]

logger = logging.getLogger("unitune")

_FINISHED = {"COMPLETE", "FAIL", "PRUNED"}


def worker_seed(seed: int | None, first: int) -> int | None:
    """The backend's seed in a worker whose first created trial has number ``first``.

    The seed itself for trial 0 (a new study), else a seed derived from both: a
    resumed study does not replay its first suggestions, and two workers never
    share a stream.

    Example:
        >>> worker_seed(7, 0), worker_seed(7, 5) == worker_seed(7, 5) != worker_seed(7, 6)
        (7, True)
    """
    if seed is None or first == 0:
        return seed
    import numpy as np

    return int(np.random.SeedSequence([seed, first]).generate_state(1)[0])


def recorded_trial(study: Study, frozen: optuna.trial.FrozenTrial, raw: dict[str, Any]) -> Trial:
    """A finished recorded trial (``raw``: its raw assignment) as the study keeps it."""
    record = study._record
    trial = Trial(frozen.number, study.space.decode(raw))
    trial.raw, trial._record_id = raw, record.trial_id(frozen.number)
    trial.intermediate = dict(frozen.intermediate_values)
    if frozen.state.name == "COMPLETE" and frozen.values is not None:
        study._complete(trial, tuple(float(v) for v in frozen.values), trial_constraints(frozen))
    elif frozen.state.name == "PRUNED":
        trial.state = TrialState.PRUNED
    else:
        trial.state = TrialState.FAILED
        trial.error = str(frozen.system_attrs.get("fail_reason", frozen.state.name))
    trial.user_attrs = dict(frozen.user_attrs)
    if frozen.datetime_start and frozen.datetime_complete:
        trial.duration = (frozen.datetime_complete - frozen.datetime_start).total_seconds()
    return trial


class Sync:
    """One worker's view of a shared record (see the module docstring).

    Args:
        study: The worker's study.
        record: Its record, over a storage other workers may share.
        must_fit: Whether recorded trials must fit the study's space (the stored study was
            continued with another space): those that do not are kept in the record, not told.
    """

    def __init__(self, study: Study, record: StorageRecord, *, must_fit: bool = False) -> None:
        self.study = study
        self.record = record
        self.must_fit = must_fit
        self.skipped = 0  # recorded trials that do not fit the space
        self.me = identity()
        self.lock = claim_lock(record.study_name)
        beat = heartbeat_interval(record.storage)
        self.heartbeat = Heartbeat(record.storage, beat[0]) if beat else None
        self.poll = 0.5 if beat is None else min(1.0, beat[0] / 2)
        self.patience = 0.0 if beat is None else beat[1] + 2 * beat[0]  # an abandoned trial is failed by then
        self.seen: set[int] = set()  # finished trials this worker knows (told to its backend)
        self.pending: dict[int, dict[str, Any]] = {}  # others' running trials told as pending: number -> raw
        self.retried: set[int] = set()  # failed trials re-created by a retry
        self.taken: list[Trial] = []  # trials taken over at open, run before anything else
        self.others_running = 0
        self.total: int | None = None  # the study's total (minimize's n_trials), across workers
        self.counted = 0  # trials that count toward the total, at the last read (plus ours since)
        self.mark = 0  # every trial before this position of the record is finished and seen
        self.guess = 0  # the number the first created trial was expected to get (the seed's)
        self.first: tuple[int, int] | None = None  # (trial id, number) created before its first draw
        self.created = False

    # -- reading the record ------------------------------------------------------------------------
    def open(self, guess: int) -> None:
        """Read the stored study: take over this machine's orphans, tell the finished trials.

        Args:
            guess: The first created trial's number that the backend's seed assumed (the
                trial count when the backend was built); the backend is reseeded if it differs.
        """
        self.guess = guess
        frozen = self.record.trials()
        orphans = [t for t in frozen if t.state.name == "RUNNING" and gone(t.system_attrs.get(WORKER_KEY))]
        if orphans:
            with self.lock:
                for old in orphans:
                    if self._raw(old) is None:
                        self.skipped += 1
                    else:
                        self._take_over(old)
        self._read(frozen)
        if self.skipped:
            warnings.warn(
                f"study {self.record.study_name!r}: {self.skipped} recorded trial(s) do not fit the space and were "
                f"not told to {self.study.backend}; {len(self.study._trials)} were told",
                UnituneWarning,
                stacklevel=4,
            )

    def _raw(self, frozen: optuna.trial.FrozenTrial) -> dict[str, Any] | None:
        """The raw assignment of a recorded trial, None if it is not a configuration of this space."""
        try:
            raw = self.record.raw_of(frozen)
        except (KeyError, ValueError):
            return None
        if self.must_fit and raw_problem(self.study.space, raw):
            return None
        return raw

    def _take_over(self, old: optuna.trial.FrozenTrial) -> None:
        trial_id = self.record.trial_id(old.number)
        now = self.record.storage.get_trial(trial_id)
        if now.state.name != "RUNNING" or now.system_attrs.get(WORKER_KEY) != old.system_attrs.get(WORKER_KEY):
            return  # finished, or taken over by another worker of this machine meanwhile
        self.record.storage.set_trial_system_attr(trial_id, WORKER_KEY, self.me)
        trial = self._running_trial(now, trial_id)
        if trial is not None:
            logger.info("trial %d: its worker is gone; running it again with the same parameters", old.number)
            self.taken.append(trial)

    def _running_trial(self, frozen: optuna.trial.FrozenTrial, trial_id: int) -> Trial | None:
        """A recorded trial this worker now runs (taken over or popped), or None if it cannot be run."""
        try:
            if frozen.params:
                raw = self.record.raw_of(frozen)
            else:  # enqueued with optuna's enqueue_trial: the values are in "fixed_params"
                raw = self.record.raw_of(SimpleNamespace(params=frozen.system_attrs.get("fixed_params", {})))  # type: ignore[arg-type]
            trial = Trial(frozen.number, self.study.space.decode(raw))
            if not frozen.params:
                self.record.set_params(trial_id, raw)
        except Exception as error:  # enqueued by hand with some parameters only, or another space
            why = f"{type(error).__name__}: {error}"
            reason = f"unitune runs only complete configurations of its space; this one cannot run ({why})"
            self.record.finish(trial_id, TrialState.FAILED, None, error=reason)
            logger.warning("trial %d: %s", frozen.number, reason)
            return None
        trial.raw, trial._record_id = raw, trial_id
        if self.heartbeat is not None:  # at once: its last heartbeat (or a copied one) is old
            self.heartbeat.track(trial_id, now=True)
        self.study.adapter.add_pending(frozen.number, raw)
        self.pending[frozen.number] = raw
        return trial

    def _read(self, frozen: Sequence[optuna.trial.FrozenTrial]) -> list[optuna.trial.FrozenTrial]:
        """Tell the backend what finished since the last read; returns the WAITING trials."""
        study, adapter = self.study, self.study.adapter
        told: list[tuple[Mapping[str, Any], Outcome]] = []
        waiting = []
        others = 0
        for t in frozen[self.mark :]:
            number, state = t.number, t.state.name
            history = t.system_attrs.get("retry_history")
            if history:
                self.retried.update(history)
            if state in _FINISHED:
                if number in self.seen:
                    continue
                self.seen.add(number)
                if number in study._running:  # ours, failed by another worker: see finish()
                    continue
                if number in self.pending:
                    adapter.drop_pending(number)
                    del self.pending[number]
                raw = self._raw(t)
                try:
                    trial = recorded_trial(study, t, raw)  # type: ignore[arg-type]
                except Exception as error:  # no parameters (failed before drawing), or another space's
                    logger.debug("recorded trial %d is not one of this space's configurations: %r", number, error)
                    self.skipped += bool(t.params)
                    continue
                study._trials.append(trial)
                told.append((trial.raw, study._outcome(trial)))
            elif state == "RUNNING" and number not in study._running:
                others += 1
                running = self._raw(t) if number not in self.pending and t.params else None
                if running is not None and all(k in running for k in study.space.active_keys(running)):  # drawn
                    adapter.add_pending(number, running)
                    self.pending[number] = running
            elif state == "WAITING":
                waiting.append(t)
        while self.mark < len(frozen) and frozen[self.mark].number in self.seen:
            self.mark += 1
        if told:
            adapter.add_many(told)
        self.others_running = others
        self.counted = len(frozen) - len(self.retried)
        return waiting

    def refresh(self) -> None:
        """Read the record (the study's trials then cover every worker's)."""
        self._read(self.record.trials())

    # -- asking ----------------------------------------------------------------------------------
    def ask(self, n: int, propose: Callable[[int, Callable[..., tuple[int, int]]], list[Trial]]) -> list[Trial]:
        """Up to ``n`` trials: taken-over ones, then WAITING ones, then new ones within the total."""
        out = self.taken[:n]
        del self.taken[: len(out)]
        deadline = None
        while True:
            out += self._claim(n - len(out))
            if len(out) == n or not self._full():
                break
            if out or self.heartbeat is None or self.study._running or not self.others_running:
                return out
            # the total is reached, trials run elsewhere: one may be abandoned, then its retry is run here
            deadline = deadline or time.monotonic() + self.patience
            if time.monotonic() > deadline:
                return out
            time.sleep(self.poll)
        room = n - len(out) if self.total is None else max(0, min(n - len(out), self.total - self.counted))
        if room:
            self._before_first_draw()
            out += propose(room, self._start)
            if self.first is not None:  # the backend proposed nothing (a finished grid)
                trial_id, _ = self.first
                self.first = None
                self.record.finish(trial_id, TrialState.FAILED, None, error="the backend had nothing left to propose")
        return out

    def _full(self) -> bool:
        return self.total is not None and self.counted >= self.total

    def _claim(self, n: int) -> list[Trial]:
        """Fail stale trials (heartbeats), read the record, pop up to ``n`` WAITING trials."""
        from optuna.trial import TrialState as OptunaState

        storage = self.record.storage
        out: list[Trial] = []
        with self.lock:
            if self.heartbeat is not None:
                import optuna

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    optuna.storages.fail_stale_trials(self.record.optuna_study())
            waiting = self._read(self.record.trials())
            for frozen in waiting:
                if len(out) >= n:
                    break
                trial_id = self.record.trial_id(frozen.number)
                try:
                    claimed = storage.set_trial_state_values(trial_id, OptunaState.RUNNING)
                except Exception:  # UpdateFinishedTrialError: another worker ran it
                    continue
                if not claimed:
                    continue
                storage.set_trial_system_attr(trial_id, WORKER_KEY, self.me)
                trial = self._running_trial(frozen, trial_id)
                if trial is not None:
                    out.append(trial)
        return out

    def _before_first_draw(self) -> None:
        """Create this worker's first trial before drawing it: its number seeds the backend."""
        if self.created:
            return
        self.created = True
        if self.study.seed is None:  # unseeded: the stream is the worker's own anyway
            return
        trial_id, number = self.record.start({}, system_attrs={WORKER_KEY: self.me})
        self.counted += 1
        self.first = (trial_id, number)
        if self.heartbeat is not None:
            self.heartbeat.track(trial_id)
        if number != self.guess:
            self.study._reseed(worker_seed(self.study.seed, number), self.pending)

    def _start(self, raw: Mapping[str, Any]) -> tuple[int, int]:
        """Record a new trial proposed by the backend; returns ``(trial_id, number)``."""
        if self.first is not None:
            trial_id, number = self.first
            self.first = None
            self.record.set_params(trial_id, raw)
            return trial_id, number
        trial_id, number = self.record.start(raw, system_attrs={WORKER_KEY: self.me})
        self.counted += 1
        if self.heartbeat is not None:
            self.heartbeat.track(trial_id)
        return trial_id, number

    # -- telling ---------------------------------------------------------------------------------
    def finish(
        self,
        trial: Trial,
        values: Sequence[float] | None,
        attrs: Mapping[str, Any],
    ) -> None:
        """Record a finished trial of this worker; drop it from the backend's pending trials."""
        from optuna.exceptions import UpdateFinishedTrialError

        if self.heartbeat is not None:
            self.heartbeat.untrack(trial._record_id)
        self.seen.add(trial.number)
        try:
            self.record.finish(
                trial._record_id,
                trial.state,
                values,
                error=trial.error,
                user_attrs=attrs,
                constraints=trial.constraints,
            )
        except UpdateFinishedTrialError:
            logger.warning(
                "trial %d was failed by another worker (no heartbeat within the grace period) before it "
                "finished here; its result (%s) is not in the record, and its retry runs it again",
                trial.number,
                trial.values if trial.state is TrialState.COMPLETE else trial.state,
            )
        if trial.number in self.pending:
            self.study.adapter.drop_pending(trial.number)
            del self.pending[trial.number]
