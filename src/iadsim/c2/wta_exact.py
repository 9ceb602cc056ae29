"""Exact weapon-target assignment: outer-approximation MILP on HiGHS (``highspy``).

With z_j = Σ_i x_ij ln q_ij the objective is Σ_j V_j exp(z_j), convex in z. Tangent cuts
s_j ≥ e^a (1 + z_j − a) under-estimate exp, so min Σ_j V_j s_j over the cuts is a relaxation
whose optimum is a lower bound, while F at its solution is an upper bound; cuts are added at the
new z_j until the two meet (Kelley 1960; Duran & Grossmann 1986; Andersen, Pavlikov & Toffolo
2022 for WTA; full citations in docs/REFERENCES.md).

ln 0 is undefined, so a certain kill (p_ij = 1) is modelled as q_ij = ``Q_MIN``; F itself is
always evaluated with the true q, and the bound is lowered by Σ_j V_j·Q_MIN to stay valid.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time

import highspy
import numpy as np

from iadsim.c2.wta_heuristic import Q_MIN, survival


_banner_swallowed = False


def _silent_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing.

    HiGHS writes its banner to the C-level stdout when a process builds its first instance, before
    any option can be set; that one construction runs with file descriptor 1 on /dev/null (C
    buffers flushed before it is restored), so ``iadsim run`` and study workers print only their
    own output. Where descriptors cannot be redirected, the banner is printed.
    """
    global _banner_swallowed
    if _banner_swallowed:
        h = highspy.Highs()
    else:
        _banner_swallowed = True
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):
            saved = None
        if saved is None:
            h = highspy.Highs()
        else:
            try:
                with open(os.devnull, "wb") as null:
                    os.dup2(null.fileno(), 1)
                    h = highspy.Highs()
                    _flush_c_stdout()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
    h.silent()
    return h


def _flush_c_stdout() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, TypeError, AttributeError):  # no C library handle (Windows): nothing buffered to lose
        pass


def _add_rows(h, lower, upper, rows):
    """Append rows given as a list of (column indices, coefficients)."""
    if not rows:
        return
    starts = np.cumsum([0] + [len(c) for c, _ in rows[:-1]]).astype(np.int32)
    idx = np.concatenate([c for c, _ in rows]).astype(np.int32)
    val = np.concatenate([v for _, v in rows]).astype(np.float64)
    h.addRows(len(rows), np.asarray(lower, float), np.asarray(upper, float), idx.size, starts, idx, val)


def _cut_rows(j_targets, a, col_x, lnq_x, col_s):
    """Tangent rows s_j − e^a Σ_i ln q_ij x_ij ≥ e^a (1 − a), one per (j, a) pair."""
    rows = [(np.append(col_x[j], col_s[j]), np.append(-np.exp(aj) * lnq_x[j], 1.0)) for j, aj in zip(j_targets, a)]
    return np.exp(a) * (1.0 - a), rows


def _neighbour_points(lnq, x, tgts, z_start, n_best=2):
    """Tangent points one round away from the warm start, per target: one more round of each of
    its ``n_best`` best types, one fewer of each type fired at it; (points, targets)."""
    best = np.sort(lnq[:, tgts], axis=0)[:n_best]  # most negative ln q first
    a_add = (z_start[None, :] + best).ravel()
    j_add = np.tile(tgts, n_best)
    fi, fk = np.nonzero(x[:, tgts])
    a_rem = z_start[fk] - lnq[fi, tgts[fk]]
    return np.concatenate([a_add, a_rem]), np.concatenate([j_add, tgts[fk]])


