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
    """40N6 (row 1): full catalog Pk until the PIP is at 0.8 max range, then linearly less."""
    d_m = np.arange(300e3, 440e3, 20e3)
    f = run(world, [at(world, x, 12_000.0) for x in d_m], [[0.0, -250.0, 0.0]] * d_m.size, [AIRCRAFT] * d_m.size)
    pk_cat = world.weapons.pk[1]
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


def _tiny_table(params):
    """A stand-in for compute_table (seconds per missile): a 2 × 3 grid."""
    return flyout_table.FlyoutTable(params.name, flyout_table.fingerprint(params), np.array([0.0, 1e3, 2e3]),
                                    np.array([0.0, 1e3]), np.array([[0.0, 1.0, 2.0], [0.5, 1.5, np.nan]]))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty cache (IADSIM_CACHE), no packaged tables and a fast compute_table."""
    from iadsim.c2 import _flyout_tof_data as data

    monkeypatch.setenv("IADSIM_CACHE", str(tmp_path))
    monkeypatch.setattr(data, "TABLES", {})
    calls = []
    monkeypatch.setattr(flyout_table, "compute_table", lambda p: calls.append(p.name) or _tiny_table(p))
    flyout_table.load_table.cache_clear()
    yield tmp_path, calls
    flyout_table.load_table.cache_clear()


def test_cache_is_written_atomically_in_its_own_directory(cache_dir, monkeypatch):
    import os

    tmp_path, calls = cache_dir
    moves = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: moves.append((a, b)) or real_replace(a, b))
    tab = flyout_table.load_table("PAC-3-MSE")
    assert calls == ["PAC-3-MSE"] and len(moves) == 1
    src, dst = (os.fspath(p) for p in moves[0])
    assert os.path.dirname(src) == os.path.dirname(dst) == str(tmp_path) and src != dst
    assert sorted(p.name for p in tmp_path.iterdir()) == [os.path.basename(dst)]  # no temporary left
    flyout_table.load_table.cache_clear()
    again = flyout_table.load_table("PAC-3-MSE")  # read back from the cache, not recomputed
    assert calls == ["PAC-3-MSE"]
    np.testing.assert_array_equal(again.tof_s, tab.tof_s)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated", b"not a zip at all"])
def test_corrupt_cache_file_is_ignored_and_rewritten(cache_dir, content):
    tmp_path, calls = cache_dir
    params = load_interceptor_params("9M96E2")
    path = tmp_path / f"flyout_tof_{params.name}_{flyout_table.fingerprint(params)}.npz"
    path.write_bytes(content)
    tab = flyout_table.load_table("9M96E2")
    assert calls == ["9M96E2"] and tab.tof_s.shape == (2, 3)
    with np.load(path) as z:  # replaced by a whole file
        np.testing.assert_array_equal(z["tof_s"], tab.tof_s)


def test_one_cache_variable_for_every_cache(monkeypatch, tmp_path):
    from iadsim.viewer import install

    monkeypatch.setenv("IADSIM_CACHE", str(tmp_path))
    monkeypatch.setenv("IADSIM_CACHE_DIR", str(tmp_path / "old"))  # the former name: ignored
    assert flyout_table._cache_dir() == install.cache_root() == tmp_path
    assert install.cesium_dir("1.0") == tmp_path / "cesium" / "1.0"
