"""The engine end to end on small scenarios with known answers."""

import json
from pathlib import Path

import numpy as np
import pytest

import iadsim
from iadsim import geo, threats as threat_motion
from iadsim.compile import compile_scenario
from iadsim.output import write_run
from iadsim.scenario.load import parse_yaml, validate_data
from iadsim.sensing import effective_earth_radius_m

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "murted_2019.yaml"
BASE = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
            time=dict(duration_s=900.0, step_s=1.0),
            assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0)])


def scenario(**parts):
    import yaml

    data = dict(BASE, **parts)
    d, lines = parse_yaml(yaml.safe_dump(data), "test")
    return validate_data(d, lines, "test")


def raid(threat, lat, count=1, alt=50.0, speed=None, spacing=0.0):
    wp = dict(lat_deg=lat, lon_deg=32.5, alt_agl_m=alt)
    if speed:
        wp["speed_mps"] = speed
    return dict(name=f"r_{threat}_{lat}", threat=threat, count=count, spacing_s=spacing, target="base", route=[wp])


def test_same_seed_same_summary_different_seed_differs(tmp_path):
    sc = iadsim.load_scenario(EXAMPLE)
    a, b = iadsim.simulate(sc, seed=7), iadsim.simulate(sc, seed=7)
    assert json.dumps(a.summary) == json.dumps(b.summary)
    for col in a.events:
        np.testing.assert_array_equal(np.array(a.events[col]), np.array(b.events[col]))  # NaN == NaN here
    write_run(a, tmp_path / "a", report=False)
    write_run(b, tmp_path / "b", report=False)
    assert (tmp_path / "a" / "summary.json").read_bytes() == (tmp_path / "b" / "summary.json").read_bytes()
    c = iadsim.simulate(sc, seed=8)
    assert c.events["t_s"] != a.events["t_s"] or c.events["detail"] != a.events["detail"]


def test_undefended_raid_leaks_at_distance_over_speed():
    sc = scenario(units=[], raids=[raid("drone", 40.3, speed=50.0)])
    res = iadsim.simulate(sc)
    t = res.summary["threats"][0]
    dist_m = 6_371_000.0 * np.radians(0.3)  # meridian arc on a mean-radius sphere (the ellipsoid's is 40 m shorter here)
    expected_s = (dist_m - 1000.0) / 50.0
    assert t["fate"] == "leaked"
    assert abs(t["t_s"] - expected_s) <= 2.0, (t["t_s"], expected_s)


def test_threat_speed_is_the_leg_speed():
    comp = compile_scenario(scenario(units=[], raids=[raid("fighter", 41.5, alt=8000.0, speed=300.0)]))
    for t_s in (10.0, 200.0, 400.0):
        _, vel, flying = threat_motion.advance(comp.world.threats, t_s)
        assert flying[0] and abs(np.linalg.norm(vel[0]) - 300.0) < 1.0


def test_low_flyer_first_seen_inside_the_radar_horizon():
    """A 50 m cruise missile is first detected inside the 4/3-earth horizon of an 8 m antenna."""
    sc = scenario(units=[dict(name="s", system="s400", lat_deg=40.0, lon_deg=32.5)],
                  raids=[raid("cruise_missile", 40.8, alt=50.0)])
    res = iadsim.simulate(sc)
    ev = res.events
    first = min(i for i, k in enumerate(ev["kind"]) if k == "detect" and ev["threat_id"][i] >= 0)  # not a false alarm
    radar = res.compiled.world.radars.pos_enu_m[0]
    first_range_m = np.linalg.norm(np.array([ev["x_m"][first], ev["y_m"][first], ev["z_m"][first]]) - radar)
    re_m = effective_earth_radius_m()
    horizon_m = np.sqrt(2 * re_m * 8.0) + np.sqrt(2 * re_m * 50.0)  # 4.12(√8 + √50) km = 40.8 km
    assert first_range_m <= horizon_m + 1_000.0  # + measurement noise
    assert first_range_m >= 0.85 * horizon_m  # 0.1 m² at 40 km is far above the 92N6E's threshold


def test_limits_never_exceeded_under_saturation():
    sc = scenario(units=[dict(name="p", system="patriot", lat_deg=40.0, lon_deg=32.5)],
                  raids=[raid("fighter", 41.0, count=30, alt=6000.0, spacing=1.0)])
    res = iadsim.simulate(sc)
    u = res.summary["units"][0]
    assert u["missiles_guided_peak"] <= u["channels"]["missiles"] == 9
    assert u["targets_engaged_peak"] <= u["channels"]["targets"]
    fired = sum(u["rounds_fired"].values())
    inventory = sum(u["rounds_fired"].values()) + sum(u["rounds_left"].values())
    assert fired <= inventory == 6 * 4 + 2 * 12
    assert fired == res.events["kind"].count("launch")
    assert u["channels_saturated_s"] > 0
    assert "no channel" in res.events["detail"]


