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
