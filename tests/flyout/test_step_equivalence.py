"""The fast flyout step computes the same physics as the readable reference step.

``flyout_reference_step.py`` is the step as it was before the scratch-memory rewrite, built
from the guidance functions of :mod:`iadsim.flyout.guidance`. Both are run on a population
of every catalog missile, mid-flight, half homing, with and without target acceleration and
track estimates; every output must agree to floating-point rounding.
"""

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flyout_reference_step as reference  # noqa: E402

from iadsim.flyout import kinematics  # noqa: E402
from iadsim.flyout.params import (  # noqa: E402
    InterceptorTable,
    list_interceptors,
    load_interceptor_params,
)
from iadsim.flyout.state import (  # noqa: E402
    FlyoutEnv,
    Interceptors,
    TargetStates,
    launch_interceptors,
)

ENV = FlyoutEnv.local_sphere()


def _population(n, seed, cruise_altitude_m=None):
    """n interceptors of all catalog kinds in every phase; some dead, some near the CPA.

    cruise_altitude_m: if given, every kind's cruise altitude (below many targets, so that
    the climb-to-target branch of the shaping runs on many rows)."""
    rng = np.random.default_rng(seed)
    params = [load_interceptor_params(k) for k in list_interceptors()]
    if cruise_altitude_m is not None:
        params = [dataclasses.replace(p, cruise_altitude_m=cruise_altitude_m) for p in params]
    table = InterceptorTable.from_params(params)
    kind = rng.integers(0, len(table.names), n)
    tgt = np.c_[rng.uniform(-2e5, 2e5, (n, 2)), rng.uniform(1e3, 2e4, n)]
    s = launch_interceptors(table, kind, np.zeros((n, 3)), tgt, ENV)
    offset = rng.normal(0.0, 20e3, (n, 3))
    offset[: n // 4] *= 1e-3  # within ~20 m: closest approach inside the step
    pos = tgt + offset
    vel = rng.normal(0.0, 800.0, (n, 3))
    s = Interceptors(s.id, s.kind_idx, rng.random(n) < 0.9, pos, vel, s.mass_kg,
                     rng.uniform(0.0, 80.0, n), rng.random(n) < 0.5, s.min_range_m, s.prm_kn)
    tgt_vel = rng.normal(0.0, 250.0, (n, 3))
    tgt_acc = rng.normal(0.0, 30.0, (n, 3))
    est = (tgt + rng.normal(0.0, 300.0, (n, 3)), tgt_vel + rng.normal(0.0, 20.0, (n, 3)))
    return table, s, tgt, tgt_vel, tgt_acc, est


def _assert_same(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-9, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


@pytest.mark.parametrize("cruise_altitude_m", [None, 5e3], ids=["catalog", "low-cruise"])
@pytest.mark.parametrize("with_acc_and_estimate", [False, True])
@pytest.mark.parametrize("augmented", [False, True])
def test_fast_step_matches_reference(with_acc_and_estimate, augmented, cruise_altitude_m):
    table, s, tp, tv, ta, est = _population(3000, seed=11, cruise_altitude_m=cruise_altitude_m)
    targets = (TargetStates(tp, tv, ta, *est) if with_acc_and_estimate else TargetStates(tp, tv))
    got = kinematics.advance_interceptors(s, table, targets, 5.0, 0.05,
                                          np.random.default_rng(3), ENV, augmented)
    ref = reference.advance_interceptors(s, table, targets, 5.0, 0.05,
                                         np.random.default_rng(3), ENV, augmented)
    assert ref[1].reason.tolist().count(reference.REASON_CPA) > 100  # the end game is exercised
    assert len(set(ref[1].reason.tolist())) >= 4
    for name in ref[0].__slots__:
        _assert_same(getattr(got[0], name), getattr(ref[0], name), f"state.{name}")
    for name in ref[1].__slots__:
        _assert_same(getattr(got[1], name), getattr(ref[1], name), f"outcome.{name}")


def test_fast_step_matches_reference_as_the_row_count_changes():
    """Scratch memory grown, shrunk and reused; every row homing, none, or a mix."""
    for n, homing in ((400, None), (3, True), (1500, False), (1, None), (400, True), (2, False)):
        table, s, tp, tv, ta, est = _population(n, seed=n)
        if homing is not None:
            s = dataclasses.replace(s, is_terminal=np.full(n, homing))
        targets = TargetStates(tp, tv, ta, *est)
        got = kinematics.advance_interceptors(s, table, targets, 1.0, 0.02,
                                              np.random.default_rng(n), ENV)
        ref = reference.advance_interceptors(s, table, targets, 1.0, 0.02,
                                             np.random.default_rng(n), ENV)
        for name in ("pos_enu_m", "vel_enu_mps", "is_terminal", "alive", "min_range_m"):
            _assert_same(getattr(got[0], name), getattr(ref[0], name), f"n={n} state.{name}")
        for name in ("reason", "miss_m", "p_kill", "killed"):
            _assert_same(getattr(got[1], name), getattr(ref[1], name), f"n={n} outcome.{name}")


def test_fast_step_chained_over_a_flight_matches_reference():
    """Ten steps fed back (the new state's Fortran-order arrays read without a copy)."""
    table, s, tp, tv, _, _ = _population(500, seed=5)
    targets = TargetStates(tp, tv)
    fast, ref = s, s
    for k in range(10):
        fast, _ = kinematics.advance_interceptors(fast, table, targets, 0.1 * k, 0.1,
                                                  np.random.default_rng(k), ENV)
        ref, _ = reference.advance_interceptors(ref, table, targets, 0.1 * k, 0.1,
                                                np.random.default_rng(k), ENV)
    np.testing.assert_allclose(fast.pos_enu_m, ref.pos_enu_m, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(fast.vel_enu_mps, ref.vel_enu_mps, rtol=1e-10, atol=1e-8)
    np.testing.assert_array_equal(fast.alive, ref.alive)


def test_fast_step_does_not_mutate_inputs_and_returns_fresh_memory():
    table, s, tp, tv, ta, est = _population(200, seed=2)
    arrays = [s.pos_enu_m, s.vel_enu_mps, s.mass_kg, s.t_flight_s, s.alive, s.is_terminal,
              s.min_range_m, s.prm_kn, tp, tv, ta, *est]
    for a in arrays:
        a.flags.writeable = False
    targets = TargetStates(tp, tv, ta, *est)
    new1, out1 = kinematics.advance_interceptors(s, table, targets, 0.0, 0.05,
                                                 np.random.default_rng(0), ENV)
    keep = {f: np.array(getattr(new1, f), copy=True) for f in new1.__slots__}
    kinematics.advance_interceptors(s, table, targets, 0.0, 0.05, np.random.default_rng(0), ENV)
    for f, v in keep.items():  # a second call must not write into the first call's results
        np.testing.assert_array_equal(getattr(new1, f), v, err_msg=f)
    for f in ("pos_enu_m", "vel_enu_mps"):  # (3, n) memory, read in place by the next step
        assert getattr(new1, f).T.flags.c_contiguous
        getattr(new1, f).flags.writeable = False
    kinematics.advance_interceptors(new1, table, targets, 0.05, 0.05, np.random.default_rng(0),
                                    ENV)


def test_population_exercises_every_part_of_the_shaping_law():
    """The rows above span the cruise-and-dive shaping: aim at the PIP (within one lookahead),
    on the cruise, on the dive/climb ramp, the straight-line floor binding, targets above the
    cruise altitude; and the aim equals the PIP exactly where it should."""
    from iadsim.flyout.guidance import predicted_intercept_point, shaped_aim_m, v3
    from iadsim.flyout.params import COL

    table, s, tp, tv, _, _ = _population(3000, seed=11, cruise_altitude_m=5e3)
    prm = s.prm_kn
    pip, _ = predicted_intercept_point(v3(s.pos_enu_m), v3(tp), v3(tv), prm[COL["midcourse_speed_mps"]])
    d_pip = np.stack(pip, axis=1) - s.pos_enu_m
    r = s.pos_enu_m - ENV.earth_centre_enu_m
    rn = np.linalg.norm(r, axis=1)
    up = r / rn[:, None]
    look_m = prm[COL["midcourse_speed_mps"]] * prm[COL["shaping_lookahead_s"]]
    aim = np.stack(shaped_aim_m(v3(d_pip), v3(up), rn, ENV.earth_radius_m, look_m, prm[COL["dive_slope"]],
                                prm[COL["cruise_altitude_m"]]), axis=1)
    x = np.linalg.norm(d_pip - np.sum(d_pip * up, axis=1)[:, None] * up, axis=1)
    alt_m = rn - ENV.earth_radius_m
    alt_pip = np.linalg.norm(r + d_pip, axis=1) - ENV.earth_radius_m
    near = x <= look_m
    assert near.sum() > 100 and np.allclose(aim[near], d_pip[near], rtol=0, atol=1e-6)
    s_a = np.maximum(x - look_m, 0.0)
    frac = s_a / np.maximum(x, 1e-9)
    line = (alt_m - alt_pip) * frac + alt_pip
    ramp = prm[COL["dive_slope"]] * s_a
    profile = np.clip(prm[COL["cruise_altitude_m"]] - alt_pip, -ramp, ramp) + alt_pip
    far = ~near
    on_cruise = far & (profile == prm[COL["cruise_altitude_m"]]) & (profile < ramp + line) & (profile > line)
    ramp_binds = far & (ramp + line < profile)
    floor_binds = far & (line > np.minimum(profile, ramp + line))
    above_cruise = far & (alt_pip > prm[COL["cruise_altitude_m"]])
    for rows_ in (on_cruise, ramp_binds, floor_binds, above_cruise):
        assert rows_.sum() > 50
