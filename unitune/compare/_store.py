"""A comparison in an Optuna storage: where each run is, how the setup is kept, and how it is read back.

Layout of a storage written by ``compare(..., storage=...)``:

* One study per (problem, backend, seed) run, named :func:`run_name`
  (``"branin/optuna:tpe/seed=0"``). It is an ordinary unitune study (its user
  attributes hold the backend, seed and space, so ``ut.Study(...,
  load_if_exists=True)``, ``optuna.load_study`` and optuna-dashboard read it).
  A trial enters it once it has finished, with its timings in the user attribute
  :data:`~unitune.compare._rows.TIMING_KEY`. The study attribute
  ``unitune.compare.done`` marks a finished run, and ``unitune.compare.result``
  holds its rows of the trials table as columns (what :func:`load` reads: one
  query for all runs, where reading every trial would take one per run);
  ``unitune.compare.continued`` lists how an interrupted run was continued
  (replayed exactly, or reseeded).
* One study named :data:`SETUP_STUDY` without trials, whose user attribute
  ``unitune.comparison`` holds the setup: problems, optima, directions,
  backends, run labels (``"backend+pruner"``) and options, trials, seeds, baseline; and
  ``unitune.compare.error/<run name>`` why the last attempt of a run failed.

:func:`load` rebuilds the :class:`~unitune.compare.Comparison` from it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune._quiet import quiet
from unitune.adapters._optuna_compat import STORAGE_LOGGERS as _LOGGERS  # Optuna announces every new study
from unitune.exceptions import ArgumentError, StudyError, UnituneWarning
from unitune.study._checks import check_storage

if TYPE_CHECKING:
    import optuna
    import pandas as pd

__all__ = [
    "CONTINUED",
    "DONE",
    "ERROR",
    "RESULT",
    "RUN",
    "SETUP_STUDY",
    "ComparisonStore",
    "display",
    "load",
    "open_storage",
    "run_name",
]

logger = logging.getLogger("unitune")

#: The study holding the setup of the comparison.
SETUP_STUDY = "unitune.comparison"
_SETUP_KEY = "unitune.comparison"
DONE = "unitune.compare.done"
ERROR = "unitune.compare.error"
RUN = "unitune.compare.run"
CONTINUED = "unitune.compare.continued"
RESULT = "unitune.compare.result"
#: Setup entries that decide the runs: a stored comparison is continued only with the same ones.
_RESULT_KEYS = (
    "problems",
    "optima",
    "directions",
    "backends",
    "labels",
    "backend_options",
    "n_trials",
    "seeds",
    "baseline",
)
_OPENED: dict[str, optuna.storages.BaseStorage] = {}  # per process: one storage (one engine) per URL


def run_name(problem: str, backend: str, seed: int) -> str:
    """The name of a run's study.

    Example:
        >>> run_name("branin", "optuna:tpe", 3)
        'branin/optuna:tpe/seed=3'
    """
    return f"{problem}/{backend}/seed={seed}"


def open_storage(storage: Any) -> optuna.storages.BaseStorage:
    """The storage: a URL (SQLite waits up to a minute for a lock), a journal-file path, or a storage object.

    A URL or path is opened once per process and reused (one database engine per worker).
    """
    if hasattr(storage, "create_new_study"):
        return storage  # type: ignore[no-any-return]
    key = os.fspath(storage)
    if key in _OPENED:
        return _OPENED[key]
    import optuna

    with quiet(*_LOGGERS):
        if "://" not in key:
            from optuna.storages.journal import JournalFileBackend, JournalStorage

            opened: optuna.storages.BaseStorage = JournalStorage(JournalFileBackend(key))
        elif key.startswith("sqlite"):  # several processes write: wait for the lock rather than fail
            opened = optuna.storages.RDBStorage(key, engine_kwargs={"connect_args": {"timeout": 60}})
        else:
            opened = optuna.storages.get_storage(key)
    _OPENED[key] = opened
    return opened


def display(storage: Any) -> str:
    """How the storage is named in a report: a URL without its password, a path, or the object's type."""
    if hasattr(storage, "create_new_study"):
        return type(storage).__name__
    text: str = os.fspath(storage)
    if "://" in text:
        try:
            from sqlalchemy.engine import make_url

            shown: str = make_url(text).render_as_string(hide_password=True)
        except Exception:  # not a database URL (e.g. redis://): keep the scheme only
            shown = text.split("://")[0] + "://..."
        return shown
    return text


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=repr))


