"""Search-space objects of other libraries: converted where the meaning is unambiguous, refused otherwise.

Anyone who moves to unitune writes what they know. Wherever a space is read
(``ut.Space``, ``ut.minimize``, ``SearchCV``), the same rules apply:

* converted: ``scipy.stats.uniform(loc, scale)`` -> ``Float(loc, loc + scale)``,
  ``scipy.stats.loguniform(a, b)`` (``reciprocal``) -> ``Float(a, b, log=True)``,
  ``scipy.stats.randint(low, high)`` -> ``Int(low, high - 1)`` (scipy excludes
  ``high``), and Optuna's ``FloatDistribution``, ``IntDistribution`` and
  ``CategoricalDistribution`` (and their deprecated aliases) -> ``Float``, ``Int``,
  ``Categorical`` with the same bounds, step and log scale;
* refused, with the unitune equivalent in the message: other scipy distributions,
  Hyperopt expressions (``hp.uniform(...)``), scikit-optimize dimensions.

The libraries are never imported here: objects are recognised by their module.

Example:
    >>> from_foreign("x", "not a distribution") is None
    True
"""

from __future__ import annotations

import numbers
from typing import Any

from unitune.exceptions import SpaceTypeError
from unitune.space._elements import Categorical, Element, Float, Int, parameter_error

__all__ = ["SUPPORTED", "from_foreign", "is_distribution"]

SUPPORTED = (
    "a list of values, scipy.stats.uniform(loc, scale), scipy.stats.loguniform(a, b) (or reciprocal), "
    "scipy.stats.randint(low, high), or a unitune element such as Float(low, high, log=True)"
)
_EQUIVALENTS = {
    "hyperopt": "hp.uniform(label, a, b) -> ut.Float(a, b); hp.loguniform(label, log(a), log(b)) -> "
    "ut.Float(a, b, log=True); hp.quniform(label, a, b, 1) -> ut.Int(a, b); hp.choice(label, options) -> "
    "ut.Categorical(options), or ut.Conditional({...}) when the options are sub-spaces",
    "skopt": "Real(a, b) -> ut.Float(a, b); Real(a, b, prior='log-uniform') -> ut.Float(a, b, log=True); "
    "Integer(a, b) -> ut.Int(a, b); Categorical(options) -> ut.Categorical(options)",
}


def _library(value: Any) -> str:
    return type(value).__module__.partition(".")[0]


def is_distribution(value: Any) -> bool:
    """Whether ``value`` is a scipy.stats frozen distribution (an object with ``rvs``)."""
    return hasattr(value, "rvs") and not isinstance(value, type)


def from_foreign(name: str, value: Any) -> Element | None:
    """The unitune element for another library's space object, None for anything else.

    Raises:
        SpaceTypeError: for an object of another library without an unambiguous equivalent,
            naming the parameter and the unitune equivalent.
    """
    library = _library(value)
    if library == "optuna" and type(value).__module__.startswith("optuna.distributions"):
        return _from_optuna(name, value)
    if library in _EQUIVALENTS:
        raise parameter_error(
            name,
            f"a {library} space object is not a unitune element",
            repr(value),
            f"write the unitune equivalent ({_EQUIVALENTS[library]})",
            kind=SpaceTypeError,
        )
    if library == "scipy" and is_distribution(value):
        return from_scipy(name, value)
    return None


def _from_optuna(name: str, dist: Any) -> Element:
    kind = type(dist).__name__
    if hasattr(dist, "choices"):
        return Categorical(dist.choices)
    step = getattr(dist, "step", None)
    log = bool(getattr(dist, "log", False))
    if "Int" in kind:
        return Int(int(dist.low), int(dist.high), log=log, step=int(step or 1))
    if "Float" in kind or "Uniform" in kind:
        return Float(float(dist.low), float(dist.high), log=log or "LogUniform" in kind, step=step)
    raise parameter_error(
        name, f"the Optuna distribution {kind} has no unitune equivalent", repr(dist), f"use {SUPPORTED}"
    )


def from_scipy(name: str, dist: Any) -> Float | Int:
    """The element of a scipy.stats ``uniform``, ``loguniform`` (``reciprocal``) or ``randint`` distribution.

    Raises:
        SpaceTypeError: for any other distribution, or parameters that cannot be read.
    """
    gen = getattr(dist, "dist", None)
    kind = getattr(gen, "name", None)
    if kind not in ("uniform", "loguniform", "reciprocal", "randint"):
        what = f"scipy.stats.{kind}" if isinstance(kind, str) else type(dist).__name__
        raise parameter_error(
            name,
            f"the distribution {what} has no unitune equivalent",
            repr(dist),
            f"use {SUPPORTED}",
            kind=SpaceTypeError,
        )
    args, kwds = tuple(dist.args), dict(dist.kwds)
    shape_names = {"uniform": (), "randint": ("low", "high")}.get(kind, ("a", "b"))
    n_shapes = len(shape_names)
    shapes = [args[i] if i < len(args) else kwds.pop(s, None) for i, s in enumerate(shape_names)]
    loc = kwds.pop("loc", args[n_shapes] if len(args) > n_shapes else 0)
    scale = kwds.pop("scale", args[n_shapes + 1] if len(args) > n_shapes + 1 else 1)
    received = f"scipy.stats.{kind}{tuple(args)}" + (f" with {dist.kwds}" if dist.kwds else "")
    values = [*shapes, loc, scale]
    if any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values) or kwds:
        raise parameter_error(name, f"cannot read the parameters of scipy.stats.{kind}", received, f"use {SUPPORTED}")
    if kind == "uniform":
        if float(scale) < 0:
            raise parameter_error(
                name, "scipy.stats.uniform needs scale >= 0", received, "use uniform(loc, scale) with scale >= 0"
            )
        return Float(float(loc), float(loc) + float(scale))
    if kind == "randint":
        low, high = shapes
        if not all(float(v).is_integer() for v in (low, high, loc)) or float(scale) != 1:
            raise parameter_error(
                name, "scipy.stats.randint needs whole-number bounds", received, "use randint(low, high)"
            )
        if int(high) <= int(low):
            raise parameter_error(
                name, "scipy.stats.randint needs low < high (high is excluded)", received, "raise high"
            )
        return Int(int(low) + int(loc), int(high) - 1 + int(loc))  # scipy's high is exclusive
    a, b = shapes
    if float(loc) != 0:
        raise parameter_error(name, f"scipy.stats.{kind} with loc != 0 is not log-uniform", received, "drop loc")
    return Float(float(a) * float(scale), float(b) * float(scale), log=True)
