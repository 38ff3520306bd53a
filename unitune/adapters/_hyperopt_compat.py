"""Every use of Hyperopt's private API, in one place, with the versions it was checked on.

``tests/test_compat.py`` has a test per entry that fails, naming the installed
Hyperopt version, when the internal changes.

* :func:`insert_listed`: ``Trials._dynamic_trials`` (the stored documents) and
  ``Trials._trials`` (the list of valid trials that algorithms read through
  ``Trials.trials``). ``fmin`` rebuilds that list with ``Trials.refresh()``
  once per trial, which is O(n); unitune's trials never leave the valid states
  and its ``Trials`` has no experiment key, so appending what it inserts gives
  the same list in O(1). Checked on Hyperopt 0.2.7-0.3.0.
* :func:`remove_listed`: the same two lists, from which a document is removed
  (another worker's running trial, once it finished there). ``Trials`` has no
  public removal; ``delete_all`` would drop every trial. Checked on Hyperopt 0.2.7-0.3.0.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CHECKED", "insert_listed", "remove_listed"]

#: Hyperopt versions the entries above were checked on.
CHECKED = "0.2.7-0.3.0"


def insert_listed(trials: Any, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert documents into a ``hyperopt.Trials`` and list them as ``refresh()`` would; returns the stored copies."""
    trials.insert_trial_docs(docs)
    inserted: list[dict[str, Any]] = trials._dynamic_trials[-len(docs) :]  # the SONified copies
    trials._trials.extend(inserted)
    return inserted


def remove_listed(trials: Any, doc: dict[str, Any]) -> None:
    """Remove a document inserted with :func:`insert_listed` (the very object it returned)."""
    for listed in (trials._dynamic_trials, trials._trials):
        for i in range(len(listed) - 1, -1, -1):  # a recent document: from the end
            if listed[i] is doc:
                del listed[i]
                break
