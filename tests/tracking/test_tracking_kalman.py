"""Kalman kernels: against a hand-written loop, against Stone Soup, and EKF consistency (NEES)."""

import datetime

import numpy as np
import pytest
from scipy import stats

from iadsim.tracking.kalman import (
    enu_to_rae, kf_predict, kf_update, radar_measurement, radar_residual, rae_to_enu, wrap_angle_rad,
)
from iadsim.tracking.motion import MotionModel, process_noise, transition_matrix

TOL_REL = 1e-9
SS_ORDER = {6: [0, 3, 1, 4, 2, 5], 9: [0, 3, 6, 1, 4, 7, 2, 5, 8]}  # ours -> Stone Soup's interleaved layout


def _random_spd(rng, n, d, scale=100.0):
    a = rng.normal(size=(n, d, d)) * scale
    return a @ np.swapaxes(a, 1, 2) + np.eye(d) * scale


def _matmul_loop(a, b):
    out = [[0.0] * len(b[0]) for _ in a]
    for i in range(len(a)):
        for j in range(len(b[0])):
            out[i][j] = sum(a[i][k] * b[k][j] for k in range(len(b)))
    return np.array(out)


def test_predict_update_match_scalar_loop_reference():
    rng = np.random.default_rng(1)
    f, q = MotionModel("cv", 2.0).matrices(1.5)
    x, p = rng.normal(size=(4, 6)) * 100, _random_spd(rng, 4, 6)
    z, r = rng.normal(size=(4, 3)) * 100, _random_spd(rng, 4, 3, 10.0)
    h = np.eye(3, 6)
    xp, pp = kf_predict(x, p, f, q)
    xu, pu, _ = kf_update(xp, pp, z - xp[:, :3], h, r)
    for i in range(4):
        xp_ref = _matmul_loop(f, x[i][:, None])[:, 0]
        pp_ref = _matmul_loop(_matmul_loop(f, p[i]), f.T) + q
        s = _matmul_loop(_matmul_loop(h, pp_ref), h.T) + r[i]
        k = _matmul_loop(_matmul_loop(pp_ref, h.T), np.linalg.inv(s))
        xu_ref = xp_ref + _matmul_loop(k, (z[i] - xp_ref[:3])[:, None])[:, 0]
        pu_ref = pp_ref - _matmul_loop(_matmul_loop(k, s), k.T)
        np.testing.assert_allclose(xp[i], xp_ref, rtol=TOL_REL, atol=1e-9)
        np.testing.assert_allclose(pp[i], pp_ref, rtol=TOL_REL, atol=1e-9)
        np.testing.assert_allclose(xu[i], xu_ref, rtol=TOL_REL, atol=1e-9)
        np.testing.assert_allclose(pu[i], pu_ref, rtol=TOL_REL, atol=1e-7)


@pytest.mark.parametrize("kind", ["cv", "ca"])
def test_predict_update_match_stonesoup(kind):
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel, ConstantAcceleration, ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    rng = np.random.default_rng(2)
    q_psd, dt_s = 3.0, 2.5
    model = MotionModel(kind, q_psd)
    d = model.dim
    per = SS_ORDER[d]
    axis = ConstantVelocity(q_psd) if kind == "cv" else ConstantAcceleration(q_psd)
    ss_pred = KalmanPredictor(CombinedLinearGaussianTransitionModel([axis] * 3))
    r = _random_spd(rng, 1, 3, 30.0)[0]
    mapping = tuple(per.index(i) for i in range(3))  # where x, y, z sit in Stone Soup's layout
    ss_upd = KalmanUpdater(LinearGaussian(ndim_state=d, mapping=mapping, noise_covar=r))
    t0 = datetime.datetime(2025, 1, 1)
    x, p, z = rng.normal(size=(5, d)) * 50, _random_spd(rng, 5, d), rng.normal(size=(5, 3)) * 100
    xp, pp = kf_predict(x, p, *model.matrices(dt_s))
    xu, pu, _ = kf_update(xp, pp, z - xp[:, :3], np.eye(3, d), r)
    for i in range(5):
        prior = GaussianState(x[i][per][:, None], p[i][np.ix_(per, per)], timestamp=t0)
        pred = ss_pred.predict(prior, timestamp=t0 + datetime.timedelta(seconds=dt_s))
        det = Detection(z[i][:, None], timestamp=pred.timestamp, measurement_model=ss_upd.measurement_model)
        post = ss_upd.update(SingleHypothesis(pred, det))
        np.testing.assert_allclose(xp[i][per], np.asarray(pred.state_vector, float)[:, 0], rtol=TOL_REL)
        np.testing.assert_allclose(pp[i][np.ix_(per, per)], pred.covar, rtol=TOL_REL, atol=1e-9)
        np.testing.assert_allclose(xu[i][per], np.asarray(post.state_vector, float)[:, 0], rtol=TOL_REL, atol=1e-9)
        np.testing.assert_allclose(pu[i][np.ix_(per, per)], post.covar, rtol=1e-8, atol=1e-7)


def test_model_matrices_cached_and_composable():
    m = MotionModel("cv", 1.0)
    f1, q1 = m.matrices(1.0)
    assert m.matrices(1.0)[0] is f1 and not f1.flags.writeable
    f2, q2 = m.matrices(2.0)
    np.testing.assert_allclose(f1 @ f1, f2, atol=1e-12)
    np.testing.assert_allclose(f1 @ q1 @ f1.T + q1, q2, atol=1e-12)  # exact for continuous white noise
    assert transition_matrix("ca", 0.0).tolist() == np.eye(9).tolist()
    assert np.all(process_noise("ca", 0.0, 1.0) == 0)
    with pytest.raises(ValueError, match="kind"):
        MotionModel("singer")


