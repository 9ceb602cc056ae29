"""Command-post fusion (issue #17 item 4): covariance intersection against hand-computed values and
Stone Soup's CovarianceIntersection; the prediction against its closed form; track-to-track
association against exhaustive enumeration and Stone Soup's one-to-one associator."""

import itertools

import numpy as np
import pytest

from iadsim.network import fusion


def _state(pos, vel=(0.0, 0.0, 0.0)):
    return np.array(list(pos) + list(vel), float)


def test_ci_of_two_diagonal_tracks_by_hand():
    """A: σ² = 100 m² on every position axis, B: σ² = 400 m²; fast-CI weights 1/tr: ω_A = (1/300)/(1/300 + 1/1200)
    = 0.8, ω_B = 0.2. Fused information 0.8/100 + 0.2/400 = 0.0085 → P = 117.647 m²; mean (0.8·0/100 + 0.2·50/400)/0.0085
    = 2.941 m along x."""
    pa, pb = np.diag([100.0] * 3 + [25.0] * 3), np.diag([400.0] * 3 + [25.0] * 3)
    x = np.stack([_state((0, 0, 0)), _state((50, 0, 0))])
    cov = np.stack([pa, pb])
    w = fusion.ci_weights(cov, np.array([0, 0]), 1)
    assert w == pytest.approx([0.8, 0.2])
    xf, pf = fusion.covariance_intersection(x, cov, np.array([0, 0]), 1)
    assert pf[0, 0, 0] == pytest.approx(1 / 0.0085, rel=1e-12)
    assert xf[0, 0] == pytest.approx(0.2 * 50 / 400 / 0.0085, rel=1e-12)
    assert pf[0, 3, 3] == pytest.approx(25.0)  # equal velocity variances stay: 1/(0.8/25 + 0.2/25)
    # CI is never more confident than the better input (consistency whatever the correlation)
    assert np.all(np.linalg.eigvalsh(pf[0] - np.linalg.inv(np.linalg.inv(pa) + np.linalg.inv(pb))) > -1e-9)


def test_ci_matches_stone_soup_covariance_intersection():
    from stonesoup.mixturereducer.gaussianmixture import CovarianceIntersection
    from stonesoup.types.state import GaussianState

    rng = np.random.default_rng(7)
    for _ in range(5):
        mats = []
        for _ in range(2):
            a = rng.normal(size=(6, 6))
            mats.append(a @ a.T + 6 * np.eye(6))
        x = rng.normal(size=(2, 6)) * 100
        omega = rng.uniform(0.1, 0.9)
        xf, pf = fusion.covariance_intersection(x, np.stack(mats), np.array([0, 0]), 1, omega=np.array([omega, 1 - omega]))
        ss = CovarianceIntersection.merge_components(GaussianState(x[0][:, None], mats[0]),
                                                     GaussianState(x[1][:, None], mats[1]), weights=[omega, 1 - omega])
        assert np.allclose(xf[0], np.asarray(ss.state_vector, float).ravel(), rtol=1e-9, atol=1e-9)
        assert np.allclose(pf[0], np.asarray(ss.covar, float), rtol=1e-9, atol=1e-9)


def test_ci_groups_are_independent_and_single_tracks_pass_through():
    rng = np.random.default_rng(3)
    cov = np.stack([np.diag(rng.uniform(10, 100, 6)) for _ in range(5)])
    x = rng.normal(size=(5, 6))
    group = np.array([0, 1, 1, 2, 2])
    xf, pf = fusion.covariance_intersection(x, cov, group, 3)
    assert np.allclose(xf[0], x[0]) and np.allclose(pf[0], cov[0])
    x2, p2 = fusion.covariance_intersection(x[1:3], cov[1:3], np.array([0, 0]), 1)
    assert np.allclose(xf[1], x2[0]) and np.allclose(pf[1], p2[0])


