"""Doctrine end to end through iadsim.simulate: salvo, shoot-look-shoot, reserve, hold fire, reload,
and infeasible doctrine as a validation error with the right line."""

import numpy as np
import pytest

import iadsim
from iadsim.scenario.load import ScenarioError, parse_yaml, validate_data
from test_doctrine_helpers import scenario

S400 = dict(name="s", system="s400", lat_deg=40.0, lon_deg=32.5)


def fighters(count=1, spacing=20.0, lat=41.0):
    return [dict(name="f", threat="fighter", count=count, spacing_s=spacing, target="base",
                 route=[dict(lat_deg=lat, lon_deg=32.5, alt_agl_m=6000.0)])]


def run(doctrine=None, overrides=None, count=1, duration=420.0, spacing=20.0):
    unit = dict(S400, doctrine=doctrine or {}, overrides=overrides or {})
    sc = scenario(units=[unit], raids=fighters(count, spacing), time=dict(duration_s=duration, step_s=1.0))
    res = iadsim.simulate(sc, seed=3)
    ev = {k: np.array(v, dtype=object) for k, v in res.events.items()}
    return res, ev


def of(ev, kind):
    return np.flatnonzero(ev["kind"] == kind)


def test_salvo_fires_two_spaced_by_salvo_spacing():
    _, ev = run(dict(mode="salvo", salvo=2, salvo_spacing_s=4.0))
    la = of(ev, "launch")
    first_track = ev["track_id"][la[0]]
    t = sorted(float(ev["t_s"][i]) for i in la if ev["track_id"][i] == first_track)
    assert len(t) >= 2 and t[1] - t[0] == pytest.approx(4.0)
    assigned = [d for i, d in zip(of(ev, "assign"), ev["detail"][of(ev, "assign")]) if ev["track_id"][i] == first_track]
    assert sum(int(d.split("rounds=")[1].split()[0]) for d in assigned[:2]) >= 2


def test_shoot_look_shoot_waits_for_resolution_and_look():
    _, ev = run(dict(mode="shoot_look_shoot"), count=3)
    for tid in set(ev["track_id"][of(ev, "launch")]):
        launches = sorted(float(ev["t_s"][i]) for i in of(ev, "launch") if ev["track_id"][i] == tid)
        resolves = sorted(float(ev["t_s"][i]) for i in np.r_[of(ev, "intercept_hit"), of(ev, "intercept_miss")]
                          if ev["track_id"][i] == tid)
        looks = sorted(float(ev["t_s"][i]) for i in of(ev, "reassess") if ev["track_id"][i] == tid)
        for a, b in zip(launches, launches[1:]):
            assert any(a < r <= b for r in resolves), (tid, launches, resolves)
            assert any(a < lk <= b for lk in looks), (tid, launches, looks)
    verdicts = list(ev["detail"][of(ev, "reassess")])
    assert verdicts and all(v.startswith(("survived", "killed")) for v in verdicts)


def test_reserve_rounds_are_never_fired():
    res, ev = run(dict(reserve_rounds=22), count=6, spacing=10.0)
    u = res.summary["units"][0]
    assert u["rounds_fired"]["40N6"] == 0 and u["rounds_fired"]["48N6E3"] <= 2
    assert all(left >= 22 or fired == 0 for left, fired in zip(u["rounds_left"].values(), u["rounds_fired"].values()))
    assert "reserve" in set(ev["detail"][of(ev, "hold")])


def test_hold_fire_fires_nothing():
    res, ev = run(dict(weapons_free=False), count=2)
    assert of(ev, "launch").size == 0 and res.summary["totals"]["rounds_fired"] == 0
    assert set(ev["detail"][of(ev, "hold")]) == {"hold fire"}


def test_reload_restores_rounds_after_reload_time():
    over = dict(launchers=dict(rails=1, reload_time=60, reload_sets=2, reload_vehicles=1))
    res, ev = run(dict(reserve_rounds=0), overrides=over, count=14, spacing=8.0, duration=600.0)
    rl = of(ev, "reload")
    assert rl.size >= 1
    t_reload = float(ev["t_s"][rl[0]])
    launches = np.sort(ev["t_s"][of(ev, "launch")].astype(float))
    first_empty = launches[7] if launches.size > 7 else np.inf  # 6 + 2 rounds on the rails at the start
    assert t_reload >= 60.0 and launches.size > 8
    assert t_reload - 60.0 <= first_empty + 12.0  # a reload starts once a launcher is empty (reaction time 10 s)
    u = res.summary["units"][0]
    assert sum(u["rounds_fired"].values()) == launches.size


GOOD = """schema_version: 1
name: t
origin: {lat_deg: 40.0, lon_deg: 32.5}
time: {duration_s: 10}
assets:
  - {name: base, lat_deg: 40.0, lon_deg: 32.5, value: 1}
units:
  - name: s
    system: s400
    lat_deg: 40.0
    lon_deg: 32.5
    doctrine:
      mode: salvo
      salvo: 3
      class_rules:
        ballistic: {salvo: 4}
    overrides: {launchers: {rails: 2, reload_time: 0}}
raids:
  - {name: r, threat: fighter, target: base, route: [{lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 50}]}
"""


def test_infeasible_doctrine_is_a_validation_error_with_the_line():
    data, lines = parse_yaml(GOOD, "doc.yaml")
    with pytest.raises(ScenarioError) as info:
        validate_data(data, lines, "doc.yaml")
    probs = {p.path: p for p in info.value.problems}
    assert probs["units.0.doctrine.salvo"].line == 14 and "at least 3 rails" in probs["units.0.doctrine.salvo"].message
    p = probs["units.0.doctrine.class_rules.ballistic.salvo"]
    assert p.line == 16 and "at least 4 rails" in p.message
    ok = GOOD.replace("rails: 2, reload_time: 0", "rails: 4")
    validate_data(*parse_yaml(ok, "ok.yaml"), "ok.yaml")
