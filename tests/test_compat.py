"""One test per use of a backend's private API (the adapters' compat modules): each fails loudly, naming the
installed versions, when a backend release changes what unitune relies on."""

from __future__ import annotations

import inspect
import logging
import warnings
from importlib.metadata import version

import numpy as np
import optuna
import pytest

from unitune.adapters import _hyperopt_compat, _optuna_compat, _skopt_compat

VERSIONS = ", ".join(f"{name} {version(name)}" for name in ("optuna", "hyperopt", "scikit-optimize", "scikit-learn"))
VERSIONS += f", numpy {np.__version__}"


def changed(entry: str, checked: str) -> str:
    return f"{entry} changed (installed: {VERSIONS}; checked on {checked}): see the compat module's docstring"


# -- Optuna ------------------------------------------------------------------------------------------------------


def test_optuna_tell_with_warning_is_there_with_its_signature() -> None:
    tell = _optuna_compat._private_tell()
    assert tell is not None, changed("optuna.study._tell._tell_with_warning (gone)", _optuna_compat.CHECKED)
    params = list(inspect.signature(tell).parameters)
    assert params[:4] == ["study", "trial", "value_or_values", "state"] and "suppress_warning" in params, changed(
        f"_tell_with_warning's signature {params}", _optuna_compat.CHECKED
    )


def test_optuna_tell_without_copy_finishes_the_trial_as_tell_does() -> None:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    _optuna_compat.tell_without_copy(study, trial, [0.5], optuna.trial.TrialState.COMPLETE)
    (frozen,) = study.trials
    assert (frozen.state, frozen.values) == (optuna.trial.TrialState.COMPLETE, [0.5]), changed(
        "_tell_with_warning", _optuna_compat.CHECKED
    )


