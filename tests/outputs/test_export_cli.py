"""`iadsim run` writes the replays; `iadsim export` from the run directory writes the same bytes."""

import shutil

import pytest
from typer.testing import CliRunner

from iadsim.cli import app

runner = CliRunner()
REPLAYS = ("replay.czml", "replay.acmi", "replay.kml")


@pytest.fixture(scope="module")
def cli_run(small_scenario_path, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    res = runner.invoke(app, ["run", str(small_scenario_path), "--out", str(run_dir)])
    assert res.exit_code == 0, res.output
    return run_dir


def test_run_writes_replays_and_what_export_needs(cli_run):
    for name in REPLAYS + ("trajectories.npz", "replay.json", "summary.json", "events.parquet", "report.html"):
        assert (cli_run / name).stat().st_size > 0, name
    assert not list(cli_run.glob("*.partial"))


def test_export_from_a_finished_run_equals_what_run_wrote(cli_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(cli_run, copy)
    for name in REPLAYS:
        (copy / name).unlink()
    res = runner.invoke(app, ["export", str(copy), "--format", "all"])
    assert res.exit_code == 0, res.output
    for name in REPLAYS:
        assert (copy / name).read_bytes() == (cli_run / name).read_bytes(), name
    assert (copy / "events.csv").is_file() and (copy / "outcomes.csv").is_file()


@pytest.mark.parametrize("fmt", ["czml", "acmi", "kml", "csv"])
def test_export_one_format(cli_run, tmp_path, fmt):
    copy = tmp_path / "one"
    shutil.copytree(cli_run, copy)
    res = runner.invoke(app, ["export", str(copy), "-f", fmt])
    assert res.exit_code == 0, res.output


def test_export_rejects_a_bad_format_and_a_non_run_directory(cli_run, tmp_path):
    res = runner.invoke(app, ["export", str(cli_run), "--format", "gpx"])
    assert res.exit_code == 2 and "gpx" in res.output
    res = runner.invoke(app, ["export", str(tmp_path), "--format", "czml"])
    assert res.exit_code == 2 and "summary.json" in res.output
    (tmp_path / "summary.json").write_text("{}")
    res = runner.invoke(app, ["export", str(tmp_path), "--format", "czml"])
    assert res.exit_code == 2 and "is missing" in res.output
