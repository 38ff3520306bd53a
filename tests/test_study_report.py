"""study.report(path) and `unitune report STORAGE --study-name NAME`: the document of one tuning run."""

from __future__ import annotations

import base64
import math
import uuid
from pathlib import Path
from typing import Any

import optuna
import pytest
from test_report import PNG_SIGNATURE, parse

import unitune as ut
from unitune.cli import main
from unitune.study._report import SECTIONS

SPACE = {
    "lr": ut.Float(1e-4, 1e-1, log=True),
    "model": ut.Conditional({"tree": {"depth": ut.Int(1, 12)}, "linear": {"alpha": ut.Float(0.0, 1.0)}}),
    "batch": ut.Int(16, 256, step=16),
}


def tuned(c: dict[str, Any]) -> float:
    if c["model"] == "linear" and c["alpha"] > 0.9:
        return math.nan  # a failed trial, with the reason
    base = (math.log10(c["lr"]) + 2) ** 2 + abs(c["batch"] - 64) / 64
    return base + (abs(c["depth"] - 5) / 5 if c["model"] == "tree" else 0.5 + c["alpha"])


def _check_files(files: ut.report.ReportFiles, study: ut.Study) -> str:
    text = files.html.read_text()
    page = parse(text)
    assert [t for tag, _, t in page.headings if tag == "h2"] == list(SECTIONS)
    assert len(page.images) == len(files.images) == 3  # history, slices, importance
    for image in page.images:
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix)
        png = base64.b64decode(image["src"][len(prefix) :])
        assert png.startswith(PNG_SIGNATURE) and png[-8:-4] == b"IEND"
    assert "<script" not in text and len(text) < 1_500_000  # self-contained, no scripts
    twin = files.markdown.read_text()
    for section in SECTIONS:
        assert f"\n## {section}\n" in twin
    for image in files.images:
        assert image.parent == files.markdown.parent and f"]({image.name})" in twin
        assert image.read_bytes().startswith(PNG_SIGNATURE)
    assert study.study_name in text
    return text


def test_the_report_parses_holds_every_section_and_documents_the_run(tmp_path: Path) -> None:
    study = ut.minimize(tuned, SPACE, backend="hyperopt", n_trials=50, seed=3, backend_options={"n_startup_jobs": 10})
    failed = [t for t in study.trials if str(t.state) == "failed"]
    assert failed  # the objective returned NaN for some
    files = study.report(tmp_path / "out" / "study.html")
    assert files.html == tmp_path / "out" / "study.html" and files.markdown.suffix == ".md"
    text = _check_files(files, study)
    for needle in (
        "test_study_report.tuned",  # the objective's name
        "lr: {type: float, low: 0.0001, high: 0.1, log: true}",  # the space as written (YAML)
        "hp.loguniform(",  # as hyperopt received it (ut.explain)
        "hyperopt:tpe",
        "{&#x27;n_startup_jobs&#x27;: 10}",  # the backend's options
        "memory (not stored)",
        f"{len(failed)} failed and 0 pruned trial(s)",
        "the objective returned nan",
        f"Trial {study.best_trial.number}, value {study.best_value!r}",
        "Branch model=tree",  # importance, a table per branch
        "Left out: ",
        "Perrone et al. 2019",  # the suggested narrowed space, explained
        "study.continue_narrowed(narrowed, backend=...)",
        "scikit-optimize",  # versions
        ut.__version__,
        "wall time (s)",
    ):
        assert needle in text, needle


def test_a_continued_study_says_where_its_warm_start_came_from_and_a_report_into_a_folder(tmp_path: Path) -> None:
    broad = ut.minimize(tuned, SPACE, backend="optuna:random", n_trials=30, seed=0)
    fine = broad.continue_narrowed(broad.narrow(), backend="skopt:random")
    fine.optimize(tuned, n_trials=5)
    files = fine.report(tmp_path)
    assert files.html == tmp_path / "report.html"
    text = _check_files(files, fine)
    assert f"of study &#x27;{broad.study_name}&#x27; inside the narrowed space" in text
    assert "skopt:random" in text


def test_a_study_without_a_complete_trial_still_gets_its_report(tmp_path: Path) -> None:
    study = ut.Study(SPACE, seed=0)
    study.tell(study.ask(), state="failed", error="out of memory")
    study.tell(study.ask(), state="pruned")
    files = study.report(tmp_path / "r.html")
    text = files.html.read_text()
    page = parse(text)
    assert [t for tag, _, t in page.headings if tag == "h2"] == list(SECTIONS)
    assert "not recorded (the study was not run by optimize)" in text
    assert "No trial completed, so there is no best configuration." in text
    assert "1 failed and 1 pruned trial(s)" in text and "Pruned trials: 1." in text and "out of memory" in text
    assert "No complete trial: no importance." in text
    assert "No narrowed space is suggested: narrowing needs at least min_trials=20" in text


