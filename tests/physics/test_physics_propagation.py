"""Effective-earth radius, horizon, height/range/elevation geometry and line of sight.

Oracles: MATLAB Radar Toolbox documentation examples (functions effearthradius, horizonrange,
height2grndrange); FS-1037C / NAWCWD TP 8347 §2.9 "4.12 rule" (docs/REFERENCES.md).
"""

import numpy as np
import pytest

from iadsim.physics import propagation as prop

REL_TOL_001PCT = 1e-4
TOL_M = 1e-6


def test_effective_earth_radius_default_and_four_thirds():
    assert prop.K_STANDARD == pytest.approx(1.3306, abs=1e-4)
    assert prop.effective_earth_radius_m() == pytest.approx(8.4774e6, rel=REL_TOL_001PCT)
    assert prop.effective_earth_radius_m(4 / 3) == pytest.approx(8.4947e6, rel=REL_TOL_001PCT)
    assert prop.k_factor(0.0) == 1.0


def test_horizonrange_30m():
    assert prop.horizon_range_m(30.0) == pytest.approx(2.2553e4, rel=REL_TOL_001PCT)
    assert prop.horizon_range_m(30.0, k=4 / 3) == pytest.approx(2.2576e4, rel=REL_TOL_001PCT)


def test_height2grndrange_example():
    got = prop.ground_range_from_height_m(1000.0, 10.0, np.deg2rad(2.0))
    assert got == pytest.approx(2.7106e4, rel=REL_TOL_001PCT)


def test_412_rule_and_examples():
    rel_tol_05pct = 5e-3
    assert prop.max_los_range_m(10.0, 100.0, k=4 / 3) == pytest.approx(54.25e3, rel=rel_tol_05pct)
    assert prop.max_los_range_m(30.0, 30.0, k=4 / 3) == pytest.approx(45e3, rel=0.01)
    assert prop.max_los_range_m(30.0, 10e3, k=4 / 3) == pytest.approx(434e3, rel=0.01)
    h_m = np.array([1.0, 100.0, 1e4])
    assert np.allclose(prop.horizon_range_m(h_m, 4 / 3) / 1e3, 4.12 * np.sqrt(h_m), rtol=3e-3)


def test_geometry_round_trips():
    h_r_m, h_t_m = np.array([10.0, 30.0, 500.0]), np.array([30.0, 1e4, 20e3])
    ground_m = np.array([20e3, 300e3, 600e3])
    el_rad = prop.elevation_rad(h_r_m, h_t_m, ground_m)
    rng_m = prop.slant_range_m(h_r_m, h_t_m, ground_m)
    assert np.allclose(prop.ground_range_from_height_m(h_t_m, h_r_m, el_rad), ground_m,
                       atol=1e-3, rtol=0)
    assert np.allclose(prop.slant_range_from_height_m(h_t_m, h_r_m, el_rad), rng_m,
                       atol=1e-3, rtol=0)
    assert np.allclose(prop.height_from_range_m(rng_m, h_r_m, el_rad), h_t_m, atol=1e-3, rtol=0)
    assert np.allclose(prop.ground_range_from_slant_m(rng_m, h_r_m, h_t_m), ground_m,
                       atol=1e-3, rtol=0)


def test_refraction_raises_apparent_elevation():
    el_eff = prop.elevation_rad(30.0, 10e3, 300e3)
    el_geo = prop.elevation_rad(30.0, 10e3, 300e3, k=1.0)
    assert el_eff > el_geo


@pytest.mark.parametrize("ground_km", [0, 50, 100, 200, 300, 400, 500, 600])
def test_los_boundary_matches_horizon_sum_0_to_600_km(ground_km):
    h_r_m = 30.0
    ground_m = ground_km * 1e3
    re_m = prop.effective_earth_radius_m()
    h_min_m = (re_m / np.cos(max(ground_m / re_m - np.arccos(re_m / (re_m + h_r_m)), 0.0))
               - re_m)
    assert prop.line_of_sight(h_r_m, h_min_m + 1.0, ground_m)
    if ground_km * 1e3 > prop.horizon_ground_range_m(h_r_m):
        assert not prop.line_of_sight(h_r_m, h_min_m - 1.0, ground_m)
        # the ray grazes the surface: its minimum height is ~0 at the tangent point
        frac = np.linspace(0, 1, 20001)
        assert np.min(prop.ray_height_m(h_r_m, h_min_m, ground_m, frac)) == pytest.approx(
            0.0, abs=1.0)


