"""The tutorial notebooks run top to bottom, and the committed ones carry the outputs of such a run.

Each notebook's source is ``notebooks/NN_name.py`` (jupytext percent format), paired with the executed
``notebooks/NN_name.ipynb`` (``[tool.jupytext]`` in pyproject.toml). After editing a source, re-execute the
notebook and save it with its outputs::

    python tests/test_notebooks.py            # all notebooks
    python tests/test_notebooks.py 02 04      # only those whose names start with 02 or 04

This takes the cells from the ``.py`` source (``jupytext --to ipynb --update``, which keeps cell ids and
metadata), runs them in a fresh ``python3`` kernel whose working directory is a temporary folder (so nothing is
written into the repository besides the notebook itself), and writes the ``.ipynb``, exactly as the tests
below execute it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.cli import jupytext as jupytext_cli
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = [
    "01_quickstart.ipynb",
    "02_compare_backends.ipynb",
    "03_sklearn_cross_validation.ipynb",
    "04_parallel_resume_and_dashboard.ipynb",
    "05_learning_from_a_study.ipynb",
]
WITH_IMAGES = {
    "01_quickstart.ipynb",
    "02_compare_backends.ipynb",
    "04_parallel_resume_and_dashboard.ipynb",
    "05_learning_from_a_study.ipynb",
}
KERNEL = "python3"
CELL_TIMEOUT = 300  # seconds
SOURCE_FORMAT = "py:percent"


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def read_source(name: str) -> nbformat.NotebookNode:
    """The notebook as jupytext reads it from its paired ``.py`` source (no outputs)."""
    return jupytext.read(NOTEBOOKS_DIR / Path(name).with_suffix(".py"), fmt=SOURCE_FORMAT)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def inputs(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def execute(nb: nbformat.NotebookNode, cwd: Path) -> None:
    """Run every cell of ``nb`` in place, from a clean state, in a fresh kernel whose working directory is ``cwd``."""
    for cell in code_cells(nb):
        cell.outputs, cell.execution_count = [], None  # stale outputs must not hide anything
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error


def snapshot(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its modification time (to see that running a notebook writes nothing)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NOTEBOOKS


def test_every_notebook_has_its_source_and_every_source_its_notebook() -> None:
    notebooks = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    sources = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.py"))
    assert notebooks == sources, f"unpaired: {sorted(set(notebooks) ^ set(sources))}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_is_in_sync_with_its_source(name: str) -> None:
    """The ``.py`` source is the notebook: the ``.ipynb`` has exactly its cells (type and text)."""
    assert inputs(read(name)) == inputs(read_source(name)), (
        f"{name} differs from its source {Path(name).with_suffix('.py')}: "
        f"run `python tests/test_notebooks.py {name[:2]}` to execute the source and save the notebook"
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebook read from its source runs without error in a fresh kernel in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(NOTEBOOKS_DIR)
    nb = read_source(name)
    execute(nb, tmp_path)
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


def save(name: str) -> None:
    """Update ``name``'s cells from its source, execute it in a temporary folder and write it with its outputs."""
    path = NOTEBOOKS_DIR / name
    jupytext_cli(["--quiet", "--to", "ipynb", "--update", str(path.with_suffix(".py"))])
    nb = read(name)
    nb.metadata.setdefault("kernelspec", {"name": KERNEL, "display_name": "Python 3 (ipykernel)", "language": "python"})
    with tempfile.TemporaryDirectory(prefix="unitune-nb-") as cwd:
        execute(nb, Path(cwd))
    nbformat.validate(nb)
    nbformat.write(nb, path)


if __name__ == "__main__":
    prefixes = sys.argv[1:]
    for name in NOTEBOOKS:
        if not prefixes or any(name.startswith(prefix) for prefix in prefixes):
            save(name)
            print(f"{name}: executed and saved")
