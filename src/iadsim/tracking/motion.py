"""Motion models for the batched tracker: nearly-constant velocity (CV) and acceleration (CA).

State layout, ENU frame, SI units, position first:

* CV, 6 states: ``[e_m, n_m, u_m, ve_mps, vn_mps, vu_mps]``
* CA, 9 states: CV followed by ``[ae_mps2, an_mps2, au_mps2]``

Both are the continuous white-noise models of Bar-Shalom, Li & Kirubarajan, *Estimation with
Applications to Tracking and Navigation* (2001), §6.2.2 (CV, white acceleration of power
spectral density ``q`` m²/s³ per axis) and §6.2.3 (CA, white jerk of density ``q`` m²/s⁵).
They equal Stone Soup's ``ConstantVelocity`` / ``ConstantAcceleration`` up to the order of the
state components (Stone Soup interleaves ``[x, vx, y, vy, ...]``).

Matrices depend only on the step length ``dt_s``, so ``MotionModel.matrices`` caches them per
``dt_s``: a tracker that scans at a fixed rate builds F and Q once (Stone Soup rebuilds them for
every track and every call, 35 % of its run time, by cProfile at N = 200, in scipy.linalg.block_diag inside KalmanPredictor.predict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import factorial

import numpy as np

KINDS = {"cv": 2, "ca": 3}  # kind -> number of derivatives held per axis (position, velocity[, acc])
_CACHE_SIZE = 64


def transition_matrix(kind: str, dt_s: float) -> np.ndarray:
    """State transition matrix F(dt) of a CV (6×6) or CA (9×9) model, position-first layout."""
    n_deriv = KINDS[kind]
    blk = np.zeros((n_deriv, n_deriv))
    for i in range(n_deriv):
        for j in range(i, n_deriv):
            blk[i, j] = dt_s ** (j - i) / factorial(j - i)
    return np.kron(blk, np.eye(3))


def process_noise(kind: str, dt_s: float, q: float) -> np.ndarray:
    """Discretised process noise Q(dt) of the continuous white-noise CV/CA model.

    ``Q[i, j] = q dt^(2k-1-i-j) / ((2k-1-i-j) (k-1-i)! (k-1-j)!)`` per axis, with k derivatives
    (Bar-Shalom et al. 2001, eqs. 6.2.2-12 and 6.2.3-8).
    """
    k = KINDS[kind]
    blk = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            p = 2 * k - 1 - i - j
            blk[i, j] = dt_s**p / (p * factorial(k - 1 - i) * factorial(k - 1 - j))
    return q * np.kron(blk, np.eye(3))


@dataclass
class MotionModel:
    """One CV or CA model with its noise density; ``matrices(dt_s)`` is cached per ``dt_s``.

    ``q`` is the white-noise power spectral density per axis: m²/s³ for CV (acceleration),
    m²/s⁵ for CA (jerk).
    """

    kind: str = "cv"
    q: float = 1.0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {sorted(KINDS)}, got {self.kind!r}")
        if not (np.isfinite(self.q) and self.q >= 0):
            raise ValueError(f"q: expected a finite value >= 0, got {self.q!r}")

    @property
    def dim(self) -> int:
        return 3 * KINDS[self.kind]

    def matrices(self, dt_s: float) -> tuple[np.ndarray, np.ndarray]:
        """(F, Q) for a step of ``dt_s`` seconds; read-only arrays shared between calls."""
        key = float(dt_s)
        hit = self._cache.get(key)
        if hit is None:
            f = transition_matrix(self.kind, key)
            q = process_noise(self.kind, key, self.q)
            f.flags.writeable = False
            q.flags.writeable = False
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            hit = self._cache[key] = (f, q)
        return hit
