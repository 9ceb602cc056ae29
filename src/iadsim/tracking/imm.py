"""Interacting multiple model (IMM) kernels, batched over tracks.

Model-conditioned states are held as ``x (n, r, d)``, ``p (n, r, d, d)`` with mode
probabilities ``mu (n, r)``; all r models share the state layout (for example CV with low and
high process noise). Reference: Blom & Bar-Shalom, IEEE T-AC 33(8), 1988; Bar-Shalom, Li &
Kirubarajan (2001), §11.6.6 (the mixing, mode-matched filtering, probability update and
combination steps implemented here).
"""

from __future__ import annotations

import math

import numpy as np

from iadsim.npfast import einsum


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
        x0 = einsum("nij,nid->njd", w, x)
    spread = _outer(x[:, :, None, :] - x0[:, None, :, :])  # (n, i, j, d, d)
    spread += p[:, :, None]
    p0 = einsum("nij,nijab->njab", w, spread)
    return x0, p0, mu_pred


def imm_combine(x: np.ndarray, p: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moment-matched combination of the model-conditioned estimates: (n, d), (n, d, d)."""
    xc = einsum("nr,nrd->nd", mu, x)
    spread = _outer(x - xc[:, None, :])
    spread += p
    pc = einsum("nr,nrab->nab", mu, spread)
    return xc, pc


def _outer(v: np.ndarray) -> np.ndarray:
    """Outer products ``v vᵀ`` (..., d, d) of vectors (..., d): one product per element, the same
    floats as ``v[..., :, None] * v[..., None, :]`` at a third of the cost."""
    return einsum("...a,...b->...ab", v, v)


def imm_mode_update(mu_pred: np.ndarray, loglik: np.ndarray) -> np.ndarray:
    """Posterior mode probabilities from predicted ones and per-model log-likelihoods (n, r)."""
    a = np.log(np.maximum(mu_pred, 1e-300)) + loglik
    a -= a.max(axis=1, keepdims=True)
    w = np.exp(a)
    return w / w.sum(axis=1, keepdims=True)



# The upper triangle of a 6×6 symmetric matrix (CV: position then velocity), component-major: row k
# of a compact array holds element (_IU_A[k], _IU_B[k]) of every matrix, blocks in the order
# A (pos-pos, rows 0-5), B (pos-vel, rows 6-14), D (vel-vel, rows 15-20).
_PAIRS = ([(a, b) for a in range(3) for b in range(a, 3)] + [(a, b) for a in range(3) for b in range(3, 6)]
          + [(a, b) for a in range(3, 6) for b in range(a, 6)])
_CK = {ab: k for k, ab in enumerate(_PAIRS)}
_IU_A, _IU_B = (np.array(v) for v in zip(*_PAIRS))
_IU_FLAT = _IU_A * 6 + _IU_B
_MIRROR = np.array([_CK[min(a, b), max(a, b)] for a in range(6) for b in range(6)])  # flat 6×6 -> row
# F P Fᵀ of CV, F = [[I, dt I], [0, I]], P symmetric:
#   A'_ab = A_ab + dt (P[a, b+3] + P[b, a+3]) + dt² P[a+3, b+3],  B'_ab = B_ab + dt P[a+3, b],  D' = D
_KA1 = np.array([_CK[a, b + 3] for a, b in _PAIRS[:6]])
_KA2 = np.array([_CK[b, a + 3] for a, b in _PAIRS[:6]])
_KA3 = np.array([_CK[a + 3, b + 3] for a, b in _PAIRS[:6]])
_KB1 = np.array([_CK[min(a + 3, b), max(a + 3, b)] for a, b in _PAIRS[6:15]])


def _ws(work: dict, key: str, shape: tuple) -> np.ndarray:
    """A scratch array of ``shape`` from ``work`` (kept between calls; grown when too small):
    large temporaries allocated afresh every step cost page faults."""
    size = math.prod(shape)
    buf = work.get(key)
    if buf is None or buf.size < size:
        buf = work[key] = np.empty(size + size // 4 + 64)
    return buf[:size].reshape(shape)


def imm_predict_cv2(
    x: np.ndarray, p: np.ndarray, mu: np.ndarray, trans: np.ndarray, dt_s: float, q: np.ndarray,
    work: dict | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IMM mixing and prediction over ``dt_s`` of two constant-velocity models (the same F,
    process noise ``q`` (2, 6, 6) per model), **in place** on ``x`` and ``p``: the quantities of
    :func:`imm_mix` followed by ``kalman.kf_predict``, with the operations reordered.

    With two models the mixed covariance is ``w0j P0 + w1j P1 + w0j w1j δ δᵀ`` (δ = x0 − x1,
    since x_i − x0_j = ±w_{1−i, j} δ), and prediction is linear, so each model's P is predicted
    first and then mixed, on the upper triangle only, laid out component-major (21, 2, n): every
    operation is elementwise over the tracks, so a row's floats never depend on the other rows.
    The covariances written are exactly symmetric. x (n, 2, 6) m, m/s; p (n, 2, 6, 6); mu (n, 2);
    trans (2, 2); ``work`` a dict of scratch arrays reused between calls (it also keeps the upper
    triangles of ``q``, known by identity: do not change ``q`` in place between calls sharing it).
    Returns x, p (the same arrays, updated) and mu_pred (n, 2).
    """
    work = {} if work is None else work
    n = len(x)
    x, p = np.ascontiguousarray(x), np.ascontiguousarray(p)  # (no copy when already contiguous)
    mu_pred = np.empty((n, 2))
    mu_pred[:, 0] = mu[:, 0] * trans[0, 0] + mu[:, 1] * trans[1, 0]
    mu_pred[:, 1] = mu[:, 0] * trans[0, 1] + mu[:, 1] * trans[1, 1]
    den = np.maximum(mu_pred, 1e-300)
    w0t = ((mu[:, 0, None] * trans[0]) / den).T  # (j, n): μ_{0|j}
    w1t = ((mu[:, 1, None] * trans[1]) / den).T  # (j, n): μ_{1|j}
    # states, component-major (6, 2, n), predicted (position += dt · velocity), then mixed into x
    xt = _ws(work, "xt", (6, 2, n))
    np.copyto(xt, x.transpose(2, 1, 0))
    t6 = _ws(work, "t6", (6, 2, n))
    np.multiply(xt[3:], dt_s, out=t6[:3])
    xt[:3] += t6[:3]
    xv = x.transpose(2, 1, 0)
    for j in range(2):
        np.multiply(xt[:, 0], w0t[j], out=xv[:, j])
        np.multiply(xt[:, 1], w1t[j], out=t6[:, 0])
        xv[:, j] += t6[:, 0]
    delta = _ws(work, "delta", (6, n))
    np.subtract(xt[:, 0], xt[:, 1], out=delta)  # F δ
    # covariances: upper triangle, component-major, F P Fᵀ of both models in place
    g = _ws(work, "g", (21, 2, n))
    p.reshape(n, 2, 36).transpose(2, 1, 0).take(_IU_FLAT, axis=0, out=g, mode="clip")
    t1, t2 = _ws(work, "t1", (9, 2, n)), _ws(work, "t2", (9, 2, n))
    ga, tb = t1[:6], t2[:6]
    g.take(_KA1, axis=0, out=ga, mode="clip")
    g.take(_KA2, axis=0, out=tb, mode="clip")
    ga += tb
    ga *= dt_s
    ga += g[:6]
    g.take(_KA3, axis=0, out=tb, mode="clip")
    tb *= dt_s * dt_s
    ga += tb
    g[:6] = ga
    g.take(_KB1, axis=0, out=t1, mode="clip")
    t1 *= dt_s
    g[6:15] += t1
    # mixing: w0j G0 + w1j G1 + w0j w1j (Fδ)(Fδ)ᵀ + Q_j, written back to p in full
    outer, tmp = _ws(work, "outer", (21, n)), _ws(work, "tmp", (21, n))
    delta.take(_IU_A, axis=0, out=outer, mode="clip")
    delta.take(_IU_B, axis=0, out=tmp, mode="clip")
    outer *= tmp
    cached = work.get("qc")  # (q, its upper triangles): q is the tracker's cached array per dt
    if cached is None or cached[0] is not q:
        cached = work["qc"] = q, q.reshape(2, 36)[:, _IU_FLAT].T  # (21, j)
    qc = cached[1]
    out = _ws(work, "out", (21, 2, n))
    for j in range(2):
        o = out[:, j]
        np.multiply(g[:, 0], w0t[j], out=o)
        np.multiply(g[:, 1], w1t[j], out=tmp)
        o += tmp
        np.multiply(outer, w0t[j] * w1t[j], out=tmp)
        o += tmp
        o += qc[:, j, None]
    out.transpose(2, 1, 0).take(_MIRROR, axis=2, out=p.reshape(n, 2, 36), mode="clip")
    return x, p, mu_pred