def test_report_failure_leaves_no_complete_looking_run(tmp_path, monkeypatch):
    res = iadsim.simulate(scenario(units=[], raids=[raid("drone", 40.1, speed=50.0)]))

    def boom(_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("iadsim.report.run_report.render_run_report", boom)
    with pytest.raises(OSError):
        write_run(res, tmp_path / "run")
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert "summary.json" not in names and "report.html" not in names
    assert not [n for n in names if n.endswith(".partial")]


def test_run_stops_once_the_raid_is_resolved_with_the_same_outcome():
    """stop_when_resolved ends the run after the last fate, interceptor and kill assessment; every
    raider's fate, time and rounds are those of the full-duration run with the same seed."""
    parts = dict(units=[dict(name="s", system="s400", lat_deg=40.0, lon_deg=32.5)],
                 raids=[raid("fighter", 40.9, count=3, alt=6000.0, spacing=20.0), raid("drone", 40.3, speed=50.0)])
    early = iadsim.simulate(scenario(**parts))
    full = iadsim.simulate(scenario(**dict(parts, time=dict(duration_s=900.0, step_s=1.0, stop_when_resolved=False))))
    assert full.summary["end_s"] == 900.0
    last_fate_s = max(t["t_s"] for t in early.summary["threats"])
    assert last_fate_s <= early.summary["end_s"] < 900.0
    assert early.summary["threats"] == full.summary["threats"]
    assert early.summary["totals"] == full.summary["totals"]
    assert early.events["kind"].count("reassess") == full.events["kind"].count("reassess") > 0
    assert early.t_s[-1] == early.summary["end_s"] and early.threat_pos_enu_m.shape[0] == early.t_s.size


@pytest.mark.parametrize("step_s", [1.0, 5.0])
def test_ballistic_impact_between_steps_leaks_at_its_end_time(step_s):
    """An SRBM falls ~1.5 km per second, so it can cross the asset's radius between two steps; it
    is judged at its impact point and leaks at its impact time, whatever the step."""
    srbm = dict(name="srbm", threat="srbm", target="base", ballistic=dict(lat_deg=38.0, lon_deg=33.9, apogee_alt_m=90000.0))
    sc = scenario(units=[], raids=[srbm], time=dict(duration_s=900.0, step_s=step_s))
    res = iadsim.simulate(sc)
    th = res.compiled.world.threats
    impact_s = float(th.t_start_s[0] + th.route_duration_s[th.route_idx[0]])
    t = res.summary["threats"][0]
    assert t["fate"] == "leaked"
    assert impact_s - step_s < t["t_s"] <= impact_s + 1e-9


def test_raider_that_ends_away_from_its_target_is_ended_not_in_flight():
    """A terminal weave displaces the impact point by up to 2a/ω² (180 m for 10 g every 6 s):
    against a 20 m point target the SRBM lands outside the radius, its fate is 'ended' at its
    impact time, and the run stops after it."""
    srbm = dict(name="srbm", threat="srbm", target="base", ballistic=dict(lat_deg=38.0, lon_deg=33.9, apogee_alt_m=90000.0),
                terminal=dict(weave_g=10.0, weave_period_s=6.0, weave_below_alt_agl_m=30000.0))
    point = [dict(BASE["assets"][0], radius_m=20.0)]
    res = iadsim.simulate(scenario(units=[], raids=[srbm], assets=point))
    th, w = res.compiled.world.threats, res.compiled.world
    impact_s = float(th.t_start_s[0] + th.route_duration_s[th.route_idx[0]])
    end_pos = threat_motion.kinematics(th, impact_s)[0]
    miss_m = geo.ground_distance_m(end_pos, w.assets.pos_enu_m[:1], w.earth_centre_enu_m)[0]
    assert 20.0 < miss_m < 2 * 10 * 9.80665 / (2 * np.pi / 6.0) ** 2
    t = res.summary["threats"][0]
    assert t["fate"] == "ended" and abs(t["t_s"] - impact_s) < 1e-9
    assert res.summary["totals"]["ended"] == 1 and res.summary["totals"]["in_flight"] == 0
    assert impact_s <= res.summary["end_s"] < impact_s + 2.0
