"""geo: WGS-84 conversions against defining values, pymap3d (MATLAB-checked) and round trips."""

import numpy as np
import pymap3d
import pytest

from iadsim import geo

TOL_M = 1e-3
TOL_RAD = 1e-12
ORIGIN = geo.Origin.from_deg(40.07889, 32.56556, 843.0)


def test_ecef_of_defining_points():
    # WGS-84: a = 6378137 m, b = a(1 - f) = 6356752.314245 m
    assert np.allclose(geo.geodetic_to_ecef(0.0, 0.0, 0.0), [6378137.0, 0.0, 0.0], atol=TOL_M)
    assert np.allclose(geo.geodetic_to_ecef(np.pi / 2, 0.0, 0.0), [0.0, 0.0, 6356752.314245], atol=TOL_M)
    assert np.allclose(geo.geodetic_to_ecef(0.0, np.pi / 2, 100.0), [0.0, 6378237.0, 0.0], atol=TOL_M)


def test_straight_up_is_up_and_origin_is_zero():
    assert np.allclose(geo.geodetic_to_enu(ORIGIN.lat_rad, ORIGIN.lon_rad, ORIGIN.alt_hae_m + 1234.5, ORIGIN),
                       [0.0, 0.0, 1234.5], atol=TOL_M)
    assert np.allclose(geo.geodetic_to_enu(ORIGIN.lat_rad, ORIGIN.lon_rad, ORIGIN.alt_hae_m, ORIGIN), 0.0, atol=TOL_M)


@pytest.mark.parametrize("range_km", [0.0, 1.0, 50.0, 200.0, 400.0, 600.0])
def test_enu_matches_pymap3d_and_round_trips(range_km):
    rng = np.random.default_rng(int(range_km))
    n = 50
    az = rng.uniform(0, 2 * np.pi, n)
    alt = rng.uniform(0, 30_000, n)
    lat, lon, _ = pymap3d.aer2geodetic(np.degrees(az), 0.0, range_km * 1e3, 40.07889, 32.56556, 843.0)
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    readonly_inputs = [np.array(lat_r), np.array(lon_r), np.array(alt)]
    for a in readonly_inputs:
        a.flags.writeable = False
    enu = geo.geodetic_to_enu(*readonly_inputs, ORIGIN)
    e, nn, u = pymap3d.geodetic2enu(lat, lon, alt, 40.07889, 32.56556, 843.0)
    assert np.allclose(enu, np.stack([e, nn, u], -1), atol=TOL_M)
    back = geo.enu_to_geodetic(enu, ORIGIN)
    assert np.allclose(back[0], lat_r, atol=TOL_RAD) and np.allclose(back[1], lon_r, atol=TOL_RAD)
    assert np.allclose(back[2], alt, atol=TOL_M)


def test_curvature_at_400_km_is_visible_in_z():
    # DESIGN.md: 400 km out, a target at 10 km altitude has z ≈ -2.5 km
    lat, lon, _ = pymap3d.aer2geodetic(90.0, 0.0, 400e3, 40.07889, 32.56556, 843.0)
    enu = geo.geodetic_to_enu(np.radians(lat), np.radians(lon), 843.0 + 10_000.0, ORIGIN)
    assert -3_000.0 < enu[2] < -2_000.0
    assert abs(geo.altitude_m(enu, ORIGIN) - 10_843.0) < TOL_M


def test_aer_matches_pymap3d_and_inverts():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(100, 3)) * 1e5
    az, el, r = geo.enu_to_aer(v)
    a2, e2, r2 = pymap3d.enu2aer(v[:, 0], v[:, 1], v[:, 2], deg=False)
    assert np.allclose(az, a2, atol=TOL_RAD) and np.allclose(el, e2, atol=TOL_RAD) and np.allclose(r, r2, atol=TOL_M)
    assert np.allclose(geo.aer_to_enu(az, el, r), v, atol=TOL_M)
    assert np.all((az >= 0) & (az < 2 * np.pi))


