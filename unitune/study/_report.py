"""The study report: a :class:`unitune.report.Document` that documents one tuning run.

The same report code writes the comparison report (``unitune.compare``): this
module only fills the document, section by section (:data:`SECTIONS`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from unitune.exceptions import UnituneError
from unitune.report._table import key_values
from unitune.study._importance import directions_of
from unitune.study._plots import values_of

if TYPE_CHECKING:
    from unitune.report import Document
    from unitune.space import Space
    from unitune.study._importance import TargetLike
    from unitune.study._study import Study

__all__ = ["SECTIONS", "build"]

#: The report's sections, in order.
SECTIONS = (
    "Objective",
    "Search space",
    "Backend and options",
    "Budget, storage and timing",
    "Versions and machine",
    "Failed and pruned trials",
    "Best configuration",
    "Optimization history",
    "Slice plots",
    "Importance",
    "Suggested narrowed space",
)

_LIBRARIES = ("optuna", "hyperopt", "scikit-optimize", "scikit-learn", "numpy", "scipy", "pandas", "matplotlib")


def space_text(space: Space) -> str:
    """A space as YAML in :meth:`~unitune.Space.to_dict`'s format (a leaf per line), else its ``repr``.

    Example:
        >>> from unitune import Float, Space
        >>> print(space_text(Space({"lr": Float(1e-4, 0.1, log=True), "epochs": 10})), end="")
        lr: {type: float, low: 0.0001, high: 0.1, log: true}
        epochs: {type: constant, value: 10}
    """
    import yaml

    try:
        text: str = yaml.safe_dump(space.to_dict(), sort_keys=False, default_flow_style=None, width=1000)
    except Exception:  # choices that have no plain form (estimators, functions)
        return repr(space)
    return text


def _objective(doc: Document, study: Study, attrs: Mapping[str, Any]) -> None:
    doc.section(SECTIONS[0])
    directions = directions_of(study)
    names = getattr(study, "objectives", None)
    items: dict[str, object] = {
        "objective": attrs.get("objective", "not recorded (the study was not run by optimize)"),
        "direction": ", ".join(directions),
        "study name": study.study_name,
    }
    if names:
        items["objectives"] = ", ".join(names)
    if attrs.get("foreign"):
        items["note"] = attrs["foreign"]
    doc.table(key_values(items), caption="What was tuned")


def _space(doc: Document, study: Study, attrs: Mapping[str, Any]) -> None:
    from unitune.adapters._info import explain

    doc.section(SECTIONS[1])
    doc.text("As written (YAML in the format of `Space.to_dict`, which `unitune run --space` reads):")
    doc.code(space_text(study.space))
    table = explain(study.space, study.backend, attrs.get("backend_options") or None)
    doc.text(f"As {study.backend} received it (`ut.explain`): {table.attrs.get('caption', '')}.")
    doc.table(table, caption="Each parameter, its fidelity and the native expression a hand-written program uses")


def _backend(doc: Document, study: Study, attrs: Mapping[str, Any]) -> None:
    doc.section(SECTIONS[2])
    items: dict[str, object] = {
        "backend": study.backend,
        "backend options": attrs.get("backend_options") or "{} (the algorithm's defaults)",
        "seed": study.seed if study.seed is not None else "none (not reproducible)",
    }
    warm = attrs.get("warm_start")
    if isinstance(warm, Mapping):
        how = "inside the narrowed space" if warm.get("narrowed") else "that fit the space"
        items["warm start"] = f"{warm.get('trials')} complete trial(s) of study {warm.get('study')!r} {how}"
    doc.table(key_values(items), caption="The backend, as the study ran it")


def _budget(doc: Document, study: Study) -> None:
    doc.section(SECTIONS[3])
    trials = study.trials
    states: dict[str, int] = {}
    for t in trials:
        states[str(t.state)] = states.get(str(t.state), 0) + 1
    frozen = study.optuna_study.get_trials(deepcopy=False)
    starts = [t.datetime_start for t in frozen if t.datetime_start is not None]
    ends = [t.datetime_complete for t in frozen if t.datetime_complete is not None]
    durations = [t.duration.total_seconds() for t in frozen if t.duration is not None]  # from the record
    asked = sorted(t.suggest_time for t in trials if t.suggest_time > 0)  # trials this process asked
    items: dict[str, object] = {
        "trials": f"{len(trials)} finished: " + (", ".join(f"{n} {s}" for s, n in states.items()) or "none"),
        "running": len(study.running),
        "storage": study._where,
        "first trial started": min(starts).isoformat(sep=" ", timespec="seconds") if starts else "-",
        "last trial finished": max(ends).isoformat(sep=" ", timespec="seconds") if ends else "-",
        "wall time (s)": f"{(max(ends) - min(starts)).total_seconds():.3g}" if starts and ends else "-",
        "sum of trial durations (s)": f"{sum(durations):.3g}" if durations else "-",
        "median suggestion time (s)": f"{asked[len(asked) // 2]:.3g}" if asked else "not measured (trials loaded)",
        "unitune's own time in ask/tell, this process (s)": f"{study.overhead:.3g}",
    }
    doc.table(
        key_values(items),
        caption="Budget, storage and timing (from the record; suggestion times of the trials this process asked)",
    )


def _failures(doc: Document, study: Study) -> None:
    import pandas as pd

    doc.section(SECTIONS[5])
    failed = [t for t in study.trials if str(t.state) == "failed"]
    pruned = [t for t in study.trials if str(t.state) == "pruned"]
    if not failed and not pruned:
        doc.text("No trial failed and none was pruned.")
        return
    doc.text(
        f"{len(failed)} failed and {len(pruned)} pruned trial(s); importance and narrowing read complete trials only."
    )
    if failed:
        frame = pd.DataFrame({"trial": [t.number for t in failed], "error": [str(t.error) for t in failed]})
        doc.table(frame, caption="Failed trials and why")
    if pruned:
        doc.text("Pruned trials: " + ", ".join(str(t.number) for t in pruned) + ".")


def _best(doc: Document, study: Study) -> None:
    import pandas as pd

    doc.section(SECTIONS[6])
    directions = directions_of(study)
    if len(directions) > 1:
        front = list(getattr(study, "best_trials", []))
        doc.text(f"Several objectives: the {len(front)} trial(s) of the Pareto front.")
        rows = [{"trial": t.number, "values": values_of(t), **study.space.flatten(t.params)} for t in front]
        doc.table(pd.DataFrame(rows), caption="The Pareto front")
        return
    try:
        best = study.best_trial
    except UnituneError:
        doc.text("No trial completed, so there is no best configuration.")
        return
    doc.text(f"Trial {best.number}, value {best.value!r}.")
    flat = study.space.flatten(best.params)
    doc.table(key_values({name: repr(value) for name, value in flat.items()}), caption="The best configuration")
    doc.code(json.dumps(best.params, indent=2, default=repr))


def _history(doc: Document, study: Study) -> None:
    from unitune.study._plots import history, slices

    directions = directions_of(study)
    names = getattr(study, "objectives", None)
    doc.section(SECTIONS[7])
    doc.figure(history(study.trials, directions, names), "history", "Each trial's value and the best so far")
    doc.section(SECTIONS[8])
    doc.text(
        "One panel per parameter: each complete trial's value against the parameter's (raw value: a choice by its "
        "position), darker for earlier trials. Inactive parameters are left out of their panel."
    )
    doc.figure(slices(study.space, study.trials, directions[0]), "slices", "Slice plots (first objective)")


def _importance(doc: Document, study: Study, target: TargetLike | None, evaluator: Any) -> None:
    from unitune.study._importance import importance
    from unitune.study._plots import importance_bars

    doc.section(SECTIONS[9])
    if len(directions_of(study)) > 1 and target is None:
        doc.text("Several objectives: pass `target=` to `study.report` to compute importance for one of them.")
        return
    try:
        table = importance(study, evaluator=evaluator, target=target)
    except (UnituneError, ValueError, RuntimeError) as error:
        doc.text(f"Importance could not be computed: {error}")
        return
    if table.empty:
        doc.text("No complete trial: no importance.")
        return
    doc.text(table.attrs["caption"])
    for branch, group in table.groupby("branch", sort=False):
        caption = f"Branch {branch}: {int(group['trials'].iloc[0])} trials"
        doc.table(group.drop(columns=["branch"]).reset_index(drop=True), caption=caption)
    doc.figure(importance_bars(table), "importance", "Importance per branch")


def _narrowed(doc: Document, study: Study, target: TargetLike | None, options: Mapping[str, Any]) -> None:
    doc.section(SECTIONS[10])
    if len(directions_of(study)) > 1 and target is None:
        doc.text("Several objectives: pass `target=` to `study.report` to suggest a narrowed space.")
        return
    try:
        narrowed = study.narrow(target=target, **options)
    except (UnituneError, ValueError) as error:
        doc.text(f"No narrowed space is suggested: {error}")
        return
    doc.text(narrowed.explanation.attrs["caption"])
    doc.table(narrowed.explanation, caption="Each parameter: its range before and after, and why")
    doc.text("The narrowed space (continue in it with `study.continue_narrowed(narrowed, backend=...)`):")
    doc.code(space_text(narrowed))


def build(
    study: Study,
    *,
    target: TargetLike | None = None,
    evaluator: Any = "fanova",
    narrow: Mapping[str, Any] | None = None,
) -> Document:
    """The report of a study, every section of :data:`SECTIONS` in order."""
    from unitune.report import Document, environment

    attrs = study._record.stored_attrs()
    doc = Document(f"unitune study report: {study.study_name}")
    _objective(doc, study, attrs)
    _space(doc, study, attrs)
    _backend(doc, study, attrs)
    _budget(doc, study)
    doc.section(SECTIONS[4])
    doc.table(key_values(environment(_LIBRARIES)), caption="Versions and machine")
    _failures(doc, study)
    _best(doc, study)
    _history(doc, study)
    _importance(doc, study, target, evaluator)
    _narrowed(doc, study, target, dict(narrow or {}))
    return doc