def test_los_published_heights_at_400_and_600_km():
    # antenna 30 m, 4/3 earth, tangent ranges d = sqrt(2 Re h) (hand calculation):
    # 600 km needs ~19.6 km, 400 km ~8.4 km
    tol_m = 200.0
    for ground_m, need_m in ((600e3, 19.6e3), (400e3, 8.4e3)):
        assert prop.line_of_sight(30.0, need_m + tol_m, ground_m, 4 / 3)
        assert not prop.line_of_sight(30.0, need_m - tol_m, ground_m, 4 / 3)


def test_terrain_interface_flat_matches_smooth():
    assert isinstance(prop.FlatEllipsoid(), prop.Terrain)
    h_t_m = np.array([10.0, 1e3, 5e3, 10e3, 20e3])
    ground_m = np.array([50e3, 130e3, 290e3, 420e3, 580e3])
    lat1, lon1 = np.deg2rad(39.9), np.deg2rad(32.7)
    lat2 = lat1 + ground_m / 6.371e6
    smooth = prop.line_of_sight(30.0, h_t_m[:, None], ground_m[None, :])
    sampled = prop.line_of_sight(30.0, h_t_m[:, None], ground_m[None, :],
                                 terrain=prop.FlatEllipsoid(), lat1_rad=lat1, lon1_rad=lon1,
                                 lat2_rad=lat2[None, :], lon2_rad=lon1)
    assert np.array_equal(smooth, sampled)


def test_terrain_ridge_blocks():
    class Ridge:
        def height_m(self, lat_rad, lon_rad):
            return np.where(np.abs(lat_rad - 0.01) < 1e-4, 6000.0, 0.0)  # ray is ~4.8 km high there

    args = dict(lat1_rad=0.0, lon1_rad=0.0, lat2_rad=0.02, lon2_rad=0.0, n_samples=400)
    assert prop.line_of_sight(30.0, 10e3, 0.02 * 6.371e6, **args, terrain=prop.FlatEllipsoid())
    assert not prop.line_of_sight(30.0, 10e3, 0.02 * 6.371e6, **args, terrain=Ridge())
    with pytest.raises(ValueError, match="lat1_rad"):
        prop.line_of_sight(30.0, 10e3, 1e5, terrain=Ridge())


def test_los_ecef():
    re0 = 6.371e6
    ang = np.array([100e3, 500e3]) / re0
    p1 = np.array([re0 + 30.0, 0.0, 0.0])
    p2 = np.stack([(re0 + 1e4) * np.cos(ang), (re0 + 1e4) * np.sin(ang), 0 * ang], -1)
    assert np.array_equal(prop.line_of_sight_ecef(p1, p2, 30.0, 1e4), [True, False])
    assert prop.central_angle_rad(p1, p2) == pytest.approx(ang, rel=1e-12)


@pytest.mark.parametrize("kind", ["scalar", "one", "many"])
def test_shapes_and_read_only(kind):
    vals = {"scalar": 30.0, "one": [30.0], "many": [0.0, 30.0, 1e4]}[kind]
    h_m = np.array(vals)
    h_m.flags.writeable = False
    g_m = np.array(100e3)
    g_m.flags.writeable = False
    for out in (prop.horizon_range_m(h_m), prop.max_los_range_m(h_m, h_m),
                prop.line_of_sight(h_m, h_m, g_m), prop.elevation_rad(h_m, 1e4, g_m),
                prop.slant_range_m(h_m, 1e4, g_m)):
        assert np.shape(out) == h_m.shape


@pytest.mark.parametrize("call, name", [
    (lambda: prop.horizon_range_m(-1.0), "h_m"),
    (lambda: prop.line_of_sight(1.0, 1.0, -5.0), "ground_range_m"),
    (lambda: prop.effective_earth_radius_m(0.0), "k"),
    (lambda: prop.k_factor(-200e-9), "dndh_per_m"),
    (lambda: prop.ground_range_from_slant_m(10.0, 0.0, 1e3), "range_m"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()
