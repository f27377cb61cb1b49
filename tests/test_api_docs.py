"""The code blocks of docs/api.md run, in order, in one namespace (their asserts are the checks)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def code_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_doc_has_code_blocks() -> None:
    assert len(code_blocks()) >= 7


def test_every_code_block_of_the_doc_runs() -> None:
    namespace: dict[str, Any] = {"__name__": "api_doc"}
    for index, block in enumerate(code_blocks()):
        exec(compile(block, f"{DOC.name} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
