"""Every Python code block of README.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_the_two_setup_commands() -> None:
    text = README.read_text()
    commands = re.findall(r"```bash\n(pip install .*?)\n```", text)
    assert any("unitune bench" in c for c in commands)
    marker = text.index("<!-- test-command -->")
    assert text[marker:].split("```bash\n", 1)[1].startswith('pip install -e ".[test]"')


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    assert len(blocks) >= 10
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md block {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"README python block {number} failed:\n{block}") from error
    assert (tmp_path / "readme-runs.db").exists()
