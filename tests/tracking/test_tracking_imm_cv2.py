"""The specialised two-model CV IMM prediction (imm_predict_cv2) against the generic kernels
(imm_mix, then kf_predict per model), and its per-row independence (what batched runs rely on)."""

import numpy as np
import pytest
from scipy.linalg import expm

from iadsim.tracking.imm import imm_mix, imm_predict_cv2
from iadsim.tracking.kalman import kf_predict
from iadsim.tracking.motion import MotionModel

TOL_REL = 1e-9


def _tracks(rng, n):
    """Random two-model tracks: positions ~100 km, velocities ~300 m/s, SPD covariances of
    different scales per model (asymmetric by rounding, as after an update), mode probabilities."""
    x = rng.normal(size=(n, 2, 6)) * np.array([1e5, 1e5, 1e4, 300.0, 300.0, 50.0])
    x[:, 1] += rng.normal(size=(n, 6)) * np.array([50.0, 50.0, 50.0, 20.0, 20.0, 5.0])
    a = rng.normal(size=(n, 2, 6, 6)) * rng.uniform(1.0, 300.0, size=(n, 2, 1, 1))
    p = a @ np.swapaxes(a, -1, -2) + np.eye(6)
    p += rng.normal(size=p.shape) * 1e-12 * np.abs(p)  # not exactly symmetric
    mu = rng.dirichlet([1.0, 1.0], size=n)
    mu[0] = (1.0, 0.0)
    mu[1] = (1e-300, 1.0)
    return x, p, mu


@pytest.mark.parametrize("dt_s", [0.25, 1.0, 10.0])
def test_imm_predict_cv2_equals_mix_then_predict(dt_s):
    rng = np.random.default_rng(7)
    x, p, mu = _tracks(rng, 300)
    models = [MotionModel("cv", 1.0), MotionModel("cv", 400.0)]
    f = np.stack([m.matrices(dt_s)[0] for m in models])
    q = np.stack([m.matrices(dt_s)[1] for m in models])
    gen = np.array([[-1 / 60, 1 / 60], [1 / 15, -1 / 15]])
    trans = expm(gen * dt_s)
    x0, p0, mu_ref = imm_mix(x, p, mu, trans)
    x_ref, p_ref = kf_predict(x0, p0, f, q)
    x_new, p_new, mu_new = imm_predict_cv2(x.copy(), p.copy(), mu, trans, dt_s, q)
    np.testing.assert_allclose(mu_new, mu_ref, rtol=TOL_REL, atol=1e-300)
    # states: within 1e-9 of their magnitude (m, m/s); covariances: of each matrix's largest entry
    scale_x = np.abs(x_ref).max(axis=-1, keepdims=True)
    assert (np.abs(x_new - x_ref) <= TOL_REL * scale_x).all()
    scale_p = np.abs(p_ref).max(axis=(-2, -1), keepdims=True)
    assert (np.abs(p_new - p_ref) <= TOL_REL * scale_p).all()
    assert np.array_equal(p_new, np.swapaxes(p_new, -1, -2))  # exactly symmetric


def test_imm_predict_cv2_rows_independent_of_batch_and_in_place():
    """Each row gives the same floats whatever rows surround it (random subsets, reused scratch),
    and the arrays passed in are the ones updated."""
    rng = np.random.default_rng(3)
    x, p, mu = _tracks(rng, 500)
    q = np.stack([MotionModel("cv", v).matrices(1.0)[1] for v in (1.0, 400.0)])
    trans = expm(np.array([[-1 / 60, 1 / 60], [1 / 15, -1 / 15]]))
    xa, pa = x.copy(), p.copy()
    x_all, p_all, mu_all = imm_predict_cv2(xa, pa, mu, trans, 1.0, q)
    assert x_all is xa and p_all is pa
    work: dict = {}
    for k in (1, 17, 250, 499):
        rows = np.sort(rng.choice(500, k, replace=False))
        xs, ps, ms = imm_predict_cv2(x[rows], p[rows], mu[rows], trans, 1.0, q, work)
        assert np.array_equal(xs, x_all[rows]) and np.array_equal(ps, p_all[rows]) and np.array_equal(ms, mu_all[rows])
