"""The standalone tracker API: radar (EKF) tracking, several radars, IMM, bad input, Stone Soup parity."""

import sys
from pathlib import Path

import numpy as np
import pytest

from iadsim.tracking.detections import CartesianDetections, Detections
from iadsim.tracking.kalman import enu_to_rae
from iadsim.tracking.mtt import Tracker, TrackerConfig

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
SIG_R_M, SIG_ANG_RAD, SIG_RR_MPS = 20.0, 1e-3, 1.0


def radar_detections(rng, t_s, pos_enu_m, vel_enu_mps, radar_id, radar_pos_enu_m, with_rate=True):
    """Noisy range/az/el(/range rate) of every target seen by one radar."""
    rel = pos_enu_m - radar_pos_enu_m
    rng_m, az, el = enu_to_rae(rel)
    n = len(rel)
    rr = np.einsum("ij,ij->i", rel, vel_enu_mps) / rng_m
    ones = np.ones(n)
    return Detections(
        t_s=np.full(n, t_s), radar_id=np.full(n, radar_id), radar_pos_enu_m=np.tile(radar_pos_enu_m, (n, 1)),
        range_m=rng_m + rng.normal(0, SIG_R_M, n), az_rad=np.mod(az + rng.normal(0, SIG_ANG_RAD, n), 2 * np.pi),
        el_rad=el + rng.normal(0, SIG_ANG_RAD, n), sigma_range_m=SIG_R_M * ones, sigma_az_rad=SIG_ANG_RAD * ones,
        sigma_el_rad=SIG_ANG_RAD * ones, range_rate_mps=rr + rng.normal(0, SIG_RR_MPS, n) if with_rate else None,
        sigma_range_rate_mps=SIG_RR_MPS * ones if with_rate else None, truth_id=np.arange(n))


def concat(dets):
    names = [f for f in Detections.__dataclass_fields__]
    return Detections(**{f: (None if getattr(dets[0], f) is None else np.concatenate([getattr(d, f) for d in dets]))
                         for f in names})


def test_radar_tracking_with_two_radars_and_radar_mask():
    rng = np.random.default_rng(1)
    radars = np.array([[0.0, 0.0, 10.0], [30e3, -5e3, 20.0]])
    pos0 = np.array([[40e3, 60e3, 8e3], [-30e3, 50e3, 5e3], [10e3, 80e3, 10e3]])
    vel = np.array([[-200.0, -100.0, 0.0], [150.0, -150.0, 0.0], [0.0, -250.0, 0.0]])
    trk = Tracker(TrackerConfig(q_cv_m2ps3=0.5))
    for k in range(15):
        t_s = 2.0 * k
        parts = [radar_detections(rng, t_s - 0.5, pos0 + vel * (t_s - 0.5), vel, 1, radars[1])]
        if k % 2 == 0:  # radar 0 looks every other step, at the step time; given first to test sorting
            parts.insert(0, radar_detections(rng, t_s, pos0 + vel * t_s, vel, 0, radars[0]))
        out = trk.step(t_s, concat(parts) if k else parts[-1])
    truth = pos0 + vel * t_s
    assert len(out.id) == 3
    err = np.linalg.norm(out.pos_enu_m[:, None] - truth[None], axis=-1).min(axis=1)
    assert np.all(err < 150.0)
    assert np.all(np.abs(np.sort(np.linalg.norm(out.vel_enu_mps, axis=1)) - np.sort(np.linalg.norm(vel, axis=1))) < 15)
    assert sorted(out.radar_mask.tolist()) == [0b11] * 3
    assert sorted(out.truth_id.tolist()) == [0, 1, 2]  # carried for scoring
    np.testing.assert_array_equal(out.t_last_s, t_s)
    assert out.cov.shape == (3, 6, 6) and out.mode_prob.shape == (3, 1)


def test_imm_switches_to_manoeuvre_model_on_a_turn():
    rng = np.random.default_rng(2)
    trk = Tracker(TrackerConfig(motion="imm", gate=6.0, confirm_m=2, confirm_n=2))
    pos, vel, omega = np.array([0.0, 20e3, 5e3]), np.array([250.0, 0.0, 0.0]), 0.2  # 50 m/s² turn
    p_manoeuvre = {}
    for k in range(70):
        turning = 30 <= k < 45
        if k:
            if turning:
                c, s = np.cos(omega), np.sin(omega)
                v_new = np.array([c * vel[0] + s * vel[1], -s * vel[0] + c * vel[1], 0.0])
                pos = pos + (vel + v_new) / 2.0
                vel = v_new
            else:
                pos = pos + vel
        z = pos[None] + rng.normal(0, 30.0, (1, 3))
        out = trk.step(float(k), CartesianDetections.isotropic(float(k), z, 30.0))
        if len(out.id):
            p_manoeuvre[k] = out.mode_prob[0, 1]
    assert len(out.id) == 1
    assert np.mean([p_manoeuvre[k] for k in range(20, 30)]) < 0.3  # straight: quiet model
    assert np.mean([p_manoeuvre[k] for k in range(34, 45)]) > 0.7  # turning: manoeuvre model
    assert np.mean([p_manoeuvre[k] for k in range(62, 70)]) < 0.3


