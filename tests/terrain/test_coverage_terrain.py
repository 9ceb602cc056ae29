"""Low-level coverage over terrain against the brute-force chord march, and the coverage CLI."""

from dataclasses import replace

import numpy as np
from typer.testing import CliRunner

from iadsim import geo
from iadsim.cli import app
from iadsim.compile import compile_scenario
from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.report import coverage_terrain as ct
from iadsim.terrain import horizon
from terrain_helpers import CREST_LAT, make_scenario, scenario_data


def test_low_level_visibility_matches_the_brute_force_chord(ridge_hgt_dir):
    """k = 1: a cell of the low-level diagram is visible exactly when the straight chord from the
    antenna to a target 50 m above the terrain there clears the terrain (away from the boundary)."""
    w = compile_scenario(make_scenario(dem=ridge_hgt_dir)).world
    w1 = replace(w, effective_radius_m=EARTH_MEAN_RADIUS_M, extra={"terrain": w.extra["terrain"]})
    cov = ct.low_level_coverage(w1, 0, 50.0)
    rng = np.random.default_rng(2)
    a = rng.integers(0, len(cov.az_rad), 300)
    j = rng.integers(0, np.searchsorted(cov.ground_m, 60e3), 300)
    lat, lon = np.radians(cov.lat_deg[a, j]), np.radians(cov.lon_deg[a, j])
    ter = w1.extra["terrain"]
    hae = ter.height_m(lat, lon) + 50.0
    pos = geo.geodetic_to_enu(lat, lon, hae, w1.origin)
    ant = w1.radars.pos_enu_m[0]
    f = (np.arange(3000) + 0.5) / 3000
    pts = ant + f[None, :, None] * (pos - ant)[:, None, :]
    p_lat, p_lon, p_alt = geo.enu_to_geodetic(pts, w1.origin)
    brute = np.all(p_alt >= ter.height_m(p_lat, p_lon), axis=1)
    lowest = horizon.horizon_profiles(w1).lowest_visible_hae_m(np.zeros(300, int), cov.az_rad[a], cov.ground_m[j])
    clear = np.abs(hae - lowest) > 10.0
    assert 0.2 < brute.mean() < 0.95 and clear.mean() > 0.9
    assert np.array_equal(cov.visible[a, j][clear], brute[clear])


def test_ridge_shadows_the_north_and_the_masking_profile_shows_it(ridge_hgt_dir):
    w = compile_scenario(make_scenario(dem=ridge_hgt_dir)).world
    cov = ct.low_level_coverage(w, 0, 50.0, rcs_m2=2.0, pd=0.5)
    north, south = 0, len(cov.az_rad) // 2
    behind = cov.lat_deg[north] > CREST_LAT + 0.02
    assert not cov.covered[north][behind].any()  # nothing at 50 m behind the ridge
    reach = cov.reach_m()
    assert reach[north] < (CREST_LAT - 40.05) * 111.2e3 + 1e3 < reach[south]
    az, mask = ct.masking_profile_deg(w, 0)
    # the crest (1500 m above MSL, 22 km north) seen from the antenna: atan((1500 - h_ant) / 22 km) less the
    # earth's drop at that range (k = 1.33): about 1.4-1.5°; south, the flat ground sits below the horizontal
    assert 1.3 < mask[0] < 1.6 and mask[180] < 0.0
    assert cov.area_km2() < cov.area_km2("smooth")


def test_coverage_cli_writes_the_low_level_diagram_and_profile(ridge_hgt_dir, tmp_path):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_data(dem=str(ridge_hgt_dir))))
    res = CliRunner().invoke(app, ["coverage", str(path), "--alt", "50", "--rcs", "2", "--out", str(tmp_path / "cov")])
    assert res.exit_code == 0, res.output
    assert "low-level coverage over the terrain" in res.output
    for name in ("low_level_coverage.png", "masking_profile.png", "coverage_map.png"):
        assert (tmp_path / "cov" / name).stat().st_size > 10_000
