"""Threat kinematics: g-limited routes, terrain following, pop-up/dive/weave, ballistic raids
against the closed-form vacuum arc, and the scenario checks of ballistic raids."""

import numpy as np
import pytest
import yaml

from iadsim import catalog, geo, threats
from iadsim.compile import compile_scenario
from iadsim.constants import G0_MPS2, GM_EARTH_M3PS2
from iadsim.physics.ballistic import kepler_arc
from iadsim.scenario import ScenarioError
from iadsim.scenario.load import parse_yaml, validate_data

GROUND_M = 800.0


def scenario(raids, duration_s=1800.0):
    d = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=GROUND_M),
             time=dict(duration_s=duration_s, step_s=1.0),
             assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0)], raids=raids)
    data, lines = parse_yaml(yaml.safe_dump(d, sort_keys=False), "t.yaml")
    return validate_data(data, lines, "t.yaml")


def sample(comp, i=0, dt_s=0.1):
    """Positions, velocities, accelerations of raider i over its whole trajectory."""
    th = comp.world.threats
    t0 = th.t_start_s[i]
    t = np.arange(t0, t0 + th.route_duration_s[th.route_idx[i]], dt_s)
    out = [threats.kinematics(th, tk, np.array([i])) for tk in t]
    return t, *(np.array([o[k][0] for o in out]) for k in range(3))


def lateral_mps2(vel, acc):
    u = vel / np.linalg.norm(vel, axis=1, keepdims=True)
    return np.linalg.norm(acc - np.sum(acc * u, axis=1, keepdims=True) * u, axis=1)


def turn_limit_mps2(threat):
    return catalog.si(catalog.profile("threats", threat))["turn_g"] * G0_MPS2


@pytest.mark.parametrize("threat,alt_m", [("fighter", 6000.0), ("cruise_missile", 50.0), ("drone", 300.0)])
def test_turns_respect_the_g_limit(threat, alt_m):
    """A 90° and a 120° turn: lateral acceleration of the sampled trajectory stays under turn_g,
    and the limit is reached (the turns are flown at it)."""
    route = [dict(lat_deg=40.0, lon_deg=31.9, alt_agl_m=alt_m), dict(lat_deg=40.3, lon_deg=31.9, alt_agl_m=alt_m),
             dict(lat_deg=40.3, lon_deg=32.3, alt_agl_m=alt_m)]
    comp = compile_scenario(scenario([dict(name="r", threat=threat, target="base", route=route)]))
    t, pos, vel, acc = sample(comp, dt_s=0.1)
    limit = turn_limit_mps2(threat)
    tol_mps2 = 0.02 * limit + 0.05
    assert lateral_mps2(vel, acc).max() <= limit + tol_mps2
    assert lateral_mps2(vel, acc).max() >= 0.9 * limit
    # the same from finite differences of the sampled positions (independent of the interpolant's derivatives)
    a_fd = (pos[2:] - 2 * pos[1:-1] + pos[:-2]) / 0.1**2
    assert lateral_mps2(vel[1:-1], a_fd).max() <= limit + tol_mps2


def test_interpolated_velocity_and_position_are_continuous():
    """Velocity is the derivative of position inside knot intervals, and both are continuous at the
    knots (acceleration may jump there: a turn starts on a knot)."""
    comp = compile_scenario(scenario([dict(name="r", threat="fighter", target="base", route=[
        dict(lat_deg=40.5, lon_deg=31.5, alt_agl_m=8000.0), dict(lat_deg=40.3, lon_deg=32.6, alt_agl_m=4000.0)])]))
    th = comp.world.threats
    knots = np.arange(1.0, th.route_duration_s[0] - 1.0)
    eps_s = 0.01
    for t_k in knots:
        (p0, v0, _, _), (p1, v1, _, _) = (threats.kinematics(th, t_k + d, np.zeros(1, int)) for d in (-1e-9, 1e-9))
        assert np.abs(p1 - p0).max() <= 1e-4 and np.abs(v1 - v0).max() <= 1e-4
        pm, pp = (threats.kinematics(th, t_k + 0.5 + d, np.zeros(1, int))[0] for d in (-eps_s, eps_s))
        vm = threats.kinematics(th, t_k + 0.5, np.zeros(1, int))[1]
        tol_mps = 1e-3
        assert np.abs((pp - pm) / (2 * eps_s) - vm).max() <= tol_mps


