"""The code blocks of docs/integrations.md's "scikit-learn" and "PyTorch" sections run, in order, in one
namespace per run (their asserts are the checks); other sections of the file are tested by their own tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "integrations.md"


def section_blocks(heading: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.DOTALL | re.MULTILINE)
    assert section is not None, heading
    return re.findall(r"```python\n(.*?)```", section.group(1), flags=re.DOTALL)


@pytest.mark.filterwarnings("ignore::lightning.fabric.utilities.warnings.PossibleUserWarning")
@pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning")  # lightning 2.6 on torch 2.13's pytree
def test_the_scikit_learn_then_pytorch_blocks_run() -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("torch")
    pytest.importorskip("lightning")
    sklearn_blocks, torch_blocks = section_blocks("scikit-learn"), section_blocks("PyTorch")
    assert len(sklearn_blocks) >= 2 and len(torch_blocks) >= 2
    namespace: dict[str, Any] = {"__name__": "integrations_doc"}
    for index, block in enumerate(sklearn_blocks + torch_blocks):  # the PyTorch blocks reuse load_digits, spec
        exec(compile(block, f"{DOC.name} block {index}", "exec"), namespace)  # noqa: S102 - our own doc
