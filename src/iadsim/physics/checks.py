"""Argument checks shared by the physics functions: a ValueError that names the argument and its range."""

import numpy as np


def nonneg(name, x):
    """``x`` as a float array, or ValueError if any element is negative or NaN."""
    x = np.asarray(x, dtype=float)
    if not (x >= 0.0).all():  # NaN fails too; the method is cheaper than np.any on small arrays
        raise ValueError(f"{name} must be >= 0 (allowed range [0, inf)), got {x}")
    return x


def positive(name, x):
    """``x`` as a float array, or ValueError if any element is not > 0."""
    x = np.asarray(x, dtype=float)
    if not (x > 0.0).all():
        raise ValueError(f"{name} must be > 0 (allowed range (0, inf)), got {x}")
    return x
