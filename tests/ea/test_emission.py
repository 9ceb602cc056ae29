"""Emission control: a silent radar detects nothing (and leaves the other radars' draws alone),
schedules and cueing switch radars with radar_on/radar_off events, and a unit whose engagement
radar is silent engages nothing."""

from __future__ import annotations

import numpy as np

from iadsim import engine, sensing
from iadsim.compile import compile_scenario

EAST = [{"lat_deg": 40.0, "lon_deg": 33.6, "alt_agl_m": 8000}]  # about 95 km east, inbound


def _events(res, kind, radar=None):
    ev = res.events
    return [i for i, k in enumerate(ev["kind"]) if k == kind and (radar is None or ev["radar"][i] == radar)]


def test_silent_radar_detects_nothing_and_others_are_unchanged(make_scenario):
    sc = make_scenario([{"name": "f", "threat": "fighter", "count": 3, "spacing_s": 5, "target": "base", "route": EAST}])
    w = compile_scenario(sc).world
    truth = engine.threat_truth(w, 10.0, 1.0)
    th, _ = engine.apply_truth(w.threats, truth, 10.0)
    both = np.ones(len(w.radars.name), bool)
    quiet = both.copy()
    quiet[w.radars.name.index("92N6E")] = False
    on, _ = sensing.scan(w, 0.0, [th], [np.random.default_rng(5)], emitting=[both])
    off, _ = sensing.scan(w, 0.0, [th], [np.random.default_rng(5)], emitting=[quiet])
    r92 = w.radars.name.index("92N6E")
    assert (on[0].radar_id == r92).sum() > 0 and (off[0].radar_id == r92).sum() == 0
    keep = on[0].radar_id != r92
    for field in ("range_m", "az_rad", "el_rad", "truth_id", "snr_db"):
        np.testing.assert_array_equal(getattr(off[0], field), getattr(on[0], field)[keep])


def test_schedule_switches_the_radar(make_scenario):
    units = [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5, "doctrine": {"weapons_free": False},
              "emission": {"92N6E": {"mode": "schedule", "on": [[100, 250]]}}}]
    sc = make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST}], duration_s=400.0, units=units)
    res = engine.simulate(sc, seed=3)
    ev = res.events
    det_t = np.array([ev["t_s"][i] for i in _events(res, "detect", "92N6E")])
    assert det_t.size > 50 and det_t.min() >= 100.0 and det_t.max() < 250.0
    switches = [(ev["t_s"][i], ev["kind"][i], ev["detail"][i]) for i in _events(res, "radar_on") + _events(res, "radar_off")]
    assert sorted(switches) == [(0.0, "radar_off", "schedule"), (100.0, "radar_on", "schedule"),
                                (250.0, "radar_off", "schedule")]
    r92 = next(r for r in res.summary["radars"] if r["name"] == "92N6E")
    assert r92["emitting_s"] == 150.0 and not r92["killed"]


def test_when_cued_radar_waits_for_a_track(make_scenario):
    units = [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5, "doctrine": {"weapons_free": False},
              "emission": {"92N6E": {"mode": "when_cued", "linger_s": 20}}}]
    sc = make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST}], duration_s=300.0, units=units)
    res = engine.simulate(sc, seed=4)
    ev = res.events
    first_track = res.summary["threats"][0]["first_track_s"]
    on = [ev["t_s"][i] for i in _events(res, "radar_on", "92N6E")]
    # the track is confirmed after the scan of its step; the radar radiates from the next step on
    assert first_track is not None and on and on[0] == first_track + 1.0
    assert min(ev["t_s"][i] for i in _events(res, "detect", "92N6E")) >= first_track


def test_unit_without_radiating_engagement_radar_engages_nothing(make_scenario):
    units = [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5,
              "emission": {"92N6E": {"mode": "schedule", "on": [[1000, 1001]]}}}]
    sc = make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST}], duration_s=400.0, units=units)
    res = engine.simulate(sc, seed=5)
    ev = res.events
    assert not _events(res, "launch") and res.summary["totals"]["rounds_fired"] == 0
    holds = {ev["hold_reason"][i] for i in _events(res, "hold")}
    assert holds == {"no_engagement_radar"}
    # the same raid with the radar on is engaged
    on = make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST}], duration_s=400.0,
                       units=[dict(units[0], emission={})])
    assert engine.simulate(on, seed=5).summary["totals"]["rounds_fired"] > 0
