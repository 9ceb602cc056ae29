"""Terrain-following raids: height held above the DEM's terrain, climbs started early enough to
clear a ridge, descents into a valley, limits of the route autopilot kept."""

import numpy as np
import pytest

from iadsim import geo, threats as motion
from iadsim.compile import compile_scenario
from iadsim.constants import G0_MPS2
from iadsim.threats import routes
from iadsim.terrain import synth
from terrain_helpers import BASE_M, make_scenario

VALLEY_LAT = 40.45
RIDGE_LAT = 40.25


def landscape(lat, lon):
    """Flat at 900 m, a 300 m deep valley (half-width 2.5 km) at 40.45° N and a 600 m ridge
    (half-width 1.5 km) at 40.25° N, both east-west across the route."""
    valley = synth.ridge(VALLEY_LAT, 32.0, VALLEY_LAT, 33.0, 300.0, 2500.0)
    ridge = synth.ridge(RIDGE_LAT, 32.0, RIDGE_LAT, 33.0, 600.0, 1500.0)
    return BASE_M - valley(lat, lon) + ridge(lat, lon)


@pytest.fixture(scope="module")
def flown(tmp_path_factory):
    d = tmp_path_factory.mktemp("valley")
    synth.write_hgt(d, 40, 32, landscape)
    comp = compile_scenario(make_scenario(dem=d))
    th = comp.world.threats
    t = np.arange(0.0, float(th.route_duration_s[0]), 1.0)
    pos = np.concatenate([motion.kinematics(th, x)[0] for x in t])
    vel = np.concatenate([motion.kinematics(th, x)[1] for x in t])
    acc = np.concatenate([motion.kinematics(th, x)[2] for x in t])
    lat, lon, hae = geo.enu_to_geodetic(pos, comp.origin)
    return np.degrees(lat), hae, hae - landscape(np.degrees(lat), np.degrees(lon)), vel, acc


def test_holds_its_height_above_flat_terrain(flown):
    lat, _, agl, _, _ = flown
    flat = (lat > 40.6) & (lat < 40.85)  # well north of the valley
    assert np.allclose(agl[flat], 50.0, atol=1.0)


def test_descends_into_the_valley(flown):
    lat, hae, agl, _, _ = flown
    floor = np.abs(lat - VALLEY_LAT) < 0.005
    assert hae[floor].min() < BASE_M - 150.0  # follows the ground down (300 m deep)
    assert agl[floor].max() < 200.0


def test_clears_the_ridge_climbing_early_within_its_limits(flown):
    lat, hae, agl, vel, acc = flown
    assert agl.min() > 25.0  # never below half its commanded 50 m
    crest = np.abs(lat - RIDGE_LAT) < 0.002
    assert agl[crest].min() > 40.0
    speed = np.linalg.norm(vel, axis=1)
    up = hae[1:] - hae[:-1]
    gamma = np.arctan2(up, speed[:-1] * 1.0)
    assert np.degrees(np.abs(gamma)).max() <= np.degrees(routes.GAMMA_MAX_RAD) + 1.0
    # the acceleration normal to the velocity stays within the cruise missile's 3 g (catalog turn_g)
    along = np.sum(acc * vel, axis=1) / np.maximum(speed, 1.0)
    normal = np.sqrt(np.maximum(np.sum(acc * acc, axis=1) - along**2, 0.0))
    assert normal.max() <= 3.0 * G0_MPS2 * 1.15  # knot interpolation overshoots the arcs slightly


def test_without_a_dem_the_route_is_unchanged():
    """No DEM: heights above origin.alt_m, as before (the goldens hold this for the examples)."""
    comp = compile_scenario(make_scenario())
    th = comp.world.threats
    hae = geo.enu_to_geodetic(th.knot_pos_enu_m[0, : th.n_knots[0] - 30], comp.origin)[2]
    assert np.allclose(hae, BASE_M + 50.0, atol=0.5)