def test_a_study_with_pruned_trials_says_how_many_and_which(tmp_path: Path) -> None:
    from test_importance import SPACE as FLAT
    from test_importance import stepped

    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    study = ut.minimize(stepped, FLAT, backend="hyperopt", n_trials=30, seed=0, pruner=pruner)
    pruned = [t.number for t in study.trials if str(t.state) == "pruned"]
    text = study.report(tmp_path / "r.html").html.read_text()
    assert pruned and f"0 failed and {len(pruned)} pruned trial(s)" in text
    assert "Pruned trials: " + ", ".join(map(str, pruned)) + "." in text
    assert f"Left out: {len(pruned)} pruned" in text


def test_a_study_with_several_objectives_shows_its_front_and_explains_the_target(tmp_path: Path) -> None:
    from test_importance import two_objective_study

    study = two_objective_study("optuna", directions=["minimize", "minimize"], n_trials=30)
    plain = study.report(tmp_path / "plain.html").html.read_text()
    assert f"Several objectives: the {len(study.best_trials)} trial(s) of the Pareto front." in plain
    assert "pass <code>target=</code> to <code>study.report</code> to compute importance" in plain
    assert "pass <code>target=</code> to <code>study.report</code> to suggest a narrowed space" in plain
    files = study.report(tmp_path / "size.html", target="size")
    text = _check_files(files, study)
    assert "fANOVA importance from 30 complete trial(s)" in text and "Perrone et al. 2019" in text
    assert "error, size" in text  # the objectives' names


def test_report_options_reach_importance_and_narrowing(tmp_path: Path) -> None:
    study = ut.minimize(tuned, SPACE, backend="optuna:random", n_trials=30, seed=1)
    text = study.report(tmp_path / "r.html", evaluator="mdi", narrow={"quantile": 0.5, "margin": 0.0}).html.read_text()
    assert "mean decrease impurity importance from" in text and "Fitted to the top 50% of" in text
    with pytest.raises(TypeError, match="evaluater"):
        study.report(tmp_path / "x.html", evaluater="mdi")  # type: ignore[call-arg]


def test_unitune_report_writes_a_hyperopt_study_stored_in_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, name = f"sqlite:///{tmp_path / 'runs.db'}", f"hyper-{uuid.uuid4().hex[:6]}"
    study = ut.minimize(tuned, SPACE, backend="hyperopt", n_trials=30, seed=0, storage=url, study_name=name)
    out = tmp_path / "report"
    assert main(["report", url, "--study-name", name, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"study {name!r}: 30 trials, backend hyperopt:tpe" in printed and "report.html" in printed
    files = ut.report.ReportFiles(out / "report.html", out / "report.md", tuple(sorted(out.glob("*.png"))))
    text = _check_files(files, study)
    assert url in text and "test_study_report.tuned" in text
    assert f"Trial {study.best_trial.number}, value {study.best_value!r}" in text
    assert len(optuna.load_study(study_name=name, storage=url).trials) == 30  # reading added no trial


def test_unitune_report_says_what_is_wrong_with_the_storage_or_the_study(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    ut.minimize(tuned, SPACE, backend="optuna:random", n_trials=3, seed=0, storage=url, study_name="mine")
    optuna.create_study(storage=url, study_name="foreign").optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert main(["report", url, "--study-name", "mien", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--study-name: the storage has no study 'mien'" in err and "did you mean 'mine'?" in err
    assert main(["report", url, "--study-name", "foreign", "--out", str(tmp_path / "o")]) == 2
    assert "no unitune space and backend recorded" in capsys.readouterr().err
    assert main(["report", f"sqlite:///{tmp_path / 'none.db'}", "--study-name", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "o").exists()


def test_unitune_report_on_a_comparison_storage_writes_the_comparison_or_one_run_with_study_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    ut.compare("branin", backends=["optuna:random", "hyperopt:rand"], n_trials=6, seeds=1, baseline=None, storage=url)
    assert main(["report", url, "--out", str(tmp_path / "comparison")]) == 0
    comparison = (tmp_path / "comparison" / "report.md").read_text()
    assert "## Normalized scores" in comparison and "## Best configuration" not in comparison
    names = [s.study_name for s in optuna.get_all_study_summaries(url) if "hyperopt:rand" in s.study_name]
    assert len(names) == 1
    capsys.readouterr()
    assert main(["report", url, "--study-name", names[0], "--out", str(tmp_path / "run")]) == 0
    assert f"study {names[0]!r}: 6 trials, backend hyperopt:rand" in capsys.readouterr().out
    run = (tmp_path / "run" / "report.md").read_text()
    assert all(f"\n## {section}\n" in run for section in SECTIONS) and "hyperopt:rand" in run
