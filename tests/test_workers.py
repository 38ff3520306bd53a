"""Many workers, one study: real processes sharing SQLite, a journal file and PostgreSQL.

Each worker is a separate Python process running the same ``ut.minimize(..., storage=...,
study_name=..., load_if_exists=True)`` with the same seed. The worker script instruments its
backend's adapter class (it counts what the backend is told; it changes nothing) and prints a
JSON line the test reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import optuna
import pytest

import unitune as ut
from unitune.study import shared_storage

BACKENDS = ["optuna:tpe", "hyperopt:tpe", "skopt:gp"]
STORAGES = ["sqlite", "journal", "postgresql"]
WORKERS = 4
TOTAL = 16

WORKER = textwrap.dedent(
    """
    import json, os, signal, sys, time
    import optuna
    import unitune as ut
    from unitune.adapters import get_adapter_class
    from unitune.study import shared_storage

    storage_arg, backend, name, total, out, kill_marker, workers, role = sys.argv[1:9]
    # a grace period well above the heartbeat interval: a loaded machine must not fail a live worker's trial
    storage = shared_storage(storage_arg, heartbeat_interval=1, grace_period=8)
    if "://" in storage_arg:
        reader = optuna.storages.get_storage(storage_arg)  # a separate connection, no heartbeats
    else:
        from optuna.storages.journal import JournalFileBackend, JournalStorage
        reader = JournalStorage(JournalFileBackend(storage_arg))

    def key(raw):
        return (round(float(raw["x"]), 12), round(float(raw["y"]), 12))

    # what the backend has been told, seen through its adapter class (instrumented, not replaced):
    # per adapter object (a worker that reseeds its backend replays the study into a new one)
    told, tokens, asks, late = {}, {}, [0], [0]
    finished_before = [set()]
    cls = get_adapter_class(backend.split(":")[0])
    original = {name: getattr(cls, name) for name in ("ask", "tell", "add", "add_many")}

    def ask(self, n=1):
        asks[0] += 1
        late[0] += len(finished_before[0] - set(told.setdefault(id(self), [])))  # finished before, not told
        suggestions = original["ask"](self, n)
        for s in suggestions:
            tokens[id(self), s.token] = key(s.raw)
        return suggestions

    def tell(self, token, outcome):
        told.setdefault(id(self), []).append(tokens[id(self), token])
        return original["tell"](self, token, outcome)

    def add_many(self, trials):  # an adapter's own add_many (one fit); its add goes through it
        told.setdefault(id(self), []).extend(key(raw) for raw, _ in trials)
        return original["add_many"](self, trials)

    def add(self, raw, outcome):  # the base add_many calls add
        told.setdefault(id(self), []).append(key(raw))
        return original["add"](self, raw, outcome)

    cls.ask, cls.tell = ask, tell
    if "add_many" in vars(cls):
        cls.add_many = add_many
    else:
        cls.add = add

    def snapshot(study, trial):  # the record read independently, after this trial and before the next ask
        sid = reader.get_study_id_from_name(name)
        finished_before[0] = {
            key(t.params) for t in reader.get_all_trials(sid, deepcopy=False) if t.state.is_finished()
        }

    def others_started():  # every worker has recorded a trial: they all opened the study before the kill
        sid = reader.get_study_id_from_name(name)
        pids = {t.system_attrs.get("unitune:worker", {}).get("pid") for t in reader.get_all_trials(sid)}
        return len(pids - {None}) >= int(workers)

    def objective(config):
        if role == "kill":
            deadline = time.monotonic() + 120
            while not others_started() and time.monotonic() < deadline:
                time.sleep(0.05)
            with open(kill_marker, "w") as f:
                json.dump([config["x"], config["y"]], f)
            os.kill(os.getpid(), signal.SIGKILL)  # killed mid-trial
        while role == "wait" and not os.path.exists(kill_marker):  # the study cannot end before the kill
            time.sleep(0.05)
        time.sleep(0.05)
        return (config["x"] - 0.3) ** 2 + (config["y"] + 0.2) ** 2

    options = {}
    if backend == "skopt:gp":
        options = {"n_initial_points": 4, "acq_optimizer": "sampling", "n_points": 500}
    space = {"x": ut.Float(-1.0, 1.0), "y": ut.Float(-1.0, 1.0)}
    study = ut.minimize(objective, space, backend=backend, backend_options=options, n_trials=int(total), seed=0,
                        storage=storage, study_name=name, load_if_exists=True, callbacks=[snapshot])
    frame = study.trials_dataframe()
    mine = told.get(id(study.adapter), [])
    result = {"asks": asks[0], "late": late[0], "told": len(mine), "distinct": len(set(mine)),
              "trials": len(study.trials), "rows": len(frame), "best": study.best_value}
    with open(out, "w") as f:
        json.dump(result, f)
    """
)


def _storage_arg(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    if kind == "journal":
        return str(tmp_path / "journal.log")
    url: str = request.getfixturevalue("postgres_url")
    return url


def _run_workers(storage: str, backend: str, tmp_path: Path, *, kill: bool = False) -> tuple[str, list[Any]]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    name = f"w-{uuid.uuid4().hex[:8]}"
    marker = str(tmp_path / "killed.json") if kill else "-"
    procs = []
    for i in range(WORKERS):
        out = tmp_path / f"out{i}.json"
        args = [
            sys.executable,
            str(script),
            storage,
            backend,
            name,
            str(TOTAL),
            str(out),
            marker,
            str(WORKERS),
            "-" if not kill else "kill" if i == 0 else "wait",
        ]
        procs.append((subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), out))
    results = []
    for proc, out in procs:
        _, stderr = proc.communicate(timeout=600)
        printed = json.loads(out.read_text()) if out.exists() else None
        results.append({"code": proc.returncode, "stderr": stderr, "out": printed})
    return name, results


def _recorded(storage: str, name: str) -> list[optuna.trial.FrozenTrial]:
    opened = shared_storage(storage) if "://" not in storage else optuna.storages.get_storage(storage)
    return optuna.load_study(study_name=name, storage=opened).get_trials(deepcopy=False)


def _config(trial: optuna.trial.FrozenTrial) -> tuple[float, float]:
    return (round(float(trial.params["x"]), 12), round(float(trial.params["y"]), 12))


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", STORAGES)
def test_workers_share_one_study(kind: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    storage = _storage_arg(kind, tmp_path, request)
    name, results = _run_workers(storage, backend, tmp_path)
    for result in results:
        assert result["code"] == 0, result["stderr"][-3000:]
        assert "Traceback" not in result["stderr"] and "UpdateFinishedTrialError" not in result["stderr"]
    trials = _recorded(storage, name)
    assert all(t.state.name == "COMPLETE" for t in trials), Counter(t.state.name for t in trials)
    assert TOTAL <= len(trials) <= TOTAL + WORKERS - 1
    assert [t.number for t in trials] == list(range(len(trials)))
    configs = [_config(t) for t in trials]
    assert len(set(configs)) == len(configs), "a configuration was evaluated twice"
    ran = [r["out"] for r in results]
    assert sum(r["asks"] for r in ran) >= len(trials) - 1  # each worker asked its own backend
    for out in ran:
        assert out["late"] == 0, out  # every trial finished before an ask was told before that ask
        assert out["told"] == out["distinct"], out  # none told twice
        assert out["told"] <= len(trials)
        assert min(out["rows"], out["trials"]) >= len(trials) - (WORKERS - 1)  # every worker's trials
        assert out["best"] >= min(t.value for t in trials)
    assert max(out["trials"] for out in ran) == len(trials)
    assert min(out["best"] for out in ran) == min(t.value for t in trials)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "journal", "postgresql"])  # the journal: unitune's own heartbeats
def test_a_killed_worker_trial_is_failed_after_the_grace_period_and_run_again_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    storage = _storage_arg(kind, tmp_path, request)
    name, results = _run_workers(storage, "hyperopt:tpe", tmp_path, kill=True)
    assert results[0]["code"] == -9
    for result in results[1:]:
        assert result["code"] == 0, result["stderr"][-3000:]
        assert "Traceback" not in result["stderr"]
    killed = tuple(round(v, 12) for v in json.loads((tmp_path / "killed.json").read_text()))
    trials = _recorded(storage, name)
    same = [t for t in trials if _config(t) == killed]
    assert [t.state.name for t in same] == ["FAIL", "COMPLETE"], same  # failed, then run again once
    original, retry = same
    assert retry.system_attrs["failed_trial"] == original.number
    assert original.user_attrs == {} and "unitune:worker" in original.system_attrs
    assert all(t.state.name in ("COMPLETE", "FAIL") for t in trials)
    assert [t.state.name for t in trials].count("FAIL") == 1
    assert TOTAL <= len(trials) - 1 <= TOTAL + WORKERS - 1  # the failed original counts once, through its retry
    others = [_config(t) for t in trials if t is not original]
    assert len(set(others)) == len(others)


GRPC_SERVER = "import sys, optuna; optuna.storages.run_grpc_proxy_server(optuna.storages.RDBStorage(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))"  # noqa: E501
GRPC_WORKER = textwrap.dedent(
    """
    import sys, warnings
    import optuna
    import unitune as ut

    port, backend = int(sys.argv[1]), sys.argv[2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
    study = ut.minimize(lambda c: (c["x"] - 0.3) ** 2, {"x": ut.Float(-1.0, 1.0)}, backend=backend, n_trials=12,
                        seed=0, storage=storage, study_name="grpc", load_if_exists=True, allow_changes=True)
    print(len(study.trials))
    """
)


@pytest.mark.slow
def test_workers_through_optunas_grpc_proxy(tmp_path: Path) -> None:
    pytest.importorskip("grpc", reason="Optuna's gRPC storage proxy needs grpcio")
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'grpc.db'}"
    server = subprocess.Popen([sys.executable, "-c", GRPC_SERVER, url, str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.communicate()[1]
            time.sleep(0.2)
        script = tmp_path / "grpc_worker.py"
        script.write_text(GRPC_WORKER)
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        workers = [
            subprocess.Popen([sys.executable, str(script), str(port), b], **pipes)  # type: ignore[call-overload]
            for b in ("hyperopt:tpe", "skopt:gp")  # two backends may share a study (allow_changes=True)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err[-3000:]
    finally:
        server.kill()
        server.wait()
    trials = optuna.load_study(study_name="grpc", storage=url).trials
    assert 12 <= len(trials) <= 13 and all(t.state.name == "COMPLETE" for t in trials)
    assert len({t.params["x"] for t in trials}) == len(trials)


@pytest.mark.slow
def test_workers_started_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "objective_cli.py").write_text(
        "import time\n\ndef objective(config):\n    time.sleep(0.05)\n    return (config['x'] - 0.3) ** 2\n"
    )
    (tmp_path / "space.json").write_text(json.dumps(ut.Space({"x": ut.Float(-1.0, 1.0)}).to_dict()))
    journal = str(tmp_path / "journal.log")
    # TPE draws its candidates at random: two equal values would mean two workers drew one stream (a GP's
    # acquisition optimizer may propose a bound twice from two workers that asked at the same moment)
    argv = ["run", "objective_cli:objective", "--space", "space.json", "--backend", "optuna:tpe", "--trials", "9"]
    argv += ["--seed", "0", "--storage", journal, "--study-name", "cli", "--backend-options", '{"n_startup_trials": 3}']
    workers = [
        subprocess.Popen([sys.executable, "-m", "unitune", *argv], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
    trials = _recorded(journal, "cli")
    assert 9 <= len(trials) <= 11 and all(t.state.name == "COMPLETE" for t in trials)
    assert len({t.params["x"] for t in trials}) == len(trials)


SPACE = {"x": ut.Float(-1.0, 1.0), "act": ut.Categorical(["relu", None])}


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_seeded_worker_makes_the_suggestions_of_a_study_in_memory(backend: str, tmp_path: Path) -> None:
    stored = ut.minimize(
        lambda c: c["x"] ** 2, SPACE, backend=backend, n_trials=6, seed=3, storage=f"sqlite:///{tmp_path / 's.db'}"
    )
    memory = ut.minimize(lambda c: c["x"] ** 2, SPACE, backend=backend, n_trials=6, seed=3)
    assert [t.params for t in stored.trials] == [t.params for t in memory.trials]


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_with_one_seed_draw_two_streams(backend: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = ut.Study(SPACE, backend=backend, seed=3, storage=url, study_name="s")
    second = ut.Study(SPACE, backend=backend, seed=3, storage=url, study_name="s", load_if_exists=True)
    a, b = first.ask(), second.ask()  # both opened an empty study; the storage numbers their first trials 0 and 1
    assert (a.number, b.number) == (0, 1)
    assert a.params != b.params
    second.tell(b, 1.0)
    first.tell(a, 0.5)
    assert [t.number for t in first.trials] == [0, 1] and [t.number for t in second.trials] == [1, 0]


def test_shared_storage_checks_its_arguments(tmp_path: Path) -> None:
    with pytest.raises(ut.ArgumentError, match="heartbeat_interval"):
        shared_storage(str(tmp_path / "j.log"), heartbeat_interval=0)
    with pytest.raises(TypeError, match="storage"):
        shared_storage(optuna.storages.InMemoryStorage())  # type: ignore[arg-type]
    assert os.path.basename(str(tmp_path))
