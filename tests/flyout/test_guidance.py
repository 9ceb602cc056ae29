"""The guidance laws the flyout flies (iadsim.flyout.guidance), against closed forms.

Each function is the one implementation the flyout step calls; here it is called on (3, n)
arrays without a scratch (fresh arrays) and checked against the formula it implements.
"""

import numpy as np
import pytest

from iadsim.flyout.guidance import (MIDCOURSE_TAU_MAX_S, limit_lateral, midcourse_accel,
                                    predicted_intercept_point, shaped_aim_m, time_to_intercept_s)

RNG = np.random.default_rng(15)


def _cols(a):
    """(n, 3) rows -> (3, n) components."""
    return np.ascontiguousarray(np.asarray(a, float).T)


# --- time to intercept ------------------------------------------------------------------------

def test_time_to_intercept_head_on():
    rel = _cols([[0.0, 10_000.0, 0.0]])
    vt = _cols([[0.0, -500.0, 0.0]])
    assert time_to_intercept_s(rel, vt, np.array([1500.0]))[0] == pytest.approx(5.0, abs=1e-12)


def test_time_to_intercept_is_the_smallest_positive_root_of_the_meeting_quadratic():
    """(|v_T|² − V²)t² + 2(r·v_T)t + |r|² = 0, textbook root formula; and the missile then
    meets the target: |r + v_T·t| = V·t to a millimetre."""
    n = 200
    rel = RNG.uniform(-100e3, 100e3, (n, 3))
    vt = RNG.uniform(-700.0, 700.0, (n, 3))
    speed = RNG.uniform(1300.0, 2500.0, n)  # faster than every target (|v_T| < 1213 m/s): one positive root
    t = time_to_intercept_s(_cols(rel), _cols(vt), speed)
    a = np.sum(vt * vt, axis=1) - speed**2
    b = 2.0 * np.sum(rel * vt, axis=1)
    c = np.sum(rel * rel, axis=1)
    roots = np.stack([(-b + np.sqrt(b * b - 4 * a * c)) / (2 * a), (-b - np.sqrt(b * b - 4 * a * c)) / (2 * a)])
    expected = np.where(roots > 0, roots, np.inf).min(axis=0)
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(t, expected, rtol=1e-9)
    miss_m = np.linalg.norm(rel + vt * t[:, None], axis=1) - speed * t
    assert np.abs(miss_m).max() < 1e-3


def test_time_to_intercept_chases_a_target_it_cannot_catch():
    """A receding target faster than the missile: no positive root, the chase time |r|/V."""
    rel = _cols([[0.0, 20_000.0, 3_000.0]])
    vt = _cols([[0.0, 900.0, 0.0]])
    t = time_to_intercept_s(rel, vt, np.array([600.0]))
    assert t[0] == pytest.approx(np.hypot(20_000.0, 3_000.0) / 600.0, rel=1e-12)


def test_predicted_intercept_point_lies_on_the_target_track_at_missile_range():
    pos = np.array([[1_000.0, -2_000.0, 5.0], [0.0, 0.0, 5.0]])
    est_p = np.array([[40e3, 60e3, 8e3], [-30e3, 10e3, 100.0]])
    est_v = np.array([[-250.0, -100.0, 0.0], [200.0, 0.0, 0.0]])
    speed = np.array([1200.0, 900.0])
    pip, t_go = predicted_intercept_point(pos, est_p, est_v, speed)
    np.testing.assert_allclose(pip, est_p + t_go[:, None] * est_v, rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(pip - pos, axis=1), speed * t_go, rtol=1e-9)


# --- midcourse steering -----------------------------------------------------------------------

def _heading_error_case(range_m, eps_rad, speed_mps):
    """A missile at the origin flying north at speed_mps, aim at range_m off by eps_rad (east)."""
    vel = _cols([[0.0, speed_mps, 0.0]])
    los = _cols([[range_m * np.sin(eps_rad), range_m * np.cos(eps_rad), 0.0]])
    return los, vel, np.array([speed_mps])


@pytest.mark.parametrize("eps_deg", [1.0, 10.0, 45.0, 80.0])
def test_midcourse_is_pn_against_a_stationary_point_inside_the_turn_over_range(eps_deg):
    """R < gain·V·τ_max: a = gain·V²·sin ε / R, normal to v, toward the aim (no gravity)."""
    gain, speed, eps = 3.0, 1000.0, np.radians(eps_deg)
    range_m = 0.5 * gain * speed * MIDCOURSE_TAU_MAX_S
    los, vel, sp = _heading_error_case(range_m, eps, speed)
    acc = midcourse_accel(los, vel, sp, np.array([gain]), np.zeros((3, 1)))
    expected = gain * speed**2 * np.sin(eps) / range_m
    assert np.linalg.norm(acc[:, 0]) == pytest.approx(expected, rel=1e-12)
    assert abs(acc[1, 0]) < 1e-9 * expected  # normal to the velocity (north)
    assert acc[0, 0] > 0.0  # toward the aim (east)


def test_midcourse_turn_rate_is_capped_far_out():
    """R > gain·V·τ_max: τ = τ_max, a = V·sin ε / τ_max (a prompt turn-over, not PN)."""
    gain, speed, eps = 3.0, 800.0, np.radians(30.0)
    los, vel, sp = _heading_error_case(100e3, eps, speed)
    acc = midcourse_accel(los, vel, sp, np.array([gain]), np.zeros((3, 1)))
    assert np.linalg.norm(acc[:, 0]) == pytest.approx(speed * np.sin(eps) / MIDCOURSE_TAU_MAX_S, rel=1e-12)


