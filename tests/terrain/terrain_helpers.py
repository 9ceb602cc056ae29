"""Builders for the terrain tests: SRTM tiles and GeoTIFFs written by iadsim.terrain.synth.

The landscape of the ridge scenario: flat ground at 900 m above MSL in the cell N40E032 with an
east-west Gaussian ridge, crest 600 m above it at 40.25° N (about 22 km north of the radar at
40.05° N), half-width 1.5 km; a cruise missile flies south from 40.9° N at 50 m above the terrain.
"""

import yaml

from iadsim.scenario.load import parse_yaml, validate_data
from iadsim.terrain import synth

BASE_M = 900.0
CREST_LAT = 40.25
RIDGE = synth.ridge(CREST_LAT, 32.2, CREST_LAT, 32.8, 600.0, 1500.0)


def ridge_heights(lat, lon):
    return BASE_M + RIDGE(lat, lon)


def scenario_data(dem=None, geoid_undulation_m=0.0, weapons_free=False, count=1) -> dict:
    data = dict(schema_version=1, name="ridge", seed=1, origin=dict(lat_deg=40.05, lon_deg=32.5, alt_m=BASE_M),
                time=dict(duration_s=420.0, step_s=1.0),
                assets=[dict(name="site", lat_deg=40.05, lon_deg=32.5, value=100.0, radius_m=1500.0)],
                units=[dict(name="sam", system="s400", lat_deg=40.05, lon_deg=32.5,
                            doctrine=dict(weapons_free=weapons_free))],
                raids=[dict(name="cm", threat="cruise_missile", count=count, spacing_s=20.0, target="site",
                            route=[dict(lat_deg=40.9, lon_deg=32.5, alt_agl_m=50.0)])])
    if dem is not None:
        data["terrain"] = dict(dem=str(dem), geoid_undulation_m=geoid_undulation_m)
    return data


def make_scenario(**kw):
    d, lines = parse_yaml(yaml.safe_dump(scenario_data(**kw)), "test")
    return validate_data(d, lines, "test")
