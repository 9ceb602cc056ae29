"""Fast weapon-target assignment heuristics: MMR greedy, flow construction, local search.

All functions take the normalised problem of ``iadsim.c2.wta`` (checked arrays, limits already
expanded) and return a new ``(n_types, n_targets)`` int64 assignment; none mutates its inputs.
Limits: ``cap`` (m,) rounds per target, ``max_targets`` targets engaged at once, ``max_total``
rounds in all. References: den Broeder et al. (1959) for MMR; Ahuja, Kumar, Jha & Orlin,
Operations Research 55 (2007) §4 for the network-flow construction and the local search moves.
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


def _slot_assignment(s, pk, left, room, budget, is_open, n_slots):
    """One linear assignment of ready rounds to target slots; returns added rounds (n, m).

    Slot k (0-based) of target j is worth s_j p_ij qbar_j^k to a round of type i, qbar_j being
    the mean miss probability of the types that still have rounds: Ahuja et al.'s slot costs,
    which make filling slots in order optimal. ``is_open`` marks targets that may take rounds.
    """
    n, m = pk.shape
    types = np.flatnonzero(left > 0)
    tgts = np.flatnonzero(is_open & (room > 0) & (s > 0))
    if types.size == 0 or tgts.size == 0 or budget <= 0:
        return np.zeros((n, m), np.int64)
    k_slot = np.minimum(room[tgts], n_slots)
    slot_tgt = np.repeat(tgts, k_slot)
    slot_k = np.arange(slot_tgt.size) - np.repeat(np.cumsum(k_slot) - k_slot, k_slot)
    n_rows = np.minimum(left[types], slot_tgt.size)
    row_type = np.repeat(types, n_rows)
    qbar = 1.0 - pk[types][:, tgts].mean(axis=0)
    slot_w = s[tgts] * qbar ** np.arange(n_slots)[:, None]  # (n_slots, |tgts|)
    idx_t = np.searchsorted(tgts, slot_tgt)
    gain = pk[row_type][:, slot_tgt] * slot_w[slot_k, idx_t][None, :]
    n_block = row_type.size - budget
    if n_block > 0:  # at most ``budget`` rows may take a real slot
        gain = np.hstack([gain, np.full((row_type.size, n_block), _BIG_GAIN)])
    rows, cols = linear_sum_assignment(gain, maximize=True)
    ok = (cols < slot_tgt.size)
    ok[ok] = gain[rows[ok], cols[ok]] > 0.0
    added = np.zeros((n, m), np.int64)
    np.add.at(added, (row_type[rows[ok]], slot_tgt[cols[ok]]), 1)
    return added


def flow_assign(values, pk, rounds, cap, max_targets, max_total, n_slots=None):
    """Target-slot linear-assignment construction (Ahuja et al. 2007), then limits enforced.

    Rounds go to slots in one assignment; if that engages more than ``max_targets`` targets,
    the targets with the least kill value are closed and the assignment is solved again.
    """
    n, m = pk.shape
    total = int(min(max_total, rounds.sum()))
    if n_slots is None:
        n_slots = int(min(total, max(2, -(-2 * total // max(m, 1)) + 1)))
    is_open = values > 0
    for _ in range(m + 1):
        x = _slot_assignment(values.astype(np.float64), pk, rounds, cap, total, is_open, n_slots)
        engaged = x.sum(axis=0) > 0
        if engaged.sum() <= max_targets:
            return x
        kill_value = values - survival(values, 1.0 - pk, x)
        order = np.argsort(np.where(engaged, -kill_value, np.inf), kind="stable")
        is_open = np.zeros(m, bool)
        is_open[order[:max_targets]] = True
    return np.zeros((n, m), np.int64)


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