@pytest.mark.parametrize("shape", [(3,), (1, 3), (7, 3), (2, 5, 3)], ids=["scalar", "one", "n", "batch"])
def test_shapes_broadcast(shape):
    p = np.ones(shape) * 1000.0
    assert geo.enu_to_ecef(p, ORIGIN).shape == shape
    assert geo.ecef_to_enu(geo.enu_to_ecef(p, ORIGIN), ORIGIN).shape == shape
    assert np.allclose(geo.ecef_to_enu(geo.enu_to_ecef(p, ORIGIN), ORIGIN), p, atol=TOL_M)
    for part in geo.enu_to_geodetic(p, ORIGIN):
        assert part.shape == shape[:-1]


def test_site_frame_tilts_with_distance():
    # a site 100 km east: its local vertical is tilted ~0.9° from the origin's
    lat, lon, _ = pymap3d.aer2geodetic(90.0, 0.0, 100e3, 40.07889, 32.56556, 0.0)
    rot = geo.local_rot_enu_from_origin_enu(np.radians(lat), np.radians(lon), ORIGIN)
    up_site_in_origin = rot.T @ np.array([0.0, 0.0, 1.0])
    tilt_deg = np.degrees(np.arccos(up_site_in_origin[2]))
    assert 0.85 < tilt_deg < 0.95
    assert np.allclose(rot @ rot.T, np.eye(3), atol=1e-12)


def test_earth_centre_is_below_origin():
    c = ORIGIN.earth_centre_enu_m
    assert abs(c[0]) < TOL_M
    assert 6.35e6 < -c[2] < 6.39e6


def test_altitude_closed_form_matches_pymap3d_to_a_millimetre():
    """geo.altitude_m (Bowring, one iteration) against pymap3d's ecef2geodetic: within 1 mm from
    -1 km to 1,000 km height, 3,000 km around the origin, and near the pole."""
    rng = np.random.default_rng(11)
    for origin in (ORIGIN, geo.Origin.from_deg(89.9, 10.0, 0.0), geo.Origin.from_deg(-33.9, 151.2, 50.0)):
        pos = np.c_[rng.uniform(-3e6, 3e6, (5000, 2)), rng.uniform(-1e3, 1e6, 5000)]
        lat, lon, alt = pymap3d.ecef2geodetic(*geo.enu_to_ecef(pos, origin).T, deg=False)
        assert np.abs(geo.altitude_m(pos, origin) - alt).max() < 1e-3
    assert geo.altitude_m(np.zeros(3), ORIGIN).shape == ()


def test_ground_distance_is_the_central_angle_on_the_sphere_through_the_reference():
    """A quarter of the way round (central angle from ECEF, a different formula) and 1 m apart
    (where acos of the dot product would lose half the digits): radius |ref - centre|."""
    origin = geo.Origin.from_deg(40.0, 32.5, 0.0)
    centre = origin.earth_centre_enu_m
    ref = np.zeros(3)
    r_m = np.linalg.norm(ref - centre)
    far = geo.geodetic_to_enu(np.radians(-50.0), np.radians(32.5 + 180.0), 0.0, origin)
    a, b = far - centre, ref - centre
    angle = np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert geo.ground_distance_m(far, ref, centre) == pytest.approx(r_m * angle, rel=1e-12)
    east_1m = np.array([1.0, 0.0, 0.0])  # east is perpendicular to the geocentric radius: angle atan(1/r)
    assert abs(geo.ground_distance_m(east_1m, ref, centre) - r_m * np.arctan(1.0 / r_m)) < 1e-9
    above = centre + (east_1m - centre) * (1.0 + 5e3 / np.linalg.norm(east_1m - centre))  # 5 km out along its radius
    assert abs(geo.ground_distance_m(above, ref, centre) - r_m * np.arctan(1.0 / r_m)) < 1e-9
