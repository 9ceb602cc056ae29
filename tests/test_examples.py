"""Every file in examples/ runs end to end through the CLI and writes a complete run directory."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.record import EVENT_KINDS

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))
runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for path in EXAMPLES:
        run_dir = tmp_path_factory.mktemp(path.stem)
        result = runner.invoke(app, ["run", str(path), "--out", str(run_dir)])
        assert result.exit_code == 0, result.output
        out[path.stem] = (run_dir, result.output)
    return out


def test_there_are_examples():
    assert {p.stem for p in EXAMPLES} >= {"murted_2019", "murted_patriot"}


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_example_writes_complete_run(runs, name):
    run_dir, output = runs[name]
    assert {"events.parquet", "summary.json", "report.html"} <= {p.name for p in run_dir.iterdir()}
    assert not list(run_dir.glob("*.partial"))
    summary = json.loads((run_dir / "summary.json").read_text())
    tot = summary["totals"]
    fates = ("killed", "leaked", "ended", "in_flight", "not_launched", "not_released")  # every fate a threat can have
    assert sum(tot[f] for f in fates) == tot["threats"] == len(summary["threats"])
    assert f"{tot['killed']} killed" in output and f"{tot['leaked']} leaked" in output
    events = pq.read_table(run_dir / "events.parquet").to_pydict()
    kinds = events["kind"]
    assert kinds.count("launch") == tot["rounds_fired"]
    assert kinds.count("intercept_hit") == tot["intercepts_hit"]
    assert kinds.count("leak") == tot["leaked"]
    assert set(kinds) <= set(EVENT_KINDS)
    assert all(-90 <= lat <= 90 for lat in events["lat_deg"] if lat is not None)  # no position: null
    for u in summary["units"]:
        assert u["targets_engaged_peak"] <= u["channels"]["targets"]
        assert u["missiles_guided_peak"] <= u["channels"]["missiles"]
    html = (run_dir / "report.html").read_text()
    assert 'id="map"' in html and 'id="timeline"' in html and 'id="resources"' in html
    assert "<script src=" not in html, "the report must not fetch scripts from the network"
    assert "Plotly" in html and summary["scenario"] in html


def test_examples_together_exercise_every_event_kind(runs):
    kinds = set()
    for run_dir, _ in runs.values():
        kinds |= set(pq.read_table(run_dir / "events.parquet").column("kind").to_pylist())
    assert {"detect", "track_confirmed", "assign", "launch", "intercept_hit", "leak"} <= kinds


def test_planned_patriot_batteries_see_every_axis_of_the_bundled_raid(runs):
    """The Patriot example's batteries face every threat axis (its planning rule): every raider is
    detected, as by the S-400's 360-degree radars (one sector radar facing north used to miss 18 of 24)."""
    for name in ("murted_2019", "murted_patriot"):
        summary = json.loads((runs[name][0] / "summary.json").read_text())
        assert all(t["first_detect_s"] is not None for t in summary["threats"]), name