def test_polar_conversions_round_trip_and_conventions():
    rel = np.array([[0.0, 1000.0, 0.0], [1000.0, 0.0, 0.0], [-3.0, -4.0, 12.0]])
    rng_m, az, el = enu_to_rae(rel)
    np.testing.assert_allclose(az[:2], [0.0, np.pi / 2], atol=1e-15)  # north = 0, east = π/2 (clockwise)
    np.testing.assert_allclose(rng_m[2], 13.0)
    np.testing.assert_allclose(rae_to_enu(rng_m, az, el), rel, atol=1e-12)
    np.testing.assert_allclose(wrap_angle_rad(np.array([3 * np.pi / 2, -3 * np.pi / 2, np.pi])),
                               [-np.pi / 2, np.pi / 2, np.pi])


@pytest.mark.parametrize("with_rate", [False, True])
def test_radar_jacobian_matches_finite_differences(with_rate):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-5e4, 5e4, (6, 3)), rng.normal(0, 200, (6, 3))], 1)
    radar = np.array([100.0, -200.0, 30.0])
    z, jac = radar_measurement(x, radar, with_rate)
    eps = np.array([1e-3] * 3 + [1e-4] * 3)
    for j in range(6):
        dx = np.zeros(6)
        dx[j] = eps[j]
        zp, _ = radar_measurement(x + dx, radar, with_rate)
        zm, _ = radar_measurement(x - dx, radar, with_rate)
        num = radar_residual(zp, zm) / (2 * eps[j])
        np.testing.assert_allclose(jac[..., j], num, rtol=1e-5, atol=1e-10)


@pytest.mark.parametrize("with_rate", [False, True])
def test_ekf_nees_within_chi_square_bounds(with_rate):
    """Seeded Monte Carlo (runs batched as tracks): average NEES stays consistent with χ²(6)."""
    rng = np.random.default_rng(4)
    n_runs, n_steps, dt_s, q = 400, 30, 1.0, 1.0
    f, qm = MotionModel("cv", q).matrices(dt_s)
    radar = np.zeros(3)
    sig = np.array([30.0, 2e-3, 2e-3, 2.0][: 4 if with_rate else 3])
    truth = np.column_stack([rng.uniform(2e4, 6e4, n_runs), rng.uniform(-4e4, 4e4, n_runs),
                             rng.uniform(2e3, 9e3, n_runs), rng.normal(0, 150, (n_runs, 2)), rng.normal(0, 5, n_runs)])
    p = np.broadcast_to(np.diag([200.0**2] * 3 + [50.0**2] * 3), (n_runs, 6, 6)).copy()
    x = truth + rng.standard_normal((n_runs, 6)) @ np.linalg.cholesky(p[0]).T
    chol_q = np.linalg.cholesky(qm)
    r = np.diag(sig**2)
    nees = []
    for _ in range(n_steps):
        truth = truth @ f.T + rng.standard_normal((n_runs, 6)) @ chol_q.T
        x, p = kf_predict(x, p, f, qm)
        z_true, _ = radar_measurement(truth, radar, with_rate)
        z = z_true + rng.standard_normal(z_true.shape) * sig
        zhat, h = radar_measurement(x, radar, with_rate)
        x, p, _ = kf_update(x, p, radar_residual(z, zhat), h, r)
        e = x - truth
        nees.append(np.einsum("ni,ni->n", e, np.linalg.solve(p, e[..., None])[..., 0]).mean())
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], 6 * n_runs) / n_runs
    nees = np.array(nees)
    assert np.all((nees > lo) & (nees < hi)), nees


def test_direct_lapack_calls_equal_numpy_linalg_bit_for_bit():
    """The tracker's einsum, solve, inverse and log-determinant call numpy's C functions without
    the public wrappers (iadsim.npfast): the same floats as numpy's, and a singular matrix still raises."""
    from iadsim.npfast import einsum, inv, logdet, solve
    from iadsim.tracking.kalman import gaussian_loglik, mahalanobis_sq

    rng = np.random.default_rng(11)
    for m in (3, 4):
        a = rng.standard_normal((7, m, m)) * rng.uniform(0.1, 1e4, (7, 1, 1))
        s = a @ np.swapaxes(a, -1, -2) + np.eye(m)
        resid = rng.standard_normal((7, m)) * 100.0
        assert np.array_equal(solve(s, resid[..., None]), np.linalg.solve(s, resid[..., None]))
        assert np.array_equal(inv(s), np.linalg.inv(s))
        assert np.array_equal(logdet(s), np.linalg.slogdet(s)[1])
        assert np.array_equal(einsum("kij,kj->ki", s, resid), np.einsum("kij,kj->ki", s, resid))
        d2 = np.einsum("...i,...i->...", resid, np.linalg.solve(s, resid[..., None])[..., 0])
        assert np.array_equal(mahalanobis_sq(resid, s), d2)
        want = -0.5 * (d2 + np.linalg.slogdet(s)[1] + m * np.log(2.0 * np.pi))
        assert np.array_equal(gaussian_loglik(resid, s), want)
    with pytest.raises(np.linalg.LinAlgError):
        solve(np.zeros((2, 3, 3)), np.ones((2, 3, 1)))
    with pytest.raises(np.linalg.LinAlgError):
        inv(np.zeros((1, 3, 3)))