def test_cv_prediction_closed_form():
    """Position moves by v·dt; the position variance of a white-noise-acceleration model grows by
    σ_v² dt² + q dt³/3 (no initial cross-covariance)."""
    x = np.array([_state((1000, 0, 0), (200, -100, 0))])
    p = np.diag([100.0] * 3 + [4.0] * 3)[None]
    xp, pp = fusion.predict_cv(x, p, np.array([3.0]), q_m2ps3=10.0)
    assert xp[0, :3] == pytest.approx([1600, -300, 0])
    assert pp[0, 0, 0] == pytest.approx(100 + 4 * 9 + 10 * 27 / 3)
    assert pp[0, 0, 3] == pytest.approx(4 * 3 + 10 * 9 / 2) and pp[0, 3, 3] == pytest.approx(4 + 30)
    assert np.allclose(pp[0], pp[0].T)


def _brute(d2, gate):
    """Minimum-sum one-to-one assignment inside the gate by enumeration, maximising the pairs first."""
    a, b = d2.shape
    best = (-1, 0.0, None)
    for perm in itertools.permutations(range(b), a) if a <= b else [None]:
        pairs = [(i, j) for i, j in enumerate(perm) if d2[i, j] <= gate]
        n, cost = len(pairs), sum(d2[i, j] for i, j in pairs)
        if n > best[0] or (n == best[0] and cost < best[1]):
            best = (n, cost, pairs)
    return best


def test_association_is_the_exact_assignment_inside_the_gate():
    rng = np.random.default_rng(11)
    for _ in range(20):
        a, b = 3, 4
        xb = np.concatenate([rng.uniform(-2000, 2000, (b, 3)), np.zeros((b, 3))], axis=1)
        xa = xb[rng.permutation(b)[:a]] + np.concatenate([rng.normal(0, 80, (a, 3)), np.zeros((a, 3))], axis=1)
        pa = np.stack([np.diag([900.0] * 3 + [100.0] * 3)] * a)
        pb = np.stack([np.diag([1600.0] * 3 + [100.0] * 3)] * b)
        got = fusion.associate(xa, pa, xb, pb)
        d2 = fusion.distance2(xa, pa, xb, pb)
        n, cost, pairs = _brute(d2, fusion.GATE_D2)
        mine = [(i, j) for i, j in enumerate(got) if j >= 0]
        assert len(mine) == n and sum(d2[i, j] for i, j in mine) == pytest.approx(cost)


def test_association_matches_stone_soup_one_to_one_associator():
    from stonesoup.dataassociator.general import OneToOneAssociator
    from stonesoup.measures import SquaredMahalanobis
    from stonesoup.types.state import GaussianState

    rng = np.random.default_rng(5)
    b = 5
    xb = np.concatenate([rng.uniform(-3000, 3000, (b, 3)), np.zeros((b, 3))], axis=1)
    xa = xb[[3, 0, 4]] + np.concatenate([rng.normal(0, 50, (3, 3)), np.zeros((3, 3))], axis=1)
    pa = np.stack([np.diag([400.0] * 3 + [100.0] * 3)] * 3)
    pb = np.stack([np.diag([900.0] * 3 + [100.0] * 3)] * b)
    got = fusion.associate(xa, pa, xb, pb)
    # Stone Soup's measure uses the first state's covariance: give it the summed position covariance
    measure = SquaredMahalanobis(mapping=[0, 1, 2])
    sa = [GaussianState(xa[i][:, None], pa[i] + pb[0]) for i in range(3)]
    sb = [GaussianState(xb[j][:, None], pb[j]) for j in range(b)]
    assoc, _, _ = OneToOneAssociator(measure=measure, association_threshold=fusion.GATE_D2).associate(sa, sb)
    theirs = {next(i for i, s in enumerate(sa) if any(o is s for o in a.objects)):
              next(j for j, s in enumerate(sb) if any(o is s for o in a.objects)) for a in assoc}
    assert theirs == {i: int(j) for i, j in enumerate(got) if j >= 0} == {0: 3, 1: 0, 2: 4}


def test_gate_and_allowed_mask_refuse_pairs():
    xa = np.array([_state((0, 0, 0))])
    xb = np.array([_state((0, 0, 0)), _state((10_000, 0, 0))])
    p = np.stack([np.eye(6) * 100.0] * 2)
    assert fusion.associate(xa, p[:1], xb, p).tolist() == [0]
    assert fusion.associate(xa, p[:1], xb, p, allowed=np.array([[False, True]])).tolist() == [-1]  # the other is gated out
