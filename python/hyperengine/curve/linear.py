"""LinearCurvePredictor: the original HyperEngine predictor, a linear regression over past curves.

From the first k epochs of the finished curves (those at least k long, so curves of different lengths
mix), a ridge regression predicts their recorded value. The inputs are the curve at up to `max_features`
epochs spread over the first k (always including epoch k), plus an intercept. The error and the
predictive spread come from the leave-one-out residuals of that regression (hat-matrix shortcut), so
they are honest rather than in-sample.
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt

from hyperengine.curve.base import CurvePredictor
from hyperengine.curve.validation import CurveLike, as_curve, as_value

_RIDGE = 1e-6  # relative ridge: keeps the fit defined when few curves or collinear epochs


class _Regression:
    """A fitted ridge regression for one prefix length: coefficients, LOO residuals, feature epochs."""

    def __init__(self, epochs: npt.NDArray[np.intp], x: npt.NDArray[np.float64],
                 y: npt.NDArray[np.float64]) -> None:
        design = np.column_stack([np.ones(len(x)), x[:, epochs]])
        gram = design.T @ design
        gram += _RIDGE * (np.trace(gram) / gram.shape[0]) * np.eye(gram.shape[0])
        inverse = np.linalg.inv(gram)
        self.epochs = epochs
        self.coefficients = inverse @ design.T @ y
        leverage = np.einsum("ij,jk,ik->i", design, inverse, design)
        residuals = y - design @ self.coefficients
        self.loo_residuals = residuals / np.maximum(1.0 - leverage, 1e-3)

    def predict(self, curve: npt.NDArray[np.float64]) -> float:
        return float(self.coefficients[0] + curve[self.epochs] @ self.coefficients[1:])


class LinearCurvePredictor(CurvePredictor):
    """Predicts a curve's final value by linear regression on past curves (needs `burn_in` of them).

    predict -> (expected, error) with error the largest leave-one-out residual (the original used the
    largest residual); predictive -> (expected, RMS of the leave-one-out residuals).
    should_stop: the original rule, stop when expected + error < limit, where limit is `value_limit` if
    given, else `best_so_far` (if None: the best finished value). Never before `min_input_size` epochs.
    """

    def __init__(self, burn_in: int = 10, min_input_size: int = 3, value_limit: float | None = None,
                 io_save_dir: str | os.PathLike[str] | None = None,
                 io_load_dir: str | os.PathLike[str] | None = None, *, max_features: int = 4) -> None:
        if burn_in < 1:
            raise ValueError(f"burn_in must be >= 1 for a regression over past curves, got {burn_in}")
        if max_features < 1:
            raise ValueError(f"max_features must be >= 1, got {max_features}")
        super().__init__(burn_in=burn_in, min_input_size=min_input_size, io_save_dir=io_save_dir,
                         io_load_dir=io_load_dir)
        self._value_limit = None if value_limit is None else as_value(value_limit, "value_limit")
        self._max_features = int(max_features)
        self._regressions: dict[int, _Regression | None] = {}

    @property
    def value_limit(self) -> float | None:
        return self._value_limit

    def _data_changed(self) -> None:
        self._regressions.clear()

    def _regression(self, length: int) -> _Regression | None:
        """The regression from the first `length` epochs, None if too few curves are that long."""
        if length not in self._regressions:
            x, y = self._store.prefixes(length)
            epochs = np.unique(np.round(np.linspace(length - 1, 0, min(length, self._max_features))))
            enough = len(y) >= max(self._burn_in, epochs.size + 2)
            self._regressions[length] = _Regression(epochs.astype(np.intp), x, y) if enough else None
        return self._regressions[length]

    def _fit_for(self, curve: CurveLike) -> tuple[npt.NDArray[np.float64], _Regression] | None:
        array = as_curve(curve)
        if array.size < self._min_input_size:
            return None
        regression = self._regression(array.size)
        return None if regression is None else (array, regression)

    def predict(self, curve: CurveLike) -> tuple[float, float] | None:
        fit = self._fit_for(curve)
        if fit is None:
            return None
        array, regression = fit
        return regression.predict(array), float(np.max(np.abs(regression.loo_residuals)))

    def predictive(self, curve: CurveLike) -> tuple[float, float] | None:
        fit = self._fit_for(curve)
        if fit is None:
            return None
        array, regression = fit
        return regression.predict(array), float(np.sqrt(np.mean(regression.loo_residuals**2)))

    def should_stop(self, curve: CurveLike, best_so_far: float | None) -> bool:
        limit = self._value_limit
        if limit is None:
            limit = self.best_value() if best_so_far is None else as_value(best_so_far, "best_so_far")
        if limit is None:
            return False
        prediction = self.predict(curve)
        return prediction is not None and prediction[0] + prediction[1] < limit
