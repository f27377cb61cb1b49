"""The code blocks of the "Optuna" and "Ray Tune" sections of docs/integrations.md run, in order, in one
namespace per section (their asserts are the checks)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "integrations.md"


def section_blocks(title: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.DOTALL | re.MULTILINE)
    assert match, f"docs/integrations.md has no section {title!r}"
    return re.findall(r"```python\n(.*?)```", match.group(1), flags=re.DOTALL)


@pytest.mark.parametrize(("title", "needs"), [("Optuna", "optuna"), ("Ray Tune", "ray")])
def test_every_code_block_of_the_section_runs(title: str, needs: str, capsys: Any) -> None:
    pytest.importorskip(needs)
    pytest.importorskip("sklearn")
    blocks = section_blocks(title)
    assert blocks
    namespace: dict[str, Any] = {"__name__": "integrations_doc"}
    for index, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name} {title} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
    assert "best accuracy" in capsys.readouterr().out
