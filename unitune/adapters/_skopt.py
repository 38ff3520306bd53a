"""scikit-optimize backend: ``skopt:gp`` (default), ``skopt:forest``, ``skopt:et``, ``skopt:gbrt``, ``skopt:random``.

Each algorithm builds ``skopt.Optimizer`` exactly as ``gp_minimize``, ``forest_minimize``,
``gbrt_minimize`` and ``dummy_minimize`` do (same estimators, same draws from the random
state), so a seeded sequential run makes the suggestions of the hand-written skopt program
over the dimensions :meth:`SkoptAdapter.explain` reports.

Translation (the same for every algorithm): an ``Int`` is ``Real(low - 0.5, high + 0.5)``
rounded, because skopt's ``Integer`` under the GP's ``[0, 1]`` normalization gives the end
values half weight; ``log=True`` uses the log-uniform prior on the same range (Optuna's
definition); a ``step`` is a rounded grid index ``k`` uniform on ``0..n``; categorical choices
and conditional labels are ``Categorical`` of indices (skopt maps categories to indices
before encoding, so indices and the choices themselves give the same run). skopt has no
conditional spaces: every branch's parameters are dimensions, sampled in every trial, and
only the active ones reach the objective; a trial added (resume, warm start) with inactive
parameters holds each inactive dimension's first value (low bound, first choice).

Only the last surrogate model is kept (``model_queue_size=1``; the suggestions are the same,
``gp_minimize`` keeps every model, which grows without bound in long studies).

Example:
    >>> import unitune as ut
    >>> [t.native for t in SkoptAdapter.explain(ut.Space({"n": ut.Int(0, 2), "lr": ut.Float(1e-3, 1, log=True)}), "gp")]
    ['Real(-0.5, 2.5) + round', "Real(0.001, 1.0, prior='log-uniform')"]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, ClassVar, NamedTuple

from unitune.adapters._base import Adapter, Capabilities, Suggestion, Translation
from unitune.adapters._outcome import Outcome, TrialState
from unitune.adapters._parego import Scalarizer
from unitune.adapters._skopt_compat import gbrt_class, liar_copy, refit
from unitune.exceptions import BackendError, ConfigError, StudyError
from unitune.space import Param, Primitive, Space

__all__ = ["SkoptAdapter"]

_SEED_BOUND = 2**31 - 1  # np.iinfo(np.int32).max: skopt draws its inner seeds below it
_NEVER = 2**62  # n_initial_points of skopt:random: the model is never fitted
_COMMON: dict[str, Any] = {"n_initial_points": 10, "initial_point_generator": "random", "n_points": 10000}
_COMMON.update({"xi": 0.01, "kappa": 1.96, "n_jobs": 1, "model_queue_size": 1})
#: Accepted backend options and their defaults: the ``*_minimize`` functions' arguments.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "gp": {**_COMMON, "acq_func": "gp_hedge", "acq_optimizer": "auto", "n_restarts_optimizer": 5, "noise": "gaussian"},
    "forest": {**_COMMON, "acq_func": "EI"},
    "et": {**_COMMON, "acq_func": "EI"},
    "gbrt": {**_COMMON, "acq_func": "LCB"},
    "random": {},
}


class _Dim(NamedTuple):
    """The skopt dimension of one element: ``Real(*args, prior)`` or ``Categorical(args)``."""

    kind: str  # "Real" or "Categorical"
    args: tuple[Any, ...]
    log: bool = False
    read: str = ""  # how the native value becomes the raw value

    def expr(self) -> str:
        if self.kind == "Categorical":
            text = f"Categorical({list(self.args)!r})"
        else:
            prior = ", prior='log-uniform'" if self.log else ""
            text = f"Real({self.args[0]!r}, {self.args[1]!r}{prior})"
        return f"{text}{self.read}"


def _dim(prim: Primitive) -> _Dim:
    if prim.kind == "choice":
        read = " -> label" if prim.labels is not None else " -> choices[i]"
        return _Dim(
            "Categorical", tuple(prim.categories if prim.labels is None else range(len(prim.options))), read=read
        )
    if prim.stepped:
        return _Dim("Real", prim.interval, read=f" + round -> {prim.low!r} + k * {prim.step!r}")
    if prim.kind == "int":
        return _Dim("Real", prim.interval, prim.log, " + round")
    if prim.fixed:  # skopt's Real needs low < high
        return _Dim("Categorical", (float(prim.low),))
    return _Dim("Real", prim.interval, prim.log)


def _note(p: Param) -> str:
    prim = p.primitive
    if prim.kind == "choice":
        return "branch index; every branch is sampled in every trial" if p.branching else "choice index"
    if prim.stepped:
        return "grid index k uniform on 0..n"
    if prim.kind == "int" and prim.log:
        return "P(k) = P(a log-uniform draw on [low - 0.5, high + 0.5] rounds to k), Optuna's definition"
    if prim.kind == "int":
        return "uniform on the integers (skopt's Integer gives the end values half weight under the GP)"
    return "constant" if prim.fixed else ""


def _native_value(p: Param, raw: Any) -> Any:
    """The native value (a coordinate) of a raw value; inverse of ``Primitive.from_coordinate``."""
    prim = p.primitive
    if prim.kind == "choice":
        if not 0 <= int(raw) < len(prim.options):
            raise ConfigError(f"parameter {p.key!r}: index {raw!r} is outside 0..{len(prim.options) - 1}")
        return int(raw)
    return prim.to_coordinate(prim.snap(raw))


def _first(prim: Primitive) -> Any:
    """The raw value an inactive dimension holds in an added trial: first choice or low bound."""
    return 0 if prim.kind == "choice" else prim.low


def _ok(loss: float | None) -> bool:
    return loss is not None and math.isfinite(float(loss))


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence skopt's repeated-point warning and sklearn's convergence warnings, locally."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The objective has been evaluated at", category=UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


class SkoptAdapter(Adapter):
    """scikit-optimize's ``Optimizer`` behind the adapter contract.

    Backend options are the arguments of the matching ``*_minimize`` function
    (``n_initial_points``, ``acq_func``, ``xi``, ``kappa``, ``n_points``, ...);
    ``skopt:random`` takes none.
    """

    library: ClassVar[str] = "skopt"
    package: ClassVar[str] = "scikit-optimize"
    module: ClassVar[str] = "skopt"
    algorithms: ClassVar[Mapping[str, str]] = {
        "gp": "Gaussian-process Bayesian optimization, as gp_minimize",
        "forest": "random-forest surrogate, as forest_minimize(base_estimator='RF')",
        "et": "extra-trees surrogate, as forest_minimize(base_estimator='ET')",
        "gbrt": "gradient-boosted quantile trees, as gbrt_minimize",
        "random": "skopt's random sampling, as dummy_minimize",
    }
    default: ClassVar[str] = "gp"
    startup_options: ClassVar[Mapping[str, tuple[str, int, str]]] = {
        name: ("n_initial_points", 10, "random trials") for name in ("gp", "forest", "et", "gbrt")
    }

    @classmethod
    def capabilities(cls, algorithm: str) -> Capabilities:
        """Flattened conditionals, native batches, constant liar for pending trials."""
        return Capabilities(
            conditional="flattened",
            batch=True,
            pending="ignored: independent random draws"
            if algorithm == "random"
            else "constant liar (cl_min), skopt's own batch strategy",
            others_running="ignored: independent random draws"
            if algorithm == "random"
            else "constant liar: lied about at min(yi), like its own pending points",
            grid=False,
            failures="told as the worst loss seen so far; skopt has no failed state",
            pruned="stand-in: told its last reported value (skopt has no pruned state), "
            "or as a failure if it reported none",
            objectives="native: random sampling uses no values"
            if algorithm == "random"
            else "fallback: ParEGO, Knowles 2006 (every told value re-scalarized with fresh seeded weights and "
            "the model refitted before each ask)",
            constraints="recorded: random sampling uses no values"
            if algorithm == "random"
            else "fallback: Deb's feasibility rule as a loss (infeasible trials told the worst feasible loss plus "
            "their scaled violation, refitted before each ask)",
        )

    @classmethod
    def convert_space(cls, space: Space) -> list[Any]:
        """One skopt dimension per parameter, in ``space.params`` order, named by its key."""
        from skopt.space import Categorical as SkCategorical
        from skopt.space import Real

        dims: list[Any] = []
        for p in space.params:
            d = _dim(p.primitive)
            if d.kind == "Categorical":
                dims.append(SkCategorical(list(d.args), name=p.key))
            else:
                dims.append(Real(*d.args, prior="log-uniform" if d.log else "uniform", name=p.key))
        return dims

    @classmethod
    def explain(cls, space: Space, algorithm: str) -> list[Translation]:
        """How each parameter reaches skopt (the same for every algorithm)."""
        rows = []
        for p in space.params:
            d, note = _dim(p.primitive), _note(p)
            if p.conditions:
                when = " and ".join(f"{c.name}={c.label!r}" for c in p.conditions)
                note = "; ".join(x for x in (f"flattened: reaches the objective only when {when}", note) if x)
            fidelity = "flattened" if p.conditions or p.branching else "exact"
            rows.append(Translation(p.key, repr(p.element), fidelity, d.expr(), note))
        return rows

    def _start(self) -> None:
        import numpy as np
        from skopt import Optimizer
        from skopt.utils import cook_estimator, normalize_dimensions

        accepted = _DEFAULTS[self.algorithm]
        self._check_options(accepted, f"skopt:{self.algorithm} ({self.algorithms[self.algorithm]})")
        o = {**accepted, **self.options}
        if not self.space.params:
            raise BackendError("skopt needs at least one sampled parameter; the space has only constants")
        dims = self.convert_space(self.space)  # fresh objects: normalize_dimensions changes them in place
        rng = np.random.RandomState(self.seed)
        self._pending: dict[int, list[Any]] = {}
        self._foreign: dict[Any, list[Any]] = {}  # other workers' running trials: key -> full point
        self._deferred: list[list[Any]] = []  # failures told before any loss, pending until one arrives
        self._tokens = 0
        # several objectives or constraints: the told values are re-scalarized, and the model refitted, per ask
        rescale = (self.n_objectives > 1 or self.constrained) and self.algorithm != "random"
        self._scalarizer = Scalarizer(self.n_objectives, self.seed) if rescale else None
        self._outcomes: list[Outcome] = []  # one per told point, in the order of opt.Xi
        try:
            if self.algorithm == "random":  # dummy_minimize; "ET" consumes the seed draw "dummy" would
                self._opt = Optimizer(dims, "ET", n_initial_points=_NEVER, acq_optimizer="sampling", random_state=rng)
                return
            # base_minimize's Optimizer(...) call; forest and gbrt force acq_optimizer="sampling"
            kwargs = {k: o[k] for k in ("n_initial_points", "initial_point_generator", "n_jobs", "model_queue_size")}
            kwargs["acq_optimizer_kwargs"] = {k: o.get(k, 5) for k in ("n_points", "n_restarts_optimizer", "n_jobs")}
            kwargs["acq_func_kwargs"] = {"xi": o["xi"], "kappa": o["kappa"]}
            kwargs.update(acq_func=o["acq_func"], acq_optimizer=o.get("acq_optimizer", "sampling"))
            if self.algorithm == "gp":
                dims = normalize_dimensions(dims)
                seed = rng.randint(0, _SEED_BOUND)
                estimator: Any = cook_estimator("GP", space=dims, random_state=seed, noise=o["noise"])
            elif self.algorithm == "gbrt":
                from sklearn.ensemble import GradientBoostingRegressor

                estimator = gbrt_class()(
                    base_estimator=GradientBoostingRegressor(n_estimators=30, loss="quantile"),
                    n_jobs=o["n_jobs"],
                    random_state=np.random.RandomState(self.seed),
                )
            else:
                estimator = "RF" if self.algorithm == "forest" else "ET"
            self._opt = Optimizer(dims, estimator, random_state=rng, **kwargs)
        except (ValueError, TypeError) as error:
            raise BackendError(f"skopt:{self.algorithm} rejected the options {self.options}: {error}") from error

    def _raw(self, x: Sequence[Any]) -> dict[str, Any]:
        full = {p.key: p.primitive.from_coordinate(v) for p, v in zip(self.space.params, x, strict=True)}
        return {k: full[k] for k in self.space.active_keys(full)}

    def _point(self, raw: Mapping[str, Any]) -> list[Any]:
        """The full native point of a raw assignment; inactive dimensions hold their first value."""
        return [_native_value(p, raw[p.key] if p.key in raw else _first(p.primitive)) for p in self.space.params]

    def _liar(self, fit: bool) -> Any:
        """A copy of the optimizer told the pending points at ``min(yi)`` (0 if none), fitted once."""
        opt = self._opt
        lies = [*self._pending.values(), *self._foreign.values(), *self._deferred]
        lie = float(min(opt.yi)) if opt.yi else 0.0
        seed = opt.rng.randint(0, _SEED_BOUND)
        return liar_copy(opt, lies, [lie] * len(lies), fit=fit, random_state=seed)  # ask(n_points) fits its own

    def ask(self, n: int = 1) -> list[Suggestion]:
        """Propose ``n`` points: skopt's ``ask``, through a constant liar while trials are pending."""
        if n < 1:
            return []
        with _quiet():
            if self.algorithm == "random":
                points = [self._opt.ask() for _ in range(n)]
            else:
                if self._scalarizer is not None:
                    self._rescalarize(fit=not self._waiting() and n == 1)
                opt = self._liar(fit=n == 1) if self._waiting() else self._opt
                points = [opt.ask()] if n == 1 else opt.ask(n_points=n, strategy="cl_min")
        out = []
        for x in points:
            self._tokens += 1
            self._pending[self._tokens] = list(x)
            out.append(Suggestion(self._tokens, self._raw(x)))
        return out

    def _waiting(self) -> bool:
        """Whether points are pending (asked, another worker's, or failures before any loss): ask lies about them."""
        return bool(self._pending or self._foreign or self._deferred)

    def _rescalarize(self, *, fit: bool) -> None:
        """Give every told point its loss for this ask (ParEGO, penalty); refit the model unless a copy will."""
        assert self._scalarizer is not None
        if not self._outcomes:
            return
        losses = self._scalarizer.losses(self._outcomes)
        worst = max((loss for loss in losses if loss is not None), default=0.0)
        ys = [worst if loss is None else loss for loss in losses]
        if fit:
            with _quiet():
                refit(self._opt, ys)
        else:
            self._opt.yi = ys

    def _record(self, xs: list[list[Any]], losses: Sequence[float | None], *, fit: bool = True) -> None:
        """Tell points in one call (one fit); failures get the worst loss, or wait for a first loss."""
        good = [(x, float(loss)) for x, loss in zip(xs, losses, strict=True) if loss is not None and _ok(loss)]
        failed = [x for x, loss in zip(xs, losses, strict=True) if not _ok(loss)]
        ys = [*self._opt.yi, *(y for _, y in good)]
        if not ys:
            self._deferred.extend(failed)
            return
        failed, self._deferred = [*failed, *self._deferred], []
        points = [*(x for x, _ in good), *failed]
        values = [*(y for _, y in good), *[float(max(ys))] * len(failed)]
        # only the GP's fit warns here (ConvergenceWarning); the repeated-point warning comes from ask.
        # Forest fits need no filter, and each filter costs: scikit-learn re-applies them per tree
        with _quiet() if self.algorithm == "gp" else nullcontext():
            if len(points) == 1:
                self._opt.tell(points[0], values[0], fit=fit)
            else:
                self._opt.tell(points, values, fit=fit)

    def tell(self, token: Any, outcome: Outcome) -> None:
        """Tell skopt the full point (every branch) of an asked trial.

        A failure is told as the worst loss seen so far; before any loss it is treated as
        pending and told once a first loss arrives. A pruned trial is told its last reported
        loss (skopt has no pruned state), or as a failure if it reported none.
        """
        try:
            x = self._pending.pop(token)
        except KeyError:
            raise StudyError(f"skopt adapter: unknown or already told trial token {token!r}") from None
        if self._scalarizer is not None:
            self._keep([x], [outcome])
            return
        # with trials still pending, the next ask fits a constant-liar copy anyway: fit once, there
        self._record([x], [_loss(outcome)], fit=not (self._pending or self._foreign))

    def add(self, raw: Mapping[str, Any], outcome: Outcome) -> None:
        """Tell a trial this adapter did not ask; inactive dimensions hold their first value."""
        self.add_many([(raw, outcome)])

    def add_many(self, trials: Sequence[tuple[Mapping[str, Any], Outcome]]) -> None:
        """Tell several trials in one skopt ``tell`` (one model fit, none while points are pending elsewhere)."""
        if not trials:
            return
        xs = [self._point(raw) for raw, _ in trials]
        if self._scalarizer is not None:
            self._keep(xs, [outcome for _, outcome in trials])
        else:
            self._record(xs, [_loss(outcome) for _, outcome in trials], fit=not (self._pending or self._foreign))

    def _keep(self, xs: list[list[Any]], outcomes: list[Outcome]) -> None:
        """Tell points without a fit (several objectives, constraints): their values are set, and fitted, per ask."""
        self._outcomes.extend(outcomes)
        with _quiet():
            self._opt.tell(xs if len(xs) > 1 else xs[0], [0.0] * len(xs) if len(xs) > 1 else 0.0, fit=False)

    def add_pending(self, key: Any, raw: Mapping[str, Any]) -> None:
        """Another worker's running trial: a pending point, lied about like this adapter's own."""
        self._foreign[key] = self._point(raw)

    def drop_pending(self, key: Any) -> None:
        """Forget another worker's pending point (it finished there; its outcome is added next)."""
        self._foreign.pop(key, None)


def _loss(outcome: Outcome) -> float | None:
    """The loss skopt is told: a complete trial's, a pruned trial's last reported one (the stand-in), else None."""
    if outcome.state is TrialState.PRUNED:
        return outcome.last_intermediate
    return outcome.loss