def test_optuna_qmc_sampling_of_categoricals_is_what_the_version_says(caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.QMCSampler(seed=0, warn_independent_sampling=True)
    study = optuna.create_study(sampler=sampler)
    with caplog.at_level(logging.WARNING, logger="optuna"):
        for _ in range(3):
            trial = study.ask()
            study.tell(trial, trial.suggest_float("x", 0, 1) + trial.suggest_categorical("c", [0, 1]))
    independent = any("independent" in r.getMessage() for r in caplog.records)
    assert independent != _optuna_compat.qmc_samples_categoricals(), changed(
        "QMCSampler's handling of categoricals", _optuna_compat.CHECKED
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite", "journal"])
def test_optuna_announces_new_studies_on_the_storage_loggers(kind: str, tmp_path: object) -> None:
    from pathlib import Path

    from optuna.storages.journal import JournalFileBackend, JournalStorage

    folder = Path(str(tmp_path))
    storage = {
        "memory": lambda: optuna.storages.InMemoryStorage(),
        "sqlite": lambda: optuna.storages.RDBStorage(f"sqlite:///{folder / 'r.db'}"),
        "journal": lambda: JournalStorage(JournalFileBackend(str(folder / "j.log"))),
    }[kind]()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO)
    optuna.logging.enable_propagation()
    try:
        storage.create_new_study([optuna.study.StudyDirection.MINIMIZE], "s")
    finally:
        optuna.logging.disable_propagation()
        optuna.logging.set_verbosity(previous)
        root.removeHandler(handler)
    announcing = {r.name for r in records if "new study created" in r.getMessage().lower()}
    assert announcing and announcing <= set(_optuna_compat.STORAGE_LOGGERS), changed(
        f"the loggers announcing new studies {announcing}", _optuna_compat.CHECKED
    )


def test_optuna_heartbeat_interval_and_grace_are_read_from_the_storage(tmp_path: object) -> None:
    from pathlib import Path

    url = f"sqlite:///{Path(str(tmp_path)) / 'h.db'}"
    assert _optuna_compat.heartbeat_interval(optuna.storages.get_storage(url)) is None
    storage = _optuna_compat.rdb_with_heartbeat(url, 7, 30, _optuna_compat.retry_callback(2))
    assert _optuna_compat.heartbeat_interval(optuna.storages.get_storage(storage)) == (7, 30), changed(
        "RDBStorage's heartbeat settings behind _CachedStorage._backend", _optuna_compat.CHECKED
    )
    callback = storage.get_heartbeat_stale_trial_callback()
    assert callback is not None and callback._max_retry == 2  # type: ignore[attr-defined]


def test_optuna_journal_with_heartbeat_fails_a_silent_trial_and_retries_it(tmp_path: object) -> None:
    """Optuna's own fail_stale_trials and retry callback work on the journal storage that records heartbeats."""
    import pickle
    import time
    from pathlib import Path

    path = str(Path(str(tmp_path)) / "j.log")
    storage = _optuna_compat.journal_with_heartbeat(path, 1, 1, _optuna_compat.retry_callback(1))
    assert _optuna_compat.heartbeat_interval(storage) == (1, 1)
    study = optuna.create_study(storage=storage, study_name="j")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental; "heartbeat ... supposed to be used with Study.optimize"
        alive, silent = study.ask({"x": optuna.distributions.FloatDistribution(0, 1)}), study.ask()
        storage.record_heartbeat(silent._trial_id)
        storage.record_heartbeat(alive._trial_id)
        time.sleep(1.2)
        storage.record_heartbeat(alive._trial_id)
        optuna.storages.fail_stale_trials(study)
    states = [t.state.name for t in study.get_trials(deepcopy=False)]
    assert states == ["RUNNING", "FAIL", "WAITING"], changed(
        "fail_stale_trials on a BaseHeartbeat journal", _optuna_compat.CHECKED
    )
    assert study.trials[2].system_attrs["failed_trial"] == 1
    assert type(pickle.loads(pickle.dumps(storage))).__name__ == "_HeartbeatJournalStorage"


# -- Hyperopt ----------------------------------------------------------------------------------------------------


def test_hyperopt_insert_listed_lists_what_refresh_builds() -> None:
    from hyperopt import JOB_STATE_DONE, Domain, Trials, hp

    trials = Trials()
    assert hasattr(trials, "_trials") and hasattr(trials, "_dynamic_trials"), changed(
        "hyperopt.Trials' _trials/_dynamic_trials", _hyperopt_compat.CHECKED
    )
    domain = Domain(lambda c: 0.0, {"x": hp.uniform("x", 0, 1)})
    for tid in range(4):
        misc = {"tid": tid, "cmd": domain.cmd, "workdir": None, "idxs": {"x": [tid]}, "vals": {"x": [tid / 4]}}
        docs = trials.new_trial_docs([tid], [None], [{"status": "new"}], [misc])
        if tid % 2:
            docs[0]["state"] = JOB_STATE_DONE
        inserted = _hyperopt_compat.insert_listed(trials, docs)
        assert inserted[0] is trials._dynamic_trials[-1]
    listed = list(trials.trials)
    trials.refresh()
    assert listed == trials.trials, changed("what Trials.refresh() lists", _hyperopt_compat.CHECKED)


def test_hyperopt_remove_listed_leaves_what_refresh_builds() -> None:
    from hyperopt import JOB_STATE_DONE, Domain, Trials, hp

    trials = Trials()
    domain = Domain(lambda c: 0.0, {"x": hp.uniform("x", 0, 1)})
    inserted = []
    for tid in range(3):
        misc = {"tid": tid, "cmd": domain.cmd, "workdir": None, "idxs": {"x": [tid]}, "vals": {"x": [tid / 4]}}
        docs = trials.new_trial_docs([tid], [None], [{"status": "new"}], [misc])
        docs[0]["state"] = JOB_STATE_DONE
        inserted += _hyperopt_compat.insert_listed(trials, docs)
    _hyperopt_compat.remove_listed(trials, inserted[1])
    assert [t["tid"] for t in trials.trials] == [0, 2]
    listed = list(trials.trials)
    trials.refresh()
    assert listed == trials.trials, changed("Trials._dynamic_trials/_trials after a removal", _hyperopt_compat.CHECKED)


# -- scikit-optimize ---------------------------------------------------------------------------------------------


def test_skopt_private_tell_takes_fit() -> None:
    from skopt import Optimizer

    assert "fit" in inspect.signature(Optimizer._tell).parameters, changed("Optimizer._tell", _skopt_compat.CHECKED)


def test_skopt_liar_copy_is_told_the_lies_fitted_once_and_leaves_the_original_alone() -> None:
    from skopt import Optimizer

    opt = Optimizer([(0.0, 1.0), (0.0, 1.0)], "ET", n_initial_points=3, acq_optimizer="sampling", random_state=1)
    for x in ([0.1, 0.2], [0.5, 0.9], [0.8, 0.3], [0.3, 0.3]):
        opt.tell(x, float(sum(x)))
    before = (list(opt.Xi), list(opt.yi), list(opt.models))
    lies, values = [[0.6, 0.6], [0.2, 0.9]], [0.4, 0.4]
    liar = _skopt_compat.liar_copy(opt, lies, values, fit=True, random_state=7)
    assert (liar.Xi, liar.yi) == (before[0] + lies, before[1] + values), changed(
        "Optimizer.copy", _skopt_compat.CHECKED
    )
    assert len(liar.models) == 1, changed("Optimizer.copy / _tell (fitted more than once)", _skopt_compat.CHECKED)
    assert (opt.Xi, opt.yi, opt.models) == before, changed(
        "Optimizer.copy (changed the original)", _skopt_compat.CHECKED
    )
    assert 0.0 <= liar.ask()[0] <= 1.0


def test_skopt_repaired_gbrt_fits_and_proposes() -> None:
    from sklearn.ensemble import GradientBoostingRegressor
    from skopt import Optimizer

    estimator = _skopt_compat.gbrt_class()(
        base_estimator=GradientBoostingRegressor(n_estimators=10, loss="quantile"), random_state=0
    )
    opt = Optimizer([(0.0, 1.0)], estimator, n_initial_points=3, acq_optimizer="sampling", random_state=0)
    for _ in range(5):
        x = opt.ask()
        opt.tell(x, (x[0] - 0.3) ** 2)
    assert len(opt.models) >= 1 and 0.0 <= opt.ask()[0] <= 1.0, changed("skopt's GBRT repair", _skopt_compat.CHECKED)


def test_optuna_distribution_conflicts_are_what_its_storage_refuses(tmp_path: object) -> None:
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    old, same_kind = FloatDistribution(0.0, 1.0), FloatDistribution(-1.0, 2.0)
    assert _optuna_compat.distribution_conflict(old, same_kind) is None  # bounds may change
    for new in (FloatDistribution(0.1, 1.0, log=True), CategoricalDistribution([0, 1])):
        assert _optuna_compat.distribution_conflict(old, new), changed("check_distribution_compatibility", "4.0-5.0")
    study = optuna.create_study(storage=f"sqlite:///{tmp_path}/c.db")
    study.add_trial(optuna.trial.create_trial(params={"x": 0.5}, distributions={"x": old}, value=0.0))
    with pytest.raises(ValueError):  # what the rule says is what the storage does
        study.add_trial(
            optuna.trial.create_trial(
                params={"x": 0.5}, distributions={"x": FloatDistribution(0.1, 1.0, log=True)}, value=0.0
            )
        )


# -- several objectives and constraints ----------------------------------------------------------------------------


def test_optuna_reads_the_constraints_recorded_under_the_system_attribute() -> None:
    study = optuna.create_study(directions=["minimize", "minimize"])
    for i, constraints in enumerate([[1.0], [-1.0], [0.0, -2.0]]):
        study.add_trial(
            optuna.trial.create_trial(
                params={"x": float(i)},
                distributions={"x": optuna.distributions.FloatDistribution(0, 5)},
                values=[float(i), float(-i)],
                system_attrs=_optuna_compat.constraint_attrs(constraints),
            )
        )
    read = [_optuna_compat.trial_constraints(t) for t in study.trials]
    assert read == [(1.0,), (-1.0,), (0.0, -2.0)], changed("the constraints system attribute", _optuna_compat.CHECKED)
    assert sorted(t.number for t in study.best_trials) == [1, 2], changed(
        "best_trials' reading of recorded constraints", _optuna_compat.CHECKED
    )
    assert _optuna_compat.trial_constraints(optuna.trial.create_trial(value=1.0)) is None


def test_optuna_constraint_api_is_what_the_version_says() -> None:
    from packaging.version import Version

    expected = Version(optuna.__version__) >= Version("5")
    assert _optuna_compat.tells_constraints_by_trial() == expected, changed(
        "Trial.set_constraint (new in Optuna 5)", _optuna_compat.CHECKED
    )
    params = inspect.signature(optuna.samplers.TPESampler).parameters
    assert "constraints_func" in params, changed("TPESampler(constraints_func=...)", _optuna_compat.CHECKED)


def test_hyperopt_suggest_reads_the_listed_documents_rewritten_losses() -> None:
    from hyperopt import JOB_STATE_DONE, STATUS_OK, Domain, Trials, anneal, hp

    trials = Trials()
    domain = Domain(lambda c: 0.0, {"x": hp.uniform("x", 0, 1)})
    docs = []
    for tid, x in enumerate([0.1, 0.9, 0.5]):
        misc = {"tid": tid, "cmd": domain.cmd, "workdir": None, "idxs": {"x": [tid]}, "vals": {"x": [x]}}
        new = trials.new_trial_docs([tid], [None], [{"status": STATUS_OK, "loss": float(tid)}], [misc])
        new[0]["state"] = JOB_STATE_DONE
        docs += _hyperopt_compat.insert_listed(trials, new)
    for doc, loss in zip(docs, [5.0, 0.0, 1.0], strict=True):  # ParEGO's rewrite before an ask
        doc["result"] = {"status": STATUS_OK, "loss": loss}
    assert all(a is b for a, b in zip(trials.trials, docs, strict=True)), changed(
        "the documents Trials.trials lists", _hyperopt_compat.CHECKED
    )
    assert trials.losses() == [5.0, 0.0, 1.0], changed("Trials.losses()", _hyperopt_compat.CHECKED)
    algo = anneal.AnnealingAlgo(domain, trials, seed=0)  # what anneal.suggest reads, as TPE's suggest does
    assert list(algo.losses) == [5.0, 0.0, 1.0], changed("what suggest reads of the losses", _hyperopt_compat.CHECKED)


def test_skopt_refit_fits_on_the_new_values_without_a_new_point() -> None:
    from skopt import Optimizer

    opt = Optimizer([(0.0, 1.0)], "ET", n_initial_points=3, acq_optimizer="sampling", random_state=0)
    xs = [[i / 9] for i in range(10)]
    opt.tell(xs, [float(i) for i in range(10)])
    models = len(opt.models)
    _skopt_compat.refit(opt, [float(9 - i) for i in range(10)])
    assert (opt.Xi, opt.yi) == (xs, [float(9 - i) for i in range(10)]), changed(
        "Optimizer._tell([], [])", _skopt_compat.CHECKED
    )
    low, high = opt.models[-1].predict(opt.space.transform([[0.1], [0.9]]))
    assert len(opt.models) == models + 1 and low > high, changed(
        "Optimizer._tell([], [], fit=True) (no fit on the new values)", _skopt_compat.CHECKED
    )
