"""``import unitune`` and building a Space stay light: no optimizer, ML or plotting library (nor NumPy) is imported."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["optuna", "hyperopt", "skopt", "sklearn", "matplotlib", "dask", "distributed", "plotly"]

USE_A_SPACE = """
import json
import unitune
space = unitune.Space({
    "lr": unitune.Float(1e-5, 1e-1, log=True),
    "model": {"layers": unitune.Int(1, 3), "act": unitune.Categorical(["relu", None])},
    "opt": unitune.Conditional(
        {"adam": {"beta1": unitune.Float(0.8, 0.999)}, "sgd": {"m": unitune.Float(0, 1, step=0.5)}}
    ),
})
config = space.sample(0)
space.validate(config)
space.decode(space.encode(config))
unitune.Space.from_dict(json.loads(json.dumps(space.to_dict())))
unitune.Space({"n": unitune.Int(0, 2), "c": unitune.Categorical(["a", "b"])}).grid_size()
"""
REPORT = """
import json, sys
watched = %r
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in watched)))
"""


def imported_in_fresh_interpreter(watched: list[str], code: str = USE_A_SPACE) -> list[str]:
    """Modules of the ``watched`` packages loaded after running ``code`` (by default: some Space use)."""
    script = code + REPORT % (watched,)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_unitune_and_using_a_space_imports_no_heavy_dependency() -> None:
    imported = imported_in_fresh_interpreter(HEAVY)
    assert imported == [], f"import unitune pulled in {imported}"


def test_the_check_sees_what_unitune_does_import() -> None:
    assert "numpy" in imported_in_fresh_interpreter(["numpy"])  # the space samples with NumPy


def test_bare_import_pulls_neither_numpy_nor_pandas() -> None:
    code = "import unitune, unitune.problems\nunitune.problems.get('branin')\n"
    imported = imported_in_fresh_interpreter(["numpy", "pandas", "scipy"], code)
    assert imported == []  # NumPy comes with the first sample or objective call
