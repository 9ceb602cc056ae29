"""Horizon profiles (the masking table) against brute-force ray marches on generated terrain."""

from dataclasses import replace

import numpy as np
import pytest

from iadsim import geo
from iadsim.compile import compile_scenario
from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.physics.propagation import line_of_sight
from iadsim.terrain import horizon, synth

from terrain_helpers import make_scenario

HILLS = [(40.18, 32.45, 700.0, 2500.0), (40.02, 32.70, 450.0, 1800.0), (39.92, 32.42, 350.0, 3000.0),
         (40.12, 32.62, 300.0, 1200.0), (40.30, 32.55, 800.0, 4000.0)]  # (lat, lon, height m, width m)


def hills(lat, lon):
    """Rolling ground at 900 m with Gaussian hills and a valley cut south-east of the radar."""
    h = 900.0 + 0 * lat
    for la, lo, hh, w in HILLS:
        h = h + synth.ridge(la, lo, la + 1e-6, lo, hh, w)(lat, lon)
    return h - synth.ridge(39.95, 32.55, 39.85, 32.75, 250.0, 1500.0)(lat, lon)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("hills")
    synth.write_hgt(d, 39, 32, hills)
    synth.write_hgt(d, 40, 32, hills)  # two tiles sharing the 40° N edge
    return compile_scenario(make_scenario(dem=d, geoid_undulation_m=0.0)).world


def targets(world, n, seed, r=0):
    """Points at the centres of the profile's azimuth bins, 2-60 km out, 0-600 m above the terrain."""
    rng = np.random.default_rng(seed)
    ter, rd = world.extra["terrain"], world.radars
    a = rng.integers(0, horizon.N_AZ, n)
    ground = rng.uniform(2e3, 60e3, n)
    site = rd.pos_enu_m[r]
    pts_h = horizon.site_samples(ter, world.origin, site, rd.rot_local_from_enu[r], world.earth_centre_enu_m,
                                 ground, horizon.N_AZ)[a, np.arange(n)]  # terrain under each target
    # the same point's position: direction from the earth's centre, at the ellipsoid height wanted
    radial = site - world.earth_centre_enu_m
    u = radial / np.linalg.norm(radial)
    az = a * 2 * np.pi / horizon.N_AZ
    e, nn = rd.rot_local_from_enu[r][0], rd.rot_local_from_enu[r][1]
    h = np.sin(az)[:, None] * e + np.cos(az)[:, None] * nn
    h -= (h @ u)[:, None] * u
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    th = ground / np.linalg.norm(radial)
    dirs = np.cos(th)[:, None] * u + np.sin(th)[:, None] * h
    hae = pts_h + rng.uniform(0.0, 600.0, n)
    return a, az, ground, dirs, hae


def on_ellipsoid(world, dirs, hae):
    """ENU positions at height ``hae`` above the ellipsoid on geocentric directions (ENU axes)."""
    d = dirs @ world.origin.rot_enu_from_ecef
    e2 = geo._E2
    lat = np.arctan2(d[:, 2], (1 - e2) * np.hypot(d[:, 0], d[:, 1]))
    lon = np.arctan2(d[:, 1], d[:, 0])
    return geo.geodetic_to_enu(lat, lon, hae, world.origin), lat, lon


def brute_force_chord(world, r, pos, n_samples=3000):
    """Geometric line of sight (k = 1) by marching the straight ENU chord from the antenna to each
    target and comparing each sample's height above the ellipsoid with the terrain below it."""
    ter = world.extra["terrain"]
    f = (np.arange(n_samples) + 0.5) / n_samples
    a = world.radars.pos_enu_m[r]
    pts = a + f[None, :, None] * (pos - a)[:, None, :]
    lat, lon, alt = geo.enu_to_geodetic(pts, world.origin)
    return np.all(alt >= ter.height_m(lat, lon), axis=1)


def test_masking_matches_a_brute_force_chord_march_geometric(world):
    """k = 1 (no refraction): the profile's verdict is the verdict of the straight chord in the
    engine's frame, over the true ellipsoid, except within a few metres of the masking height."""
    w1 = replace(world, effective_radius_m=EARTH_MEAN_RADIUS_M, extra={"terrain": world.extra["terrain"]})
    prof = horizon.horizon_profiles(w1)
    assert prof.k == 1.0
    a, az, ground, dirs, hae = targets(w1, 600, seed=3)
    pos, _, _ = on_ellipsoid(w1, dirs, hae)
    r = np.zeros(len(a), int)
    brute = brute_force_chord(w1, 0, pos)
    table = prof.visible(r, az, geo.ground_distance_m(pos, w1.radars.pos_enu_m[0], w1.earth_centre_enu_m), hae)
    lowest = prof.lowest_visible_hae_m(r, az, ground)
    assert 0.15 < brute.mean() < 0.85  # a real mix of masked and visible points
    near = np.abs(hae - lowest) < 10.0  # within 10 m of the masking height: sampling decides
    assert np.all(table[~near] == brute[~near])
    assert near.mean() < 0.05


