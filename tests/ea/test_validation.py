"""Bad issue-18 input is refused with the file, line and field, and what was expected."""

from __future__ import annotations

import pytest
import yaml

from iadsim.scenario.load import ScenarioError, load_scenario

BASE = {
    "name": "bad", "origin": {"lat_deg": 40.0, "lon_deg": 32.5}, "time": {"duration_s": 600},
    "assets": [{"name": "base", "lat_deg": 40.0, "lon_deg": 32.5, "value": 1}],
    "units": [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5}],
}
ROUTE = [{"lat_deg": 40.0, "lon_deg": 34.0, "alt_agl_m": 8000}, {"lat_deg": 40.0, "lon_deg": 33.5, "alt_agl_m": 8000}]


def _problems(tmp_path, raids=None, units=None):
    doc = dict(BASE, raids=raids or [{"name": "f", "threat": "fighter", "target": "base", "route": ROUTE}])
    if units is not None:
        doc["units"] = units
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.problems


@pytest.mark.parametrize("raid, path, words", [
    ({"jammer": {"kind": "stand_off", "erp_dbw": 50}}, "raids.0.jammer", "bandwidth_mhz"),
    ({"jammer": {"kind": "sideways", "erp_dbw": 50, "bandwidth_mhz": 10, "centre_ghz": 10}}, "raids.0.jammer.kind", "stand_off"),
    ({"jammer": {"erp_dbw": 50, "power_w": 10, "bandwidth_mhz": 10, "centre_ghz": 10, "kind": "escort"}}, "raids.0.jammer", "not both"),
    ({"releases": [{"name": "x", "threat": "jasm", "at_waypoint": 1, "target": "base"}]}, "raids.0.releases.0.threat", "unknown threat"),
    ({"releases": [{"name": "x", "threat": "arm", "at_waypoint": 5, "target": "base"}]}, "raids.0.releases.0.at_waypoint", "2 waypoints"),
    ({"releases": [{"name": "x", "threat": "arm", "at_waypoint": 1, "target": "nowhere"}]}, "raids.0.releases.0.target", "no asset"),
    ({"releases": [{"name": "x", "threat": "arm", "target": "base"}]}, "raids.0.releases.0", "exactly one of at_waypoint or at_s"),
    ({"releases": [{"name": "x", "threat": "srbm", "at_s": 10, "target": "base"}]}, "raids.0.releases.0.threat", "ballistic"),
    ({"home_on": {"unit": "s400", "radar": "MPQ-65"}}, "raids.0.home_on.radar", "no radar"),
    ({"home_on": {"unit": "s400", "radar": "92N6E"}}, "raids.0.home_on", "no anti-radiation seeker"),
    ({"home_on": {"unit": "s300", "radar": "92N6E"}}, "raids.0.home_on.unit", "no unit"),
    ({"threat": "arm", "overrides": {"arm": {"lethal_radius": 30}}}, "raids.0.overrides.arm", "home_on"),
])
def test_bad_raid_entities(tmp_path, raid, path, words):
    raid = dict({"name": "f", "threat": "fighter", "target": "base", "route": ROUTE}, **raid)
    problems = _problems(tmp_path, raids=[raid])
    hit = [p for p in problems if p.path == path]
    assert hit and hit[0].line is not None and words in hit[0].message, [str(p) for p in problems]


@pytest.mark.parametrize("emission, path, words", [
    ({"96L6": {"mode": "always"}}, "units.0.emission.96L6", "no radar"),
    ({"92N6E": {"mode": "schedule"}}, "units.0.emission.92N6E", "needs on"),
    ({"92N6E": {"mode": "schedule", "on": [[50, 10]]}}, "units.0.emission.92N6E", "start_s < end_s"),
])
def test_bad_emission(tmp_path, emission, path, words):
    units = [dict(BASE["units"][0], emission=emission)]
    problems = _problems(tmp_path, units=units)
    hit = [p for p in problems if p.path == path]
    assert hit and hit[0].line is not None and words in hit[0].message, [str(p) for p in problems]
