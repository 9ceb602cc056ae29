"""Feasibility: envelope edges, line of sight and the fly-out table against the model it came from."""

import numpy as np
import pytest

from iadsim import geo
from iadsim.c2 import feasibility as fz, flyout_table
from iadsim.c2.threat_eval import AIRCRAFT, BALLISTIC
from iadsim.compile import compile_scenario
from iadsim.flyout.params import load_interceptor_params
from test_doctrine_helpers import scenario


@pytest.fixture(scope="module")
def world():
    sc = scenario(units=[dict(name="s", system="s400", lat_deg=40.0, lon_deg=32.5)],
                  raids=[dict(name="r", threat="fighter", target="base",
                              route=[dict(lat_deg=41.0, lon_deg=32.5, alt_agl_m=6000.0)])])
    return compile_scenario(sc).world


def at(world, north_m, alt_m):
    """ENU point north of the origin at a height above the scenario ground."""
    lat = world.origin.lat_rad + north_m / 6_371_000.0
    return geo.geodetic_to_enu(lat, world.origin.lon_rad, world.ground_alt_m + alt_m, world.origin)


def run(world, pts, vels, cls):
    w_idx = np.flatnonzero(world.weapons.unit_idx == 0)
    return fz.assess(world, 0, w_idx, np.array(pts), np.array(vels, float), np.array(cls), 10.0)


def test_envelope_edges_and_horizon(world):
    south = [0.0, -250.0, 0.0]
    pts = [at(world, 100e3, 8_000.0),   # 0 inside
           at(world, 500e3, 20_000.0),  # 1 beyond every max range, above the horizon
           at(world, 100e3, 45_000.0),  # 2 above max altitude (30 km)
           at(world, 100e3, 8_000.0),   # 3 too fast (6 km/s)
           at(world, 150e3, 30.0),      # 4 below the radar horizon
           at(world, 100e3, 20_000.0)]  # 5 ballistic class beyond the 60 km ballistic range
    vels = [south, south, south, [0.0, -6000.0, 0.0], south, [0.0, -100.0, 0.0]]
    cls = [AIRCRAFT] * 5 + [BALLISTIC]
    f = run(world, pts, vels, cls)
    assert (f.pk[:, 0] > 0).any() and (f.code[:, 0] == fz.FEASIBLE).any()
    for j in (1, 2, 3, 5):
        assert (f.pk[:, j] == 0).all() and (f.code[:, j] == fz.OUT_OF_ENVELOPE).all(), j
    assert (f.pk[:, 4] == 0).all() and (f.code[:, 4] == fz.NO_LOS).all()
    assert np.all(np.linalg.norm(f.pip_enu_m[:, 0] - pts[0], axis=-1) < 200e3)


def test_pk_degrades_near_max_range(world):
    """40N6 (row 1): the kill draw's expected Pk (flyout.lethality) until the PIP is at 0.8 max
    range, then linearly less."""
    d_m = np.arange(300e3, 440e3, 20e3)
    f = run(world, [at(world, x, 12_000.0) for x in d_m], [[0.0, -250.0, 0.0]] * d_m.size, [AIRCRAFT] * d_m.size)
    from iadsim.flyout.lethality import expected_pk

    pk_cat = expected_pk(str(world.weapons.name[1]), "aircraft")
    assert f.pk[1, 0] == pytest.approx(pk_cat)
    assert np.all(np.diff(f.pk[1]) <= 1e-12) and pk_cat / 2 <= f.pk[1, -1] < pk_cat
    r_pip = fz.ground_range_m(f.pip_enu_m[1], world.units.pos_enu_m[0], world.earth_centre_enu_m)
    edge = np.clip((r_pip / world.weapons.max_range_m[1] - fz.PK_EDGE_START) / (1 - fz.PK_EDGE_START), 0, 1)
    np.testing.assert_allclose(f.pk[1], pk_cat * (1 - fz.PK_EDGE_LOSS * edge), rtol=1e-12)


def test_flyout_table_agrees_with_the_flyout_model():
    params = load_interceptor_params("PAC-3-MSE")
    table = flyout_table.load_table("PAC-3-MSE")
    direct = flyout_table.compute_table(params, altitudes_m=(3_000.0, 12_000.0, 21_000.0), n_ranges=5)
    r, h = np.meshgrid(direct.range_m, direct.alt_m)
    ok = np.isfinite(direct.tof_s)
    assert ok.sum() >= 8
    got = flyout_table.time_of_flight_s(table, r[ok], h[ok])
    both = np.isfinite(got)  # the table is NaN in the last cell before the edge of reach
    assert both.sum() >= 0.7 * ok.sum()
    tol_s = 0.5 + 0.02 * direct.tof_s[ok][both]
    assert np.all(np.abs(got[both] - direct.tof_s[ok][both]) <= tol_s), np.c_[got, direct.tof_s[ok]]


def test_packaged_tables_are_current():
    from iadsim.c2 import _flyout_tof_data as data

    for name, entry in data.TABLES.items():
        assert entry["fingerprint"] == flyout_table.fingerprint(load_interceptor_params(name)), (
            f"{name}: regenerate with python -m iadsim.c2.flyout_table")
