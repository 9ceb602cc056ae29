"""Track-to-track fusion at a command post: prediction of reported tracks, association with their
reported covariances, and covariance intersection. Pure functions over arrays (no state).

State layout of a reported track: ``x = [pos_enu_m (3), vel_enu_mps (3)]`` with its 6×6
covariance (position first, the trackers' layout, :mod:`iadsim.tracking.motion`).

* Prediction: constant velocity with white-noise acceleration of spectral density ``q`` (m²/s³),
  the discrete model of Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
  Navigation* (Wiley 2001), §6.2.2.
* Association: the squared Mahalanobis distance of two position estimates with the sum of their
  covariances (independent errors assumed for the gate only), chi-square gate on 3 degrees of
  freedom, one assignment (Munkres, :func:`scipy.optimize.linear_sum_assignment`) between one
  site's new reports and the fused tracks that site does not already feed.
* Fusion: covariance intersection (Julier & Uhlmann, "A non-divergent estimation algorithm in the
  presence of unknown correlations", Proc. American Control Conference 1997):
  ``P⁻¹ = Σ ωᵢ Pᵢ⁻¹``, ``P⁻¹ x = Σ ωᵢ Pᵢ⁻¹ xᵢ`` with Σ ωᵢ = 1, consistent whatever the unknown
  correlation between the reports (two units tracking the same threat share its manoeuvres; a
  report may carry information already fused). The weights are the closed-form "fast CI" of
  Niehsen ("Information fusion based on fast covariance intersection filtering", Proc. 5th Int.
  Conf. on Information Fusion, 2002): ``ωᵢ ∝ 1 / tr(Pᵢ)``, here the trace of the position block
  (position and velocity variances have different units).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

GATE_PROBABILITY = 0.9997  # chi-square gate on 3 dof: d² ≤ 19.0 (a report of the same threat is kept 99.97 %)
GATE_D2 = float(chi2.ppf(GATE_PROBABILITY, 3))
Q_M2PS3 = 100.0  # white-noise acceleration spectral density of the prediction, m²/s³ (≈ 1 g manoeuvres over 10 s)


def predict_cv(x: np.ndarray, cov: np.ndarray, dt_s: np.ndarray, q_m2ps3: float = Q_M2PS3):
    """Constant-velocity prediction of n tracks by dt_s (n,) seconds: (x (n, 6), cov (n, 6, 6)).
    F = [[I, dt I], [0, I]], Q = q [[dt³/3 I, dt²/2 I], [dt²/2 I, dt I]]."""
    dt = np.asarray(dt_s, float).reshape(-1, 1, 1)
    x = np.asarray(x, float)
    xp = x.copy()
    xp[:, :3] += dt[:, 0] * x[:, 3:]
    p = np.asarray(cov, float)
    pp, pv, vp, vv = p[:, :3, :3], p[:, :3, 3:], p[:, 3:, :3], p[:, 3:, 3:]
    eye = np.eye(3)
    out = np.empty_like(p)
    out[:, :3, :3] = pp + dt * (pv + vp) + dt**2 * vv + q_m2ps3 * dt**3 / 3.0 * eye
    out[:, :3, 3:] = pv + dt * vv + q_m2ps3 * dt**2 / 2.0 * eye
    out[:, 3:, :3] = np.swapaxes(out[:, :3, 3:], 1, 2)
    out[:, 3:, 3:] = vv + q_m2ps3 * dt * eye
    return xp, out


def ci_weights(cov: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Fast-CI weights (n,): ωᵢ = (1/tr Pᵢ,pos) / Σ_{j in i's group} (1/tr Pⱼ,pos)."""
    inv_tr = 1.0 / np.trace(cov[:, :3, :3], axis1=1, axis2=2)
    total = np.bincount(group, inv_tr, minlength=n_groups)
    return inv_tr / total[group]


def covariance_intersection(x: np.ndarray, cov: np.ndarray, group: np.ndarray, n_groups: int,
                            omega: np.ndarray | None = None):
    """Fuse the tracks of each group: (x (g, 6), cov (g, 6, 6)). ``omega`` (n,) weights summing to 1
    in each group (default :func:`ci_weights`). A group of one track returns it unchanged."""
    w = ci_weights(cov, group, n_groups) if omega is None else np.asarray(omega, float)
    info = np.linalg.inv(cov) * w[:, None, None]  # ωᵢ Pᵢ⁻¹
    vec = np.einsum("nij,nj->ni", info, x)
    info_g = np.zeros((n_groups, 6, 6))
    vec_g = np.zeros((n_groups, 6))
    np.add.at(info_g, group, info)
    np.add.at(vec_g, group, vec)
    cov_g = np.linalg.inv(info_g)
    cov_g = 0.5 * (cov_g + np.swapaxes(cov_g, 1, 2))
    return np.einsum("gij,gj->gi", cov_g, vec_g), cov_g


def distance2(xa: np.ndarray, pa: np.ndarray, xb: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distance (a, b) between the positions of a (a, 6) and b (b, 6) tracks,
    with the sum of their position covariances."""
    d = xa[:, None, :3] - xb[None, :, :3]
    s = pa[:, None, :3, :3] + pb[None, :, :3, :3]
    return np.einsum("abi,abi->ab", d, np.linalg.solve(s, d[..., None])[..., 0])


def associate(xa, pa, xb, pb, allowed: np.ndarray | None = None, gate_d2: float = GATE_D2) -> np.ndarray:
    """One-to-one association of tracks a (a,) to tracks b (b,) inside the gate, minimising the sum
    of squared distances: for each a, the index of its b, or -1. ``allowed`` (a, b) bool masks pairs."""
    out = np.full(len(xa), -1, int)
    if len(xa) == 0 or len(xb) == 0:
        return out
    d2 = distance2(xa, pa, xb, pb)
    ok = d2 <= gate_d2
    if allowed is not None:
        ok &= allowed
    if not ok.any():
        return out
    big = 1e9
    rows, cols = linear_sum_assignment(np.where(ok, d2, big))
    keep = ok[rows, cols]
    out[rows[keep]] = cols[keep]
    return out


def merge_pairs(xf: np.ndarray, pf: np.ndarray, group: np.ndarray, site: np.ndarray, gate_d2: float = GATE_D2) -> np.ndarray:
    """Fused tracks to merge: for each of g fused tracks (xf (g, 6), pf), the index of the track it
    merges into (itself when none). Pairs gating with each other and fed by disjoint sets of sites
    (``group`` (n,) the fused track of each report, ``site`` (n,) its site) merge, closest pairs
    first, each track at most once per call, into the lower index. Returns an empty array when
    nothing merges."""
    g = len(xf)
    if g < 2:
        return np.zeros(0, int)
    d2 = distance2(xf, pf, xf, pf)
    sites = np.unique(site, return_inverse=True)[1]
    fed = np.zeros((g, sites.max() + 1), bool)
    fed[group, sites] = True
    shared = (fed[:, None, :] & fed[None, :, :]).any(axis=2)
    a, b = np.nonzero(np.triu(d2 <= gate_d2, 1) & ~shared)
    if a.size == 0:
        return np.zeros(0, int)
    into = np.arange(g)
    used = np.zeros(g, bool)
    for i in np.argsort(d2[a, b], kind="stable").tolist():
        if not (used[a[i]] or used[b[i]]):
            into[b[i]] = a[i]
            used[a[i]] = used[b[i]] = True
    return into
