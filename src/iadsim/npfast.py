"""NumPy's C entry points for the per-step paths, without the public wrappers' argument handling.

A run alone calls einsum and small linear solves some 10⁴ times a run on a few rows each; the
public functions (``np.einsum``, ``np.linalg.solve/inv/slogdet``) check and convert their
arguments on every call, which costs as much as the work itself (three times as much for the
tracker's 3×3 and 4×4 solves). These are the same C functions called with the same arguments
and error handling, so the results are bit for bit those of the public functions
(``tests/tracking/test_tracking_kalman.py``); a numpy without them gets the public functions.
"""

from __future__ import annotations

import numpy as np

try:  # what np.einsum calls when not asked to optimise the contraction order
    from numpy._core.multiarray import c_einsum as einsum
except ImportError:  # pragma: no cover - numpy < 2
    einsum = np.einsum

try:  # the LAPACK gufuncs behind np.linalg.solve/inv/slogdet
    from numpy.linalg import _umath_linalg
except ImportError:  # pragma: no cover
    _umath_linalg = None


def _singular(err, flag):
    raise np.linalg.LinAlgError("Singular matrix")


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.linalg.solve(a, b)`` of float64 stacks a (..., m, m), b (..., m, k)."""
    if _umath_linalg is None:
        return np.linalg.solve(a, b)
    with np.errstate(call=_singular, invalid="call", over="ignore", divide="ignore", under="ignore"):
        return _umath_linalg.solve(a, b, signature="dd->d")


def inv(a: np.ndarray) -> np.ndarray:
    """``np.linalg.inv(a)`` of a float64 stack (..., m, m)."""
    if _umath_linalg is None:
        return np.linalg.inv(a)
    with np.errstate(call=_singular, invalid="call", over="ignore", divide="ignore", under="ignore"):
        return _umath_linalg.inv(a, signature="d->d")


def logdet(a: np.ndarray) -> np.ndarray:
    """``np.linalg.slogdet(a)[1]`` (log |det|) of a float64 stack (..., m, m)."""
    if _umath_linalg is None:
        return np.linalg.slogdet(a)[1]
    return _umath_linalg.slogdet(a, signature="d->dd")[1]
