"""A DEM masks jammers as it masks targets: a stand-off jammer low behind the ridge jams nothing
with the terrain and jams the radar over the smooth earth (iadsim.ea.jamming.looks)."""

import numpy as np
import yaml

from iadsim import sensing
from iadsim.compile import compile_scenario
from iadsim.scenario.load import parse_yaml, validate_data
from terrain_helpers import scenario_data

SOJ = {"kind": "stand_off", "power_w": 1000.0, "gain_db": 20.0, "bandwidth_mhz": 1000.0, "centre_ghz": 10.0}
# 50 km north of the radar, 300 m above the flat ground: behind the 600 m crest 22 km north
BEHIND_RIDGE = [{"lat_deg": 40.5, "lon_deg": 32.45, "alt_agl_m": 300.0}, {"lat_deg": 40.5, "lon_deg": 32.55, "alt_agl_m": 300.0}]


def _jnr_early(dem):
    data = scenario_data(dem=dem)
    data["time"]["duration_s"] = 60.0
    data["raids"].append(dict(name="soj", threat="fighter", count=1, target="site", route=BEHIND_RIDGE, jammer=SOJ))
    d, lines = parse_yaml(yaml.safe_dump(data), "test")
    comp = compile_scenario(validate_data(d, lines, "test"))
    w = comp.world
    tab = sensing.look_table(w, comp.dt_s, comp.n_steps)
    r = w.radars.name.index("92N6E")
    rows = tab.look_of[: 31, r]  # the first 30 s: the jammer still on its leg at 40.5° N
    return tab.grid["jnr"][rows[rows >= 0], :, 0].max(axis=1)


def test_jammer_behind_the_ridge_is_masked(ridge_hgt_dir):
    over_terrain, smooth = _jnr_early(ridge_hgt_dir), _jnr_early(None)
    assert smooth.size > 20 and (smooth > 1.0).all()  # over the smooth earth: in sight, J/N > 0 dB
    assert (over_terrain == 0.0).all()  # behind the ridge: no jamming at all
