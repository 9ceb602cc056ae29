"""Fast weapon-target assignment heuristics: MMR greedy, flow construction, exchanges, local search.

All functions take the normalised problem of ``iadsim.c2.wta`` (checked arrays, limits already
expanded) and return a new ``(n_types, n_targets)`` int64 assignment; none mutates its inputs.
Limits: ``cap`` (m,) rounds per target, ``max_targets`` targets engaged at once, ``max_total``
rounds in all. References: den Broeder et al. (1959) for MMR; Ahuja, Kumar, Jha & Orlin,
Operations Research 55 (2007) §4 for the network-flow construction and the local search moves,
§5 for the cyclic-exchange neighbourhood searched through its improvement graph.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

Q_MIN = 1e-12  # q = 1 - p is clamped here so that a p = 1 round can be "removed" by division
_BIG_GAIN = 1e30  # gain of a blocking column (forces unused rows when rounds exceed max_total)


def survival(values, q, assignment):
    """Surviving value of each target, V_j Π_i q_ij^x_ij; (m,). ``0.0 ** 0 == 1`` as wanted."""
    return values * np.prod(q ** assignment, axis=0)


def mmr_assign(values, pk, rounds, cap, max_targets, max_total):
    """Maximum marginal return: add the single round with the largest gain until none helps."""
    n, m = pk.shape
    x = np.zeros((n, m), np.int64)
    left, room = rounds.copy(), cap.copy()
    s = values.astype(np.float64).copy()
    engaged = np.zeros(m, bool)
    gain = s[None, :] * pk
    gain[left <= 0, :] = -1.0
    gain[:, room <= 0] = -1.0
    if max_targets <= 0:
        gain[:] = -1.0
    for _ in range(int(min(max_total, left.sum()))):
        k = int(np.argmax(gain))
        i, j = divmod(k, m)
        if gain[i, j] <= 0.0:
            break
        x[i, j] += 1
        left[i] -= 1
        room[j] -= 1
        s[j] *= 1.0 - pk[i, j]
        if not engaged[j]:
            engaged[j] = True
            if engaged.sum() >= max_targets:
                gain[:, ~engaged] = -1.0
        gain[:, j] = np.where(left > 0, s[j] * pk[:, j], -1.0) if room[j] > 0 else -1.0
        if left[i] == 0:
            gain[i, :] = -1.0
    return x


def _assign_columns(gain):
    """Maximum-gain assignment of the rows of ``gain`` (rounds, several per weapon type) to its
    columns (targets, blocking columns); returns (columns, rows) of the assigned pairs.

    Solved on the transpose: with one row per target the shortest augmenting paths stay short,
    where rows repeated per round of a type make them long (5.4 ms against 0.8 ms at 200 × 200).
    """
    return linear_sum_assignment(gain.T, maximize=True)


def _layer(s, pk, left, room, budget, is_open):
    """One layer: ready rounds to open targets, at most one per target, gain s_j p_ij; (n, m).

    With one new round per target the gain is exact given the current assignment, so the
    linear assignment is the best layer. ``budget`` caps the rounds placed (blocking columns).
    """
    n, m = pk.shape
    cols = np.flatnonzero(is_open & (room > 0) & (s > 0))
    types = np.flatnonzero(left > 0)
    added = np.zeros((n, m), np.int64)
    if cols.size == 0 or types.size == 0 or budget <= 0:
        return added
    row_type = np.repeat(types, np.minimum(left[types], cols.size))
    gain = pk[row_type][:, cols] * s[cols][None, :]
    n_block = row_type.size - budget
    if n_block > 0:
        gain = np.hstack([gain, np.full((row_type.size, n_block), _BIG_GAIN)])
    c, r = _assign_columns(gain)
    ok = c < cols.size
    ok[ok] = gain[r[ok], c[ok]] > 0.0
    added[row_type[r[ok]], cols[c[ok]]] = 1
    return added


def flow_assign(values, pk, rounds, cap, max_targets, max_total):
    """Iterated target-slot linear assignment (Ahuja et al. 2007 network-flow construction).

    Layer after layer, the remaining rounds are assigned to one new slot per target, valued by
    the marginal decrease in surviving value given the layers already placed. A layer that would
    engage more than ``max_targets`` targets keeps only its best new targets.
    """
    n, m = pk.shape
    x = np.zeros((n, m), np.int64)
    s = values.astype(np.float64).copy()
    for _ in range(int(min(max_total, rounds.sum()))):
        engaged = x.sum(axis=0) > 0
        n_new = max_targets - int(engaged.sum())
        is_open = (engaged | (n_new > 0)) & (values > 0)
        add = _layer(s, pk, rounds - x.sum(axis=1), cap - x.sum(axis=0), max_total - int(x.sum()), is_open)
        new = np.flatnonzero((add.sum(axis=0) > 0) & ~engaged)
        if new.size > n_new:
            gain = (add[:, new] * pk[:, new]).sum(axis=0) * s[new]
            add[:, new[np.argsort(-gain, kind="stable")[n_new:]]] = 0
        if not add.any():
            break
        x += add
        s = s * np.prod((1.0 - pk) ** add, axis=0)
    return x


def improve_layers(values, pk, x0, rounds, cap, max_targets, max_total, n_fail=None, seed=0):
    """Large-neighbourhood search: lift one round off every engaged target and re-place them.

    With at most one lifted round re-placed per target, the gain s_j p_ij of each placement is
    exact given the rounds left in place, so one linear assignment (with the spare rounds as
    extra rows) finds the best re-placement, a cyclic exchange through all targets at once
    (Ahuja et al. 2007 §5, very large-scale neighbourhood search). Lifted rounds are drawn at
    random (fixed ``seed``); the search stops after ``n_fail`` draws in a row without gain
    (default: more draws for fewer targets, since each draw costs about m² operations). A draw
    that repeats one already tried since the last gain is a known miss and is not re-solved
    (with one round per target every draw is the same).
    """
    if n_fail is None:
        n_fail = int(np.clip(600 // max(pk.shape[1], 1), 6, 40))
    rng = np.random.default_rng(seed)
    qc = np.maximum(1.0 - pk, Q_MIN)
    x = x0.copy()
    s = survival(values, qc, x)
    f = s.sum()
    tol = 1e-12 * max(float(values.sum()), 1e-300)
    n_miss, tried = 0, set()
    while n_miss < n_fail:
        cnt = x.sum(axis=0)
        tg = np.flatnonzero(cnt > 0)
        if tg.size == 0:
            break
        pick = np.argmax(np.cumsum(x[:, tg], axis=0) > (rng.random(tg.size) * cnt[tg])[None, :], axis=0)
        if pick.tobytes() in tried:
            n_miss += 1
            continue
        tried.add(pick.tobytes())
        xr = x.copy()
        xr[pick, tg] -= 1
        s_rest = s.copy()
        s_rest[tg] = s[tg] / qc[pick, tg]
        left = rounds - xr.sum(axis=1)
        cnt_r = xr.sum(axis=0)
        engaged = cnt_r > 0
        is_open = (engaged | (engaged.sum() < max_targets)) & (values > 0) & (cnt_r < cap)
        cols = np.flatnonzero(is_open)
        spare = np.flatnonzero(left > 0)
        row_type = np.repeat(spare, np.minimum(left[spare], cols.size))
        gain = pk[row_type][:, cols] * s_rest[cols][None, :]
        n_block = row_type.size - (max_total - int(xr.sum()))
        if n_block > 0:
            gain = np.hstack([gain, np.full((row_type.size, n_block), _BIG_GAIN)])
        c, r = _assign_columns(gain)
        ok = c < cols.size
        ok[ok] = gain[r[ok], c[ok]] > 0.0
        xn = xr
        np.add.at(xn, (row_type[r[ok]], cols[c[ok]]), 1)
        s_new = s_rest.copy()
        s_new[cols[c[ok]]] *= qc[row_type[r[ok]], cols[c[ok]]]
        if s_new.sum() < f - tol and (xn.sum(axis=0) > 0).sum() <= max_targets:
            x, s, f, n_miss = xn, survival(values, qc, xn), s_new.sum(), 0
            tried.clear()
        else:
            n_miss += 1
    return x


def _cycle_ids(perm):
    """Cycle label of every element of a permutation, -1 for fixed points; (P,) int."""
    label = np.where(perm == np.arange(perm.size), -1, -2)
    n_cyc = 0
    for a in np.flatnonzero(label == -2):
        if label[a] != -2:
            continue
        while label[a] == -2:
            label[a] = n_cyc
            a = perm[a]
        n_cyc += 1
    return label


def _places(xe, cap, max_targets, values, paths):
    """Every place a round can fill, and the type of its occupant (-1: empty); (P,), (P,).

    ``xe`` is the (n, m + 1) assignment whose last column counts spare rounds. Places: each
    fired round's, one stock place per type with spare rounds (target m), and with ``paths``
    one empty place on every target that may take one more round within the limits.
    """
    m = xe.shape[1] - 1
    fi, fj = np.nonzero(xe[:, :m])
    spare = np.flatnonzero(xe[:, m] > 0)
    oi = [np.repeat(fi, xe[fi, fj]), spare]
    tj = [np.repeat(fj, xe[fi, fj]), np.full(spare.size, m)]
    if paths:
        cnt = xe[:, :m].sum(axis=0)
        engaged = cnt > 0
        grow = np.flatnonzero((cnt < cap) & (engaged | (engaged.sum() < max_targets)) & (values > 0))
        oi.append(np.full(grow.size, -1))
        tj.append(grow)
    return np.concatenate(oi), np.concatenate(tj)


def _exchange_cost(s, qe, oi, tj, may_fire_more):
    """cost[a, c]: change of surviving value when the occupant of place c moves to place a; (P, P).

    Exact when each target loses and gains at most one round. Two places on one target cannot
    trade (inf); the stock has s = 0. An emptied stock place fires one more round, allowed
    only if ``may_fire_more``.
    """
    q = np.vstack([qe, np.ones(qe.shape[1])])  # row -1: an empty occupant, q = 1
    by_place = q.T[tj]  # (P, n + 1): q of every type on the target of place a (row gathers are fast)
    cost = by_place[:, oi]  # q of the occupant of place c on the target of place a
    cost /= by_place[np.arange(tj.size), oi][:, None]
    cost -= 1.0
    cost *= s[tj][:, None]
    m = s.size - 1
    same = tj[:, None] == tj[None, :]
    same &= (tj < m)[:, None]
    cost[same] = np.inf
    if not may_fire_more:
        cost[np.ix_(tj == m, oi < 0)] = np.inf
    np.fill_diagonal(cost, 0.0)
    return cost


def _cycle_gains(s, qe, oi, tj, perm, label, moved):
    """Exact decrease of surviving value of every cycle of ``perm``; (n_cycles,).

    Place c gets the occupant of place perm[c], so its target's survival is multiplied by
    q(new occupant) / q(old occupant); products are exact however many places of one target
    the cycle visits (the linear-assignment costs are exact only for one). The stock has s = 0.
    """
    q = np.vstack([qe, np.ones(qe.shape[1])])
    m1 = s.size
    log_ratio = np.log(q[oi[perm[moved]], tj[moved]]) - np.log(q[oi[moved], tj[moved]])
    key = label[moved] * m1 + tj[moved]
    keys, inv = np.unique(key, return_inverse=True)
    factor = np.exp(np.bincount(inv, weights=log_ratio))
    n_cyc = int(label.max()) + 1
    return np.bincount(keys // m1, weights=s[keys % m1] * (1.0 - factor), minlength=n_cyc)


def _shifted(xe, oi, tj, cyc, to):
    """A copy of ``xe`` with the cycle applied: the occupant of place ``to[k]`` moves to ``cyc[k]``."""
    xt = xe.copy()
    out, inc = cyc[oi[cyc] >= 0], oi[to] >= 0
    np.subtract.at(xt, (oi[out], tj[out]), 1)
    np.add.at(xt, (oi[to[inc]], tj[cyc[inc]]), 1)
    return xt


def _within_limits(xe, cap, max_targets, max_total):
    """True if the (n, m + 1) assignment keeps the per-target, target and total limits."""
    cnt = xe[:, :-1].sum(axis=0)
    return bool(np.all(cnt <= cap) and np.count_nonzero(cnt) <= max_targets and cnt.sum() <= max_total)


def improve_exchanges(values, pk, x0, rounds, cap, max_targets, max_total, paths=True, max_iter=50):
    """Cyclic and path exchanges of single rounds between targets and the stock.

    A cycle a1 <- a2 <- ... <- ak <- a1 moves each place's occupant into the place before it;
    through an empty place it is a path that moves one round from one target to another
    (``paths``); without empty places every target keeps its round count. The cheapest set of
    such cycles, target-disjointness relaxed, is one linear assignment of occupants to places
    (the improvement graph of Ahuja et al. 2007 §5; Thompson & Orlin 1989). Each cycle is then
    scored exactly; improving ones on disjoint targets within the limits are applied; repeat.
    """
    n, m = pk.shape
    qe = np.hstack([np.maximum(1.0 - pk, Q_MIN), np.ones((n, 1))])
    xe = np.hstack([x0, (rounds - x0.sum(axis=1))[:, None]])
    tol = 1e-12 * max(float(values.sum()), 1e-300)
    for _ in range(max_iter):
        s = np.append(survival(values, qe[:, :m], xe[:, :m]), 0.0)
        oi, tj = _places(xe, cap, max_targets, values, paths)
        cost = _exchange_cost(s, qe, oi, tj, xe[:, :m].sum() < max_total)
        _, perm = linear_sum_assignment(cost)
        label = _cycle_ids(perm)
        moved = np.flatnonzero(label >= 0)
        if moved.size == 0:
            break
        gain = _cycle_gains(s, qe, oi, tj, perm, label, moved)
        used = np.zeros(m, bool)
        for c in np.argsort(-gain, kind="stable"):
            if gain[c] <= tol:
                break
            cyc = moved[label[moved] == c]
            tg = np.unique(tj[cyc][tj[cyc] < m])
            if used[tg].any():
                continue
            xt = _shifted(xe, oi, tj, cyc, perm[cyc])
            if _within_limits(xt, cap, max_targets, max_total):
                used[tg] = True
                xe = xt
        if not used.any():
            break
    return xe[:, :m].copy()


def improve_local(values, pk, x0, rounds, cap, max_targets, max_total, max_iter=10_000):
    """Best-improvement local search over add / move / substitute / swap of single rounds.

    add: a spare round onto a target; move: a fired round to another target; substitute: a fired
    round back to stock for a spare round of another type on the same target; swap: two fired
    rounds of different types on different targets exchange targets. Limits are never broken.
    """
    qc = np.maximum(1.0 - pk, Q_MIN)
    x = x0.copy()
    s = survival(values, qc, x)
    tol = 1e-12 * max(float(values.sum()), 1e-300)
    for _ in range(max_iter):
        left = rounds - x.sum(axis=1)
        cnt = x.sum(axis=0)
        engaged = cnt > 0
        can_open = engaged.sum() < max_targets
        dest_ok = (cnt < cap) & (engaged | can_open) & (values > 0)
        gain_add = s[None, :] * pk  # gain of one more round of type i on target j
        best = (tol, None)
        if x.sum() < max_total:
            g = np.where((left > 0)[:, None] & dest_ok[None, :], gain_add, -np.inf)
            k = int(np.argmax(g))
            if g.flat[k] > best[0]:
                best = (g.flat[k], ("add",) + divmod(k, g.shape[1]))
        ei, ej = np.nonzero(x)
        if ei.size:
            loss = s[ej] * (1.0 / qc[ei, ej] - 1.0)  # surviving value regained by removing it
            ok = (cnt < cap)[None, :] & (engaged | can_open | (cnt[ej] == 1)[:, None]) & (values > 0)
            ok[np.arange(ei.size), ej] = False
            d = np.where(ok, gain_add[ei] - loss[:, None], -np.inf)
            k = int(np.argmax(d))
            if d.flat[k] > best[0]:
                e, j2 = divmod(k, d.shape[1])
                best = (d.flat[k], ("move", ei[e], ej[e], j2))
            sub = s[ej][:, None] * (1.0 - qc[:, ej].T / qc[ei, ej][:, None])  # (E, n)
            sub = np.where((left > 0)[None, :], sub, -np.inf)
            k = int(np.argmax(sub))
            if sub.flat[k] > best[0]:
                e, i2 = divmod(k, sub.shape[1])
                best = (sub.flat[k], ("sub", ei[e], ej[e], i2))
            a = s[ej][:, None] * (1.0 - qc[ei][:, ej].T / qc[ei, ej][:, None])  # a[e, f]: f's type on e's target
            sw = a + a.T
            k = int(np.argmax(sw))
            if sw.flat[k] > best[0]:
                e, f = divmod(k, sw.shape[1])
                best = (sw.flat[k], ("swap", ei[e], ej[e], ei[f], ej[f]))
        move = best[1]
        if move is None:
            break
        if move[0] == "add":
            x[move[1], move[2]] += 1
            touched = [move[2]]
        elif move[0] == "move":
            _, i, j, j2 = move
            x[i, j] -= 1
            x[i, j2] += 1
            touched = [j, j2]
        elif move[0] == "sub":
            _, i, j, i2 = move
            x[i, j] -= 1
            x[i2, j] += 1
            touched = [j]
        else:
            _, i, j, i2, j2 = move
            x[i, j] -= 1
            x[i2, j2] -= 1
            x[i, j2] += 1
            x[i2, j] += 1
            touched = [j, j2]
        s[touched] = survival(values[touched], qc[:, touched], x[:, touched])
    return x
