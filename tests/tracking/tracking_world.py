"""A compiled one-unit world (an S-400 battalion at 40 N 32.5 E, one drone raid) for the tracking-stage tests."""

import yaml

from iadsim.compile import compile_scenario
from iadsim.scenario.load import parse_yaml, validate_data


def one_s400_world():
    d = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
             time=dict(duration_s=100.0, step_s=1.0),
             assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=1.0, radius_m=1000.0)],
             units=[dict(name="u", system="s400", lat_deg=40.0, lon_deg=32.5)],
             raids=[dict(name="r", threat="drone", target="base", route=[dict(lat_deg=40.5, lon_deg=32.5, alt_agl_m=300.0)])])
    data, lines = parse_yaml(yaml.safe_dump(d), "t")
    return compile_scenario(validate_data(data, lines, "t")).world
