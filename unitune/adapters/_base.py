"""The adapter contract: one small base class every backend implements.

An adapter translates a :class:`~unitune.Space` into its library's native space
(:meth:`Adapter.convert_space`, a pure function) and answers ``ask``/``tell``.
It reads each parameter's neutral :class:`~unitune.space.Primitive` (never the
element classes) and speaks the *raw* form of a configuration,
``{param key: number}``, in which categorical choices and conditional labels
are indices; the :class:`~unitune.Space` turns that into the objective's
nested dict, so type conversion and categorical mapping live in one place for
every backend.

Every finished trial reaches the adapter as one :class:`~unitune.adapters.Outcome`
(state, losses, intermediate losses, constraint values): :meth:`Adapter.tell` for
trials it proposed, :meth:`Adapter.add` for trials it did not (a resumed study,
a warm start, another worker's trial); another worker's running trial is
announced with :meth:`Adapter.add_pending` and withdrawn with
:meth:`Adapter.drop_pending` before its outcome is added. Adapters always minimize; the study
flips the sign for ``direction="maximize"``. Every use of a library's private
API sits in that adapter's compat module (``_optuna_compat``, ...).

Example:
    >>> from unitune.adapters import get_adapter_class
    >>> get_adapter_class("optuna").default
    'tpe'
"""

from __future__ import annotations

import abc
import numbers
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from unitune.adapters._outcome import Outcome
from unitune.exceptions import BackendError
from unitune.space import Space

__all__ = ["Adapter", "Capabilities", "Startup", "Suggestion", "Translation", "signature_defaults"]


@dataclass(frozen=True)
class Capabilities:
    """What a backend algorithm can do.

    Attributes:
        conditional: ``"native"`` (the backend samples only the active branch)
            or ``"flattened"`` (every branch is sampled, only active values
            reach the objective).
        batch: The backend has its own way to propose several pending points at once.
        pending: How trials still running are taken into account when asking.
        others_running: How another worker's running trials (a shared study) are taken
            into account: told through :meth:`Adapter.add_pending`.
        grid: The algorithm enumerates a finite space.
        failures: How a failed trial is told to the backend.
        pruned: How a pruned trial is told to the backend.
        objectives: How several objectives are handled (``"single only"`` when refused).
        constraints: How constraint values are used.
    """

    conditional: str = "native"
    batch: bool = False
    pending: str = "ignored"
    others_running: str = "ignored"
    grid: bool = False
    failures: str = "told as failed"
    pruned: str = "told as pruned, with its intermediate values"
    objectives: str = "single only"
    constraints: str = "ignored"


@dataclass(frozen=True)
class Startup:
    """The random start-up phase of a model-based algorithm: its first ``trials`` are random draws.

    Attributes:
        trials: How many trials the phase lasts.
        option: The backend option that sets it (``backend_options={option: n}``).
        what: What the phase is (e.g. "random trials", "the first generation (random)").
    """

    trials: int
    option: str
    what: str = "random trials"

    def __str__(self) -> str:
        return f"first {self.trials} {self.what} ({self.option})"


@dataclass(frozen=True)
class Translation:
    """How one parameter reaches a backend (one row of :func:`unitune.explain`).

    Attributes:
        param: The parameter's key.
        element: ``repr`` of the unitune element.
        fidelity: ``"exact"``, ``"flattened"``, ``"approximated"`` or ``"fallback"``.
        native: The native expression a hand-written program would use.
        note: What is worth knowing (rounding, independent fallback, ...).
    """

    param: str
    element: str
    fidelity: str
    native: str
    note: str = ""


@dataclass
class Suggestion:
    """One configuration proposed by a backend.

    Attributes:
        token: The adapter's handle for the trial (passed back to :meth:`Adapter.tell`).
        raw: ``{param key: number}`` for the active parameters.
    """

    token: Any
    raw: dict[str, Any] = field(default_factory=dict)


