"""The ``unitune`` command: compare backends, list them, tune an objective, show a stored study.

Examples::

    unitune bench --problems branin,hartmann6 --backends optuna,hyperopt,skopt:gp --trials 50 --seeds 10 --out results
    unitune bench --suite bbob --filter functions=1-24 --filter dimensions=2,5 --filter instances=1-3 --trials 50
    unitune backends
    unitune run mymodule:objective --space space.yaml --backend hyperopt --trials 100 --storage sqlite:///runs.db
    unitune show sqlite:///runs.db --study-name my-study
"""

from __future__ import annotations

from unitune.cli._main import main

__all__ = ["main"]