def test_cruise_missile_holds_constant_height_above_the_ellipsoid_ground():
    """Terrain following is constant height above the WGS-84 ellipsoid raised to origin.alt_m,
    along great-circle legs and through a turn, 150 km north-south and east-west."""
    route = [dict(lat_deg=41.3, lon_deg=32.5, alt_agl_m=50.0), dict(lat_deg=40.3, lon_deg=31.8, alt_agl_m=50.0)]
    comp = compile_scenario(scenario([dict(name="r", threat="cruise_missile", target="base", route=route)]))
    t, pos, _, _ = sample(comp, dt_s=1.0)
    agl = geo.altitude_m(pos, comp.origin) - GROUND_M
    d_target = np.linalg.norm(pos - comp.world.assets.pos_enu_m[0], axis=1)
    cruise = d_target > 2_000.0  # before the final dive on the asset
    tol_m = 1.0
    assert np.abs(agl[cruise] - 50.0).max() <= tol_m


def test_popup_dive_and_weave_end_on_the_target_inside_the_g_limit():
    route = [dict(lat_deg=40.6, lon_deg=32.5, alt_agl_m=40.0)]
    term = dict(popup_alt_agl_m=500.0, popup_range_m=10_000.0, dive_angle_deg=25.0, weave_g=2.0, weave_period_s=5.0,
                weave_range_m=30_000.0)
    comp = compile_scenario(scenario([dict(name="r", threat="cruise_missile", target="base", route=route, terminal=term)]))
    t, pos, vel, acc = sample(comp, dt_s=0.1)
    agl = geo.altitude_m(pos, comp.origin) - GROUND_M
    assert 480.0 <= agl.max() <= 520.0
    limit = turn_limit_mps2("cruise_missile")
    assert lateral_mps2(vel, acc).max() <= 1.02 * limit + 0.05
    # weaving: the heading swings within the weave zone
    target = comp.world.assets.pos_enu_m[0]
    d = np.linalg.norm(pos - target, axis=1)
    zone = (d < 25_000.0) & (d > 12_000.0)
    cross = np.cross(vel[zone], target - pos[zone])[:, 2]
    assert (cross > 0).any() and (cross < 0).any()
    tol_m = 250.0  # the route ends within 0.75 step of flight from the aim point
    assert np.linalg.norm(pos[-1] - target) <= tol_m
    up = (target - comp.origin.earth_centre_enu_m) / np.linalg.norm(target - comp.origin.earth_centre_enu_m)
    assert vel[-1] @ up <= -np.sin(np.radians(20.0)) * np.linalg.norm(vel[-1])  # diving on the target


def _kepler_position(r0, v0, t_s):
    """Closed-form two-body position after t_s from (r0, v0) (elliptic orbit, Kepler's equation)."""
    mu = GM_EARTH_M3PS2
    r = np.linalg.norm(r0)
    a = 1.0 / (2.0 / r - v0 @ v0 / mu)
    h = np.cross(r0, v0)
    e_vec = np.cross(v0, h) / mu - r0 / r
    e = np.linalg.norm(e_vec)
    p_hat = e_vec / e
    q_hat = np.cross(h / np.linalg.norm(h), p_hat)
    e0 = np.arctan2((r0 @ v0) / np.sqrt(mu * a), 1.0 - r / a)
    m = e0 - e * np.sin(e0) + np.sqrt(mu / a**3) * np.asarray(t_s)
    ea = m.copy()
    for _ in range(30):
        ea -= (ea - e * np.sin(ea) - m) / (1.0 - e * np.cos(ea))
    return (a * (np.cos(ea) - e))[:, None] * p_hat + (a * np.sqrt(1 - e * e) * np.sin(ea))[:, None] * q_hat


