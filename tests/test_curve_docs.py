"""The code blocks of docs/curves.md run, in order, in one namespace (their asserts are the checks)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "curves.md"


def code_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_every_code_block_of_the_doc_runs(capsys: Any) -> None:
    blocks = code_blocks()
    assert blocks
    namespace: dict[str, Any] = {"__name__": "curves_doc"}
    for index, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
    assert "stopped after" in capsys.readouterr().out
