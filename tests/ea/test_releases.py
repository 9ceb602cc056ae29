"""Released weapons: start where and when the carrier passes its release waypoint, one template for
every carrier, the carrier turns back; a carrier dead before its release releases nothing in that run."""

from __future__ import annotations

import numpy as np

from iadsim import engine, geo
from iadsim.compile import compile_scenario
from iadsim.ea.runs import EaRuns

WPS = [{"lat_deg": 40.0, "lon_deg": 34.3, "alt_agl_m": 8000}, {"lat_deg": 40.0, "lon_deg": 33.7, "alt_agl_m": 8000}]


def _raid(**rel):
    release = dict(name="cm", threat="standoff_cruise_missile", count=2, interval_s=5, at_waypoint=1, turn_back=True,
                   target="base", route=[{"lat_deg": 40.0, "lon_deg": 33.2, "alt_agl_m": 60}], **rel)
    return {"name": "strikers", "threat": "fighter", "count": 2, "spacing_s": 30, "start_s": 10, "target": "base",
            "route": WPS, "releases": [release]}


def test_release_point_time_and_turn_back(make_scenario):
    sc = make_scenario([_raid()], duration_s=900.0)
    comp = compile_scenario(sc)
    w, th = comp.world, comp.world.threats
    assert comp.raid_names == ["strikers", "strikers.cm"]
    carriers, weapons = np.flatnonzero(th.raid_idx == 0), np.flatnonzero(th.raid_idx == 1)
    assert carriers.size == 2 and weapons.size == 4
    # the carrier's template passes waypoint 1 at t_rel: the knot nearest it
    wp1 = geo.geodetic_to_enu(np.radians(40.0), np.radians(33.7), sc.origin.alt_m + 8000, comp.origin)
    knots = th.knot_pos_enu_m[0, : th.n_knots[0]]
    k = int(np.argmin(np.linalg.norm(knots - wp1, axis=1)))
    # turning back, the route autopilot starts its turn before the waypoint (turn anticipation): the
    # release is at the turn, the westmost point of the carrier's path
    assert k == int(np.argmin(knots[:, 0])) and np.linalg.norm(knots[k] - wp1) < 15_000.0
    t_rel = k * th.knot_dt_s[0]
    expect = [th.t_start_s[c] + t_rel + j * 5.0 for c in carriers for j in range(2)]
    np.testing.assert_allclose(th.t_start_s[weapons], expect)
    np.testing.assert_allclose(w.extra["carrier_idx"][weapons], np.repeat(carriers, 2))
    # the weapons' template starts at the carrier's release point
    np.testing.assert_allclose(th.knot_pos_enu_m[1, 0], knots[k], atol=1e-6)
    # the carrier turns back: its trajectory ends near its first waypoint, far from the target
    wp0 = geo.geodetic_to_enu(np.radians(40.0), np.radians(34.3), sc.origin.alt_m + 8000, comp.origin)
    assert np.linalg.norm(knots[-1] - wp0) < 5_000.0
    res = engine.simulate(sc, seed=1)  # weapons hold: nothing is shot down
    ev = res.events
    rel_t = sorted(ev["t_s"][i] for i, kind in enumerate(ev["kind"]) if kind == "release")
    np.testing.assert_allclose(rel_t, sorted(expect))
    fates = {t["id"]: t["fate"] for t in res.summary["threats"]}
    assert [fates[c] for c in carriers] == ["ended", "ended"]
    assert {fates[i] for i in weapons} <= {"leaked", "in_flight"}
    assert {t["raid"] for t in res.summary["threats"]} == {"strikers", "strikers.cm"}


def test_dead_carrier_releases_nothing(make_scenario):
    comp = compile_scenario(make_scenario([_raid()], duration_s=900.0))
    w = comp.world
    th = w.threats
    carriers, weapons = np.flatnonzero(th.raid_idx == 0), np.flatnonzero(th.raid_idx == 1)
    th = engine._set_fate(th, carriers[:1], "killed", 50.0)  # the first carrier killed before its release
    ea = EaRuns(w, 1, comp.dt_s)

    class Rec:
        rows = []

        def ea_rows(self, n, **cols):
            self.rows.append((n, cols))

    rec = Rec()
    for k in range(int(th.t_start_s[weapons].max()) + 2):
        truth = engine.threat_truth(w, float(k), 1.0)
        th = ea.before_truth(0, float(k), th, truth, rec, np.random.default_rng(0))
        th, _ = engine.apply_truth(th, truth, float(k))
    first, second = weapons[:2], weapons[2:]
    assert list(th.fate[first]) == ["not_released"] * 2 and not th.alive[first].any()
    np.testing.assert_allclose(th.fate_t_s[first], th.t_start_s[first])
    assert th.alive[second].all() and th.active[second].all()
    released = sorted(int(i) for n, cols in rec.rows if cols["kind"] == "release" for i in cols["threat_id"])
    assert released == sorted(second.tolist())


def test_ballistic_release_flies_an_arc_from_the_release_point(make_scenario):
    far = [{"lat_deg": 40.0, "lon_deg": 35.5, "alt_agl_m": 9000}, {"lat_deg": 40.0, "lon_deg": 35.0, "alt_agl_m": 9000}]
    rel = dict(name="bm", threat="srbm", at_waypoint=1, target="base", ballistic={"apogee_alt_m": 60000})
    sc = make_scenario([{"name": "carrier", "threat": "fighter", "target": "base", "route": far, "releases": [rel]}],
                       duration_s=900.0)
    comp = compile_scenario(sc)
    th = comp.world.threats
    carrier, weapon = 0, 1
    k = int(round((th.t_start_s[weapon] - th.t_start_s[carrier]) / th.knot_dt_s[0]))
    np.testing.assert_allclose(th.knot_pos_enu_m[1, 0], th.knot_pos_enu_m[0, k], atol=1e-6)  # starts at the release point
    end = th.knot_pos_enu_m[1, th.n_knots[1] - 1]
    assert np.linalg.norm(end - comp.world.assets.pos_enu_m[0]) < 100.0  # impact on the target
    alt = geo.altitude_m(th.knot_pos_enu_m[1, : th.n_knots[1]], comp.origin) - sc.origin.alt_m
    assert 50_000 < alt.max() < 70_000  # an arc, apogee about 60 km
    res = engine.simulate(sc, seed=1)
    assert next(t for t in res.summary["threats"] if t["raid"] == "carrier.bm")["fate"] in ("leaked", "killed")


def test_ballistic_release_without_an_arc_is_refused(tmp_path):
    import yaml

    from iadsim.scenario.load import ScenarioError, load_scenario

    doc = {"name": "x", "origin": {"lat_deg": 40.0, "lon_deg": 32.5}, "time": {"duration_s": 600},
           "assets": [{"name": "base", "lat_deg": 40.0, "lon_deg": 32.5, "value": 1}],
           "raids": [{"name": "c", "threat": "fighter", "target": "base", "route": WPS,
                      "releases": [{"name": "bm", "threat": "srbm", "at_waypoint": 1, "target": "base",
                                    "ballistic": {"apogee_alt_m": 2000}}]}]}  # below the 8 km release height
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        hit = [p for p in exc.problems if p.path.startswith("raids.0.releases.0")]
        assert hit and hit[0].line is not None and "no ballistic arc" in hit[0].message, [str(p) for p in exc.problems]
        assert hit[0].path == "raids.0.releases.0.ballistic.apogee_alt_m"
    else:
        raise AssertionError("an arc with its apogee below the release point was accepted")