def test_lowest_visible_height_matches_the_brute_force_bisection(world):
    """The masking height (lowest height seen above a ground point, the low-level coverage figure)
    from the table against a bisection on the brute-force chord march, k = 1: within 3 m."""
    w1 = replace(world, effective_radius_m=EARTH_MEAN_RADIUS_M, extra={"terrain": world.extra["terrain"]})
    prof = horizon.horizon_profiles(w1)
    a, az, ground, dirs, hae = targets(w1, 40, seed=6)
    lo, hi = hae - 2000.0, hae + 3000.0
    for _ in range(28):  # 5 km / 2**28: far below a millimetre
        mid = 0.5 * (lo + hi)
        seen = brute_force_chord(w1, 0, on_ellipsoid(w1, dirs, mid)[0], 1500)
        hi, lo = np.where(seen, mid, hi), np.where(seen, lo, mid)
    table = prof.lowest_visible_hae_m(np.zeros(40, int), az, ground)
    masked = hi > hae - 1999.0  # points with terrain in the way (else anything down to the ground is seen)
    assert masked.sum() >= 10
    assert np.max(np.abs(hi - table)[masked]) < 3.0


def test_masking_matches_the_sampled_ray_with_refraction(world):
    """Default k ≈ 1.33: the table agrees with propagation.line_of_sight's sampled ray (great-circle
    samples, ray_height_m) away from the masking boundary."""
    prof = horizon.horizon_profiles(world)
    a, az, ground, dirs, hae = targets(world, 600, seed=4)
    pos, lat_t, lon_t = on_ellipsoid(world, dirs, hae)
    rd = world.radars
    lat_r, lon_r, hae_r = geo.enu_to_geodetic(rd.pos_enu_m[0], world.origin)
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    g = geo.ground_distance_m(pos, rd.pos_enu_m[0], world.earth_centre_enu_m)
    ray = line_of_sight(hae_r, hae, g, k, terrain=world.extra["terrain"], lat1_rad=lat_r, lon1_rad=lon_r,
                        lat2_rad=lat_t, lon2_rad=lon_t, n_samples=3000)
    table = prof.visible(np.zeros(len(a), int), az, g, hae)
    lowest = prof.lowest_visible_hae_m(np.zeros(len(a), int), az, ground)
    near = np.abs(hae - lowest) < 15.0
    assert 0.15 < ray.mean() < 0.85
    assert np.all(table[~near] == ray[~near])
    assert near.mean() < 0.06


def test_flat_terrain_reduces_to_the_smooth_earth_horizon(tmp_path):
    """A DEM that is flat at the scenario's ground gives the smooth effective-earth line of sight."""
    synth.write_hgt(tmp_path, 40, 32, lambda la, lo: 900.0 + 0 * la)
    w = compile_scenario(make_scenario(dem=tmp_path)).world
    prof = horizon.horizon_profiles(w)
    rd = w.radars
    k = w.effective_radius_m / EARTH_MEAN_RADIUS_M
    rng = np.random.default_rng(8)
    ground = rng.uniform(5e3, 120e3, 400)
    for r in range(len(rd.name)):
        h_ant = rd.height_m[r]
        agl = rng.uniform(0.0, 800.0, 400)
        smooth = line_of_sight(h_ant, agl, ground, k)
        from iadsim.physics.propagation import max_los_range_m, slant_range_m
        near = np.abs(slant_range_m(h_ant, agl, ground, k) - max_los_range_m(h_ant, agl, k)) < 300.0
        # north-north-east: over the tile out to 105 km, then beyond it; south: beyond the tile after
        # 5 km (the closed-form smooth ground). The smooth test is exact; the table samples the DEM
        # every ~93 m: they agree except within 300 m of slant range of the horizon
        for az in (0.3, np.pi):
            table = prof.visible(np.full(400, r), np.full(400, az), ground, agl + 900.0)
            assert np.all(table[~near] == smooth[~near])
            assert 0.2 < smooth.mean() < 0.9


def test_profiles_are_computed_once_and_shared(world):
    horizon._PROFILES.clear()
    fresh = replace(world, extra={"terrain": world.extra["terrain"]})
    first = horizon.horizon_profiles(fresh)
    assert horizon.horizon_profiles(fresh) is first  # kept on the world
    again = compile_scenario(make_scenario(dem=world.extra["terrain"].source)).world
    assert horizon.horizon_profiles(again) is first  # by content, between compiles (within IADSIM_MEMO_MB)


def test_los_clear_api(world):
    """The API other lines of sight use: ENU points, True where the terrain does not mask them."""
    a, az, ground, dirs, hae = targets(world, 50, seed=5)
    pos, _, _ = on_ellipsoid(world, dirs, hae)
    prof = horizon.horizon_profiles(world)
    r = np.zeros(50, int)
    assert np.array_equal(horizon.los_clear(world, r, pos), prof.visible(r, az, ground, hae))
    flat = replace(world, extra={})
    assert horizon.los_clear(flat, r, pos).all()
