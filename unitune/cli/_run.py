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
    from unitune.space import Space

    file = Path(path)
    text = file.read_text()
    try:
        data = json.loads(text) if file.suffix == ".json" else _load_yaml(text)
    except json.JSONDecodeError as error:
        raise SpaceError(f"{file}: line {error.lineno}, column {error.colno}: {error.msg}") from error
    except _yaml_error() as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise SpaceError(f"{file}: {where}{getattr(error, 'problem', error)}") from error
    try:
        return Space.from_dict(data)
    except SpaceError as error:
        raise type(error)(f"{file}: {error}") from error


def _yaml_error() -> type[Exception]:
    import yaml

    return yaml.YAMLError


def _load_yaml(text: str) -> Any:
    """YAML's safe subset without aliases: an alias can nest without bound (a few bytes, minutes of CPU)."""
    import yaml

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"aliases (*{event.anchor}) are not allowed in a space file; write the value out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=NoAliases)


def load_objective(spec: str) -> Any:
    """Import ``MODULE:FUNCTION`` from the current folder, which never shadows installed packages.

    The folder is appended to ``sys.path`` (not put first), so a file named like an installed
    package (``optuna.py``) is not what unitune or the backends import.
    """
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise argument_error("the objective", "must be MODULE:FUNCTION", spec, "write e.g. train:objective")
    folder = str(Path.cwd())
    if folder not in sys.path:
        sys.path.append(folder)
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
    options = _json_object("--backend-options", args.backend_options)
    objective = load_objective(args.objective)
    tune = maximize if args.direction == "maximize" else minimize
    study = tune(
        objective,
        space,
        backend=args.backend,
        n_trials=args.trials,
        seed=args.seed,
        backend_options=options,
        timeout=args.timeout,
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

    _check_exists(args.storage)
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
    aims = ", ".join(d.name.lower() for d in study.directions)
    several = len(study.directions) > 1
    print(f"study {name!r}: backend {attrs.get('unitune.backend', '?')}, direction{'s' * several} {aims}")
    states = frame["state"].value_counts().to_dict() if len(frame) else {}
    print("trials: " + ", ".join(f"{v} {str(k).lower()}" for k, v in states.items()) if states else "trials: none")
    if several:  # the Pareto front (of the feasible trials), as Optuna reads it
        front = sorted(study.best_trials, key=lambda t: t.number)
        print(f"Pareto front: {len(front)} trial(s)")
        for trial in front:
            print(f"  #{trial.number}: values {trial.values}, params {trial.params}")
        return 0
    try:
        best = study.best_trial
    except ValueError:
        print("no complete trial yet")
        return 0
    print(f"best trial #{best.number}: value {best.value}")
    for key, value in best.params.items():
        print(f"  {key} = {value!r}")
    return 0


_EXAMPLE = """e.g. '{"n_startup_trials": 5}'"""


def _json_object(flag: str, text: str | None) -> dict[str, Any] | None:
    """A JSON object given on the command line, or None."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArgumentError(
            f"{flag} must be a JSON object; received {text!r} ({error.msg}). Fix: e.g. '{{\"a\": 1}}'"
        ) from None
    if not isinstance(value, dict):
        raise ArgumentError(f"{flag} must be a JSON object; received {text!r}. Fix: e.g. '{{\"a\": 1}}'")
    return value


def _check_exists(storage: str) -> None:
    """A storage to read must exist: opening a missing SQLite file or journal would create an empty one."""
    path = storage[len("sqlite:///") :] if storage.startswith("sqlite:///") else None
    if "://" not in storage:
        path = storage
    if path is not None and path != ":memory:" and not Path(path).exists():
        raise ArgumentError(f"the storage {storage!r} does not exist (no file {path!r}). Fix: check the path")


def _print_study(frame: Any, best_value: float, best_params: dict[str, Any], name: str) -> None:
    states = frame["state"].value_counts().to_dict()
    print(f"study {name!r}: " + ", ".join(f"{v} {k}" for k, v in states.items()))
    print(f"best value: {best_value}")
    print(f"best params: {best_params}")
