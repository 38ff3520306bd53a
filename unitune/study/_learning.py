"""The methods of :class:`~unitune.Study` that learn from its trials: importance, narrow, continue, report.

They live here, mixed into ``Study``, so that the study's own module stays about
asking and telling; each delegates to the module that does the work
(``_importance``, ``_narrowing``, ``_report``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from unitune._keywords import suggest_keywords

if TYPE_CHECKING:
    from unitune.report import ReportFiles
    from unitune.report._table import Table
    from unitune.space import SpaceLike
    from unitune.study._importance import TargetLike
    from unitune.study._narrowing import NarrowedSpace
    from unitune.study._study import Study

__all__ = ["Learning", "objective_name", "storage_text"]

_PASSWORD = re.compile(r"(://[^:/@]*):[^@/]*@")


def storage_text(storage: Any) -> str:
    """How a report names a study's storage: its URL or path (a password masked), or what kind it is.

    Example:
        >>> storage_text("postgresql://me:secret@db.example/runs"), storage_text(None)
        ('postgresql://me:***@db.example/runs', 'memory (not stored)')
    """
    if storage is None:
        return "memory (not stored)"
    if isinstance(storage, (str, Path)):
        text = str(storage)
        return _PASSWORD.sub(r"\1:***@", text) if "://" in text else f"journal file {text}"
    return f"a {type(storage).__name__} object"


def objective_name(objective: Any) -> str:
    """``module.qualified_name`` of a function (or of a callable object's class).

    Example:
        >>> objective_name(objective_name)
        'unitune.study._learning.objective_name'
    """
    target = objective if hasattr(objective, "__qualname__") else type(objective)
    module = getattr(target, "__module__", None)
    name = getattr(target, "__qualname__", repr(objective))
    return f"{module}.{name}" if module and module != "builtins" else str(name)


class Learning:
    """Learning from a study's trials (mixed into :class:`~unitune.Study`)."""

    def _remember_objective(self, objective: Any) -> None:
        """Record the objective's name for the report (a study attribute of the record)."""
        name, record = objective_name(objective), cast("Study", self)._record
        if record.stored_attrs().get("objective") != name:
            record.set_attrs({"objective": name})

    @suggest_keywords
    def importance(
        self, *, evaluator: Any = "fanova", target: TargetLike | None = None, seed: int | None = None
    ) -> Table:
        """The importance of each parameter, from Optuna's evaluators on the record (any backend).

        Args:
            evaluator: ``"fanova"`` (the default: fANOVA on a random forest, the share of the
                objective's variance each parameter explains), ``"ped-anova"`` (PED-ANOVA: how
                differently the top 10% of trials are distributed), ``"mdi"`` (mean decrease
                impurity of a random forest), or an ``optuna.importance`` evaluator object.
            target: The number to explain, required with several objectives: an objective's
                index (``0``) or name, or, as in Optuna, a function of an Optuna ``FrozenTrial``
                (e.g. ``lambda t: t.values[0]``; lower is better, which matters for PED-ANOVA).
            seed: Seed of the random forests (default: the study's).

        Returns:
            A table (a DataFrame) with columns ``branch``, ``parameter``, ``importance``, ``method``,
            ``trials``: one block per branch of a conditional space (``"all trials"`` first, where a
            ``Conditional``'s label is a parameter of its own), importances summing to 1 in each.
            Only complete trials are used; the caption and ``attrs["left_out"]`` count the others.

        Example:
            >>> import unitune as ut
            >>> study = ut.minimize(lambda c: c["x"] ** 2 + 0 * c["y"], {"x": ut.Float(-1, 1), "y": ut.Float(-1, 1)},
            ...                     backend="optuna:random", n_trials=30, seed=0)
            >>> study.importance().parameter.tolist()
            ['x', 'y']
        """
        from unitune.study._importance import importance

        return importance(cast("Study", self), evaluator=evaluator, target=target, seed=seed)

    @suggest_keywords
    def narrow(
        self,
        *,
        quantile: float = 0.2,
        margin: float = 0.1,
        min_trials: int = 20,
        fix_unimportant: float | None = None,
        target: TargetLike | None = None,
        evaluator: Any = "fanova",
    ) -> NarrowedSpace:
        """A new space fitted to the best trials: start broad, then narrow.

        Numbers get the bounding box of the top trials (Perrone et al. 2019) widened by
        ``margin`` of their range on each side, in their own scale, on their grid, never wider
        than before; categoricals keep the choices the top trials hold, conditionals the branches
        they chose. ``narrowed.explanation`` says, per parameter, what changed and why, and how
        many of the study's trials lie inside (``narrowed.kept`` in all).

        Args:
            quantile: The share of complete trials (best first) the space is fitted to.
            margin: Widening on each side, as a share of each parameter's original width.
            min_trials: The fewest complete trials to narrow from.
            fix_unimportant: Fix each parameter whose importance (see :meth:`importance`) is below
                this share to the best trial's value (a one-value element), e.g. ``0.05``.
            target: For several objectives: the objective (index or name) or function to rank trials by.
            evaluator: The importance evaluator for ``fix_unimportant``.

        Returns:
            A :class:`~unitune.Space` (a ``NarrowedSpace``, with ``explanation``, ``kept``, ``volume``).

        Raises:
            StudyError: with fewer than ``min_trials`` complete trials.

        Example:
            >>> import unitune as ut
            >>> study = ut.minimize(lambda c: (c["x"] - 2) ** 2, {"x": ut.Float(-10, 10)},
            ...                     backend="optuna:random", n_trials=40, seed=0)
            >>> narrowed = study.narrow(quantile=0.1)
            >>> narrowed.mapping
            {'x': Float(0.05, 4.36)}
            >>> narrowed.kept, narrowed.complete  # trials inside the narrowed space, of all complete ones
            (14, 40)
        """
        from unitune.study._narrowing import Options, narrow

        options = Options(quantile, margin, min_trials, fix_unimportant, target, evaluator)
        return narrow(cast("Study", self), options)

    @suggest_keywords
    def continue_narrowed(
        self,
        space: SpaceLike | None = None,
        *,
        backend: str | None = None,
        seed: int | None = None,
        backend_options: Mapping[str, Any] | None = None,
        storage: Any = None,
        study_name: str | None = None,
        pruner: Any = None,
    ) -> Study:
        """A new study on the narrowed space, warm-started with this study's trials that lie inside it.

        The trials outside the narrowed space are left out on purpose (no warning):
        ``space.explanation`` (from :meth:`narrow`) counts them. E.g. a coarse random
        search, then TPE or a Gaussian process in the narrowed space.

        Args:
            space: The space to continue in (default: :meth:`narrow` with its defaults).
            backend: The backend of the new study (default: this study's, with its options).
            seed: Its seed (default: this study's).
            backend_options: Options of its backend.
            storage: Where its record goes (default: memory).
            study_name: Its name in the storage.
            pruner: Its pruner (see :class:`~unitune.Study`; default: none).

        Returns:
            The new study, not run yet: call ``optimize`` on it.

        Example:
            >>> import unitune as ut
            >>> broad = ut.minimize(lambda c: (c["x"] - 2) ** 2, {"x": ut.Float(-10, 10)},
            ...                     backend="optuna:random", n_trials=40, seed=0)
            >>> narrowed = broad.narrow()
            >>> fine = broad.continue_narrowed(narrowed, backend="hyperopt").optimize(
            ...     lambda c: (c["x"] - 2) ** 2, n_trials=10)
            >>> len(fine.trials), all(-0.64 <= t.params["x"] <= 4.92 for t in fine.trials)
            (10, True)
        """
        from unitune.study._importance import directions_of

        study = cast("Study", self)
        narrowed = self.narrow() if space is None else space
        kwargs: dict[str, Any] = {}
        directions = directions_of(study)
        if len(directions) > 1:
            kwargs["directions"], kwargs["objectives"] = directions, getattr(study, "objectives", None)
        else:
            kwargs["direction"] = directions[0]
        constraints = getattr(study, "_constraints", None)
        if constraints is not None:  # the same constraints (a function, or the names of result entries)
            kwargs["constraints"] = constraints.function or constraints.names
        if backend is None and backend_options is None:
            backend_options = study._backend_options
        new = type(study)(  # a Study (this module does not import its module: it imports this one)
            narrowed,
            backend=study.backend if backend is None else backend,
            seed=study.seed if seed is None else seed,
            backend_options=backend_options,
            storage=storage,
            study_name=study_name,
            pruner=pruner,
            **kwargs,
        )
        told = new._warm_start(study, warn=False)
        new._record.set_attrs({"warm_start": {"study": study.study_name, "trials": told, "narrowed": True}})
        return new

    @suggest_keywords
    def report(
        self,
        path: str | Path,
        *,
        target: TargetLike | None = None,
        evaluator: Any = "fanova",
        narrow: Mapping[str, Any] | None = None,
    ) -> ReportFiles:
        """Write the study's report: one self-contained HTML page and its Markdown twin with PNGs beside it.

        It documents the tuning: the objective, the space (as written and as the backend
        received it), the backend and its options, versions, seed, budget, storage, timing,
        failed and pruned trials, the best configuration, the optimization history, a slice
        plot per parameter, importance and the suggested narrowed space.

        Args:
            path: A ``.html`` file, or a folder (``report.html`` in it).
            target: For several objectives: what importance and narrowing explain (see :meth:`importance`).
            evaluator: The importance evaluator (see :meth:`importance`).
            narrow: Keyword arguments of :meth:`narrow` for the suggested space.

        Returns:
            The files written (``.html``, ``.markdown``, ``.images``).
        """
        from unitune.study._report import build

        return build(cast("Study", self), target=target, evaluator=evaluator, narrow=narrow).write(path)
