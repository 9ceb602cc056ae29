"""`iadsim run`: names are labels, never paths; seeds checked first; the summary tells what was written."""

import pytest
from typer.testing import CliRunner

from iadsim.cli import SLUG_MAX, app, slug

runner = CliRunner()

SCENARIO = """\
schema_version: 1
name: {name}
origin: {{lat_deg: 40.0, lon_deg: 32.5, alt_m: 800}}
time: {{duration_s: 30, step_s: 1}}
assets:
  - {{name: base, lat_deg: 40.0, lon_deg: 32.5, value: 10}}
raids:
  - name: early
    threat: drone
    target: base
    route:
      - {{lat_deg: 40.2, lon_deg: 32.5, alt_agl_m: 300}}
  - name: late
    threat: drone
    start_s: 25
    count: 3
    spacing_s: 10
    target: base
    route:
      - {{lat_deg: 40.2, lon_deg: 32.5, alt_agl_m: 300}}
"""


@pytest.mark.parametrize("name, expected", [
    ("murted_2019", "murted_2019"), ("Mürted 2019", "Murted_2019"), ("../../ESCAPED", "ESCAPED"),
    ("/abs/path", "abs_path"), (".", "scenario"), ("..", "scenario"), ("a/../../b", "a_b"), ("C:\\x\\y", "C_x_y"),
    ("~", "scenario"), ("-rf", "rf"), ("x" * 300, "x" * SLUG_MAX), ("日本", "scenario"), ("a\0b", "a_b"),
])
def test_slug(name, expected):
    assert slug(name) == expected


def _run(tmp_path, monkeypatch, name, *args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(SCENARIO.format(name=name), encoding="utf-8")
    return runner.invoke(app, ["run", "s.yaml", "--no-report", *args])


@pytest.mark.parametrize("name, slugged", [("'../../ESCAPED'", "ESCAPED"), ("/abs/path", "abs_path"), ("'.'", "scenario")])
def test_run_directory_stays_under_runs(tmp_path, monkeypatch, name, slugged):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    res = _run(work, monkeypatch, name)
    assert res.exit_code == 0, res.output
    assert (work / "runs" / slugged / "summary.json").is_file()
    assert not (tmp_path / "ESCAPED").exists() and not (work / "runs" / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_no_report_never_claims_a_report_and_the_summary_counts_not_launched(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, "t")
    assert res.exit_code == 0, res.output
    assert "report.html" not in res.output and not (tmp_path / "runs" / "t" / "report.html").exists()
    # 'late' launches at 25 s and then every 10 s: two of its three raiders never start within 30 s
    assert "2 not launched" in res.output


@pytest.mark.parametrize("seed", [str(2**63), "-1"])
def test_out_of_range_cli_seed_is_refused_before_anything_is_written(tmp_path, monkeypatch, seed):
    res = _run(tmp_path, monkeypatch, "t", "--seed", seed)
    assert res.exit_code == 2 and "--seed must be a whole number in [0, 2**63)" in res.output
    assert not (tmp_path / "runs").exists()


def test_largest_cli_seed_runs(tmp_path, monkeypatch):
    res = _run(tmp_path, monkeypatch, "t", "--seed", str(2**63 - 1))
    assert res.exit_code == 0, res.output
    assert f"seed {2**63 - 1}" in res.output
