"""``unitune run`` and ``unitune show``: tune a user's objective, summarize a stored study."""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from unitune.exceptions import ArgumentError, SpaceError, argument_error

__all__ = ["load_objective", "load_space_file", "run_command", "show_command"]


def load_space_file(path: str | Path) -> Any:
    """A :class:`~unitune.Space` from a YAML or JSON file in ``Space.to_dict`` format.

    Raises:
        SpaceError: naming the file and the line (syntax errors) or the parameter path (bad entries).
    """
    import yaml

    from unitune.space import Space

    file = Path(path)
    text = file.read_text()
    try:
        data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise SpaceError(f"{file}: line {error.lineno}, column {error.colno}: {error.msg}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise SpaceError(f"{file}: {where}{getattr(error, 'problem', error)}") from error
    try:
        return Space.from_dict(data)
    except SpaceError as error:
        raise type(error)(f"{file}: {error}") from error


def load_objective(spec: str) -> Any:
    """Import ``MODULE:FUNCTION`` (the current folder is importable)."""
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise argument_error("the objective", "must be MODULE:FUNCTION", spec, "write e.g. train:objective")
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    module = importlib.import_module(module_name)
    try:
        return getattr(module, name)
    except AttributeError:
        raise ArgumentError(
            f"module {module_name!r} has no function {name!r}. Fix: check the name after the ':'"
        ) from None


def run_command(args: argparse.Namespace) -> int:
    """Tune ``args.objective`` over ``args.space`` and print the best trial."""
    from unitune.study import maximize, minimize

    space = load_space_file(args.space)
    objective = load_objective(args.objective)
    tune = maximize if args.direction == "maximize" else minimize
    study = tune(
        objective,
        space,
        backend=args.backend,
        n_trials=args.trials,
        seed=args.seed,
        storage=args.storage,
        study_name=args.study_name,
        load_if_exists=args.study_name is not None,
        n_jobs=args.jobs,
        progress=not args.no_progress,
    )
    _print_study(study.trials_dataframe(), study.best_value, study.best_params, study.study_name)
    return 0


def show_command(args: argparse.Namespace) -> int:
    """Print the summary and the best trial of a stored study."""
    import optuna

    from unitune.study._record import open_storage

    storage = open_storage(args.storage)
    name = args.study_name
    found = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    if name is None:
        if len(found) != 1:
            raise ArgumentError(
                f"the storage holds {len(found)} studies {found}, not one. Fix: choose one with --study-name"
            )
        name = found[0]
    elif name not in found:
        close = difflib.get_close_matches(name, found, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ArgumentError(f"the storage has no study {name!r}; it holds {found}. Fix: {hint}use one of those")
    study = optuna.load_study(study_name=name, storage=storage)
    frame = study.trials_dataframe()
    attrs = study.user_attrs
    print(f"study {name!r}: backend {attrs.get('unitune.backend', '?')}, direction {study.direction.name.lower()}")
    states = frame["state"].value_counts().to_dict() if len(frame) else {}
    print("trials: " + ", ".join(f"{v} {str(k).lower()}" for k, v in states.items()) if states else "trials: none")
    try:
        best = study.best_trial
    except ValueError:
        print("no complete trial yet")
        return 0
    print(f"best trial #{best.number}: value {best.value}")
    for key, value in best.params.items():
        print(f"  {key} = {value!r}")
    return 0


def _print_study(frame: Any, best_value: float, best_params: dict[str, Any], name: str) -> None:
    states = frame["state"].value_counts().to_dict()
    print(f"study {name!r}: " + ", ".join(f"{v} {k}" for k, v in states.items()))
    print(f"best value: {best_value}")
    print(f"best params: {best_params}")