def solve_exact(values, pk, rounds, cap, max_targets, max_total, x_start, time_limit_s=None,
                rel_gap=1e-9, abs_gap=1e-9, max_rounds=200):
    """Outer approximation; returns (assignment, surviving value, lower bound, proven optimal)."""
    t0 = time.perf_counter()
    n, m = pk.shape
    q_true = 1.0 - pk
    lnq = np.where(pk > 0, np.log(np.maximum(q_true, Q_MIN)), 0.0)
    ub = np.minimum(np.minimum(rounds[:, None], cap[None, :]), max_total)
    ub = np.where((pk > 0) & (values > 0)[None, :], ub, 0)
    ii, jj = np.nonzero(ub)
    best_x = x_start.copy()
    best_f = float(survival(values, q_true, best_x).sum())
    slack = float(values.sum()) * Q_MIN if np.any(pk >= 1.0) else 0.0
    if ii.size == 0:
        return best_x, best_f, best_f, True

    h = _silent_highs()
    h.setOptionValue("mip_rel_gap", rel_gap / 10)
    h.setOptionValue("mip_abs_gap", abs_gap / 10)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)  # cut violations loosen the bound
    h.setOptionValue("primal_feasibility_tolerance", 1e-9)
    h.setOptionValue("presolve", "off")  # it reduces nothing here and made each solve 2–5× slower
    nx = ii.size
    tgts = np.unique(jj)
    col_s = np.full(m, -1)
    col_s[tgts] = nx + np.arange(tgts.size)
    need_y = max_targets < tgts.size
    col_y = np.full(m, -1)
    if need_y:
        col_y[tgts] = nx + tgts.size + np.arange(tgts.size)
    n_col = nx + tgts.size * (2 if need_y else 1)
    cost = np.zeros(n_col)
    cost[col_s[tgts]] = values[tgts]
    lo = np.zeros(n_col)
    hi = np.concatenate([ub[ii, jj].astype(float), np.full(tgts.size, np.inf), np.ones(tgts.size if need_y else 0)])
    h.addCols(n_col, cost, lo, hi, 0, np.zeros(n_col, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.changeObjectiveOffset(float(values.sum() - values[tgts].sum()))  # targets no round can reach
    is_int = np.ones(n_col, np.uint8)
    is_int[nx:nx + tgts.size] = 0
    h.changeColsIntegrality(n_col, np.arange(n_col, dtype=np.int32), is_int)

    col_x = {j: np.flatnonzero(jj == j) for j in tgts}
    lnq_x = {j: lnq[ii[col_x[j]], j] for j in tgts}
    rows, upper = [], []
    for i in np.unique(ii):  # inventory
        c = np.flatnonzero(ii == i)
        if ub[i].sum() > rounds[i]:
            rows.append((c, np.ones(c.size)))
            upper.append(rounds[i])
    for j in tgts:  # per-target cap, and the link to y_j when targets engaged are limited
        if need_y:
            rows.append((np.append(col_x[j], col_y[j]), np.append(np.ones(col_x[j].size), -min(cap[j], ub[:, j].sum()))))
            upper.append(0)
        elif ub[:, j].sum() > cap[j]:
            rows.append((col_x[j], np.ones(col_x[j].size)))
            upper.append(cap[j])
    if need_y:
        rows.append((col_y[tgts], np.ones(tgts.size)))
        upper.append(max_targets)
    if ub.sum() > max_total:
        rows.append((np.arange(nx), np.ones(nx)))
        upper.append(max_total)
    _add_rows(h, np.full(len(rows), -np.inf), upper, rows)

    # initial tangents: no fire, 1..3 rounds of a typical weapon, the warm start, and one round
    # away from it (the optimum is near the heuristic's: one OA round instead of five or six)
    mean_lnq = np.array([lnq_x[j].mean() for j in tgts])
    z_start = (lnq * best_x).sum(axis=0)[tgts]
    a_nb, j_nb = _neighbour_points(lnq, best_x, tgts, z_start)
    a0 = np.concatenate([np.zeros(tgts.size), mean_lnq, 2 * mean_lnq, 3 * mean_lnq, z_start, a_nb])
    j0 = np.concatenate([np.tile(tgts, 5), j_nb])
    lower, cut = _cut_rows(j0, a0, col_x, lnq_x, col_s)
    _add_rows(h, lower, np.full(len(cut), np.inf), cut)

    lb = -np.inf
    optimal = False
    for _ in range(max_rounds):
        if time_limit_s is not None:
            left_s = time_limit_s - (time.perf_counter() - t0)
            if left_s <= 0:
                break
            h.setOptionValue("time_limit", float(left_s))
        start = np.zeros(n_col)
        start[:nx] = best_x[ii, jj]
        z = (lnq * best_x).sum(axis=0)
        start[col_s[tgts]] = np.exp(z[tgts]) + 1e-12
        if need_y:
            start[col_y[tgts]] = best_x[:, tgts].sum(axis=0) > 0
        h.setSolution(n_col, np.arange(n_col, dtype=np.int32), start)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        lb = max(lb, float(info.mip_dual_bound) - slack)
        sol = np.asarray(h.getSolution().col_value)
        if sol.size == n_col and info.primal_solution_status == 2:
            x = np.zeros((n, m), np.int64)
            x[ii, jj] = np.rint(sol[:nx]).astype(np.int64)
            f = float(survival(values, q_true, x).sum())
            if f < best_f:
                best_x, best_f = x, f
            z = (lnq * x).sum(axis=0)[tgts]
            s_val = sol[col_s[tgts]]
            need = values[tgts] * (np.exp(z) - s_val) > abs_gap / max(tgts.size, 1)
        else:
            need = np.zeros(tgts.size, bool)
        if best_f - lb <= max(abs_gap, rel_gap * abs(best_f)):
            optimal = True
            break
        if status != highspy.HighsModelStatus.kOptimal or not need.any():
            break
        lower, cut = _cut_rows(tgts[need], z[need], col_x, lnq_x, col_s)
        _add_rows(h, lower, np.full(len(cut), np.inf), cut)
    return best_x, best_f, float(min(lb, best_f)), optimal
