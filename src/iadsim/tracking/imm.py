"""Interacting multiple model (IMM) kernels, batched over tracks.

Model-conditioned states are held as ``x (n, r, d)``, ``p (n, r, d, d)`` with mode
probabilities ``mu (n, r)``; all r models share the state layout (for example CV with low and
high process noise). Reference: Blom & Bar-Shalom, IEEE T-AC 33(8), 1988; Bar-Shalom, Li &
Kirubarajan (2001), §11.6.6 (the mixing, mode-matched filtering, probability update and
combination steps implemented here).
"""

from __future__ import annotations

import numpy as np


def imm_mix(
    x: np.ndarray, p: np.ndarray, mu: np.ndarray, trans: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixing step: returns the mixed initial conditions and the predicted mode probabilities.

    x (n, r, d), p (n, r, d, d), mu (n, r); trans (r, r) Markov matrix, ``trans[i, j] = P(j | i)``.
    Returns x0 (n, r, d), p0 (n, r, d, d), mu_pred (n, r).
    """
    mu_pred = mu @ trans  # (n, r): c_j = Σ_i π_ij μ_i
    w = mu[:, :, None] * trans[None] / np.maximum(mu_pred[:, None, :], 1e-300)  # (n, i, j): μ_{i|j}
    if x.shape[1] == 2:  # the einsum's two-term sum written out: the same floats, a third of the cost
        x0 = w[:, 0, :, None] * x[:, 0, None, :] + w[:, 1, :, None] * x[:, 1, None, :]
    else:
        x0 = np.einsum("nij,nid->njd", w, x)
    spread = _outer(x[:, :, None, :] - x0[:, None, :, :])  # (n, i, j, d, d)
    spread += p[:, :, None]
    p0 = np.einsum("nij,nijab->njab", w, spread)
    return x0, p0, mu_pred


def imm_combine(x: np.ndarray, p: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moment-matched combination of the model-conditioned estimates: (n, d), (n, d, d)."""
    xc = np.einsum("nr,nrd->nd", mu, x)
    spread = _outer(x - xc[:, None, :])
    spread += p
    pc = np.einsum("nr,nrab->nab", mu, spread)
    return xc, pc


def _outer(v: np.ndarray) -> np.ndarray:
    """Outer products ``v vᵀ`` (..., d, d) of vectors (..., d): one product per element, the same
    floats as ``v[..., :, None] * v[..., None, :]`` at a third of the cost."""
    return np.einsum("...a,...b->...ab", v, v)


def imm_mode_update(mu_pred: np.ndarray, loglik: np.ndarray) -> np.ndarray:
    """Posterior mode probabilities from predicted ones and per-model log-likelihoods (n, r)."""
    a = np.log(np.maximum(mu_pred, 1e-300)) + loglik
    a -= a.max(axis=1, keepdims=True)
    w = np.exp(a)
    return w / w.sum(axis=1, keepdims=True)
