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
    # 5 climbs at 400 m/s: under gravity (ballistic prediction) it stays above 10 km for the
    # first ~110 s, in the radar's sight, so only the ballistic range refuses it
    vels = [south, south, south, [0.0, -6000.0, 0.0], south, [0.0, -100.0, 400.0]]
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


def _fly(world, w, p0, v, t_launch_s, aim, dt_s=0.05):
    """Fly weapon row w's missile from the unit at t_launch_s against targets p0 + v·t (perfect
    track), straight-line in ENU; (time of flight to the closest approach, NaN if none; reason)."""
    from iadsim.flyout.kinematics import REASON_CPA, REASON_NAMES, advance_interceptors
    from iadsim.flyout.params import InterceptorTable
    from iadsim.flyout.stage import osculating_env
    from iadsim.flyout.state import TargetStates, launch_interceptors

    env = osculating_env(world.origin, world.ground_alt_m)
    table = InterceptorTable.from_params([load_interceptor_params(str(world.weapons.name[w]))])
    n = len(p0)
    state = launch_interceptors(table, np.zeros(n, np.int64), np.repeat(world.units.pos_enu_m[:1], n, 0), aim, env)
    tof, reason, rows, t = np.full(n, np.nan), np.full(n, "none", object), np.arange(n), 0.0
    draw = np.random.default_rng(0)
    while rows.size and t < 700.0:
        p = p0[rows] + v[rows] * (t_launch_s + t)
        state, out = advance_interceptors(state, table, TargetStates(p, v[rows], np.zeros_like(p)), t, dt_s, draw, env)
        t += dt_s
        done = out.reason != 0
        tof[rows[out.reason == REASON_CPA]] = out.t_cpa_s[out.reason == REASON_CPA]
        reason[rows[done]] = [REASON_NAMES[r] for r in out.reason[done]]
        keep = np.flatnonzero(state.alive)
        state, rows = state.take(keep), rows[keep]
    return tof, reason


def test_time_of_flight_and_reach_hold_against_moving_targets_of_every_aspect(world):
    """The feasibility's PIP search on the stationary-point table, against the flyout flown at
    targets approaching, crossing and receding at 250 m/s (3-DOF, perfect track, launched after
    the reaction time): every shot called feasible lands (reaches its closest approach, never
    below minimum speed or out of time), and its predicted time of flight is within 10 %."""
    south, north, east = [0.0, -250.0, 0.0], [0.0, 250.0, 0.0], [250.0, 0.0, 0.0]
    cases = [(d, h, v) for h in (300.0, 3_000.0, 10_000.0)
             for d, v in ((40e3, south), (120e3, south), (200e3, south), (30e3, north), (90e3, north),
                          (60e3, east), (150e3, east))]
    pts = np.array([at(world, d, h) for d, h, _ in cases])
    vels = np.array([v for _, _, v in cases], float)
    f = run(world, pts, vels, [AIRCRAFT] * len(cases))
    ok = f.code[0] == fz.FEASIBLE  # 48N6E3
    assert ok.sum() >= 15
    tof, reason = _fly(world, 0, pts[ok], vels[ok], 10.0, f.pip_enu_m[0][ok])
    assert set(reason) == {"cpa"}, list(zip(np.array(cases, object)[ok], reason))
    np.testing.assert_array_less(np.abs(tof - f.tof_s[0][ok]), 0.10 * tof)


def test_a_low_slow_drone_is_predicted_at_its_own_altitude(world):
    """A drone at 200 m, 45 km out (inside this radar's horizon), 51 m/s toward the unit, its
    track's vertical velocity noisy (+15 m/s): the PIP stays at 200 m (drones' PIPs came out at
    3.5-10 km with the straight-line prediction), the shot is feasible and its time of flight
    that of a point at 200 m, which the flyout confirms."""
    p = at(world, 45e3, 200.0)
    f = run(world, [p, p], [[0.0, -51.0, 15.0], [0.0, -51.0, 0.0]], [AIRCRAFT, AIRCRAFT])
    r = np.linalg.norm(f.pip_enu_m[0] - world.earth_centre_enu_m, axis=-1)
    np.testing.assert_allclose(r, np.linalg.norm(p - world.earth_centre_enu_m), rtol=1e-12)  # own altitude
    h = geo.altitude_m(f.pip_enu_m[0].reshape(-1, 3), world.origin) - world.ground_alt_m
    np.testing.assert_allclose(h, 200.0, atol=20.0)  # on the ellipsoid: the sphere's 13 m at 60 km
    assert f.code[0, 0] == fz.FEASIBLE and np.isfinite(f.tof_s[0, 0])
    np.testing.assert_allclose(f.tof_s[:, 0], f.tof_s[:, 1], rtol=1e-3)  # the noise changes ~nothing
    tof, reason = _fly(world, 0, np.array([p]), np.array([[0.0, -51.0, 0.0]]), 10.0, f.pip_enu_m[0, :1])
    assert reason[0] == "cpa" and abs(tof[0] - f.tof_s[0, 0]) <= 0.10 * tof[0]


def test_ballistic_pip_falls_under_gravity_aerodynamic_keeps_its_altitude(world):
    """A ballistic track's PIP is p + v·t − ½·g0·t²·up (t = reaction time + predicted time of
    flight); an aircraft's stays at its own distance from the earth's centre (its own altitude on
    the model's sphere) whatever its vertical velocity."""
    from iadsim.constants import G0_MPS2

    p = np.array([at(world, 40e3, 20_000.0), at(world, 40e3, 5_000.0)])
    v = np.array([[0.0, -1500.0, -800.0], [0.0, -250.0, -40.0]])
    f = run(world, p, v, [BALLISTIC, AIRCRAFT])
    ok = np.isfinite(f.tof_s[:, 0])
    assert ok.any()
    up = (p[0] - world.earth_centre_enu_m) / np.linalg.norm(p[0] - world.earth_centre_enu_m)
    t = 10.0 + f.tof_s[ok, 0]  # reaction time of run() + predicted time of flight
    expected = p[0] + v[0] * t[:, None] - 0.5 * G0_MPS2 * t[:, None] ** 2 * up
    np.testing.assert_allclose(f.pip_enu_m[ok, 0], expected, atol=1e-6)
    ok = np.isfinite(f.tof_s[:, 1])
    assert ok.any()
    r_pip = np.linalg.norm(f.pip_enu_m[ok, 1] - world.earth_centre_enu_m, axis=-1)  # own distance from the centre
    assert np.allclose(r_pip, np.linalg.norm(p[1] - world.earth_centre_enu_m), rtol=0.0, atol=1e-6)
