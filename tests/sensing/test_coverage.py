"""Coverage: table values = inverse radar equation at the exact required SNR, capped by the horizon; the CLI."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from iadsim import catalog
from iadsim.cli import app
from iadsim.compile import compile_scenario
from iadsim.constants import SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import K_STANDARD, max_los_range_m
from iadsim.report import coverage as cov
from iadsim.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
S400, PATRIOT = EXAMPLES / "murted_2019.yaml", EXAMPLES / "murted_patriot.yaml"


@pytest.fixture(scope="module")
def s400_world():
    return compile_scenario(load_scenario(S400)).world


def test_91n6e_at_reference_range_against_10m2(s400_world):
    rows = cov.coverage_table(s400_world, [10.0], [30_000.0], [0.5])
    r91 = next(r for r in rows if r.radar == "91N6E")
    ref_m = catalog.si(catalog.profile("radars", "91N6E"))["reference_range_m"]
    assert r91.free_space_m == pytest.approx(ref_m, rel=2e-3)  # the derived peak power is rounded to 200 kW


def test_table_is_inverse_radar_equation_capped_by_horizon(s400_world):
    rd = s400_world.radars
    rcs, alts, pds = [0.001, 0.1, 2.0, 100.0], [50.0, 1000.0, 10_000.0], [0.5, 0.9]
    rows = cov.coverage_table(s400_world, rcs, alts, pds)
    assert len(rows) == len(rd.name) * len(rcs) * len(alts) * len(pds)
    for r in rows:
        i = rd.name.index(r.radar)
        req = rp.required_snr_db(r.pd, rd.pfa[i], int(rd.n_pulses[i]), 1)
        free = rp.range_for_snr_m(undb(req), rd.peak_power_w[i], rd.pulse_width_s[i], SPEED_OF_LIGHT_MPS / rd.frequency_hz[i],
                                  r.rcs_m2, undb(rd.gain_db[i]), None, T0_K * undb(rd.noise_figure_db[i]), undb(rd.losses_db[i]))
        horizon = max_los_range_m(rd.height_m[i], r.alt_m, K_STANDARD)
        assert r.free_space_m == pytest.approx(free, rel=1e-9)
        assert r.horizon_m == pytest.approx(horizon, rel=1e-6)
        assert r.range_m == pytest.approx(min(free, horizon, rd.max_range_m[i]), rel=1e-9)
    low = [r for r in rows if r.alt_m == 50.0 and r.rcs_m2 == 100.0]
    assert all(r.range_m == r.horizon_m < r.free_space_m for r in low)  # a low bomber: horizon-limited


def test_sector_footprint_closes_at_the_site():
    world = compile_scenario(load_scenario(PATRIOT)).world
    lon, lat, ground = cov.footprint_lonlat(world, 0, 2.0, 1000.0, 0.5)
    assert lon[0] == lon[-1] and lat[0] == lat[-1] and ground > 50e3
    # every point of the wedge lies within the sector (±60° about the radar's facing) seen from the site
    bearing = np.arctan2((lon[1:-1] - lon[0]) * np.cos(np.radians(lat[0])), lat[1:-1] - lat[0])
    off = np.abs(np.mod(bearing - world.radars.facing_rad[0] + np.pi, 2 * np.pi) - np.pi)
    assert np.degrees(off).max() <= 60.5 and np.degrees(off).max() > 59.0


def test_cli_coverage_writes_png_html_and_prints_table(tmp_path):
    res = CliRunner().invoke(app, ["coverage", str(S400), str(PATRIOT), "--compare", "--out", str(tmp_path)],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for name in ("coverage_map_murted_2019.png", "coverage_map_murted_2019.html", "coverage_map_murted_patriot.png",
                 "compare.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert "plotly" in (tmp_path / "coverage_map_murted_patriot.html").read_text()[:200_000].lower()
    assert "91N6E" in res.output and "MPQ-65" in res.output and "free space km" in res.output
    assert "one dwell" in res.output


@pytest.mark.parametrize("args, message", [
    (["--rcs", "-1"], "--rcs"), (["--rcs", "0.1,abc"], "--rcs"), (["--pd", "1.5"], "--pd"), (["--pd", "0"], "--pd"),
    (["--alt", "-5"], "--alt"), (["--compare"], "--compare")])
def test_cli_coverage_bad_input_exit_2(tmp_path, args, message):
    res = CliRunner().invoke(app, ["coverage", str(S400), "--out", str(tmp_path), *args])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
