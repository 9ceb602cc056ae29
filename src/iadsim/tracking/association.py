"""Gating and data association over a sparse structure of gated (track, detection) pairs.

The pipeline is: candidate pairs — for Cartesian measurements ``candidate_pairs`` (a spatial
index on detection positions — a sorted sweep or a k-d tree — queried with a conservative
per-track radius), for radar measurements ``interval_pairs_grouped`` (a sorted sweep over
measured range with each track's exact range window of the gate), so the cost grows with the
candidates, near-linearly with the number of targets →
an exact Mahalanobis gate computed by the caller for the candidates only → an association
function over the gated pairs. ``associate_gnn`` solves global nearest neighbour exactly, one
connected cluster at a time (``scipy.sparse.csgraph.connected_components``), with a
"missed detection" option of cost ``miss_cost`` for every track — the formulation of Stone
Soup's ``GNNWith2DAssignment``. A JPDA would take the same pairs and ``cluster_labels``.
"""

from __future__ import annotations

import itertools
from itertools import chain

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

DENSE_PAIRS_MAX = 8_000  # below this many track × detection pairs, brute force is fastest
SWEEP_MAX_PER_POINT = 32  # sorted-sweep candidates per point above which the k-d tree is used
_EMPTY = np.zeros(0, dtype=np.int64)
_SWEEP_SPAN_M = 2.0**27  # per-group key offset of the grouped sweep (~134,000 km)


def gate_radius_m(pos_cov_m2: np.ndarray, meas_cov_trace_max_m2: float, gate: float, margin: float = 1.0) -> np.ndarray:
    """Per-track search radius (n,) that contains every detection inside the Mahalanobis gate.

    With innovation covariance S = P_pos + R, ``νᵀ S⁻¹ ν ≥ |ν|² / λmax(S)`` and
    ``λmax(S) ≤ trace(P_pos) + trace(R)``, so ``|ν| > gate · sqrt(trace(P_pos) + max trace(R))``
    implies the pair is outside the gate (exact for linear position measurements; ``margin`` > 1
    covers linearisation slack for polar ones). pos_cov_m2 (n, 3, 3).
    """
    return gate_radius_from_trace_m(np.trace(pos_cov_m2, axis1=-2, axis2=-1), meas_cov_trace_max_m2, gate, margin)


def gate_radius_from_trace_m(pos_cov_trace_m2: np.ndarray, meas_cov_trace_max_m2: float, gate: float,
                             margin: float = 1.0) -> np.ndarray:
    """:func:`gate_radius_m` from the tracks' position-covariance traces (n,)."""
    return margin * (1.0 + 1e-9) * gate * np.sqrt(pos_cov_trace_m2 + meas_cov_trace_max_m2)


