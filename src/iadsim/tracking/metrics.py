"""Tracking accuracy: GOSPA with its decomposition, and identity switches.

GOSPA (generalised optimal sub-pattern assignment; Rahmathullah, García-Fernández & Svensson,
FUSION 2017, arXiv:1601.05585, eq. 1): for truth set X (m points) and estimate set Y (n points),

    d(X, Y) = ( min over assignments of Σ min(d(x, y), c)^p  +  c^p / α · |m − n| )^(1/p),

with every point of the smaller set assigned. For α = 2 it equals the minimum over partial
assignments of Σ d^p over pairs closer than c plus c^p / 2 per unassigned point, which splits it
into localisation, missed and false parts (reported, like Stone Soup's ``GOSPAMetric``, in cost
units: ``missed = c^p/2 · n_missed``). Distances are Euclidean over the given coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True)
class Gospa:
    """GOSPA of one pair of sets. Components are NaN when α ≠ 2 (no decomposition)."""

    distance: float
    localisation: float
    missed: float
    false: float
    n_missed: int
    n_false: int
    truth_to_est: np.ndarray  # (m,) index of the estimate assigned to each truth (d < c), else −1


def gospa(truth: np.ndarray, est: np.ndarray, c: float, p: float = 1.0, alpha: float = 2.0) -> Gospa:
    """GOSPA between truth (m, k) and estimates (n, k); c > 0 cutoff, 1 ≤ p < ∞, 0 < α ≤ 2."""
    if not (c > 0 and p >= 1 and 0 < alpha <= 2):
        raise ValueError(f"c, p, alpha: expected c > 0, p >= 1, 0 < alpha <= 2; got {c}, {p}, {alpha}")
    truth, est = _as_points(truth), _as_points(est)
    m, n = len(truth), len(est)
    dummy = c**p / alpha
    t2e = np.full(m, -1, dtype=np.int64)
    if m == 0 or n == 0:
        cost = dummy * (m + n)
        comps = (0.0, dummy * m, dummy * n) if alpha == 2 else (np.nan,) * 3
        return Gospa(cost ** (1 / p), *comps, m, n, t2e)
    diff = truth[:, None, :] - est[None, :, :]
    d = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    dc = np.minimum(d, c) ** p
    rows, cols = linear_sum_assignment(dc)
    close = d[rows, cols] < c
    t2e[rows[close]] = cols[close]
    n_pairs = int(close.sum())
    if alpha == 2:
        loc = float(dc[rows[close], cols[close]].sum())
        missed, false = dummy * (m - n_pairs), dummy * (n - n_pairs)
        total = loc + missed + false
    else:
        loc = missed = false = np.nan
        total = float(dc[rows, cols].sum()) + dummy * abs(m - n)
    return Gospa(total ** (1 / p), loc, missed, false, m - n_pairs, n - n_pairs, t2e)


def _as_points(a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def id_switches(truth_ids: list[np.ndarray], est_ids: list[np.ndarray], truth_to_est: list[np.ndarray]) -> int:
    """Number of times the estimate (track id) assigned to a truth changes between scans.

    Per scan k: truth_ids[k] (m_k,), est_ids[k] (n_k,) and truth_to_est[k] (m_k,) from ``gospa``.
    Scans in which a truth is unassigned are skipped: losing a track and regaining the same id
    is not a switch, regaining it under a new id is one.
    """
    tid, eid = [], []
    for t_ids, e_ids, t2e in zip(truth_ids, est_ids, truth_to_est):
        ok = t2e >= 0
        tid.append(np.asarray(t_ids)[ok])
        eid.append(np.asarray(e_ids)[t2e[ok]])
    if not tid:
        return 0
    tid, eid = np.concatenate(tid), np.concatenate(eid)
    order = np.argsort(tid, kind="stable")  # stable: keeps scan order within a truth
    tid, eid = tid[order], eid[order]
    return int(np.count_nonzero((tid[1:] == tid[:-1]) & (eid[1:] != eid[:-1])))
