"""Small scenarios for the C2 and doctrine tests (uniquely named helper module)."""

import yaml

from iadsim.scenario.load import parse_yaml, validate_data

BASE = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
            time=dict(duration_s=600.0, step_s=1.0),
            assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0)])


def scenario(**parts):
    data = dict(BASE, **parts)
    d, lines = parse_yaml(yaml.safe_dump(data), "test")
    return validate_data(d, lines, "test")
