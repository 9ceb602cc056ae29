"""Gating (k-d tree radius, Mahalanobis) and clustered GNN against brute force."""

import itertools

import numpy as np
import pytest

from iadsim.tracking import association
from iadsim.tracking.association import (
    associate_gnn, associate_gnn_dense, candidate_pairs, cluster_labels, gate_radius_m,
)
from iadsim.tracking.kalman import mahalanobis_sq


def _pairs_set(ti, dj):
    return set(zip(ti.tolist(), dj.tolist()))


@pytest.mark.parametrize("strategy", ["dense", "sweep", "tree"])
def test_candidate_pairs_equal_brute_force(strategy, monkeypatch):
    if strategy != "dense":
        monkeypatch.setattr(association, "DENSE_PAIRS_MAX", 0)
    if strategy == "tree":
        monkeypatch.setattr(association, "SWEEP_MAX_PER_POINT", 0)
    rng = np.random.default_rng(1)
    trk, det = rng.uniform(0, 1e4, (150, 3)), rng.uniform(0, 1e4, (120, 3))
    radius = rng.uniform(100, 1500, 150)
    ti, dj = candidate_pairs(trk, radius, det)
    dist = np.linalg.norm(trk[:, None] - det[None], axis=-1)
    assert _pairs_set(ti, dj) == _pairs_set(*np.nonzero(dist <= radius[:, None]))
    assert candidate_pairs(trk[:0], radius[:0], det)[0].size == 0
    assert candidate_pairs(trk, radius, det[:0])[0].size == 0


def test_gate_radius_keeps_every_pair_inside_the_mahalanobis_gate():
    rng = np.random.default_rng(2)
    n, m, gate = 300, 300, 4.0
    a = rng.normal(size=(n, 3, 3)) * rng.uniform(10, 800, (n, 1, 1))
    p_pos = a @ np.swapaxes(a, 1, 2)
    r = np.eye(3) * 100.0**2
    trk, det = rng.uniform(0, 2e4, (n, 3)), rng.uniform(0, 2e4, (m, 3))
    resid = det[None] - trk[:, None]
    d2 = mahalanobis_sq(resid, (p_pos + r)[:, None])
    inside = _pairs_set(*np.nonzero(d2 < gate**2))
    assert len(inside) > 50
    radius = gate_radius_m(p_pos, float(np.trace(r)), gate)
    assert inside <= _pairs_set(*candidate_pairs(trk, radius, det))


def _brute_force_gnn(cost, miss):
    """Enumerate every partial assignment of a small dense matrix (inf = not allowed)."""
    nt, nd = cost.shape
    gated = [i for i in range(nt) if np.isfinite(cost[i]).any()]
    best = np.inf
    for choice in itertools.product(*[[-1] + [j for j in range(nd) if np.isfinite(cost[i, j])] for i in gated]):
        used = [j for j in choice if j >= 0]
        if len(used) != len(set(used)):
            continue
        total = sum(cost[i, j] if j >= 0 else miss for i, j in zip(gated, choice))
        best = min(best, total)
    return best


def test_gnn_per_cluster_equals_dense_and_brute_force():
    rng = np.random.default_rng(3)
    miss = 3.0
    for _ in range(60):
        nt, nd = rng.integers(1, 6), rng.integers(1, 6)
        cost = rng.uniform(0, 3, (nt, nd))
        cost[rng.random((nt, nd)) < 0.5] = np.inf
        ti, dj = np.nonzero(np.isfinite(cost))
        at, ad = associate_gnn(ti, dj, cost[ti, dj], miss, nt, nd)
        gated = np.isfinite(cost).any(axis=1).sum()
        total = cost[at, ad].sum() + miss * (gated - len(at))
        assert total == pytest.approx(_brute_force_gnn(cost, miss), abs=1e-12)
        bt, bd = associate_gnn_dense(cost, miss)
        assert total == pytest.approx(cost[bt, bd].sum() + miss * (gated - len(bt)), abs=1e-12)
        assert len(set(at.tolist())) == len(at) and len(set(ad.tolist())) == len(ad)


