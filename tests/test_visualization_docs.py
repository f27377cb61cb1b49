"""The code blocks of docs/visualization.md run, in order, in one namespace, in a scratch folder (their
asserts are the checks), and every figure the page shows is in the repository."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "visualization.md"


def test_every_code_block_of_the_doc_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "visualization_doc"}
    try:
        for index, block in enumerate(blocks):
            exec(compile(block, f"{DOC.name} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
    finally:
        plt.close("all")
    assert (tmp_path / "slice.png").stat().st_size > 0 and (tmp_path / "history.png").stat().st_size > 0


def test_every_figure_of_the_doc_exists() -> None:
    figures = re.findall(r"\]\((figures/[^)]+\.png)\)", DOC.read_text(encoding="utf-8"))
    assert len(figures) >= 9
    for figure in figures:
        assert (DOC.parent / figure).is_file(), figure