class ComparisonStore:
    """The driver's view of a comparison's storage: its setup and which runs are done.

    Args:
        storage: An Optuna storage URL, a journal-file path or a storage object.
    """

    def __init__(self, storage: Any) -> None:
        self.spec = storage
        self.storage = open_storage(storage)

    def _studies(self) -> dict[str, Any]:
        """Every study of the storage by name (Optuna's FrozenStudy: name and user attributes)."""
        return {s.study_name: s for s in self.storage.get_all_studies()}

    def setup(self) -> dict[str, Any] | None:
        """The stored setup, None when the storage holds no comparison."""
        study = self._studies().get(SETUP_STUDY)
        return None if study is None else dict(study.user_attrs.get(_SETUP_KEY) or {})

    def begin(self, setup: Mapping[str, Any]) -> None:
        """Store the setup of a new comparison, or check that it is the stored one's.

        Raises:
            StudyError: the storage holds a comparison of other problems, backends, options,
                trials, seeds or baseline (it says which).
        """
        import optuna

        new = _jsonable(dict(setup))
        stored = self.setup()
        if stored is not None:
            changed = [k for k in _RESULT_KEYS if stored.get(k) != new.get(k)]
            if changed:
                what = "; ".join(f"{k}: stored {stored.get(k)!r}, now {new.get(k)!r}" for k in changed)
                raise StudyError(
                    f"the storage {display(self.spec)} holds another comparison ({what}). Fix: run this comparison "
                    "with another storage, or call compare with the stored setup to continue it "
                    "(Comparison.load(storage).setup shows it)"
                )
            new = {**stored, **new}  # entries added later (the command) stay
        with quiet(*_LOGGERS):
            try:
                study_id = self.storage.create_new_study([optuna.study.StudyDirection.MINIMIZE], SETUP_STUDY)
            except optuna.exceptions.DuplicatedStudyError:
                study_id = self.storage.get_study_id_from_name(SETUP_STUDY)
        self.storage.set_study_user_attr(study_id, _SETUP_KEY, new)

    def annotate(self, **items: Any) -> None:
        """Add entries to the stored setup (e.g. the command that ran the comparison)."""
        setup_id = self._setup_id()
        setup = dict(self.storage.get_study_user_attrs(setup_id).get(_SETUP_KEY) or {})
        self.storage.set_study_user_attr(setup_id, _SETUP_KEY, {**setup, **_jsonable(items)})

    def done(self) -> set[str]:
        """Names of the runs that finished."""
        return {name for name, s in self._studies().items() if s.user_attrs.get(DONE)}

    def _setup_id(self) -> int:
        return self.storage.get_study_id_from_name(SETUP_STUDY)

    def failed(self, name: str, error: str) -> None:
        """Record why a run failed (in the setup's study: the run may have failed before its study existed)."""
        self.storage.set_study_user_attr(self._setup_id(), ERROR + "/" + name, error)

    def succeeded(self, name: str) -> None:
        """Forget the failure of an earlier attempt of a run that has now finished."""
        setup_id = self._setup_id()
        if self.storage.get_study_user_attrs(setup_id).get(ERROR + "/" + name) is not None:
            self.storage.set_study_user_attr(setup_id, ERROR + "/" + name, None)


