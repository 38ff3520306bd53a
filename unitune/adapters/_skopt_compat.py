"""Every use of scikit-optimize's private API, and its repairs, in one place.

scikit-optimize 0.10.2 is the last release; each entry names what it was checked
on, and ``tests/test_compat.py`` has a test per entry that fails, naming the
installed versions, when the internal changes.

* :func:`liar_copy`: ``Optimizer._tell(x, y, fit=...)`` (the public ``tell``
  always fits when ``fit`` is true and checks every point again) and the
  public attributes ``Xi``/``yi`` emptied around ``Optimizer.copy()`` (which
  would fit on ``Xi``, then again with the lies): one fit per constant-liar
  copy. Checked on scikit-optimize 0.10.2 with scikit-learn 1.3-1.9.
* :func:`gbrt_class`: skopt's ``GradientBoostingQuantileRegressor`` repaired
  for scikit-learn >= 1.6 (estimator tags) and NumPy >= 2.4 (``np.in1d``).
  Checked on scikit-optimize 0.10.2, scikit-learn 1.6-1.9, NumPy 2.0-2.4.
* :func:`refit`: ``Optimizer._tell([], [], fit=True)`` fits the surrogate on the
  told points with their values as they are now (the public attribute ``yi``
  replaced, for ParEGO's fresh scalarization per ask) and computes the next
  point, without telling a new point. Checked on scikit-optimize 0.10.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["CHECKED", "gbrt_class", "liar_copy", "refit"]

#: Versions the entries above were checked on.
CHECKED = "scikit-optimize 0.10.2, scikit-learn 1.3-1.9, NumPy 2.0-2.4"


def liar_copy(opt: Any, xs: Sequence[Any], ys: Sequence[float], *, fit: bool, random_state: int) -> Any:
    """A copy of the optimizer ``opt`` told its own points plus ``xs`` at ``ys``, fitted once (if ``fit``)."""
    told_x, told_y = opt.Xi, opt.yi
    opt.Xi, opt.yi = [], []  # copy() would fit on Xi, then again with the lies: fit once instead
    try:
        copy = opt.copy(random_state=random_state)
    finally:
        opt.Xi, opt.yi = told_x, told_y
    copy._tell([*told_x, *xs], [*told_y, *ys], fit=fit)
    return copy


def refit(opt: Any, ys: Sequence[float]) -> None:
    """Give the optimizer's told points the values ``ys`` and fit its model on them (once its random start is over)."""
    opt.yi = [float(y) for y in ys]
    opt._tell([], [], fit=True)


def gbrt_class() -> Any:
    """Build skopt's GBRT quantile regressor, fixed for recent scikit-learn and NumPy, on first use.

    skopt 0.10.2 declares it ``(BaseEstimator, RegressorMixin)``, so scikit-learn >= 1.6 never
    reads the mixin's tags and ``Optimizer`` rejects it (a mixin-first subclass has no consistent
    MRO): the subclass adds those tags. Its ``predict(return_std=True)`` calls ``np.in1d``, gone
    in NumPy 2.4: the same numbers come from the quantile predictions. Harmless where unbroken.
    """
    cls = globals().get("_GBRTQuantileRegressor")
    if cls is None:
        from skopt.learning import GradientBoostingQuantileRegressor

        class _GBRTQuantileRegressor(GradientBoostingQuantileRegressor):  # type: ignore[misc]
            def __sklearn_tags__(self) -> Any:  # what RegressorMixin.__sklearn_tags__ adds
                from sklearn.utils import RegressorTags

                tags = super().__sklearn_tags__()
                tags.estimator_type = "regressor"
                tags.regressor_tags = RegressorTags()
                tags.target_tags.required = True
                return tags

            def predict(self, X: Any, return_std: bool = False, return_quantiles: bool = False) -> Any:
                if not return_std or return_quantiles:
                    return super().predict(X, return_quantiles=return_quantiles)
                quantiles = super().predict(X, return_quantiles=True)
                low, mean, high = (quantiles[:, list(self.quantiles).index(q)] for q in (0.16, 0.5, 0.84))
                return mean, (high - low) / 2.0

        _GBRTQuantileRegressor.__module__ = __name__
        _GBRTQuantileRegressor.__qualname__ = "_GBRTQuantileRegressor"
        globals()["_GBRTQuantileRegressor"] = cls = _GBRTQuantileRegressor
    return cls


def __getattr__(name: str) -> Any:
    """Let pickle find the lazily built ``_GBRTQuantileRegressor``."""
    if name == "_GBRTQuantileRegressor":
        return gbrt_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