def test_midcourse_aim_behind_is_a_full_rate_turn_and_gravity_is_compensated_normal_to_v():
    gain, speed = 3.0, 900.0
    range_m = 0.5 * gain * speed * MIDCOURSE_TAU_MAX_S
    los, vel, sp = _heading_error_case(range_m, np.radians(150.0), speed)
    g = _cols([[0.0, -3.0, -9.8]])  # along-velocity part (north) is left to the thrust and drag
    acc = midcourse_accel(los, vel, sp, np.array([gain]), g)
    steer = acc[:, 0] + np.array([0.0, 0.0, -9.8])  # a + g⊥v
    tau_s = range_m / (gain * speed)
    assert np.linalg.norm(steer) == pytest.approx(speed / tau_s, rel=1e-12)
    assert abs(steer[1]) < 1e-9 and steer[0] > 0.0


# --- lateral limit ----------------------------------------------------------------------------

def test_limit_lateral_is_normal_to_the_velocity_and_within_the_limit():
    n = 500
    acc = RNG.normal(0.0, 300.0, (3, n))
    vel = RNG.normal(0.0, 800.0, (3, n))
    a_max = RNG.uniform(10.0, 400.0, n)
    a_lat, mag = limit_lateral(acc, vel, np.sum(vel * vel, axis=0), a_max)
    norm = np.linalg.norm(a_lat, axis=0)
    assert np.all(norm <= a_max * (1 + 1e-12))
    u_v = vel / np.linalg.norm(vel, axis=0)
    assert np.abs(np.sum(a_lat * u_v, axis=0)).max() < 1e-9 * norm.max()
    np.testing.assert_allclose(mag, norm, rtol=1e-12)
    # unsaturated rows fly the normal component of the command exactly
    a_perp = acc - np.sum(acc * u_v, axis=0) * u_v
    free = np.linalg.norm(a_perp, axis=0) < a_max
    assert free.any() and (~free).any()
    np.testing.assert_allclose(a_lat[:, free], a_perp[:, free], rtol=1e-9, atol=1e-9)
    # saturated rows keep the direction of the normal component
    sat = ~free
    cos = np.sum(a_lat[:, sat] * a_perp[:, sat], axis=0) / (norm[sat] * np.linalg.norm(a_perp[:, sat], axis=0))
    np.testing.assert_allclose(cos, 1.0, atol=1e-12)


# --- shaped midcourse aim ---------------------------------------------------------------------

FLAT_R_M = 1e12  # a sphere this large drops 1.1 cm over 150 km: altitudes are heights to 5 cm
TOL_M = 0.05
UP = _cols([[0.0, 0.0, 1.0]])


def _aim_altitude_m(x_m, alt_m, pip_alt_m, lookahead_m, slope, cruise_m, earth_r_m=FLAT_R_M):
    """Aim altitude (flat earth) and the aim vector for a PIP x_m north of the missile."""
    d_pip = _cols([[0.0, x_m, pip_alt_m - alt_m]])
    aim = shaped_aim_m(d_pip, UP, np.array([earth_r_m + alt_m]), earth_r_m, np.array([lookahead_m]),
                       np.array([slope]), np.array([cruise_m]))
    return alt_m + aim[2, 0], aim[:, 0]


def test_shaped_aim_is_the_pip_within_one_lookahead():
    """Within one lookahead of the PIP the aim is the PIP itself (round earth too)."""
    for r_earth in (6.371e6, FLAT_R_M):
        d_pip = _cols([[3_000.0, 4_000.0, -2_000.0]])  # 5 km ground distance < lookahead
        aim = shaped_aim_m(d_pip.copy(), UP, np.array([r_earth + 9_000.0]), r_earth, np.array([6_000.0]),
                           np.array([0.7]), np.array([20_000.0]))
        np.testing.assert_allclose(aim, d_pip, rtol=0, atol=1e-3)


def test_shaped_aim_cruises_at_the_profile_altitude_far_out():
    """Far from the PIP a missile at cruise altitude aims at cruise altitude, lookahead ahead."""
    alt, _ = _aim_altitude_m(x_m=150e3, alt_m=20e3, pip_alt_m=100.0, lookahead_m=8e3, slope=0.7, cruise_m=20e3)
    assert alt == pytest.approx(20e3, abs=TOL_M)
    # and a missile still climbing toward cruise aims on the climb ramp, no higher than cruise
    alt, aim = _aim_altitude_m(x_m=150e3, alt_m=5e3, pip_alt_m=100.0, lookahead_m=8e3, slope=0.7, cruise_m=20e3)
    assert alt == pytest.approx(20e3, abs=TOL_M)
    assert aim[1] == pytest.approx(8e3, abs=1e-6)  # the aim runs one lookahead ahead


@pytest.mark.parametrize("x_km", [10.0, 15.0, 25.0])
def test_shaped_aim_dives_at_the_dive_slope(x_km):
    """A missile on the dive line (altitude a_p + slope·x) aims on it: a_p + slope·s_a,
    s_a = x − lookahead."""
    slope, lookahead, pip_alt, cruise = 0.7, 6e3, 100.0, 20e3
    x = x_km * 1e3
    alt_m = pip_alt + slope * x
    assert alt_m < cruise
    alt, _ = _aim_altitude_m(x, alt_m, pip_alt, lookahead, slope, cruise)
    assert alt == pytest.approx(pip_alt + slope * (x - lookahead), abs=TOL_M)


def test_shaped_aim_above_the_dive_line_heads_straight_at_the_pip():
    """A missile above the profile aims on the straight line to the PIP."""
    x, lookahead, pip_alt, alt_m = 20e3, 5e3, 500.0, 25e3
    alt, _ = _aim_altitude_m(x, alt_m, pip_alt, lookahead, slope=0.5, cruise_m=20e3)
    s_a = x - lookahead
    assert alt == pytest.approx(pip_alt + (alt_m - pip_alt) * s_a / x, abs=TOL_M)