def load(storage: Any) -> dict[str, Any]:
    """The parts of the comparison stored by ``compare(..., storage=storage)`` (:class:`Comparison`'s arguments).

    Its finished runs, failures, optima, directions, baseline runs and setup.

    Runs not finished (the comparison was interrupted) are left out, with a warning that
    says how many; calling ``compare`` again with the same arguments completes them.

    Raises:
        ArgumentError: the storage holds no comparison.
    """
    from unitune.compare._rows import failure_frame, run_frame, run_rows, trials_frame, unpack

    check_storage(storage)
    store = ComparisonStore(storage)
    studies = store._studies()
    if SETUP_STUDY not in studies:
        raise ArgumentError(
            f"the storage {display(storage)} holds no comparison (no study {SETUP_STUDY!r}). Fix: pass the storage "
            "that compare(..., storage=...) or 'unitune bench --storage' wrote"
        )
    setup_attrs = studies[SETUP_STUDY].user_attrs
    setup = dict(setup_attrs.get(_SETUP_KEY) or {})
    optima: dict[str, float | None] = {p: _optimum(setup["optima"].get(p)) for p in setup["problems"]}
    directions: dict[str, str] = dict(setup["directions"])
    baseline = setup.get("baseline")
    extra = bool(setup.get("baseline_extra"))
    labels = setup.get("labels") or setup["backends"]  # "backend+pruner" for pruned runs
    compared = [(p, b, s) for p in setup["problems"] for b in labels for s in setup["seeds"]]
    base = [(p, baseline, s) for p in setup["problems"] for s in setup["seeds"]] if baseline and extra else []
    chunks: list[pd.DataFrame] = []
    base_chunks: list[pd.DataFrame] = []
    failures: list[dict[str, Any]] = []
    base_failures: list[dict[str, Any]] = []
    continued: list[dict[str, Any]] = []
    missing = 0
    for keys, out, failed in ((compared, chunks, failures), (base, base_chunks, base_failures)):
        for problem, backend, seed in keys:
            name = run_name(problem, backend, seed)
            study = studies.get(name)
            attrs = {} if study is None else study.user_attrs
            error = setup_attrs.get(ERROR + "/" + name)
            for event in attrs.get(CONTINUED) or []:
                continued.append({"problem": problem, "backend": backend, "seed": seed, **event})
            if study is not None and attrs.get(DONE):
                if attrs.get(RESULT):
                    rows = unpack(attrs[RESULT], problem, backend, seed)
                else:  # written before runs kept their rows: its trials (one objective, no constraints)
                    entries = _run_entries(store.storage, name)
                    rows = run_rows(problem, backend, seed, directions[problem], optima[problem], entries)
                out.append(run_frame(rows))
            elif error:
                failed.append({"problem": problem, "backend": backend, "seed": seed, "error": error})
            else:
                missing += 1
    if missing:
        warnings.warn(
            f"the comparison in {display(storage)} is not complete: {missing} of {len(compared) + len(base)} runs "
            "have not finished and are left out. Fix: call compare (or 'unitune bench --storage') again with the "
            "same arguments to run them",
            UnituneWarning,
            stacklevel=3,
        )
    setup = _described(setup, continued, missing, len(base_failures))
    trials = trials_frame(chunks)
    reference = None
    if baseline is not None:
        reference = trials_frame(base_chunks) if extra else trials[trials["backend"] == baseline].reset_index(drop=True)
    return {
        "trials": trials,
        "failures": failure_frame(failures),
        "optima": optima,
        "directions": directions,
        "baseline": reference,
        "setup": setup,
    }


def _run_entries(storage: optuna.storages.BaseStorage, name: str) -> list[dict[str, Any]]:
    """The entries of a run, read from its study's trials."""
    from unitune.compare._rows import entry_of_frozen

    stored = storage.get_all_trials(storage.get_study_id_from_name(name), deepcopy=False)
    return [entry_of_frozen(t) for t in sorted(stored, key=lambda t: t.number) if _counts(t)]


def _counts(frozen: optuna.trial.FrozenTrial) -> bool:
    """Whether a stored trial is one of the run's trials (finished; a placeholder a killed worker left is not)."""
    name = frozen.state.name
    return name in ("COMPLETE", "PRUNED") or (name == "FAIL" and bool(frozen.params))


def _optimum(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _described(
    setup: dict[str, Any], continued: Sequence[Mapping[str, Any]], missing: int, base_failed: int
) -> dict[str, Any]:
    """The setup as the report shows it, with how interrupted runs were continued."""
    out = {k: v for k, v in setup.items() if k not in ("baseline_extra", "labels")}
    if continued:
        out["continued_runs"] = [dict(c) for c in continued]
    if missing:
        out["missing_runs"] = missing
    if base_failed:
        out["baseline_failed_runs"] = base_failed
    return out