def test_ca_model_tracks_an_accelerating_target():
    rng = np.random.default_rng(3)
    trk = Tracker(TrackerConfig(motion="ca", q_ca_m2ps5=0.1, confirm_m=2, confirm_n=2))
    acc = np.array([20.0, -10.0, 0.0])
    for k in range(30):
        truth = np.array([1e3, 2e3, 3e3]) + 0.5 * acc * k**2
        out = trk.step(float(k), CartesianDetections.isotropic(float(k), truth[None] + rng.normal(0, 20, (1, 3)), 20.0))
    assert out.cov.shape == (1, 9, 9)
    np.testing.assert_allclose(out.vel_enu_mps[0], acc * 29, atol=15.0)


def test_empty_scans_are_normal():
    trk = Tracker()
    for k in range(3):
        out = trk.step(float(k), None)
        assert len(out.id) == 0
    out = trk.step(3.0, CartesianDetections.isotropic(3.0, np.zeros((0, 3)), 10.0))
    assert out.pos_enu_m.shape == (0, 3) and out.new_ids.size == 0


def _good_radar_kwargs(n=2):
    return dict(t_s=np.zeros(n), radar_id=np.zeros(n, int), radar_pos_enu_m=np.zeros((n, 3)),
                range_m=np.full(n, 1e4), az_rad=np.zeros(n), el_rad=np.full(n, 0.1), sigma_range_m=np.ones(n),
                sigma_az_rad=np.full(n, 1e-3), sigma_el_rad=np.full(n, 1e-3))


@pytest.mark.parametrize("field,value,match", [
    ("range_m", np.array([1e4, np.nan]), "range_m"),
    ("az_rad", np.zeros(3), "az_rad"),
    ("radar_pos_enu_m", np.zeros((2, 2)), "radar_pos_enu_m"),
    ("t_s", np.zeros((2, 1)), "t_s"),
    ("sigma_range_m", np.array([1.0, 0.0]), "sigma_range_m"),
    ("radar_id", np.array([0, 63]), "radar_id"),
    ("range_rate_mps", np.zeros(2), "range_rate_mps"),
])
def test_bad_detections_name_the_field(field, value, match):
    kw = _good_radar_kwargs() | {field: value}
    with pytest.raises(ValueError, match=match):
        Detections(**kw)


def test_bad_cartesian_detections_and_times():
    with pytest.raises(ValueError, match="pos_enu_m"):
        CartesianDetections.isotropic(0.0, np.array([[0.0, np.inf, 0.0]]), 10.0)
    with pytest.raises(ValueError, match="cov_enu_m2"):
        CartesianDetections(np.zeros(1), np.zeros(1, int), np.zeros((1, 3)), np.eye(3)[None, :2])
    trk = Tracker()
    trk.step(5.0, Detections(**_good_radar_kwargs() | dict(t_s=np.full(2, 5.0))))
    with pytest.raises(ValueError, match="t_s"):
        trk.step(4.0)  # time going backwards
    with pytest.raises(ValueError, match="t_s"):
        trk.step(6.0, Detections(**_good_radar_kwargs() | dict(t_s=np.full(2, 7.0))))  # detection after the step
    with pytest.raises(ValueError, match="t_s"):
        trk.step(6.0, Detections(**_good_radar_kwargs() | dict(t_s=np.full(2, 4.0))))  # before the last step
    with pytest.raises(ValueError, match="t_s"):
        trk.step(np.nan)
    with pytest.raises(ValueError, match="detections"):
        trk.step(6.0, np.zeros((2, 3)))


def test_like_for_like_identical_to_stonesoup_scan_by_scan():
    """Same scenario, same logic: every scan's confirmed tracks match Stone Soup's to a micrometre."""
    sys.path.insert(0, str(BENCH_DIR))
    from tracking_scenario import make_scenario
    from tracking_stonesoup import StoneSoupTracker, to_detections

    sc = make_scenario(6, 30, seed=3)
    ss = StoneSoupTracker(q_m2ps3=sc.q_m2ps3, sigma_m=sc.sigma_m)
    ours = Tracker(TrackerConfig.stonesoup_tutorial(q_cv_m2ps3=sc.q_m2ps3))
    n_compared = 0
    for k, z in enumerate(sc.det_pos_enu_m):
        _, ss_pos = ss.step(k, float(k), to_detections(z, float(k), ss.model))
        out = ours.step(float(k), CartesianDetections.isotropic(float(k), z, sc.sigma_m))
        assert len(ss_pos) == len(out.id)
        a, b = ss_pos[np.lexsort(ss_pos.T)], out.pos_enu_m[np.lexsort(out.pos_enu_m.T)]
        np.testing.assert_allclose(a, b, atol=1e-6)
        n_compared += len(a)
    assert n_compared > 50
