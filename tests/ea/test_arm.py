"""Anti-radiation missiles: the end game's closed forms, a guided kill that stops the radar, guidance
loss on hand-computed geometry (level flight at a known speed), and the ARM warning shutdown."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from iadsim import engine
from iadsim.ea import arm

ARM_FROM_90KM = [{"lat_deg": 40.0, "lon_deg": 33.55386, "alt_agl_m": 10000, "speed_mps": 600}]  # 90.0 km east of the unit (parallel arc: N cos φ Δλ)
HOLD = {"weapons_free": False}


def _unit(**emission):
    return [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5, "doctrine": HOLD,
             "emission": {"92N6E": emission} if emission else {}}]


def _raid():
    return {"name": "arm", "threat": "arm", "target": "base", "route": ARM_FROM_90KM,
            "home_on": {"unit": "s400", "radar": "92N6E"}}


def _only(res, kinds):
    ev = res.events
    rows = [i for i, k in enumerate(ev["kind"]) if k in kinds]
    assert len(rows) == 1, [ev["kind"][i] for i in rows]
    return {c: ev[c][rows[0]] for c in ev}


def test_closed_forms_by_hand():
    # guided: sigma 5 m, lethal radius 15 m: P = 1 - exp(-15²/(2·5²)) = 1 - e^-4.5
    assert arm.p_kill(15.0, arm.miss_sigma_m(5.0, math.radians(2.0), 0.0)) == pytest.approx(1 - math.exp(-4.5), rel=1e-12)
    # guidance lost 10 km out with a 2° seeker: sigma = hypot(5, 10 000 · 0.0349066) = 349.102 m
    s = arm.miss_sigma_m(5.0, math.radians(2.0), 10_000.0)
    assert s == pytest.approx(math.hypot(5.0, 10_000.0 * math.radians(2.0)), rel=1e-12)
    assert arm.p_kill(15.0, s) == pytest.approx(1 - math.exp(-225.0 / (2 * s * s)), rel=1e-12)
    # miss <= R_L exactly when u <= p_kill (one uniform decides both)
    u = np.linspace(0.0, 0.999, 1000)
    p = arm.p_kill(15.0, 20.0)
    np.testing.assert_array_equal(arm.miss_distance_m(20.0, u) <= 15.0, u <= p + 1e-15)


def test_guided_arm_kills_the_radar_and_it_stops(make_scenario):
    res = engine.simulate(make_scenario([_raid()], duration_s=400.0, units=_unit()), seed=1)
    e = _only(res, ("radar_killed", "arm_miss"))
    assert e["radar"] == "92N6E" and e["detail"].startswith("guided")
    assert e["p_kill"] == pytest.approx(1 - math.exp(-4.5), rel=1e-9)
    assert (e["kind"] == "radar_killed") == (e["miss_distance_m"] <= 15.0)
    assert e["kind"] == "radar_killed"  # P = 0.989: seed 1 kills
    r92 = next(r for r in res.summary["radars"] if r["name"] == "92N6E")
    assert r92["killed"] and r92["killed_s"] == e["t_s"]
    ev = res.events
    late = [ev["t_s"][i] for i, k in enumerate(ev["kind"]) if k == "detect" and ev["radar"][i] == "92N6E"]
    assert max(late) < e["t_s"] and r92["emitting_s"] <= e["t_s"] + 1.0


def test_guidance_loss_on_hand_computed_geometry(make_scenario):
    """The radar stops radiating at 100 s (its last look at 99 s); the ARM, level at 10 km and 600 m/s
    from 90 km out, is then 90 - 0.6·99 = 30.6 km out on the ground: slant range ≈ hypot(30.6, 10 - antenna)
    km (earth curvature adds under 0.1 km at this distance), and its miss scale hypot(5, R·2°)."""
    sc = make_scenario([_raid()], duration_s=400.0, units=_unit(mode="schedule", on=[[0, 100]]))
    res = engine.simulate(sc, seed=1)
    e = _only(res, ("radar_killed", "arm_miss"))
    r_hand = math.hypot(90_000.0 - 600.0 * 99.0, 10_000.0 - 8.0)
    r_run = float(re.search(r"guidance lost at ([0-9.]+) km", e["detail"]).group(1)) * 1e3
    assert abs(r_run - r_hand) / r_hand < 0.005
    sigma_hand = math.hypot(5.0, r_hand * math.radians(2.0))
    assert e["p_kill"] == pytest.approx(1 - math.exp(-225.0 / (2 * sigma_hand ** 2)), rel=0.03)
    assert e["kind"] == "arm_miss" and not next(r for r in res.summary["radars"] if r["name"] == "92N6E")["killed"]


def test_arm_warning_shuts_the_radar_down(make_scenario):
    sc = make_scenario([_raid()], duration_s=400.0,
                       units=_unit(mode="always", shutdown_on_arm=True, arm_range_km=60, off_s=300))
    res = engine.simulate(sc, seed=2)
    ev = res.events
    off = [i for i, k in enumerate(ev["kind"]) if k == "radar_off" and ev["detail"][i] == "arm_warning"]
    assert off, "no ARM warning"
    e = _only(res, ("radar_killed", "arm_miss"))
    assert "guidance lost" in e["detail"] and ev["t_s"][off[0]] < e["t_s"]
    # the warning came once the ARM was tracked within 60 km of the radar: about (90 - 60) km / 600 m/s = 50 s in
    assert 45.0 <= ev["t_s"][off[0]] <= 80.0
