"""Several objectives and constraints in a study that several worker processes share (one SQLite storage)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import optuna
import pytest

from unitune.adapters._optuna_compat import trial_constraints

WORKER = textwrap.dedent(
    """
    import json, sys
    import unitune as ut

    url, backend, out = sys.argv[1:4]

    def objective(config):
        x, y = config["x"], config["y"]
        return {"f1": x * x + y, "f2": (x - 1.0) ** 2 + y, "load": x + y - 0.8}

    study = ut.optimize(
        objective,
        {"x": ut.Float(0.0, 1.0), "y": ut.Float(0.0, 1.0)},
        directions=["minimize", "minimize"],
        objectives=["f1", "f2"],
        constraints=["load"],  # feasible when x + y <= 0.8
        backend=backend,
        n_trials=12,
        seed=None,
        storage=url,
        study_name="shared",
        load_if_exists=True,
    )
    front = sorted(t.number for t in study.best_trials)
    with open(out, "w") as f:
        json.dump({"trials": len(study.trials), "front": front}, f)
    """
)


@pytest.mark.parametrize("backend", ["optuna:tpe", "hyperopt:tpe", "skopt:forest"])
def test_workers_share_a_constrained_study_of_two_objectives(backend: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), url, backend, str(tmp_path / f"out{i}.json")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
    study = optuna.load_study(study_name="shared", storage=url)
    trials = study.get_trials(deepcopy=False)
    assert 12 <= len(trials) <= 13 and all(t.state.name == "COMPLETE" for t in trials)
    assert all(len(t.values) == 2 for t in trials) and study.metric_names == ["f1", "f2"]
    for t in trials:  # the constraint values of every worker's trials, where Optuna reads them
        assert trial_constraints(t) == pytest.approx((t.params["x"] + t.params["y"] - 0.8,))
    configs = {(t.params["x"], t.params["y"]) for t in trials}
    assert len(configs) == len(trials), "a configuration was evaluated twice"
    outs = [json.loads((tmp_path / f"out{i}.json").read_text()) for i in range(2)]
    last = max(outs, key=lambda o: o["trials"])
    assert last["trials"] == len(trials)
    # the Pareto front of the feasible trials, as Optuna's best_trials reads the record
    assert last["front"] == sorted(t.number for t in study.best_trials)
    assert all(trial_constraints(trials[n])[0] <= 0 for n in last["front"])
