"""Type stub for hypercore._curves (Cython): parametric curve families, their LM fit and ensemble sampler."""

import numpy as np
import numpy.typing as npt

def n_families() -> int: ...
def n_params(family: int) -> int: ...
def evaluate(
    family: int,
    params: npt.NDArray[np.float64],
    t: npt.NDArray[np.float64],
    out: npt.NDArray[np.float64],
) -> None: ...
def fit_family(
    family: int,
    t: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    params: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    max_iterations: int = 100,
) -> float: ...
def sample_ensemble(
    t: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    families: npt.NDArray[np.intc],
    offsets: npt.NDArray[np.intc],
    theta: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    log_weights: npt.NDArray[np.float64],
    log_sigma: float,
    sigma_low: float,
    y_upper: float,
    n_burn: int,
    n_samples: int,
    thin: int,
    seed: int,
    out_final: npt.NDArray[np.float64],
    out_sigma: npt.NDArray[np.float64],
) -> float: ...
