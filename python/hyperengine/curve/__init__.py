"""Learning-curve prediction: predict a run's final value from its first epochs and stop hopeless runs.

`LinearCurvePredictor` (the original's: a regression over past curves) and `EnsembleCurvePredictor`
(a sampled ensemble of parametric curve families, no past curves needed) share the `CurvePredictor`
interface, as does `CrossRunCurvePredictor` (what the other runs went on to, the default stopping rule's
model; `hyperengine.curve.stopping_rule`). See docs/curves.md.
"""

from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.cross_run import CrossRunCurvePredictor
from hyperengine.curve.ensemble import EnsembleCurvePredictor
from hyperengine.curve.linear import LinearCurvePredictor

__all__ = ["CrossRunCurvePredictor", "CurvePredictor", "EnsembleCurvePredictor", "LinearCurvePredictor"]
