"""The engine's flyout stage on the 3-DOF model: step-size independence end to end, launch and
outcomes of the stage alone (a FlyoutRuns of one run), and the flyout earth against WGS-84."""

import numpy as np
import pytest
import yaml

import iadsim
from iadsim import geo
from iadsim.c2.stage import Launch
from iadsim.compile import compile_scenario
from iadsim.flyout.stage import FlyoutRuns, osculating_env
from iadsim.scenario.load import parse_yaml, validate_data


def scenario(step_s, threat="fighter", alt_m=8000.0, lat_deg=40.9, system="s400", duration_s=400.0):
    d = dict(schema_version=1, name="t", seed=3, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
             time=dict(duration_s=duration_s, step_s=step_s),
             assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0)],
             units=[dict(name="u", system=system, lat_deg=40.0, lon_deg=32.5)],
             raids=[dict(name="r", threat=threat, target="base",
                         route=[dict(lat_deg=lat_deg, lon_deg=32.6, alt_agl_m=alt_m)])])
    data, lines = parse_yaml(yaml.safe_dump(d), "t")
    return validate_data(data, lines, "t")


def engagement(result):
    ev = result.events
    rows = [i for i, k in enumerate(ev["kind"]) if k in ("launch", "intercept_hit", "intercept_miss")]
    return ([(ev["kind"][i], ev["threat_id"][i]) for i in rows], np.array([ev["t_s"][i] for i in rows]),
            np.array([[ev["x_m"][i], ev["y_m"][i], ev["z_m"][i]] for i in rows]))


@pytest.mark.parametrize("kw", [dict(), dict(threat="cruise_missile", alt_m=50.0, lat_deg=40.5), dict(system="patriot")],
                         ids=["s400-fighter", "s400-cruise-missile", "patriot-fighter"])
def test_halving_the_engine_step_keeps_fates_and_intercepts_within_1_m(kw):
    """The closest approach falls inside an engine step; the flyout's sub-step grid is absolute
    time, so halving the step changes only the midcourse track updates."""
    a, b = (iadsim.simulate(scenario(step, **kw)) for step in (1.0, 0.5))
    assert [t["fate"] for t in a.summary["threats"]] == [t["fate"] for t in b.summary["threats"]] == ["killed"]
    kinds_a, t_a, pos_a = engagement(a)
    kinds_b, t_b, pos_b = engagement(b)
    assert kinds_a == kinds_b and ("intercept_hit", 0) in kinds_a
    tol_m, tol_s = 1.0, 0.01
    assert np.abs(t_a - t_b).max() <= tol_s
    assert np.linalg.norm(pos_a - pos_b, axis=1).max() <= tol_m
    assert abs(a.summary["threats"][0]["t_s"] - b.summary["threats"][0]["t_s"]) <= tol_s


def _stage_and_threats(t_s):
    comp = compile_scenario(scenario(1.0))
    world = comp.world
    th = world.threats
    from iadsim import threats as motion
    pos, vel, flying = motion.advance(th, t_s)
    from dataclasses import replace
    return FlyoutRuns(world, 1), replace(th, pos_enu_m=pos, vel_enu_mps=vel, active=flying), world


def test_stage_alone_launches_at_the_pip_and_kills_at_the_closest_approach():
    stage, th, world = _stage_and_threats(20.0)
    w = world.weapons.name.index("48N6E3")
    ids, start = stage.launch(0, 20.0, Launch(20.0, 0, 7, 0, w, 2))  # no tracking: aims on the truth
    assert ids.tolist() == [0, 1] and start[2] == pytest.approx(5.0, abs=0.01)
    rng = np.random.default_rng(1)
    hits, t_s = [], 20.0
    while stage.n_flying(0) and t_s < 200.0:
        out = stage.advance(t_s, 1.0, [th], [rng], [None])[0]
        hits += out.hit.tolist()
        t_s += 1.0
    assert hits and stage.icpt(0).alive.sum() == 0
    assert stage.icpt(0).truth_id.tolist() == [0, 0] and stage.icpt(0).track_id.tolist() == [7, 7]


def test_interceptor_whose_target_is_gone_ends_as_a_target_lost_miss():
    from dataclasses import replace
    stage, th, world = _stage_and_threats(20.0)
    stage.launch(0, 20.0, Launch(20.0, 0, 7, 0, world.weapons.name.index("40N6"), 1))
    stage.advance(20.0, 1.0, [th], [np.random.default_rng(1)], [None])
    out = stage.advance(21.0, 1.0, [replace(th, alive=np.zeros_like(th.alive))], [np.random.default_rng(1)],
                        [None])[0]
    assert out.miss.tolist() == [0] and out.hit.size == 0
    assert out.reason.tolist() == ["target_lost"] and not out.reached[0]
    assert not stage.icpt(0).alive[0] and stage.n_flying(0) == 0


@pytest.mark.parametrize("north_km,east_km", [(100, 0), (-100, 0), (0, 100), (70, -70)])
def test_flyout_altitude_matches_the_ellipsoid_height_near_the_origin(north_km, east_km):
    origin = geo.Origin.from_deg(40.08, 32.57, 843.0)
    env = osculating_env(origin, 843.0)
    lat0, lon0 = np.radians(40.08), np.radians(32.57)
    lat = lat0 + north_km * 1e3 / 6.37e6
    lon = lon0 + east_km * 1e3 / (6.37e6 * np.cos(lat0))
    for h in (893.0, 10_000.0):
        pos = geo.geodetic_to_enu(lat, lon, h, origin)
        tol_m = 2.0
        assert abs(env.altitude_m(pos) - h) <= tol_m
    assert env.ground_alt_m < 843.0


class _OneTrack:
    """A tracking stage holding one track (id 7) at a fixed estimate, for the stage alone."""

    def __init__(self, pos_enu_m, vel_enu_mps):
        self.pos, self.vel = np.asarray(pos_enu_m, float), np.asarray(vel_enu_mps, float)

    def tracks(self, u, t_s):
        from iadsim.tracking.stage import UnitTracks
        return UnitTracks(np.array([7]), np.array([-1]), self.pos[None] + self.vel * (t_s - 20.0), self.vel[None],
                          np.array([t_s]))


def test_a_round_at_a_false_track_flies_on_the_estimate_and_never_kills():
    stage, th, world = _stage_and_threats(20.0)
    tracking = _OneTrack([0.0, 30_000.0, 6_000.0], [0.0, -200.0, 0.0])
    stage.launch(0, 20.0, Launch(20.0, 0, 7, -1, world.weapons.name.index("48N6E3"), 1), tracking)
    rng, t_s, ended = np.random.default_rng(2), 20.0, None
    while stage.n_flying(0) and t_s < 200.0:
        out = stage.advance(t_s, 1.0, [th], [rng], [tracking])[0]
        assert out.hit.size == 0
        ended = out if out.miss.size else ended
        t_s += 1.0
    assert ended.reason.tolist() == ["false_target"] and ended.miss_distance_m[0] < 10.0
    phantom = np.array([0.0, 30_000.0 - 200.0 * (ended.t_cpa_s[0] - 20.0), 6_000.0])
    assert np.linalg.norm(ended.pos_enu_m[0] - phantom) < 50.0
