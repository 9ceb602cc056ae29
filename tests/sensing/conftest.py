"""Shared builders for the sensing tests: a compiled one-unit world with threats placed by hand."""

from dataclasses import replace

import numpy as np
import pytest
import yaml

from iadsim import geo
from iadsim.compile import compile_scenario
from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.scenario.load import parse_yaml, validate_data


def _scenario(system, threat, n, facing_deg=0.0):
    data = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
                time=dict(duration_s=10.0, step_s=1.0),
                assets=[dict(name="a", lat_deg=40.0, lon_deg=32.5, value=1.0, radius_m=1000.0)],
                units=[dict(name="u", system=system, lat_deg=40.0, lon_deg=32.5, facing_deg=facing_deg)],
                raids=[dict(name="r", threat=threat, count=n, target="a",
                            route=[dict(lat_deg=41.0, lon_deg=32.5, alt_agl_m=1000)])])
    d, lines = parse_yaml(yaml.safe_dump(data), "test")
    return validate_data(d, lines, "test")


class Placed:
    """A world with one radar kept (``radar`` index of the unit's radars) and n threats placed."""

    def __init__(self, system="s400", threat="fighter", n=1, radar=0, facing_deg=0.0):
        comp = compile_scenario(_scenario(system, threat, n, facing_deg))
        self.comp, w = comp, comp.world
        rd = w.radars
        keep = np.array([radar])
        self.radars = type(rd)(**{f: (getattr(rd, f)[keep] if isinstance(getattr(rd, f), np.ndarray)
                                      else [getattr(rd, f)[radar]]) for f in rd.__dataclass_fields__})
        self.world = replace(w, radars=self.radars)
        self.n = n

    def place(self, ground_m, az_deg, alt_agl_m, speed_mps=0.0, heading="closing"):
        """Threats at great-circle ``ground_m`` and bearing ``az_deg`` from the site, ``alt_agl_m`` above ground."""
        n = self.n
        ground_m, az, alt = (np.broadcast_to(np.asarray(v, float), (n,)) for v in (ground_m, np.radians(az_deg), alt_agl_m))
        o = self.comp.origin
        lat0, lon0 = np.radians(40.0), np.radians(32.5)
        d = ground_m / EARTH_MEAN_RADIUS_M
        lat = np.arcsin(np.sin(lat0) * np.cos(d) + np.cos(lat0) * np.sin(d) * np.cos(az))
        lon = lon0 + np.arctan2(np.sin(az) * np.sin(d) * np.cos(lat0), np.cos(d) - np.sin(lat0) * np.sin(lat))
        pos = geo.geodetic_to_enu(lat, lon, self.comp.ground_alt_m + alt, o)
        los = pos - self.radars.pos_enu_m[0]
        unit = los / np.linalg.norm(los, axis=1, keepdims=True)
        vel = (-speed_mps if heading == "closing" else speed_mps) * unit
        th = replace(self.world.threats, pos_enu_m=pos, vel_enu_mps=vel, active=np.ones(n, bool), alive=np.ones(n, bool))
        self.world = replace(self.world, threats=th)
        agl = geo.altitude_m(pos, o) - self.comp.ground_alt_m
        return self.world, agl


@pytest.fixture
def placed():
    return Placed
