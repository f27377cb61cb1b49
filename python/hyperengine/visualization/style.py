"""The colours and labels every plot shares, so the pictures read alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hyperengine.study.study import Study

MEAN = "tab:blue"
TRIALS = "tab:red"
BEST = "gold"
NEXT = "tab:green"
STATE_COLORS = {"complete": "tab:blue", "pruned": "tab:orange", "failed": "tab:red", "running": "tab:gray"}


def objective_label(study: Study) -> str:
    """'objective (minimize)' or 'objective (maximize)'."""
    return f"objective ({study.direction})"
