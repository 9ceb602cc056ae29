"""A tiny, fast scenario for the study tests: seven drones against one Patriot launcher, 300 s."""

import yaml

from iadsim.scenario.load import parse_yaml, validate_data

TINY = dict(
    schema_version=1, name="tiny", seed=3, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
    time=dict(duration_s=300.0, step_s=1.0),
    assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0),
            dict(name="depot", lat_deg=40.02, lon_deg=32.55, value=5.0, radius_m=800.0)],
    units=[dict(name="p", system="patriot", lat_deg=40.0, lon_deg=32.5, overrides={"launchers": {"count": 1}})],
    raids=[dict(name="d1", threat="drone", count=4, spacing_s=5.0, target="base",
                route=[dict(lat_deg=40.12, lon_deg=32.5, alt_agl_m=300.0)]),
           dict(name="d2", threat="drone", count=3, spacing_s=5.0, target="depot",
                route=[dict(lat_deg=39.9, lon_deg=32.6, alt_agl_m=300.0)])])


def tiny_data(**changes) -> dict:
    import copy

    data = copy.deepcopy(TINY)
    data.update(changes)
    return data


def write_tiny(path, **changes):
    path.write_text(yaml.safe_dump(tiny_data(**changes), sort_keys=False), encoding="utf-8")
    return path


def tiny_scenario_object():
    d, lines = parse_yaml(yaml.safe_dump(TINY), "tiny")
    return validate_data(d, lines, "tiny")
