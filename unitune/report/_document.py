"""A report as a list of blocks (sections, text, lists, tables, figures, code) written as HTML and as Markdown.

The HTML page is self-contained: its figures are PNGs embedded as base64 data URLs and
its style sheet is inline. The Markdown twin links PNG files written beside it.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unitune.report._figures import img_tag, png_bytes
from unitune.report._markdown import markdown

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["Document", "ReportFiles"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 70rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.88rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.55rem; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; }
figcaption { font-style: italic; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
code { background: #f6f6f6; padding: 0 0.2rem; }
nav ul { columns: 2; }
"""


@dataclass(frozen=True)
class ReportFiles:
    """The files a :meth:`Document.write` made: the HTML page, its Markdown twin and the twin's PNGs."""

    html: Path
    markdown: Path
    images: tuple[Path, ...]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"


def _inline(text: str) -> str:
    """Escape text for HTML; `backticks` become <code>."""
    parts = text.split("`")
    return "".join(f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts))


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.{digits}g}"
    return str(value)


class Document:
    r"""A report under construction: add blocks in reading order, then :meth:`write` it.

    Args:
        title: The page title (the first heading).

    Example:
        >>> import pandas as pd
        >>> doc = Document("Demo")
        >>> doc.section("Numbers")
        >>> doc.text("Two rows, `x` is the input.")
        >>> doc.table(pd.DataFrame({"x": [1.0, 2.5]}), caption="the data")
        >>> print(doc.to_markdown()[0])
        # Demo
        <BLANKLINE>
        ## Numbers
        <BLANKLINE>
        Two rows, `x` is the input.
        <BLANKLINE>
        *the data*
        <BLANKLINE>
        | x |
        |---|
        | 1 |
        | 2.5 |
        <BLANKLINE>
        >>> '<h2 id="numbers">Numbers</h2>' in doc.to_html()
        True
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self._blocks: list[tuple[str, Any]] = []
        self._names: set[str] = set()

    @property
    def sections(self) -> list[str]:
        """The section titles, in order."""
        return [value[0] for kind, value in self._blocks if kind == "section"]

    def section(self, title: str, level: int = 2) -> None:
        """Start a section (``level`` 2) or a subsection (3)."""
        self._blocks.append(("section", (title, level)))

    def text(self, paragraph: str) -> None:
        """A paragraph of plain text; `backticks` mark code."""
        self._blocks.append(("text", paragraph))

    def items(self, lines: Sequence[str]) -> None:
        """A bullet list."""
        self._blocks.append(("items", list(lines)))

    def code(self, text: str) -> None:
        """A preformatted block (a command, a call)."""
        self._blocks.append(("code", text))

    def table(self, frame: pd.DataFrame, *, caption: str = "", digits: int = 4) -> None:
        """A DataFrame as a table (its index is not shown: reset it first if it carries data)."""
        self._blocks.append(("table", (frame.copy(), caption, digits)))

    def figure(self, figure: Figure, name: str, caption: str) -> None:
        """A matplotlib figure, rendered to PNG now; ``name`` (unique) names its PNG file."""
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or name in self._names:
            raise ValueError(f"figure name must be unique and use letters, digits, '-' or '_'; received {name!r}")
        self._names.add(name)
        self._blocks.append(("figure", (png_bytes(figure), name, caption)))

    def to_html(self) -> str:
        """The self-contained HTML page."""
        body: list[str] = [f"<h1>{html.escape(self.title)}</h1>"]
        toc = [f'<li><a href="#{_slug(t)}">{html.escape(t)}</a></li>' for t, lv in self._sections() if lv == 2]
        if toc:
            body.append("<nav><ul>" + "".join(toc) + "</ul></nav>")
        for kind, value in self._blocks:
            if kind == "section":
                title, level = value
                body.append(f'<h{level} id="{_slug(title)}">{html.escape(title)}</h{level}>')
            elif kind == "text":
                body.append(f"<p>{_inline(value)}</p>")
            elif kind == "items":
                body.append("<ul>" + "".join(f"<li>{_inline(line)}</li>" for line in value) + "</ul>")
            elif kind == "code":
                body.append(f"<pre><code>{html.escape(value)}</code></pre>")
            elif kind == "table":
                body.append(self._html_table(*value))
            else:
                png, _, caption = value
                body.append(f"<figure>{img_tag(png, caption)}<figcaption>{_inline(caption)}</figcaption></figure>")
        head = f'<meta charset="utf-8"><title>{html.escape(self.title)}</title><style>{_STYLE}</style>'
        return f"<!DOCTYPE html>\n<html><head>{head}</head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"

    def to_markdown(self, image_prefix: str = "") -> tuple[str, dict[str, bytes]]:
        """The Markdown twin and its images: ``(text, {file name: PNG bytes})``."""
        lines = [f"# {self.title}", ""]
        images: dict[str, bytes] = {}
        for kind, value in self._blocks:
            if kind == "section":
                title, level = value
                lines += ["#" * level + " " + title, ""]
            elif kind == "text":
                lines += [value, ""]
            elif kind == "items":
                lines += [f"- {line}" for line in value] + [""]
            elif kind == "code":
                lines += ["```", value, "```", ""]
            elif kind == "table":
                frame, caption, digits = value
                lines += ([f"*{caption}*", ""] if caption else []) + [markdown(frame, digits=digits), ""]
            else:
                png, name, caption = value
                file_name = f"{image_prefix}{name}.png"
                images[file_name] = png
                lines += [f"![{caption}]({file_name})", "", f"*{caption}*", ""]
        return "\n".join(lines), images

    def write(self, path: str | Path) -> ReportFiles:
        """Write the HTML page and the Markdown twin with its PNGs beside it.

        Args:
            path: A ``.html`` file (the twin is the same name with ``.md``, the PNGs are
                ``<name>-<figure>.png`` beside them) or a folder (``report.html``, ``report.md``
                and ``report-<figure>.png`` in it).
        """
        target = Path(path)
        page = target if target.suffix.lower() in (".html", ".htm") else target / "report.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        twin = page.with_suffix(".md")
        text, images = self.to_markdown(image_prefix=f"{page.stem}-")
        page.write_text(self.to_html(), encoding="utf-8")
        twin.write_text(text, encoding="utf-8")
        written = []
        for file_name, png in images.items():
            image = page.parent / file_name
            image.write_bytes(png)
            written.append(image)
        return ReportFiles(page, twin, tuple(written))

    def _sections(self) -> list[tuple[str, int]]:
        return [value for kind, value in self._blocks if kind == "section"]

    @staticmethod
    def _html_table(frame: pd.DataFrame, caption: str, digits: int) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = [
            "<tr>" + "".join(f"<td>{html.escape(_cell(v, digits))}</td>" for v in row) + "</tr>"
            for row in frame.itertuples(index=False)
        ]
        cap = f"<caption>{_inline(caption)}</caption>" if caption else ""
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
