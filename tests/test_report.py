"""Reports: the generic Document (HTML page + Markdown twin), the comparison report and `unitune bench --report`."""

from __future__ import annotations

import ast
import base64
import html.parser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import unitune as ut
from unitune.cli import main
from unitune.compare import Comparison
from unitune.compare._report import SECTIONS
from unitune.report import Document, environment, markdown

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Page(html.parser.HTMLParser):
    """Collects headings (with ids), images and tables of an HTML page, and checks that tags balance."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[tuple[str, str, str]] = []  # (tag, id, text)
        self.images: list[dict[str, str]] = []
        self.tables = 0
        self._heading: tuple[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(values)
        if tag == "table":
            self.tables += 1
        if tag in ("h1", "h2", "h3"):
            self._heading, self._text = (tag, values.get("id", "")), ""
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.VOID, f"<{tag}/> is not a void element"
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if self._heading and tag == self._heading[0]:
            self.headings.append((*self._heading, self._text))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text += data


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    assert page.stack == [], f"unclosed tags {page.stack}"
    return page


def _png_of(image: dict[str, str]) -> bytes:
    prefix = "data:image/png;base64,"
    assert image["src"].startswith(prefix)
    return base64.b64decode(image["src"][len(prefix) :])


def _figure() -> Figure:
    figure = Figure(figsize=(2, 2))
    figure.subplots().plot([1, 2, 3], [3, 1, 2])
    return figure


# -- the generic document -----------------------------------------------------------------------------------


def test_document_writes_a_self_contained_page_and_a_markdown_twin(tmp_path: Path) -> None:
    doc = Document("A <report> & more")
    doc.section("First part")
    doc.text("Escaped <b>not bold</b>, with `code`.")
    doc.items(["one", "two"])
    doc.table(pd.DataFrame({"name": ["a<b", "c"], "value": [1.23456, float("nan")]}), caption="numbers", digits=3)
    doc.section("Second part", level=3)
    doc.code("unitune bench --report")
    doc.figure(_figure(), "curve", "a curve")
    files = doc.write(tmp_path / "out" / "page.html")
    assert files.html == tmp_path / "out" / "page.html" and files.markdown == tmp_path / "out" / "page.md"
    assert files.images == (tmp_path / "out" / "page-curve.png",)
    text = files.html.read_text()
    page = parse(text)
    assert [(tag, text) for tag, _, text in page.headings] == [
        ("h1", "A <report> & more"),
        ("h2", "First part"),
        ("h3", "Second part"),
    ]
    assert page.headings[1][1] == "first-part" and '<a href="#first-part">' in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text and "<code>code</code>" in text
    assert "<td>a&lt;b</td><td>1.23</td>" in text and "<td>c</td><td></td>" in text
    assert len(page.images) == 1 and _png_of(page.images[0]).startswith(PNG_SIGNATURE)
    assert _png_of(page.images[0]) == files.images[0].read_bytes()
    assert 'src="http' not in text and "<link" not in text  # nothing outside the file
    twin = files.markdown.read_text()
    assert twin.startswith("# A <report> & more\n") and "## First part" in twin and "### Second part" in twin
    assert markdown(pd.DataFrame({"name": ["a<b", "c"], "value": [1.23456, float("nan")]}), digits=3) in twin
    assert "![a curve](page-curve.png)" in twin and "```\nunitune bench --report\n```" in twin
    assert "- one\n- two" in twin


def test_document_into_a_folder_and_figure_names_are_checked(tmp_path: Path) -> None:
    doc = Document("t")
    doc.figure(_figure(), "fig", "f")
    files = doc.write(tmp_path / "folder")
    assert files.html == tmp_path / "folder" / "report.html" and files.images[0].name == "report-fig.png"
    for bad in ("fig", "a b", "../x"):
        with pytest.raises(ValueError, match="figure name"):
            doc.figure(_figure(), bad, "again")


def test_environment_names_unitune_python_the_machine_and_the_libraries() -> None:
    info = environment(["optuna", "no-such-distribution"])
    assert info["unitune"] == ut.__version__
    assert info["optuna"] == __import__("optuna").__version__
    assert info["no-such-distribution"] == "not installed"
    assert info["cpus"].isdigit() and info["python"] and info["platform"] and info["processor"]


def test_report_package_does_not_import_compare_or_study() -> None:
    folder = Path(ut.__file__).parent / "report"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("unitune.compare", "unitune.study", "unitune.cli")), (path.name, name)


# -- the comparison report -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmp() -> Comparison:
    return ut.compare(
        ["branin", "hartmann3", "six_hump_camel"],
        backends=["optuna:random", "hyperopt:rand", "skopt:random"],
        n_trials=6,
        seeds=range(4),
        baseline="optuna:random",
    )


def test_comparison_report_parses_and_has_every_section(cmp: Comparison, tmp_path: Path) -> None:
    files = cmp.report(tmp_path / "report.html")
    page = parse(files.html.read_text())
    h2 = [text for tag, _, text in page.headings if tag == "h2"]
    assert h2 == list(SECTIONS)
    assert len(page.images) == len(files.images) == 7
    for image in page.images:
        png = _png_of(image)
        assert png.startswith(PNG_SIGNATURE) and png[-8:-4] == b"IEND"
    assert page.tables >= 12
    text = files.html.read_text()
    for needle in (
        "one score per (problem, backend): mean normalized score (Bayesmark) over 4 seeds",
        "Friedman chi2_F (Demšar 2006, no tie correction)",
        "Friedman chi2 (tie-corrected, scipy)",
        "Mann-Whitney U per problem",
        "leaderboard",
        "pooled (problem, seed) pairs",
        "baseline=&#x27;optuna:random&#x27;",
        ut.__version__,
    ):
        assert needle in text, needle
    twin = files.markdown.read_text()
    for section in SECTIONS:
        assert f"\n## {section}\n" in twin
    for image in files.images:
        assert f"]({image.name})" in twin and image.read_bytes().startswith(PNG_SIGNATURE)


def test_report_of_one_problem_two_backends_without_baseline_says_what_it_skips(tmp_path: Path) -> None:
    small = ut.compare("branin", backends=["optuna:random", "hyperopt:rand"], n_trials=4, seeds=range(3), baseline=None)
    files = small.report(tmp_path)
    text = files.html.read_text()
    parse(text)
    assert "no normalized score" in text
    assert "Two backends" in text and "Wilcoxon signed-rank across problems skipped" in text
    assert "median final loss" in text
    assert "2/C(6,3) = 0.1" in text  # 3 runs each: Mann-Whitney cannot reach 0.05


def test_report_lists_failed_runs(tmp_path: Path) -> None:
    failing = ut.compare(
        "branin",
        backends=["optuna:random", "hyperopt:rand"],
        n_trials=3,
        seeds=range(2),
        backend_options={"hyperopt:rand": {"bogus": 1}},
    )
    text = failing.report(tmp_path / "r.html").html.read_text()
    parse(text)
    assert text.count("BackendError") == 2


# -- the command line ----------------------------------------------------------------------------------------------


def test_bench_report_writes_the_html_page_and_the_markdown_twin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    argv = ["bench", "--problems", "branin,hartmann3", "--backends", "optuna:random,hyperopt:rand"]
    argv += ["--trials", "4", "--seeds", "3", "--out", str(out), "--no-progress", "--report"]
    assert main(argv) == 0
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.md", "report-cd.png", "trials.csv", "summary.md"} <= names
    text = (out / "report.html").read_text()
    page = parse(text)
    assert [t for tag, _, t in page.headings if tag == "h2"] == list(SECTIONS)
    assert "unitune bench --problems branin,hartmann3" in text and "--report" in text  # the exact command
    assert "report.html" in capsys.readouterr().out
