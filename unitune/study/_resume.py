"""Continuing a stored study: the record is opened, and what the call asks is checked against what is stored.

A study unitune created stores its direction, its backend and a structural
signature of its space (names, kinds, bounds, steps, log scales, choice counts
and branch labels; never a ``repr`` that holds memory addresses). Continuing it
with another direction is refused; another backend or a changed space is
refused unless ``allow_changes=True``, which continues with the new ones and
tells the backend only the recorded trials that fit the new space. A stored
study that unitune did not create (no signature) is continued from its
recorded trials: those whose parameters fit the space are told to the backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from unitune.exceptions import StudyError

if TYPE_CHECKING:
    from unitune.space import Space
    from unitune.study._record import Record

__all__ = ["check_stored", "open_record", "signature"]

_FIX = "use another study_name for a new study"


def signature(space: Space) -> list[dict[str, Any]]:
    """The structure of a space, JSON-ready: one entry per parameter key.

    Example:
        >>> from unitune import Categorical, Int, Space
        >>> signature(Space({"n": Int(1, 8, log=True), "c": Categorical([print, None])}))[1]
        {'key': 'c', 'kind': 'choice', 'n': 2}
    """
    out: list[dict[str, Any]] = []
    for p in space.params:
        prim = p.primitive
        if prim.kind == "choice":
            entry: dict[str, Any] = {"key": p.key, "kind": "choice", "n": len(prim.options)}
            if prim.labels is not None:
                entry["labels"] = list(prim.labels)
        else:
            entry = {"key": p.key, "kind": prim.kind, "low": prim.low, "high": prim.high, "log": prim.log}
            entry["step"] = prim.step
        out.append(entry)
    return out


def open_record(
    space: Space,
    storage: Any,
    study_name: str | None,
    load_if_exists: bool,
    directions: Sequence[str],
    attrs: dict[str, Any],
) -> Record:
    """The study's record: in memory (``storage=None``) or in an Optuna storage, created or opened."""
    if storage is None:
        from unitune.study._memory import MemoryRecord

        return MemoryRecord(space, study_name=study_name, directions=directions, attrs=attrs)
    from unitune.study._record import StorageRecord

    return StorageRecord(
        space,
        storage=storage,
        study_name=study_name,
        load_if_exists=load_if_exists,
        directions=directions,
        attrs=attrs,
    )


def check_stored(record: Record, attrs: Mapping[str, Any], directions: Sequence[str], allow_changes: bool) -> bool:
    """Check a continued study against the call; True when its recorded trials must each be checked against the space.

    Raises:
        StudyError: for another direction, and for another backend or space unless ``allow_changes``,
            saying what differs and how to proceed.
    """
    name = record.study_name
    stored_directions = record.stored_directions()
    if list(stored_directions) != list(directions):
        raise StudyError(
            f"study {name!r} is stored with direction {_one(stored_directions)}, not {_one(directions)}: its "
            f"recorded values and best trial mean the other direction. Fix: {_FIX}"
        )
    stored = record.stored_attrs()
    differences = []
    backend = stored.get("backend")
    if backend is not None and backend != attrs["backend"]:
        differences.append(f"the backend is {attrs['backend']!r}, the stored study's is {backend!r}")
    old = stored.get("signature")
    if old is not None and old != attrs["signature"]:
        differences += _space_changes(old, attrs["signature"])
    if differences and not allow_changes:
        raise StudyError(
            f"study {name!r} was stored with another setup: " + "; ".join(differences) + ". Fix: "
            f"{_FIX}, or pass allow_changes=True to continue it anyway (only the recorded trials that fit the "
            "space are told to the backend)"
        )
    conflicts = record.conflicts()
    if conflicts:
        raise StudyError(
            f"study {name!r} cannot be continued with this space: Optuna's storage records a parameter only as it "
            "first recorded it (same kind, log scale and choices): " + "; ".join(conflicts) + ". Fix: start a new "
            "study (another study_name) with warm_start= the stored study, opened with the space it was recorded in"
        )
    if differences:
        record.set_attrs({k: attrs[k] for k in ("backend", "signature", "space")})
    return old is None or bool(differences)


def _one(directions: Sequence[str]) -> str:
    return repr(directions[0]) if len(directions) == 1 else repr(list(directions))


def _space_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[str]:
    before = {e["key"]: dict(e) for e in old}
    after = {e["key"]: dict(e) for e in new}
    changes = [f"parameter {k!r} was added" for k in after if k not in before]
    changes += [f"parameter {k!r} was removed" for k in before if k not in after]
    for key in before.keys() & after.keys():
        if before[key] != after[key]:
            was, now = _describe(before[key]), _describe(after[key])
            changes.append(f"parameter {key!r} changed from {was} to {now}")
    return changes or ["the parameters' order changed"]


def _describe(entry: Mapping[str, Any]) -> str:
    if entry["kind"] == "choice":
        return f"a choice of {entry['labels'] if 'labels' in entry else entry['n']}"
    extra = (", log" if entry.get("log") else "") + (
        f", step {entry['step']}" if entry.get("step") not in (None, 1) else ""
    )
    return f"{entry['kind']} [{entry['low']}, {entry['high']}{extra}]"