class Adapter(abc.ABC):
    """Base class of backend adapters.

    Subclasses set the class attributes and implement :meth:`convert_space`,
    :meth:`_start`, :meth:`ask`, :meth:`tell` and :meth:`add`.

    Args:
        space: The search space.
        algorithm: One of :attr:`algorithms` (already resolved from the default).
        seed: Seed of the backend's random state (None: unseeded).
        options: Keyword arguments for the native algorithm's constructor.
        n_objectives: Number of losses each complete :class:`Outcome` carries.
        constrained: Whether complete outcomes carry constraint values (the study has constraints).
        directions: The study's direction per objective (default: all ``"minimize"``). Losses stay
            minimized; an adapter whose library takes directions (Optuna) hands them over with the
            values in their own sign, so that its sampler sees what hand-written code gives it.
    """

    #: Library name used in backend strings, e.g. ``"optuna"``.
    library: ClassVar[str]
    #: Distribution name to ``pip install`` when the library is missing.
    package: ClassVar[str]
    #: Importable module name checked for installation.
    module: ClassVar[str]
    #: Algorithm name -> one-line description.
    algorithms: ClassVar[Mapping[str, str]]
    #: Algorithm used for the bare library name.
    default: ClassVar[str]

    def __init__(
        self,
        space: Space,
        algorithm: str,
        *,
        seed: int | None = None,
        options: Mapping[str, Any] | None = None,
        n_objectives: int = 1,
        constrained: bool = False,
        directions: Sequence[str] | None = None,
    ) -> None:
        self.space = space
        self.algorithm = algorithm
        self.seed = seed
        self.options = dict(options or {})
        self.n_objectives = n_objectives
        self.constrained = constrained
        self.directions = list(directions) if directions is not None else ["minimize"] * n_objectives
        self.native = self.convert_space(space)
        self._start()

    #: Algorithm -> (option, default, what) of its random start-up phase; algorithms without one are absent.
    startup_options: ClassVar[Mapping[str, tuple[str, int, str]]] = {}

    @classmethod
    def capabilities(cls, algorithm: str) -> Capabilities:
        """Capabilities of one algorithm of this backend."""
        return Capabilities()

    @classmethod
    def startup(cls, algorithm: str, options: Mapping[str, Any] | None = None) -> Startup | None:
        """The random start-up phase of ``algorithm`` with these options, or None if it has none.

        Example:
            >>> from unitune.adapters import get_adapter_class
            >>> str(get_adapter_class("hyperopt").startup("tpe", {"n_startup_jobs": 5}))
            'first 5 random trials (n_startup_jobs)'
        """
        if algorithm not in cls.startup_options:
            return None
        option, default, what = cls.startup_options[algorithm]
        trials = (options or {}).get(option, default)
        return Startup(int(trials), option, what) if isinstance(trials, int) else None

    @classmethod
    @abc.abstractmethod
    def convert_space(cls, space: Space) -> Any:
        """Translate ``space`` into the backend's native search space (pure)."""

    @classmethod
    @abc.abstractmethod
    def explain(cls, space: Space, algorithm: str) -> list[Translation]:
        """One :class:`Translation` per parameter: how this algorithm receives it."""

    def _check_options(self, accepted: Mapping[str, Any], native: str) -> None:
        """Refuse ``self.options`` that ``native`` (the algorithm's callable) does not take, before it is built.

        ``accepted`` maps each option to its default; an option whose default is a bool, an int
        or a float must be given as one (an int is a float), so a wrong type fails here and not
        at the first ask, inside the backend.

        Raises:
            BackendError: naming the unknown options and the accepted ones, or the option of the wrong type.
        """
        where = f"backend '{self.library}:{self.algorithm}'"
        unknown = sorted(set(self.options) - set(accepted))
        if unknown:
            fix = f"use some of {sorted(accepted)}" if accepted else "pass no options"
            raise BackendError(f"{where}: unknown option(s) {unknown} for {native}. Fix: {fix}")
        for name, value in self.options.items():
            default = accepted[name]
            kind = _option_kind(default)
            if kind is not None and not _is_kind(value, kind):
                raise BackendError(
                    f"{where}: option {name!r} of {native} must be {kind}; received {value!r} "
                    f"({type(value).__name__}). Fix: e.g. {name}={default!r}"
                )

    @abc.abstractmethod
    def _start(self) -> None:
        """Create the native optimizer from ``self.native``, ``self.seed`` and ``self.options``."""

    @abc.abstractmethod
    def ask(self, n: int = 1) -> list[Suggestion]:
        """Propose ``n`` configurations, aware of the trials still pending.

        Returns fewer (possibly none) when the algorithm has nothing left to
        propose (a finished grid).
        """

    @abc.abstractmethod
    def tell(self, token: Any, outcome: Outcome) -> None:
        """Report the outcome of a trial this adapter proposed (``token`` from its :class:`Suggestion`)."""

    @abc.abstractmethod
    def add(self, raw: Mapping[str, Any], outcome: Outcome) -> None:
        """Tell a finished trial that this adapter did not propose (resume, warm start, another worker)."""

    def use_pruner(self, pruner: Any, study_name: str) -> None:
        """Take the study's Optuna pruner and name, before any trial (the study prunes).

        Pruning decisions are the study's; an adapter needs the pruner only if its sampling
        may read it (Optuna hands its samplers a study restricted to the trial's Hyperband
        bracket, which hashes the study name). Others keep this default, which does nothing.
        """
        return None

    def add_many(self, trials: Sequence[tuple[Mapping[str, Any], Outcome]]) -> None:
        """Tell several finished trials at once (adapters may do it in one model fit)."""
        for raw, outcome in trials:
            self.add(raw, outcome)

    def add_pending(self, key: Hashable, raw: Mapping[str, Any]) -> None:
        """Tell a trial running elsewhere (another worker), which this adapter did not propose.

        The backend takes it into account as it does its own pending trials, where it
        can (:attr:`Capabilities.others_running`); by default it is ignored. Its outcome
        comes later through :meth:`add`, after :meth:`drop_pending`.
        """
        return None

    def drop_pending(self, key: Hashable) -> None:
        """Forget the pending trial ``key`` given to :meth:`add_pending` (it finished or was abandoned)."""
        return None


def _option_kind(default: Any) -> str | None:
    if isinstance(default, bool):
        return "a bool"
    if isinstance(default, int):
        return "an int"
    if isinstance(default, float):
        return "a number"
    return None


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "a bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    return isinstance(value, numbers.Integral if kind == "an int" else numbers.Real)


def signature_defaults(fn: Any, skip: Collection[str] = ()) -> dict[str, Any]:
    """The keyword parameters of ``fn`` and their defaults (None where there is none).

    Example:
        >>> def suggest(new_ids, domain, n_startup_jobs=20, gamma=0.25): ...
        >>> signature_defaults(suggest, skip={"new_ids", "domain"})
        {'n_startup_jobs': 20, 'gamma': 0.25}
    """
    import inspect

    params = inspect.signature(fn).parameters.values()
    return {
        p.name: None if p.default is p.empty else p.default
        for p in params
        if p.name not in skip and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
