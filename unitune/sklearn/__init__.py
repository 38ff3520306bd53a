"""scikit-learn integration: :class:`SearchCV`, a hyperparameter search driven by any unitune backend.

Import it explicitly (``import unitune`` does not import scikit-learn)::

    from unitune.sklearn import SearchCV

The space's keys are scikit-learn parameter names (``"C"``, ``"clf__max_depth"``).
It may be a unitune space or scikit-learn's ``param_grid``/``param_distributions``:

* **unitune space** (a :class:`~unitune.Space`, or a dict without lists and
  distributions): elements are sampled, other values are constants passed to
  the estimator. Nested dicts are refused: name nested parameters with ``__``.
* **scikit-learn style** (a dict in which some value is a list, a 1-d array or a
  scipy.stats distribution, or a list of such dicts): a list (or tuple, array)
  becomes :class:`~unitune.Categorical` (one value: a constant);
  ``uniform(loc, scale)`` becomes ``Float(loc, loc + scale)``; ``loguniform(a, b)``
  (``reciprocal``) becomes ``Float(a, b, log=True)``; ``randint(low, high)``
  becomes ``Int(low, high - 1)`` (scipy excludes ``high``); other distributions
  are refused. Unitune elements may be mixed in. A list of dicts becomes a
  :class:`~unitune.Conditional` over the pseudo parameter ``"_grid"`` with the
  branches ``"0"``, ``"1"``, ...

**Pseudo parameters.** Keys that start with ``"_"`` are sampled (and recorded in
:attr:`SearchCV.study_`) but not passed to the estimator. This is how a
conditional space chooses an estimator together with its own parameters: the
Conditional sits under a pseudo key and each branch sets the estimator (a
constant) and its parameters::

    {"_model": ut.Conditional({
        "svm": {"clf": SVC(), "clf__C": ut.Float(0.01, 100, log=True)},
        "tree": {"clf": DecisionTreeClassifier(), "clf__max_depth": ut.Int(1, 10)},
    })}

A Conditional under a real parameter name passes its label to the estimator:
``{"kernel": ut.Conditional({"rbf": {"gamma": ut.Float(1e-3, 1, log=True)}, "linear": {}})}``.
Estimators in choices or branches are cloned for every candidate, so no two
candidates share an estimator object.
"""

from __future__ import annotations

from unitune.sklearn._search import SearchCV

__all__ = ["SearchCV"]
