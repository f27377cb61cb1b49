"""Which parameters matter: total-order Sobol indices of the GP's posterior mean over the search space.

The total-order index of parameter i is the share of the variance of f (here the GP mean, over the unit
cube with the spec's own distribution) that disappears when every parameter but i is fixed:
ST_i = E[Var(f | x_~i)] / Var(f) (Homma & Saltelli 1996). It is estimated by Jansen's formula on a
Saltelli design (Saltelli et al. 2010, "Variance based sensitivity analysis of model output", Table 2 (f)):
two scrambled Sobol' matrices A and B of N rows, and A_B^i, A with its column i taken from B,

    ST_i ~ sum_j (f(A)_j - f(A_B^i)_j)^2 / (2 N Var(f)),    Var(f) from the 2N values f(A), f(B).

A parameter the objective ignores gets a long ARD length scale, a GP mean flat along it, and an index near
zero. The indices are normalized to sum to one (interactions make the raw ones sum to more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import qmc

from hyperengine.study.prediction import MIN_OBSERVATIONS, predict_points, study_model
from hyperengine.visualization.canvas import single_axes
from hyperengine.visualization.parameters import parameter_axes
from hyperengine.visualization.style import MEAN
from hyperengine.visualization.trials import require_trials

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hyperengine.study.study import Study

SOBOL_LOG2_SAMPLES = 10  # N = 1024 rows: (d + 2) N GP predictions


def param_importances(study: Study, log2_samples: int = SOBOL_LOG2_SAMPLES, seed: int = 0) -> dict[str, float]:
    """Parameter name -> normalized total-order Sobol index of the GP mean, most important first."""
    require_trials(study, "param_importances", MIN_OBSERVATIONS)
    size = study.parsed_spec.size()
    if size == 0:
        raise ValueError("param_importances: the spec has no parameters")
    if not 1 <= log2_samples <= 20:
        raise ValueError(f"param_importances: log2_samples must be in 1..20, got {log2_samples!r}")
    rows = 2**log2_samples
    design = qmc.Sobol(2 * size, scramble=True, seed=seed).random_base2(log2_samples)
    a, b = design[:, :size], design[:, size:]
    mixed = np.repeat(a[None, :, :], size, axis=0)  # (d, N, d): A with column i from B
    for i in range(size):
        mixed[i, :, i] = b[:, i]
    values, _ = predict_points(study, np.vstack([a, b, mixed.reshape(-1, size)]), "param_importances")
    f_a, f_b, f_mixed = values[:rows], values[rows:2 * rows], values[2 * rows:].reshape(size, rows)
    variance = float(np.var(np.concatenate([f_a, f_b])))
    if not variance > 0:
        raise ValueError("param_importances: the GP mean is flat over the search space (all values equal?)")
    total = np.sum((f_a[None, :] - f_mixed) ** 2, axis=1) / (2 * rows * variance)
    shares = total / total.sum()
    names = [axis.name for axis in parameter_axes(study.parsed_spec)]
    return dict(sorted(zip(names, (float(s) for s in shares), strict=True), key=lambda item: -item[1]))


def length_scales(study: Study) -> dict[str, float]:
    """Parameter name -> the GP's fitted ARD length scale (unit-cube units: short means the mean varies fast)."""
    model = study_model(study, "length_scales")
    theta = np.asarray(model.gp.log_params)
    names = [axis.name for axis in parameter_axes(study.parsed_spec)]
    return {name: float(np.exp(theta[i])) for i, name in enumerate(names)}


def plot_param_importances(study: Study, ax: Axes | None = None, log2_samples: int = SOBOL_LOG2_SAMPLES
                           ) -> Figure:
    """Horizontal bars of param_importances, each labelled with the parameter's ARD length scale."""
    importances = param_importances(study, log2_samples)
    scales = length_scales(study)
    fig, ax = single_axes(ax, size=(6.4, 0.9 + 0.45 * len(importances)))
    names = list(importances)[::-1]
    shares = [importances[name] for name in names]
    bars = ax.barh(names, shares, color=MEAN)
    for bar, name in zip(bars, names, strict=True):
        ax.annotate(f"  {importances[name]:.2f}   (length scale {scales[name]:.2g})",
                    (bar.get_width(), bar.get_y() + bar.get_height() / 2), va="center", fontsize="small")
    ax.set_xlim(0, max(1.0, max(shares) * 1.6))
    ax.set_xlabel("share of the total-order Sobol indices of the GP mean")
    ax.set_title("Parameter importances")
    return fig
