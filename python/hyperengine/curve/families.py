"""The parametric learning-curve families of the ensemble: names, parameter boxes, starting guesses.

The formulas live in the compiled module `hypercore._curves` (one source, used by both the least-squares
fit and the sampler); this table gives each family id its parameter names, the prior's box and a starting
guess. Position t = epoch / horizon lies in (0, 1]; y is scaled so that the range of interest is [0, 1].
Families after Domhan, Springenberg and Hutter (IJCAI 2015), table 1; rate and scale parameters are
on a log scale (names `log_*`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class CurveFamily:
    """One family: its id in hypercore._curves, formula, parameter names and box, and a starting guess.

    `guess(first, last)` maps the scaled first and last observed values to a starting parameter vector.
    """

    id: int
    name: str
    formula: str
    parameters: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    guess_template: tuple[str | float, ...]  # "first" / "last" / "log_last" placeholders or numbers

    def guess(self, first: float, last: float) -> npt.NDArray[np.float64]:
        """A starting point inside the box from the scaled first and last observed values."""
        names = {"first": first, "last": last, "log_last": float(np.log(max(last, 1e-3)))}
        raw = np.array([names[g] if isinstance(g, str) else g for g in self.guess_template], dtype=np.float64)
        return np.clip(raw, np.array(self.lower), np.array(self.upper))


_ASYMPTOTE = (-1.0, 3.0)  # a level parameter, in scaled units: the curve may not even reach [0, 1]

FAMILIES: tuple[CurveFamily, ...] = (
    CurveFamily(0, "pow3", "c - a t^-alpha", ("c", "a", "alpha"),
                (_ASYMPTOTE[0], 0.0, 0.01), (_ASYMPTOTE[1], 3.0, 2.0), ("last", 0.05, 0.5)),
    CurveFamily(1, "pow4", "c - (exp(log_a) t + b)^-alpha", ("c", "log_a", "b", "alpha"),
                (_ASYMPTOTE[0], -3.0, 0.01, 0.01), (_ASYMPTOTE[1], 7.0, 10.0, 3.0), ("last", 2.0, 1.0, 0.5)),
    CurveFamily(2, "log_linear", "a + b log t", ("a", "b"),
                (_ASYMPTOTE[0], 0.0), (_ASYMPTOTE[1], 3.0), ("last", 0.05)),
    CurveFamily(3, "exp3", "c - a exp(-exp(log_b) t)", ("c", "a", "log_b"),
                (_ASYMPTOTE[0], 0.0, -3.0), (_ASYMPTOTE[1], 3.0, 6.0), ("last", 0.5, 2.0)),
    CurveFamily(4, "vapor_pressure", "exp(a + b / t + c log t)", ("a", "b", "c"),
                (-6.0, -1.0, -3.0), (1.2, 0.0, 3.0), ("log_last", -0.01, 0.0)),
    CurveFamily(5, "mmf", "alpha - (alpha - beta) / (1 + (exp(log_kappa) t)^delta)",
                ("alpha", "beta", "log_kappa", "delta"),
                (_ASYMPTOTE[0], _ASYMPTOTE[0], -3.0, 0.05), (_ASYMPTOTE[1], _ASYMPTOTE[1], 6.0, 5.0),
                ("last", "first", 2.0, 1.0)),
    CurveFamily(6, "janoschek", "alpha - (alpha - beta) exp(-exp(log_kappa) t^delta)",
                ("alpha", "beta", "log_kappa", "delta"),
                (_ASYMPTOTE[0], _ASYMPTOTE[0], -3.0, 0.05), (_ASYMPTOTE[1], _ASYMPTOTE[1], 6.0, 5.0),
                ("last", "first", 2.0, 1.0)),
    CurveFamily(7, "weibull", "alpha - (alpha - beta) exp(-(exp(log_kappa) t)^delta)",
                ("alpha", "beta", "log_kappa", "delta"),
                (_ASYMPTOTE[0], _ASYMPTOTE[0], -3.0, 0.05), (_ASYMPTOTE[1], _ASYMPTOTE[1], 6.0, 5.0),
                ("last", "first", 2.0, 1.0)),
    CurveFamily(8, "hill", "ymax t^eta / (exp(log_kappa)^eta + t^eta)", ("ymax", "eta", "log_kappa"),
                (0.0, 0.05, -7.0), (_ASYMPTOTE[1], 5.0, 2.0), ("last", 1.0, -2.0)),
)

FAMILY_BY_NAME: dict[str, CurveFamily] = {family.name: family for family in FAMILIES}
