"""The terrain example (examples/terrain): its synthetic DEM is what make_dem.py writes, and it runs
end to end through the CLI."""

import importlib.util
import json
from pathlib import Path

from typer.testing import CliRunner

from iadsim.cli import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "terrain"


def test_shipped_dem_is_the_generated_one(tmp_path):
    spec = importlib.util.spec_from_file_location("make_dem", EXAMPLE / "make_dem.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(tmp_path / "dem.tif")
    assert out.read_bytes() == (EXAMPLE / "dem" / "murted_synthetic.tif").read_bytes()


def test_terrain_example_runs(tmp_path):
    res = CliRunner().invoke(app, ["run", str(EXAMPLE / "murted_terrain.yaml"), "--out", str(tmp_path / "run")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    tot = summary["totals"]
    assert tot["threats"] == 24 and tot["killed"] + tot["leaked"] + tot["in_flight"] + tot["not_launched"] == 24
    assert "terrain-masked footprint" in (tmp_path / "run" / "report.html").read_text()
