"""Choosing a backend: names, defaults, options, errors, entry points."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import unitune as ut
from unitune.adapters import backend_names, get_adapter_class, parse_backend, registry


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("optuna", ("optuna", "tpe")),
        ("hyperopt", ("hyperopt", "tpe")),
        ("skopt", ("skopt", "gp")),
        ("scikit-optimize:forest", ("skopt", "forest")),
        ("Optuna:CMAES", ("optuna", "cmaes")),
    ],
)
def test_backend_strings(name: str, expected: tuple[str, str]) -> None:
    assert parse_backend(name) == expected


def test_study_reports_the_resolved_backend() -> None:
    assert ut.Study({"x": ut.Float(0, 1)}, backend="skopt").backend == "skopt:gp"


@pytest.mark.parametrize(
    ("bad", "suggestion"), [("optuan", "optuna"), ("hyperopt:tpee", "hyperopt:tpe"), ("skopt:rf", "")]
)
def test_unknown_backend_lists_known_names_and_a_close_match(bad: str, suggestion: str) -> None:
    with pytest.raises(ut.BackendError) as info:
        ut.Study({"x": ut.Float(0, 1)}, backend=bad)
    message = str(info.value)
    assert repr(bad.split(":")[0] if ":" not in bad else bad) in message or bad in message
    if suggestion:
        assert f"did you mean {suggestion!r}" in message
    assert "use one of" in message and parse_backend(suggestion or "skopt")[0] in message


def test_backend_must_be_a_string() -> None:
    with pytest.raises(ut.BackendError, match="must be a string"):
        ut.Study({"x": ut.Float(0, 1)}, backend=None)  # type: ignore[arg-type]


def test_backend_options_reach_the_native_constructor() -> None:
    study = ut.Study({"x": ut.Float(0, 1)}, backend="optuna:tpe", backend_options={"n_startup_trials": 3})
    assert study.adapter.sampler._n_startup_trials == 3  # type: ignore[attr-defined]
    with pytest.raises(ut.BackendError, match="n_startup_trial"):
        ut.Study({"x": ut.Float(0, 1)}, backend="optuna:tpe", backend_options={"n_startup_trial": 3})


def test_bad_space_fails_before_any_backend_is_called() -> None:
    with pytest.raises(ut.SpaceError, match=r"'model\.lr'"):
        ut.minimize(lambda c: 0.0, {"model": {"lr": ut.Float(1.0, 0.0)}}, backend="skopt", n_trials=3)


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[str]:
    """A third-party adapter package registered through the ``unitune.adapters`` entry point."""
    package = tmp_path / "my_adapter.py"
    package.write_text(
        textwrap.dedent(
            """
            import random
            from unitune.adapters._base import Adapter, Suggestion, Translation

            class CoinAdapter(Adapter):
                library = "coin"
                package = "my-adapter"
                module = "my_adapter"
                algorithms = {"flip": "uniform random choice of grid points"}
                default = "flip"

                @classmethod
                def convert_space(cls, space):
                    return [p.key for p in space.params]

                @classmethod
                def explain(cls, space, algorithm):
                    return [Translation(p.key, repr(p.element), "exact", "random") for p in space.params]

                def _start(self):
                    self.rng = random.Random(self.seed)
                    self.n = 0

                def ask(self, n=1):
                    out = []
                    for _ in range(n):
                        self.n += 1
                        out.append(Suggestion(self.n, {k: self.rng.random() for k in self.native}))
                    return out

                def tell(self, token, loss):
                    pass

                def add(self, raw, loss):
                    pass
            """
        )
    )
    dist = tmp_path / "my_adapter-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-adapter\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[unitune.adapters]\ncoin = my_adapter:CoinAdapter\n")
    sys.path.insert(0, str(tmp_path))
    registry.cache_clear()
    yield "coin"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("my_adapter", None)
    registry.cache_clear()


def test_third_party_adapter_registers_through_an_entry_point(plugin: str) -> None:
    assert "coin:flip" in backend_names()
    study = ut.minimize(lambda c: c["x"], {"x": ut.Float(0, 1)}, backend="coin", n_trials=5, seed=0)
    assert study.backend == "coin:flip" and len(study.trials) == 5
    assert "coin:flip" in set(ut.backends()["backend"])


def test_missing_package_fails_with_the_install_command(plugin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cls = get_adapter_class("coin")
    monkeypatch.setattr(cls, "module", "a_package_that_is_not_installed")
    with pytest.raises(ut.BackendNotInstalledError, match="pip install my-adapter"):
        ut.Study({"x": ut.Float(0, 1)}, backend="coin")
    with pytest.raises(ImportError):
        get_adapter_class("coin")
    table = ut.backends().set_index("backend")
    assert not table.loc["coin:flip", "installed"]
