"""Fixtures for the output tests: one small run (a few fighters against one S-400 unit, 300 s)
written once per session with ``write_run``."""

from pathlib import Path

import pytest

SMALL_YAML = """\
schema_version: 1
name: outputs_small
description: Three fighters and two cruise missiles against one S-400 unit (output tests).
seed: 7
origin: {lat_deg: 40.07889, lon_deg: 32.56556, alt_m: 843}
time: {duration_s: 300, step_s: 1.0}
assets:
  - {name: base, lat_deg: 40.07889, lon_deg: 32.56556, value: 100, radius_m: 1500}
units:
  - {name: sam, system: s400, lat_deg: 40.09, lon_deg: 32.58}
raids:
  - name: fighters
    threat: fighter
    count: 3
    spacing_s: 10
    target: base
    route:
      - {lat_deg: 40.09, lon_deg: 33.60, alt_agl_m: 6000}
  - name: cruise
    threat: cruise_missile
    count: 2
    spacing_s: 20
    start_s: 30
    target: base
    route:
      - {lat_deg: 40.60, lon_deg: 32.50, alt_agl_m: 60}
"""


@pytest.fixture(scope="session")
def small_scenario_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "outputs_small.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_run(small_scenario_path, tmp_path_factory):
    """(RunResult, run directory) of the small scenario, written by ``write_run``."""
    import iadsim
    from iadsim.output import write_run

    result = iadsim.simulate(iadsim.load_scenario(small_scenario_path))
    run_dir = write_run(result, tmp_path_factory.mktemp("runs") / "outputs_small")
    return result, run_dir
