"""``unitune report STORAGE --study-name NAME``: the report of one stored study, whatever its backend."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from unitune.exceptions import ArgumentError

__all__ = ["open_stored_study", "study_report"]


def open_stored_study(storage: str, study_name: str) -> Any:
    """The unitune :class:`~unitune.Study` stored under ``study_name``, continued with its own backend and space.

    Raises:
        ArgumentError: if the storage has no such study, or the study was not written by unitune
            (or its space holds choices that do not serialize, so it cannot be rebuilt).
    """
    import optuna

    from unitune.space import Space
    from unitune.study import Study
    from unitune.study._record import open_storage

    opened = open_storage(storage)
    found = [s.study_name for s in optuna.get_all_study_summaries(opened)]
    if study_name not in found:
        close = difflib.get_close_matches(study_name, found, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ArgumentError(
            f"--study-name: the storage has no study {study_name!r}; it holds {found}. Fix: {hint}use one of those"
        )
    stored = optuna.load_study(study_name=study_name, storage=opened)
    attrs = {k[len("unitune.") :]: v for k, v in stored.user_attrs.items() if k.startswith("unitune.")}
    if not isinstance(attrs.get("space"), dict) or "backend" not in attrs:
        raise ArgumentError(
            f"--study-name: study {study_name!r} has no unitune space and backend recorded (it was not written by "
            "unitune, or its space holds choices that do not serialize). Fix: write its report in Python with "
            "ut.Study(space, backend=..., storage=..., study_name=..., load_if_exists=True).report(path)"
        )
    directions = [d.name.lower() for d in stored.directions]
    shape: dict[str, Any] = {"direction": directions[0]} if len(directions) == 1 else {"directions": directions}
    return Study(
        Space.from_dict(attrs["space"]),
        backend=attrs["backend"],
        seed=attrs.get("seed"),
        backend_options=attrs.get("backend_options") or None,
        storage=storage,
        study_name=study_name,
        load_if_exists=True,
        **shape,
    )


def study_report(args: argparse.Namespace) -> int:
    """Write the report of the study ``args.study_name`` of ``args.storage`` to ``args.out``."""
    from unitune.cli._run import _check_exists

    _check_exists(args.storage)
    study = open_stored_study(args.storage, args.study_name)
    files = study.report(args.out)
    print(f"study {args.study_name!r}: {len(study.trials)} trials, backend {study.backend}")
    print(f"wrote {files.html} and {files.markdown} with {len(files.images)} figures beside it")
    return 0
