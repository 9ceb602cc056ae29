"""Coverage against catalog threats uses the RCS a run uses: the threat's band factor at the radar's band."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from iadsim import catalog
from iadsim.cli import app
from iadsim.compile import compile_scenario
from iadsim.report import coverage as cov
from iadsim.scenario import load_scenario

S400 = Path(__file__).resolve().parents[1] / "examples" / "murted_2019.yaml"


@pytest.fixture(scope="module")
def s400():
    sc = load_scenario(S400)
    return sc, compile_scenario(sc).world


def test_stealth_range_at_s_band_grows_as_fourth_root_of_band_factor(s400):
    _, world = s400
    factor = catalog.si(catalog.profile("threats", "stealth_fighter"))["rcs_band_factor"]["S"]
    (row,) = [r for r in cov.threat_coverage_table(world, ["stealth_fighter"], [10_000.0], [0.5]) if r.radar == "91N6E"]
    raw = cov.free_space_range_m(world.radars, world.radars.name.index("91N6E"), 0.001, 0.5, 1)
    assert row.band == "S" and row.band_factor == factor > 1.0
    # radar equation: R ∝ σ^(1/4) at a fixed required SNR (same radar, same Swerling case)
    assert row.free_space_m == pytest.approx(raw * factor ** 0.25, rel=1e-9)
    assert row.free_space_m - raw > 20e3  # the band factor is worth tens of km, not a rounding


def test_band_factor_is_the_one_the_compiled_run_uses(s400):
    sc, world = s400
    rd = world.radars
    for r, raid in enumerate(sc.raids):
        for i in range(len(rd.name)):
            _, factor, _ = cov.threat_rcs_m2(raid.threat, rd.band[i])
            assert rd.rcs_factor_by_raid[i, r] == factor, (raid.name, rd.name[i])


def test_cli_threat_option_prints_band_rcs_and_refuses_unknown(tmp_path):
    res = CliRunner().invoke(app, ["coverage", str(S400), "--threat", "stealth_fighter", "--alt", "10000",
                                   "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "0.005 (×5)" in res.output  # 0.001 m² nose × 5 at the 91N6E's S band
    bad = CliRunner().invoke(app, ["coverage", str(S400), "--threat", "stealth_fightr", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "stealth_fighter" in bad.output and "Traceback" not in bad.output
