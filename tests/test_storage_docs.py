"""The code blocks of docs/storage.md run, in order, in one namespace (their asserts are the checks)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "storage.md"


def test_every_code_block_of_the_storage_doc_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) >= 2
    namespace: dict[str, Any] = {"__name__": "storage_doc"}
    for index, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
