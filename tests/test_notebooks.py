"""The tutorial notebooks run top to bottom, and the committed ones carry the outputs of such a run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = [
    "01_quickstart.ipynb",
    "02_compare_backends.ipynb",
    "03_sklearn_cross_validation.ipynb",
    "04_parallel_resume_and_dashboard.ipynb",
]
WITH_IMAGES = {"01_quickstart.ipynb", "02_compare_backends.ipynb", "04_parallel_resume_and_dashboard.ipynb"}
CELL_TIMEOUT = 300  # seconds


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def snapshot(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its modification time (to see that running a notebook writes nothing)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if "__pycache__" not in p.parts}


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_four_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the notebook, stripped of its outputs, runs without error in a fresh kernel in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(NOTEBOOKS_DIR)
    nb = read(name)
    for cell in code_cells(nb):
        cell.outputs, cell.execution_count = [], None  # stale outputs must not hide anything
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    nbformat.write(nb, tmp_path / name)
    errors = [o for cell in code_cells(nb) for o in cell.outputs if o.output_type == "error"]
    assert not errors
    assert snapshot(NOTEBOOKS_DIR) == before, "running the notebook wrote into the repository's notebooks folder"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_its_outputs(name: str) -> None:
    """Committed notebooks are saved after a clean top-to-bottom run (so they read well on a code host)."""
    cells = code_cells(read(name))
    assert cells
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), f"{name}: not saved from one top-to-bottom run: {counts}"
    with_outputs = [cell for cell in cells if cell.outputs]
    assert len(with_outputs) >= len(cells) / 2, f"{name}: {len(with_outputs)} of {len(cells)} code cells have outputs"
    errors = [o.ename for cell in cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{name} was saved with errors: {errors}"
    images = [o for cell in cells for o in cell.outputs if "image/png" in o.get("data", {})]
    if name in WITH_IMAGES:
        assert images, f"{name} has no image output"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_matches_its_generator(name: str) -> None:
    """``notebooks/build.py`` is the source of the notebooks: edit it and rebuild, not the notebook."""
    built = load_build().make(name)
    committed = read(name)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in built.cells], (
        f"{name} differs from notebooks/build.py: run `python notebooks/build.py {name[:2]}`"
    )
