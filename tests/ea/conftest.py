"""Scenarios for the electronic-attack tests: one S-400 unit at the origin and raids built per test."""

from __future__ import annotations

import pytest

from iadsim.scenario.models import Scenario

ORIGIN = {"lat_deg": 40.0, "lon_deg": 32.5, "alt_m": 800.0}


def scenario(raids, duration_s=1500.0, units=None, **extra) -> Scenario:
    """A scenario with one S-400 battalion at the origin (weapons hold by default: sensing tests)."""
    units = units if units is not None else [{"name": "s400", "system": "s400", "lat_deg": 40.0, "lon_deg": 32.5,
                                              "doctrine": {"weapons_free": False}}]
    return Scenario.model_validate(dict(
        name="ea_test", seed=1, origin=ORIGIN, time={"duration_s": duration_s, "step_s": 1.0},
        assets=[{"name": "base", "lat_deg": 40.0, "lon_deg": 32.5, "value": 100.0, "radius_m": 1000.0}],
        units=units, raids=raids, **extra))


@pytest.fixture
def make_scenario():
    return scenario
