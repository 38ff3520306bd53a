"""docs/make_decision_table.py: its quick run writes every section, and the README's table links into the page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "make_decision_table.py"
SECTIONS = [
    "Small budget, few continuous parameters",
    "Larger budget, more parameters",
    "Mixed integer and categorical parameters",
    "Conditional spaces",
    "Cost per suggestion",
    "Parallel workers",
]


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of the page's headings."""
    headings = re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)
    return {"".join(c for c in h.lower() if c.isalnum() or c in " -_").replace(" ", "-") for h in headings}


@pytest.mark.slow
def test_quick_run_writes_every_section(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "choosing.md").read_text()
    headings = re.findall(r"^## (.+)$", page, flags=re.MULTILINE)
    assert headings == [SECTIONS[i] for i in (0, 1, 2, 3, 4, 5)]
    sections = re.split(r"^## ", page, flags=re.MULTILINE)[1:]
    for body in sections:
        assert body.count("**Conclusion.**") == 1, body[:80]
        assert "| backend |" in body  # a table per backend
    for body in sections[:4]:  # the compare() questions: the call, the scores, the tests' unit, the seconds
        assert "```python\ncompare([" in body
        assert "**Normalized score**" in body and "| score | ci_low | ci_high |" in body
        assert "one score per (problem, backend)" in body
        assert "median s, trials 1-10" in body
    assert "(k=1)" in sections[5] and "(k=2)" in sections[5]
    assert (tmp_path / "cache" / "parallel.pkl").exists()


def test_readme_table_links_to_sections_of_the_page() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Which optimizer?", 1)[1].split("\n## ", 1)[0]
    links = re.findall(r"\(docs/choosing\.md#([^)]+)\)", section)
    assert len(links) >= 6
    page = (ROOT / "docs" / "choosing.md").read_text()
    assert set(links) <= anchors(page), set(links) - anchors(page)
    assert {"small-budget-few-continuous-parameters", "parallel-workers"} <= set(links)
