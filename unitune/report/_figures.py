"""Figures for reports: a matplotlib Figure as PNG bytes, as a base64 ``<img>`` tag, or as a file."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["img_tag", "png_bytes", "save_png"]

#: Resolution of the PNG figures in reports.
DPI = 110


def png_bytes(figure: Figure, dpi: int = DPI) -> bytes:
    r"""The figure rendered as PNG.

    Example:
        >>> from matplotlib.figure import Figure
        >>> figure = Figure(figsize=(1, 1))
        >>> png_bytes(figure)[:8] == b"\x89PNG\r\n\x1a\n"
        True
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def img_tag(png: bytes, alt: str) -> str:
    r"""An ``<img>`` element that carries the PNG itself (base64 data URL): the page needs no other file.

    Example:
        >>> img_tag(b"\x89PNG", alt="a <b>")
        '<img alt="a &lt;b&gt;" src="data:image/png;base64,iVBORw==">'
    """
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def save_png(png: bytes, path: str | Path) -> Path:
    """Write PNG bytes to ``path`` (parent folders are created) and return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    return target
