"""The flyout step: PN miss distance, step-halving invariance, energy, purity."""

import dataclasses

import numpy as np
import pytest

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.flyout.kinematics import REASON_CPA, advance_interceptors
from iadsim.flyout.params import InterceptorTable, load_interceptor_params
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates, launch_interceptors

ENV = FlyoutEnv.local_sphere()


def _ideal(name):
    """Catalog missile with an ideal homing loop (no seeker noise, no lag): these tests hold the
    PN law and the integrator; the loop's noise and lag are tested against the adjoint model
    (test_endgame_adjoint.py)."""
    return dataclasses.replace(load_interceptor_params(name), guidance_time_constant_s=0.0,
                               seeker_glint_m=0.0, seeker_thermal_noise_rad=0.0)


def _midflight(params, pos, vel, t_flight_s=40.0, terminal=True):
    """One interceptor already in flight (motor burnt out)."""
    table = InterceptorTable.from_params([params])
    s = launch_interceptors(table, [0], np.zeros((1, 3)), np.array([[0.0, 1e4, 0.0]]), ENV)
    s = dataclasses.replace(s, pos_enu_m=np.array([pos], float), vel_enu_mps=np.array([vel], float),
                            t_flight_s=np.array([t_flight_s]),
                            is_terminal=np.array([terminal]))
    return table, s


def _fly(table, s, tgt_pos, tgt_vel, tgt_acc_fn, dt_s, augmented=True, t_max_s=60.0):
    rng = np.random.default_rng(0)
    t = 0.0
    tgt_pos = np.array([tgt_pos], float)
    tgt_vel = np.array([tgt_vel], float)
    while t < t_max_s:
        acc = np.array([tgt_acc_fn(t, tgt_vel[0])])
        s, out = advance_interceptors(s, table, TargetStates(tgt_pos, tgt_vel, acc), t, dt_s, rng,
                                      ENV, augmented=augmented)
        if out.resolved[0]:
            return out
        # exact constant-acceleration target update over the step
        tgt_pos = tgt_pos + dt_s * tgt_vel + 0.5 * dt_s**2 * acc
        tgt_vel = tgt_vel + dt_s * acc
        t += dt_s
    raise AssertionError("no resolution")


def _collision_course(speed_m=1200.0):
    """Missile at 10 km altitude, target 20 km down-range at 10 km, closing head-on."""
    tgt_pos = [0.0, 20_000.0, 10_000.0]
    tgt_vel = [0.0, -300.0, 0.0]
    return [0.0, 0.0, 10_000.0], [0.0, speed_m, 0.0], tgt_pos, tgt_vel


def test_pn_collision_course_miss_below_one_metre():
    p = _ideal("48N6E3")
    pos, vel, tp, tv = _collision_course()
    table, s = _midflight(p, pos, vel)
    out = _fly(table, s, tp, tv, lambda t, v: np.zeros(3), dt_s=0.01)
    assert out.reason[0] == REASON_CPA
    assert out.miss_m[0] < 1.0
    assert out.killed.dtype == bool


def test_pn_heading_error_still_hits():
    p = _ideal("PAC-3-MSE")
    pos, _, tp, tv = _collision_course()
    table, s = _midflight(p, pos, [200.0, 1100.0, 150.0])
    out = _fly(table, s, tp, tv, lambda t, v: np.zeros(3), dt_s=0.005)
    assert out.reason[0] == REASON_CPA and out.miss_m[0] < 1.0


def _weave(t, v):
    """5 g lateral weave of the target, horizontal and normal to its velocity."""
    side = np.cross(v, [0.0, 0.0, 1.0])
    return 5 * 9.80665 * np.sin(0.8 * t) * side / np.linalg.norm(side)


def test_augmented_pn_beats_true_pn_against_a_manoeuvring_target():
    p = _ideal("48N6E3")
    pos, vel, tp, tv = _collision_course()
    table, s = _midflight(p, pos, vel)
    apn = _fly(table, s, tp, tv, _weave, dt_s=0.01, augmented=True)
    tpn = _fly(table, s, tp, tv, _weave, dt_s=0.01, augmented=False)
    assert apn.miss_m[0] < tpn.miss_m[0]
    assert apn.miss_m[0] < p.lethal_radius_m


def test_halving_the_step_changes_the_result_by_under_one_metre():
    p = _ideal("48N6E3")
    pos, vel, tp, tv = _collision_course()
    table, s = _midflight(p, pos, [30.0, 1180.0, 60.0])
    a = _fly(table, s, tp, tv, lambda t, v: np.zeros(3), dt_s=0.02)
    b = _fly(table, s, tp, tv, lambda t, v: np.zeros(3), dt_s=0.01)
    tol_m = 1.0
    assert abs(a.miss_m[0] - b.miss_m[0]) < tol_m
    assert np.linalg.norm(a.pos_cpa_enu_m[0] - b.pos_cpa_enu_m[0]) < tol_m
    assert abs(a.t_cpa_s[0] - b.t_cpa_s[0]) < tol_m / 1200.0


def test_specific_energy_conserved_without_thrust_drag_or_lift():
    # above 200 km the ISA table gives zero density; a ~0 g limit removes the lift
    p = dataclasses.replace(load_interceptor_params("40N6"), g_limit=1e-12, tvc_lateral_g=0.0)
    table, s = _midflight(p, [0.0, 0.0, 300e3], [0.0, 3000.0, 1500.0], t_flight_s=100.0,
                          terminal=False)
    far = TargetStates(np.array([[0.0, 5e6, 0.0]]), np.zeros((1, 3)))
    rng = np.random.default_rng(0)

    def energy(st):
        r = np.linalg.norm(st.pos_enu_m[0] - ENV.earth_centre_enu_m)
        return 0.5 * st.vel_enu_mps[0] @ st.vel_enu_mps[0] - GM_EARTH_M3PS2 / r

    e0 = energy(s)
    for k in range(1000):
        s, _ = advance_interceptors(s, table, far, k * 0.1, 0.1, rng, ENV)
    assert s.alive[0]
    assert abs(energy(s) / e0 - 1.0) < 1e-6


def test_step_does_not_mutate_inputs_and_keeps_shapes():
    p = load_interceptor_params("9M96E2")
    table = InterceptorTable.from_params([p, load_interceptor_params("PAC-3-MSE")])
    n = 5
    s = launch_interceptors(table, [0, 1, 0, 1, 0], np.zeros((n, 3)),
                            np.tile([0.0, 30e3, 5e3], (n, 1)), ENV)
    tgt = TargetStates(np.tile([0.0, 30e3, 5e3], (n, 1)), np.tile([0.0, -250.0, 0.0], (n, 1)))
    arrays = [getattr(s, f) for f in s.__slots__] + [tgt.pos_enu_m, tgt.vel_enu_mps]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False
    new, out = advance_interceptors(s, table, tgt, 0.0, 0.05, np.random.default_rng(1), ENV)
    for a, c in zip(arrays, copies):
        assert np.array_equal(a, c)
    assert new.pos_enu_m.shape == (n, 3) and out.p_kill.shape == (n,)
    assert np.all(new.t_flight_s == pytest.approx(0.05))
    assert np.all(new.mass_kg < s.mass_kg)


def test_interceptors_concat_and_take():
    table = InterceptorTable.from_params([load_interceptor_params("48N6E3")])
    a = launch_interceptors(table, [0, 0], np.zeros((2, 3)), np.ones((2, 3)) * 1e4, ENV)
    b = Interceptors.empty().concat(a).concat(a)
    assert b.n == 4 and b.prm_kn.shape[1] == 4
    assert b.take(np.array([1, 3])).n == 2