def srbm_raid(**ballistic):
    return dict(name="b", threat="srbm", target="base", ballistic=dict(lat_deg=38.0, lon_deg=34.0, **ballistic))


def test_srbm_without_drag_follows_the_closed_form_vacuum_arc():
    comp = compile_scenario(scenario([srbm_raid(apogee_alt_m=90_000.0, drag=False)]))
    th, centre = comp.world.threats, comp.origin.earth_centre_enu_m
    t, pos, vel, _ = sample(comp, dt_s=0.25)
    kep = _kepler_position(pos[0] - centre, vel[0], t - t[0]) + centre
    tol_m = 1.0
    assert np.linalg.norm(pos - kep, axis=1).max() <= tol_m
    target = comp.world.assets.pos_enu_m[0]
    radius = np.linalg.norm(target - centre) - GROUND_M
    arc = kepler_arc(pos[0], target, centre, radius, apogee_alt_m=90_000.0)
    tol_s = 0.05
    assert abs(th.route_duration_s[0] - arc.time_of_flight_s) <= tol_s
    assert np.linalg.norm(th.knot_pos_enu_m[0, th.n_knots[0] - 1] - target) <= tol_m
    apogee = (np.linalg.norm(pos - centre, axis=1) - radius).max()
    assert abs(apogee - 90_000.0) <= 5.0


def test_srbm_with_drag_lands_on_the_target_slower():
    comp = compile_scenario(scenario([srbm_raid(apogee_alt_m=90_000.0), srbm_raid(apogee_alt_m=90_000.0, drag=False) |
                                      dict(name="v")]))
    th = comp.world.threats
    end = th.n_knots - 1
    target = comp.world.assets.pos_enu_m[0]
    tol_m = 30.0  # the shooting method's aim tolerance
    assert np.linalg.norm(th.knot_pos_enu_m[0, end[0]] - target) <= tol_m
    v_drag, v_vac = (np.linalg.norm(th.knot_vel_enu_mps[i, end[i]]) for i in (0, 1))
    assert 1_000.0 < v_drag < 0.9 * v_vac


def _problems(raid):
    with pytest.raises(ScenarioError) as exc:
        scenario([raid])
    return exc.value.problems


def test_aim_beyond_the_threat_range_is_a_validation_error_naming_the_field():
    far = dict(name="b", threat="srbm", target="base", ballistic=dict(lat_deg=34.0, lon_deg=34.0, apogee_alt_m=150_000.0))
    (p,) = _problems(far)
    assert p.path == "raids.0.target" and p.line is not None and p.file == "t.yaml"
    assert "beyond" in p.message and "500 km" in p.message


def test_unreachable_burnout_speed_names_the_field():
    (p,) = _problems(srbm_raid(burnout_speed_mps=600.0))
    assert p.path == "raids.0.ballistic.burnout_speed_mps" and "needs at least" in p.message


@pytest.mark.parametrize("raid,words", [
    (dict(name="b", threat="srbm", target="base"), "either route"),
    (srbm_raid(), "exactly one of apogee_alt_m or burnout_speed_mps"),
    (dict(name="c", threat="cruise_missile", target="base", route=[dict(lat_deg=40.5, lon_deg=32.5, alt_agl_m=50)],
          terminal=dict(popup_alt_agl_m=300.0)), "popup_range_m"),
    (dict(name="b", threat="fighter", target="base", ballistic=dict(lat_deg=38.0, lon_deg=34.0, apogee_alt_m=9e4)),
     "not a ballistic missile"),
    (srbm_raid(apogee_alt_m=9e4) | dict(terminal=dict(weave_g=5.0, weave_range_m=1e4)), "apply to route raids"),
    (dict(name="c", threat="cruise_missile", target="base", route=[dict(lat_deg=40.5, lon_deg=32.5, alt_agl_m=50)],
          terminal=dict(weave_g=2.0, weave_below_alt_agl_m=1e3)), "applies to ballistic raids"),
])
def test_malformed_raids_are_rejected(raid, words):
    problems = _problems(raid)
    assert any(words in p.message for p in problems), problems
    assert all(p.path.startswith("raids.0") for p in problems)