def test_gnn_may_prefer_a_miss_like_stonesoup():
    """Missed cost = gate, as in GNNWith2DAssignment: 0.1 + 3 (miss) beats the full 2.95 + 0.2."""
    cost = np.array([[0.1, 2.95], [0.2, np.inf]])
    ti, dj = np.nonzero(np.isfinite(cost))
    at, ad = associate_gnn(ti, dj, cost[ti, dj], 3.0, 2, 2)
    assert list(zip(at.tolist(), ad.tolist())) == [(0, 0)]


def test_cluster_labels_split_independent_groups():
    ti, dj = np.array([0, 1, 1, 2, 3]), np.array([0, 0, 1, 2, 3])
    lab = cluster_labels(ti, dj, 4, 4)
    assert lab[0] == lab[1] == lab[2] and len({lab[0], lab[3], lab[4]}) == 3


def test_interval_pairs_grouped_equal_brute_force():
    """1-D windows within groups: exactly the same-group pairs with |Δ| <= half width."""
    from iadsim.tracking.association import interval_pairs_grouped

    rng = np.random.default_rng(3)
    n, m = 200, 250
    tv, dv = rng.uniform(0, 4e5, n), rng.uniform(0, 4e5, m)
    tg, dg = rng.integers(0, 5, n), rng.integers(0, 5, m)
    half = rng.uniform(10, 2e4, n)
    ti, dj = interval_pairs_grouped(tv, half, tg, dv, dg)
    want = (np.abs(dv[None] - tv[:, None]) <= half[:, None]) & (tg[:, None] == dg[None])
    assert _pairs_set(ti, dj) == _pairs_set(*np.nonzero(want)) and len(ti) > 100
    assert len(ti) == len(_pairs_set(ti, dj))  # no pair twice
    assert interval_pairs_grouped(tv[:0], half[:0], tg[:0], dv, dg)[0].size == 0


def test_interval_pairs_one_group_equal_brute_force_and_grouped_path():
    """One group (a run alone) takes a shorter path: exactly the brute-force pairs, and the same
    pairs in the same order as the general path gives the same rows placed in another group."""
    from iadsim.tracking.association import interval_pairs_grouped

    rng = np.random.default_rng(5)
    n, m = 150, 180
    tv, dv = rng.uniform(0, 4e5, n), rng.uniform(0, 4e5, m)
    dv[:20] = dv[20:40]  # ties in the sort
    half = rng.uniform(10, 2e4, n)
    zt, zd = np.zeros(n, np.int64), np.zeros(m, np.int64)
    ti, dj = interval_pairs_grouped(tv, half, zt, dv, zd)
    want = np.abs(dv[None] - tv[:, None]) <= half[:, None]
    assert _pairs_set(ti, dj) == _pairs_set(*np.nonzero(want)) and len(ti) > 100
    assert np.all(np.diff(ti) >= 0)  # track indices non-decreasing (the tracker relies on it)
    ti2, dj2 = interval_pairs_grouped(tv, half, zt + 2, dv, zd + 2)  # groups 0 and 1 empty: general path
    assert np.array_equal(ti, ti2) and np.array_equal(dj, dj2)


