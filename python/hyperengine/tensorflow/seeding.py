"""One seed for every random number generator a trial may use."""

from __future__ import annotations

import random
import sys

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, numpy's global generator and, when they are already imported, TensorFlow and
    Keras (``tf.random.set_seed`` and Keras' global seed generator).

    TensorFlow is never imported here, so a study without TensorFlow can call this for every trial for free;
    code that imports TensorFlow later should call it again (``KerasSolver(seed=...)`` does so itself).
    Determinism of TensorFlow's kernels is a separate, global switch
    (``tf.config.experimental.enable_op_determinism()``) left to the user.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras = sys.modules.get("keras")
    tensorflow = sys.modules.get("tensorflow")
    if keras is not None and hasattr(keras, "utils"):
        keras.utils.set_random_seed(seed)  # also seeds random, numpy and the TensorFlow backend
    elif tensorflow is not None and hasattr(tensorflow, "random"):
        tensorflow.random.set_seed(seed)
