"""SearchCV: scikit-learn's BaseSearchCV driven by a unitune Study."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV

from unitune.exceptions import ArgumentTypeError, NoCompleteTrialError, argument_error
from unitune.sklearn._convert import candidate, to_space
from unitune.study import Study, Trial

__all__ = ["SearchCV"]

Evaluate = Callable[[Sequence[Mapping[str, Any]]], Mapping[str, Any]]


class SearchCV(BaseSearchCV):  # type: ignore[misc]
    """Cross-validated hyperparameter search over a unitune space with any backend.

    A scikit-learn estimator: ``fit``, ``predict``, ``score``, ``cv_results_``,
    ``best_params_`` and friends behave as in
    :class:`~sklearn.model_selection.GridSearchCV`. The candidates come one batch
    at a time from a :class:`unitune.Study` (``direction="maximize"``), which is
    told each candidate's mean test score: the one of ``refit`` when it names a
    scorer, else the first scorer (multi-metric scoring with ``refit=False`` or a
    callable ``refit``). A candidate whose mean score is NaN (a fit failed and
    ``error_score=np.nan``) is told as a failed trial.

    Args:
        estimator: The scikit-learn estimator (or pipeline) to tune.
        space: A unitune space or a scikit-learn ``param_grid``/``param_distributions``
            (a dict or a list of dicts); see the module documentation.
        backend: ``"optuna"``, ``"hyperopt:tpe"``, ``"optuna:grid"``, ... (see :func:`unitune.backends`).
        n_trials: Number of candidates to evaluate (fewer when a grid ends first).
        cv: Cross-validation splitter, as in scikit-learn.
        scoring: Scorer(s), as in scikit-learn.
        n_jobs: Parallel jobs over the folds (and candidates) of each batch.
        refit: Refit the best candidate on the whole data (a scorer name with multi-metric scoring).
        random_state: Seed of the backend: an int, None or a ``numpy.random.RandomState``
            (an int is drawn from it).
        error_score: Score of a failed fit (``"raise"`` to raise the error).
        return_train_score: Also compute training scores.
        backend_options: Keyword arguments of the backend's native algorithm.
        verbose: Verbosity, as in scikit-learn.
        pre_dispatch: Number of jobs dispatched at once, as in scikit-learn.
        batch_size: Candidates asked from the backend and evaluated together.

    Attributes:
        study_: The :class:`unitune.Study`; its trials hold the full configurations,
            pseudo parameters included.
        cv_results_: As in scikit-learn, one entry per evaluated candidate, in the
            order of ``study_``'s trials. A batch in which every fit failed raises
            in scikit-learn; here its trials are told as failed (with a
            ``FitFailedWarning``) and left out of ``cv_results_``.
        best_estimator_: The refitted best estimator (``refit`` not False).
        best_score_: Mean cross-validated score of the best candidate.
        best_params_: Parameters of the best candidate (pseudo parameters left out).
        best_index_: Index of the best candidate in ``cv_results_``.
        scorer_: The scorer(s) used.
        n_splits_: Number of cross-validation splits.
        refit_time_: Seconds spent refitting the best candidate.
        multimetric_: Whether several scorers were used.

    Example:
        >>> import unitune as ut
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.svm import SVC
        >>> from unitune.sklearn import SearchCV
        >>> X, y = load_iris(return_X_y=True)
        >>> search = SearchCV(SVC(), {"C": ut.Float(0.01, 100, log=True), "kernel": ut.Categorical(["linear", "rbf"])},
        ...                   n_trials=5, cv=3, random_state=0).fit(X, y)
        >>> len(search.cv_results_["params"]), sorted(search.best_params_), len(search.study_.trials)
        (5, ['C', 'kernel'], 5)
        >>> bool(search.best_score_ > 0.9)
        True
    """

    def __init__(
        self,
        estimator: Any,
        space: Any,
        *,
        backend: str = "optuna",
        n_trials: int = 10,
        cv: Any = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        backend_options: Mapping[str, Any] | None = None,
        verbose: int = 0,
        pre_dispatch: Any = "2*n_jobs",
        batch_size: int = 1,
    ) -> None:
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.space = space
        self.backend = backend
        self.n_trials = n_trials
        self.random_state = random_state
        self.backend_options = backend_options
        self.batch_size = batch_size

    def _make_study(self) -> Study:
        """The unitune Study of one ``fit``, after checking the arguments that scikit-learn does not."""
        for name in ("n_trials", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise argument_error(name, "must be an int >= 1", value, f"pass e.g. {name}=10")
        options = self.backend_options
        if options is not None and not isinstance(options, Mapping):
            raise argument_error(
                "backend_options",
                "must be a dict or None",
                options,
                "pass e.g. {'n_startup_trials': 5}",
                kind=ArgumentTypeError,
            )
        return Study(
            to_space(self.space),
            backend=self.backend,
            direction="maximize",
            seed=_seed(self.random_state),
            backend_options=options,
        )

    def _run_search(self, evaluate_candidates: Evaluate) -> None:
        """Ask the backend for candidates, evaluate them with scikit-learn and tell it their scores."""
        study = self.study_ = self._make_study()
        n_trials, batch_size = int(self.n_trials), int(self.batch_size)
        asked, evaluated, all_failed = 0, 0, ""
        while asked < n_trials:
            trials = study.ask(min(batch_size, n_trials - asked))
            if not trials:  # the grid is done
                break
            asked += len(trials)
            try:
                results = evaluate_candidates([candidate(t.params) for t in trials])
            except ValueError as error:
                if self.error_score == "raise" or "fits failed" not in str(error):
                    _fail_all(study, trials, f"{type(error).__name__}: {error}")
                    raise
                all_failed = str(error)  # scikit-learn raises when every fit of a call fails
                _fail_all(study, trials, _details(all_failed))
                warnings.warn(
                    f"every fit of trial(s) {[t.number for t in trials]} failed: told to {study.backend} as failed "
                    f"and left out of cv_results_.{all_failed}",
                    FitFailedWarning,
                    stacklevel=2,
                )
                continue
            except BaseException as error:
                _fail_all(study, trials, f"{type(error).__name__}: {error}")
                raise
            evaluated = len(results["params"])
            key = _objective_key(results, self.refit)
            for index, trial in zip(range(evaluated - len(trials), evaluated), trials, strict=True):
                score = float(results[f"mean_test_{key}"][index])
                if math.isnan(score):
                    failed = [k for k in results if k.startswith("split") and k.endswith(f"_test_{key}")]
                    n_nan = sum(math.isnan(float(results[k][index])) for k in failed)
                    reason = (
                        f"fit or scoring failed on {n_nan} of {len(failed)} folds (error_score=nan); see the warnings"
                    )
                    study.tell(trial, state="failed", error=reason)
                else:
                    study.tell(trial, score)
        if evaluated == 0:
            raise NoCompleteTrialError(f"every candidate failed: no fit succeeded in {asked} trial(s).{all_failed}")


def _seed(random_state: Any) -> int | None:
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if not 0 <= int(random_state) < 2**32:
            raise argument_error("random_state", "must be between 0 and 2**32 - 1", random_state, "pass e.g. 0")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    raise argument_error(
        "random_state",
        "must be an int, None or a numpy.random.RandomState",
        random_state,
        "pass e.g. 0",
        kind=ArgumentTypeError,
    )


def _objective_key(results: Mapping[str, Any], refit: Any) -> str:
    """The scorer whose mean test score the backend maximizes: ``refit``'s if it names one, else the first."""
    names = [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]
    if isinstance(refit, str) and refit in names:
        return refit
    return names[0]


def _details(message: str) -> str:
    marker = "Below are more details about the failures:"
    details = message.partition(marker)[2].strip() or message.strip()
    return details[:2000]


def _fail_all(study: Study, trials: Sequence[Trial], error: str) -> None:
    for trial in trials:
        study.tell(trial, state="failed", error=error)