@pytest.mark.parametrize("n_runs", [1, 3])
def test_radar_gate_misses_no_pair_inside_the_mahalanobis_gate(n_runs):
    """The tracker's measurement-space candidate search (range window, component bounds) keeps
    every (track, detection) pair of the same run whose EKF Mahalanobis distance is inside the
    gate, computed by brute force over all pairs, and gives it the same distance."""
    from iadsim.tracking.detections import Detections
    from iadsim.tracking.kalman import radar_measurement, radar_residual
    from iadsim.tracking.mtt import Tracker, TrackerConfig

    rng = np.random.default_rng(4)
    trk = Tracker(TrackerConfig(motion="imm", gate=4.0), n_runs=n_runs)
    radar = np.array([0.0, 0.0, 10.0])

    def dets(t_s, pos, vel):
        rel = pos - radar
        r = np.linalg.norm(rel, axis=1)
        k = len(pos)
        return Detections(t_s=np.full(k, t_s), radar_id=np.zeros(k, int), radar_pos_enu_m=np.tile(radar, (k, 1)),
                          range_m=r, az_rad=np.mod(np.arctan2(rel[:, 0], rel[:, 1]), 2 * np.pi),
                          el_rad=np.arcsin(rel[:, 2] / r), sigma_range_m=np.full(k, 30.0), sigma_az_rad=np.full(k, 2e-3),
                          sigma_el_rad=np.full(k, 2e-3), range_rate_mps=np.einsum("ij,ij->i", rel, vel) / r,
                          sigma_range_rate_mps=np.full(k, 5.0))

    n = 120  # a dense stream: raiders 300 m apart along one route
    pos = np.c_[np.linspace(40e3, 76e3, n), np.full(n, 30e3), np.full(n, 500.0)]
    vel = np.tile([-250.0, 0.0, 0.0], (n, 1))
    run = rng.integers(0, n_runs, n)
    trk.step_runs(0.0, dets(0.0, pos, vel), run, np.ones(n_runs, bool))  # one tentative track per raider
    later = dets(10.0, pos + 10.0 * vel + rng.normal(0, 200.0, (n, 3)), vel)
    meas = trk._measurements(later, np.arange(n), 10.0)
    meas.run = rng.integers(0, n_runs, n)
    trk._predict_to(10.0)
    tracks, all_dets = np.arange(trk.n_tracks), np.arange(n)
    ti, dj, d2 = trk._gate_polar(tracks, all_dets, meas)
    xc, pc = trk._combined()
    zhat, h = radar_measurement(xc, radar, True)
    s = h @ pc @ np.swapaxes(h, -1, -2)
    full = mahalanobis_sq(radar_residual(meas.z[None], zhat[:, None]), s[:, None] + meas.r[None])  # (tracks, dets)
    same_run = trk._a["run"][:, None] == meas.run[None]
    inside = _pairs_set(*np.nonzero((full < 16.0) & same_run))
    got = dict(zip(zip(ti.tolist(), dj.tolist()), d2.tolist()))
    assert len(inside) > n and inside <= set(got)
    assert all(np.isclose(got[p], full[p], rtol=1e-12) for p in inside)
    assert len(got) < 3 * len(inside) + n  # the search is tight: far fewer than all n x n pairs


def test_small_clusters_solved_together_equal_brute_force():
    """Many small clusters (up to 3 × 3, solved by enumeration, all at once) and a few larger
    ones (dense assignment): the total cost equals brute force cluster by cluster."""
    rng = np.random.default_rng(11)
    ti, dj, cost, base_t, base_d, blocks = [], [], [], 0, 0, []
    for _ in range(300):
        nt, nd = rng.integers(1, 5, 2)
        mask = rng.random((nt, nd)) < 0.7
        mask[rng.integers(nt), :] = True  # connected enough to form clusters of several shapes
        c = np.where(mask, rng.uniform(0, 5, (nt, nd)), np.inf)
        blocks.append(c)
        r, k = np.nonzero(mask)
        ti.append(r + base_t)
        dj.append(k + base_d)
        cost.append(c[r, k])
        base_t, base_d = base_t + nt, base_d + nd
    ti, dj, cost = np.concatenate(ti), np.concatenate(dj), np.concatenate(cost)
    miss = 3.0
    at, ad = associate_gnn(ti, dj, cost, miss, base_t, base_d)
    assert len(set(at.tolist())) == len(at) and len(set(ad.tolist())) == len(ad)
    full = np.full((base_t, base_d), np.inf)
    full[ti, dj] = cost
    got = full[at, ad].sum() + miss * (len(np.unique(ti)) - len(at))
    want, bt, bd = 0.0, 0, 0
    for c in blocks:
        want += _brute_force_gnn(c, miss)
        bt, bd = bt + c.shape[0], bd + c.shape[1]
    assert np.isfinite(full[at, ad]).all()
    assert got == pytest.approx(want, abs=1e-9)