def candidate_pairs(
    track_pos_enu_m: np.ndarray, radius_m: np.ndarray, det_pos_enu_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (track, detection) index pairs with ``|det − track| ≤ radius_m[track]``.

    track_pos_enu_m (n, 3), radius_m (n,), det_pos_enu_m (m, 3) -> (track_idx, det_idx) int64.
    Three exact strategies, chosen by size: a dense comparison for small n·m; a sweep over
    detections sorted by east coordinate (binary search for each track's slab
    ``|Δe| ≤ radius``, then the exact test), when the slabs hold few candidates; otherwise a
    k-d tree. All give the same set.
    """
    n, m = len(track_pos_enu_m), len(det_pos_enu_m)
    if n == 0 or m == 0:
        return _EMPTY, _EMPTY
    if n * m <= DENSE_PAIRS_MAX:
        diff = track_pos_enu_m[:, None, :] - det_pos_enu_m[None, :, :]
        ok = np.einsum("ijk,ijk->ij", diff, diff) <= (radius_m * radius_m)[:, None]
        ti, dj = np.nonzero(ok)
        return ti.astype(np.int64), dj.astype(np.int64)
    order = np.argsort(det_pos_enu_m[:, 0])
    east = det_pos_enu_m[order, 0]
    lo = np.searchsorted(east, track_pos_enu_m[:, 0] - radius_m, "left")
    count = np.searchsorted(east, track_pos_enu_m[:, 0] + radius_m, "right") - lo
    total = int(count.sum())
    if total <= SWEEP_MAX_PER_POINT * (n + m):
        ti = np.repeat(np.arange(n, dtype=np.int64), count)
        dj = order[np.arange(total) + np.repeat(lo - (np.cumsum(count) - count), count)]
        diff = track_pos_enu_m[ti] - det_pos_enu_m[dj]
        ok = np.einsum("ij,ij->i", diff, diff) <= radius_m[ti] ** 2
        return ti[ok], dj[ok].astype(np.int64)
    lists = cKDTree(det_pos_enu_m).query_ball_point(track_pos_enu_m, radius_m, return_sorted=False)
    lens = np.fromiter(map(len, lists), dtype=np.int64, count=n)
    dj = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lens.sum()))
    return np.repeat(np.arange(n, dtype=np.int64), lens), dj


def candidate_pairs_grouped(
    track_pos_enu_m: np.ndarray, radius_m: np.ndarray, track_group: np.ndarray,
    det_pos_enu_m: np.ndarray, det_group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`candidate_pairs` of every group on its own, in one call: pairs of a track and a
    detection of the same group (int ≥ 0) only.

    The set is exactly the union of ``candidate_pairs`` over the groups. Groups within
    ``DENSE_PAIRS_MAX`` pairs, which ``candidate_pairs`` compares densely, are swept together:
    detections sorted by (group, east), each track's slab ``|Δe| ≤ radius`` (widened, so it
    misses no pair) found by binary search, then the dense test on the same floats; larger groups
    call ``candidate_pairs`` itself. The order of the pairs is not part of the result.
    """
    n, m = len(track_pos_enu_m), len(det_pos_enu_m)
    if n == 0 or m == 0:
        return _EMPTY, _EMPTY
    n_groups = int(max(track_group.max(), det_group.max())) + 1
    n_t = np.bincount(track_group, minlength=n_groups)
    n_d = np.bincount(det_group, minlength=n_groups)
    dense = n_t * n_d <= DENSE_PAIRS_MAX
    east = det_pos_enu_m[:, 0]
    if np.abs(east).max(initial=0.0) < _SWEEP_SPAN_M / 4:
        d_order = np.lexsort((east, det_group))
        key = det_group[d_order] * _SWEEP_SPAN_M + east[d_order]  # increasing: by group, then east
        d_end = np.cumsum(n_d)
        lo_g, hi_g = (d_end - n_d)[track_group], d_end[track_group]
        slack = radius_m * (1.0 + 1e-9) + 1e-3  # exceeds rounding in the key by orders of magnitude
        base = track_group * _SWEEP_SPAN_M + track_pos_enu_m[:, 0]
        lo = np.minimum(np.maximum(np.searchsorted(key, base - slack, "left"), lo_g), hi_g)  # = np.clip
        hi = np.minimum(np.maximum(np.searchsorted(key, base + slack, "right"), lo), hi_g)
    else:  # far-off coordinates: every detection of the group is a candidate
        d_order = np.argsort(det_group, kind="stable")
        lo, hi = (np.cumsum(n_d) - n_d)[track_group], np.cumsum(n_d)[track_group]
    count = np.where(dense[track_group], hi - lo, 0)
    total = int(count.sum())
    ti = np.repeat(np.arange(n, dtype=np.int64), count)
    dj = d_order[np.arange(total) + np.repeat(lo - (np.cumsum(count) - count), count)]
    diff = track_pos_enu_m[ti] - det_pos_enu_m[dj]
    ok = np.einsum("ij,ij->i", diff, diff) <= (radius_m * radius_m)[ti]
    out_t, out_d = [ti[ok]], [dj[ok]]
    for g in np.flatnonzero(~dense):
        rows, cols = np.flatnonzero(track_group == g), np.flatnonzero(det_group == g)
        a, b = candidate_pairs(track_pos_enu_m[rows], radius_m[rows], det_pos_enu_m[cols])
        out_t.append(rows[a])
        out_d.append(cols[b])
    if len(out_t) == 1:
        return out_t[0], out_d[0].astype(np.int64)
    return np.concatenate(out_t), np.concatenate(out_d).astype(np.int64)


def interval_pairs_grouped(
    track_val: np.ndarray, half_width: np.ndarray, track_group: np.ndarray,
    det_val: np.ndarray, det_group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """All (track, detection) index pairs of the same group (int ≥ 0) with
    ``|det_val − track_val| ≤ half_width[track]`` (1-D windows, e.g. in range).

    Detections sorted by the key ``group · span + value``; each track's window, widened by a
    slack that exceeds the key's rounding, found by binary search and clipped to its group;
    then the exact test. The work is proportional to the pairs in the windows (plus a sort).
    Values must lie within ±span/4 (2^25 ≈ 33,500 km for ranges in metres). The track indices
    returned are non-decreasing.
    """
    n, m = len(track_val), len(det_val)
    if n == 0 or m == 0:
        return _EMPTY, _EMPTY
    big = np.maximum.reduce  # (= .max(), without the method's wrapper)
    if max(big(np.abs(det_val)), big(np.abs(track_val))) >= _SWEEP_SPAN_M / 4:
        raise ValueError("interval_pairs_grouped: values beyond the sweep span")
    n_groups = int(max(big(track_group), big(det_group))) + 1
    slack = half_width * (1.0 + 1e-9) + 1e-3
    if n_groups == 1:  # one group (one run): the values are the keys, the window needs no clip to it
        d_order = np.argsort(det_val, kind="stable")
        key = det_val[d_order]
        lo = np.searchsorted(key, track_val - slack, "left")
        hi = np.maximum(np.searchsorted(key, track_val + slack, "right"), lo)
    else:
        d_order = np.lexsort((det_val, det_group))
        key = det_group[d_order] * _SWEEP_SPAN_M + det_val[d_order]  # increasing: by group, then value
        n_d = np.bincount(det_group, minlength=n_groups)
        d_end = np.cumsum(n_d)
        lo_g, hi_g = (d_end - n_d)[track_group], d_end[track_group]
        base = track_group * _SWEEP_SPAN_M + track_val
        lo = np.minimum(np.maximum(np.searchsorted(key, base - slack, "left"), lo_g), hi_g)  # = np.clip
        hi = np.minimum(np.maximum(np.searchsorted(key, base + slack, "right"), lo), hi_g)
    count = hi - lo
    total = int(count.sum())
    ti = np.repeat(np.arange(n, dtype=np.int64), count)
    dj = d_order[np.arange(total) + np.repeat(lo - (np.cumsum(count) - count), count)]
    ok = np.abs(det_val[dj] - track_val[ti]) <= half_width[ti]
    return ti[ok], dj[ok].astype(np.int64)


def cluster_labels(track_idx: np.ndarray, det_idx: np.ndarray, n_tracks: int, n_dets: int) -> np.ndarray:
    """Connected-component label of every pair in the bipartite gate graph, (k,) int."""
    k = len(track_idx)
    graph = coo_matrix((np.ones(k, np.int8), (track_idx, n_tracks + det_idx)), shape=(n_tracks + n_dets,) * 2)
    _, labels = connected_components(graph, directed=False)
    return labels[track_idx]


def associate_gnn(
    track_idx: np.ndarray, det_idx: np.ndarray, cost: np.ndarray, miss_cost: float, n_tracks: int, n_dets: int
) -> tuple[np.ndarray, np.ndarray]:
    """Global nearest neighbour over gated pairs, solved exactly per connected cluster.

    Clusters of one pair and stars (one track with several detections, or one detection with
    several tracks) are solved for all clusters at once: their optimum is the cheapest pair if
    it costs less than a miss. Other clusters get a dense assignment each. Minimises the sum of ``cost`` over assigned pairs plus ``miss_cost`` per gated but unassigned
    track, each track and detection used at most once. Pairs (k,) -> assigned (track_idx, det_idx).
    """
    if len(track_idx) == 0:
        return _EMPTY, _EMPTY
    deg_t = np.bincount(track_idx, minlength=n_tracks)
    deg_d = np.bincount(det_idx, minlength=n_dets)
    single = (deg_t[track_idx] == 1) & (deg_d[det_idx] == 1)
    single &= cost < miss_cost
    out_t, out_d = [track_idx[single]], [det_idx[single]]
    multi = (deg_t[track_idx] > 1) | (deg_d[det_idx] > 1)
    if multi.any():
        ti, dj, c = track_idx[multi], det_idx[multi], cost[multi]
        lab = cluster_labels(ti, dj, n_tracks, n_dets)
        order = np.lexsort((dj, ti, c, lab))  # by cluster, then cost (ties: track, detection)
        ti, dj, c, lab = ti[order], dj[order], c[order], lab[order]
        first = np.r_[True, lab[1:] != lab[:-1]]
        start = np.flatnonzero(first)
        size = np.diff(np.r_[start, len(lab)])
        # a star (one track, or one detection, in the cluster): its cheapest pair, if under the miss cost
        one_t = np.minimum.reduceat(ti, start) == np.maximum.reduceat(ti, start)
        one_d = np.minimum.reduceat(dj, start) == np.maximum.reduceat(dj, start)
        star = one_t | one_d
        best = start[star]
        best = best[c[best] < miss_cost]
        out_t.append(ti[best])
        out_d.append(dj[best])
        rest = np.repeat(~star, size)
        if rest.any():
            rows, cols = _solve_clusters(ti[rest], dj[rest], c[rest], lab[rest], miss_cost)
            out_t.append(rows)
            out_d.append(cols)
    return np.concatenate(out_t), np.concatenate(out_d)


SMALL_CLUSTER_MAX = 3  # clusters of up to this many tracks and detections: every matching enumerated at once


def _solve_clusters(ti, dj, cost, lab, miss_cost):
    """Clusters (pairs sorted by cluster label ``lab``) with a real choice: those of up to
    SMALL_CLUSTER_MAX tracks and detections solved together by enumerating every partial matching
    (34 at 3 × 3) per shape, larger ones by a dense assignment each."""
    start = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    size = np.diff(np.r_[start, len(lab)])
    t_loc, nt = _local_rank(lab, ti)
    d_loc, nd = _local_rank(lab, dj)
    nt_c, nd_c = nt[start], nd[start]
    out_t, out_d = [], []
    small = (nt_c <= SMALL_CLUSTER_MAX) & (nd_c <= SMALL_CLUSTER_MAX)
    cluster_of = np.repeat(np.arange(start.size), size)
    for a, b in set(zip(nt_c[small].tolist(), nd_c[small].tolist())):
        sel_c = np.flatnonzero(small & (nt_c == a) & (nd_c == b))
        g_of = np.full(start.size, -1)
        g_of[sel_c] = np.arange(sel_c.size)
        pair = np.flatnonzero(g_of[cluster_of] >= 0)
        g = g_of[cluster_of[pair]]
        mat = np.full((sel_c.size, a, b), np.inf)
        mat[g, t_loc[pair], d_loc[pair]] = cost[pair]
        track_id = np.zeros((sel_c.size, a), ti.dtype)
        track_id[g, t_loc[pair]] = ti[pair]
        det_id = np.zeros((sel_c.size, b), dj.dtype)
        det_id[g, d_loc[pair]] = dj[pair]
        combos = _matchings(a, b)  # (C, a): the detection of each track, -1 for a miss
        padded = np.concatenate([mat, np.full((sel_c.size, a, 1), miss_cost)], axis=2)  # column b: the miss
        pick = np.where(combos < 0, b, combos)  # (C, a)
        total = padded[:, np.arange(a)[None, :], pick].sum(axis=2)  # (G, C)
        best = combos[np.argmin(total, axis=1)]  # (G, a)
        gg, tt = np.nonzero(best >= 0)
        out_t.append(track_id[gg, tt])
        out_d.append(det_id[gg, best[gg, tt]])
    large = np.repeat(~small, size)
    if large.any():
        rows, cols = _solve_sparse(ti[large], dj[large], cost[large], miss_cost)
        out_t.append(rows)
        out_d.append(cols)
    if not out_t:
        return _EMPTY, _EMPTY
    return np.concatenate(out_t), np.concatenate(out_d)


def _local_rank(lab, idx):
    """Pairs sorted by cluster label ``lab``: the rank of each pair's ``idx`` among the distinct
    values in its cluster, and (per pair) how many distinct values its cluster has."""
    key = np.unique(lab * (int(idx.max()) + 1) + idx, return_inverse=True)[1].ravel()  # dense, by (lab, idx)
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    sizes = np.diff(np.r_[starts, len(lab)])
    rank = key - np.repeat(np.minimum.reduceat(key, starts), sizes)
    return rank, np.repeat(np.maximum.reduceat(rank, starts) + 1, sizes)


_MATCHINGS: dict = {}


def _matchings(n_tracks: int, n_dets: int) -> np.ndarray:
    """Every partial matching of n_tracks tracks to n_dets detections: (C, n_tracks), -1 = miss."""
    key = (n_tracks, n_dets)
    if key not in _MATCHINGS:
        combos = [c for c in itertools.product(range(-1, n_dets), repeat=n_tracks)
                  if len([d for d in c if d >= 0]) == len({d for d in c if d >= 0})]
        _MATCHINGS[key] = np.array(combos, np.int64).reshape(-1, n_tracks)
    return _MATCHINGS[key]


def _solve_sparse(ti: np.ndarray, dj: np.ndarray, cost: np.ndarray, miss_cost: float):
    """GNN of any number of clusters at once, as one sparse minimum-weight bipartite matching
    (LAPJVsp, ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``): every track is
    matched, to a gated detection or to its own 'missed' column of cost ``miss_cost``. Edge
    weights are offset by +1 (every track is matched once, so the optimum does not change; a
    sparse matrix cannot hold a weight of 0)."""
    tracks, r = np.unique(ti, return_inverse=True)
    dets, c = np.unique(dj, return_inverse=True)
    nt, nd = len(tracks), len(dets)
    rows = np.concatenate([r.ravel(), np.arange(nt)])
    cols = np.concatenate([c.ravel(), nd + np.arange(nt)])
    w = np.concatenate([cost, np.full(nt, miss_cost)]) + 1.0
    graph = csr_matrix((w, (rows, cols)), shape=(nt, nd + nt))
    row, col = min_weight_full_bipartite_matching(graph)
    ok = col < nd
    return tracks[row[ok]], dets[col[ok]]


def associate_gnn_dense(cost: np.ndarray, miss_cost: float) -> tuple[np.ndarray, np.ndarray]:
    """Reference GNN on a dense (n_tracks, n_dets) cost matrix (inf = outside the gate)."""
    nt, nd = cost.shape
    gated = np.isfinite(cost).any(axis=1)
    rows_idx = np.flatnonzero(gated)
    if len(rows_idx) == 0:
        return _EMPTY, _EMPTY
    mat = np.full((len(rows_idx), nd + len(rows_idx)), np.inf)
    mat[:, :nd] = cost[rows_idx]
    mat[np.arange(len(rows_idx)), nd + np.arange(len(rows_idx))] = miss_cost
    rows, cols = linear_sum_assignment(mat)
    ok = cols < nd
    return rows_idx[rows[ok]], cols[ok]
