"""``backends()`` and ``explain()``: what each backend can do and how it receives a space."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from unitune.adapters import _load, get_adapter_class, parse_backend, registry
from unitune.adapters._base import Capabilities, Translation
from unitune.space import SpaceLike, as_space

if TYPE_CHECKING:
    from unitune.report._table import Table

__all__ = ["backends", "explain"]


def backends() -> Table:
    """A table of every ``library:algorithm`` with its capabilities.

    Columns: backend, library, algorithm, description, installed, default, startup
    (its random start-up phase and the option that sets it), conditional, batch,
    pending, grid, failures, pruned (how a pruned trial is told: its pruned state, or a
    stand-in), objectives, constraints. Printed, it fits the terminal.

    Example:
        >>> import unitune as ut
        >>> table = ut.backends()
        >>> table.loc[table.backend == "skopt:gp", "conditional"].item()
        'flattened'
        >>> table.loc[table.backend == "hyperopt:tpe", "startup"].item()
        'first 20 random trials (n_startup_jobs)'
    """
    import pandas as pd

    from unitune.report._table import as_table

    rows = []
    for library in registry():
        cls = _load(library)
        installed = importlib.util.find_spec(cls.module) is not None
        for algorithm, description in cls.algorithms.items():
            startup = cls.startup(algorithm)
            row = {
                "backend": f"{library}:{algorithm}",
                "library": library,
                "algorithm": algorithm,
                "description": description,
                "installed": installed,
                "default": algorithm == cls.default,
                "startup": "none" if startup is None else str(startup),
            }
            row.update(asdict(cls.capabilities(algorithm)))
            rows.append(row)
    return as_table(pd.DataFrame(rows))


#: How a pruned trial reaches each built-in library (``explain(..., pruner=...)``).
_PRUNED_NATIVE = {
    "optuna": "trial.report(loss, step) per step; study.tell(trial, state=TrialState.PRUNED)",
    "hyperopt": "result {'status': 'ok', 'loss': <last reported loss>}",
    "skopt": "optimizer.tell(x, <last reported loss>)",
}


def explain(
    space: SpaceLike,
    backend: str,
    backend_options: Mapping[str, Any] | None = None,
    *,
    directions: Sequence[str] | None = None,
    constraints: bool = False,
    pruner: Any = None,
) -> Table:
    """How ``backend`` receives each parameter of ``space``: no translation and no fallback is silent.

    Columns: param (its key), element, fidelity (``exact``, ``flattened``,
    ``approximated`` or ``fallback``), native (the native expression a
    hand-written program uses) and note. The table's caption
    (``table.attrs["caption"]``, printed above it) names the algorithm's random
    start-up phase with these options. With a ``pruner`` (a name or an Optuna
    pruner), a row ``(pruned trials)`` says how a pruned trial reaches the
    backend: ``exact`` where it has a pruned state, else the stand-in (``fallback``).
    With several ``directions``, a row ``(objectives)``
    says how the backend handles them (``exact`` when native, ``fallback`` for ParEGO, ``refused``
    for an algorithm of one objective); with ``constraints=True``, a row ``(constraints)`` says how
    it uses them (``ignored`` when the algorithm does not: the record still keeps them).

    Example:
        >>> import unitune as ut
        >>> table = ut.explain({"n": ut.Int(0, 2)}, "hyperopt")
        >>> table.loc[0, "native"]
        "hp.quniform('n', -0.5, 2.5, 1)"
        >>> table.attrs["caption"]
        'hyperopt:tpe: first 20 random trials (n_startup_jobs)'
        >>> row = ut.explain({"x": ut.Float(0, 1)}, "hyperopt", pruner="asha").iloc[-1]
        >>> row["param"], row["fidelity"]
        ('(pruned trials)', 'fallback')
    """
    import pandas as pd

    from unitune.report._table import as_table

    library, algorithm = parse_backend(backend)
    cls = get_adapter_class(library)
    rows = [asdict(t) for t in cls.explain(as_space(space), algorithm)]
    if pruner is not None:
        told = cls.capabilities(algorithm).pruned
        name = pruner if isinstance(pruner, str) else type(pruner).__name__
        exact = told.startswith("told as pruned")
        native = _PRUNED_NATIVE.get(library, "")
        rows.append(asdict(Translation("(pruned trials)", name, "exact" if exact else "fallback", native, told)))
    rows += [asdict(t) for t in _aim_rows(cls.capabilities(algorithm), directions, constraints)]
    table = as_table(pd.DataFrame(rows, columns=["param", "element", "fidelity", "native", "note"]))
    startup = cls.startup(algorithm, backend_options)
    table.attrs["caption"] = f"{library}:{algorithm}: " + ("no random start-up" if startup is None else str(startup))
    return table


def _aim_rows(caps: Capabilities, directions: Sequence[str] | None, constraints: bool) -> list[Translation]:
    """The rows of several objectives and of constraints: how the algorithm handles them.

    Example:
        >>> caps = Capabilities(objectives="fallback: ParEGO", constraints="native: constrained domination")
        >>> [(t.param, t.fidelity, t.native) for t in _aim_rows(caps, ["minimize", "maximize"], True)]
        [('(objectives)', 'fallback', 'ParEGO'), ('(constraints)', 'exact', 'constrained domination')]
    """
    rows = []
    if directions is not None and len(directions) > 1:
        rows.append(_aim_row("(objectives)", f"directions={list(directions)}", caps.objectives))
    if constraints:
        rows.append(_aim_row("(constraints)", "constraints (each value <= 0 is satisfied)", caps.constraints))
    return rows


def _aim_row(param: str, element: str, capability: str) -> Translation:
    kind, _, how = capability.partition(": ")
    fidelity = {"native": "exact", "recorded": "exact", "fallback": "fallback"}.get(kind, "ignored")
    if capability.startswith("single only"):
        fidelity = "refused"
    return Translation(param, element, fidelity, how or capability, "")
