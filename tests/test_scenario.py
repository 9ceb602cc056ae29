"""Scenario files: every user mistake gets one message with file, line and field; exit code 2."""

import json

import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.scenario import ScenarioError, load_scenario
from scenario_helpers import problems, write

GOOD = """\
schema_version: 1
name: tiny
origin: {lat_deg: 40.0, lon_deg: 32.5, alt_m: 800}
time: {duration_s: 100, step_s: 1}
assets:
  - {name: base, lat_deg: 40.0, lon_deg: 32.5, value: 10}
units:
  - name: u1
    system: s400
    lat_deg: 40.0
    lon_deg: 32.5
raids:
  - name: r1
    threat: cruise_missile
    count: 2
    target: base
    route:
      - {lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 50}
"""

runner = CliRunner()


def test_good_file_loads(tmp_path):
    sc = load_scenario(write(tmp_path, GOOD))
    assert sc.raids[0].count == 2 and sc.units[0].system == "s400"


@pytest.mark.parametrize(
    "old, new, line, path, words",
    [
        ("system: s400", "system: s-400", 9, "units.0.system", "did you mean 's400'"),
        ("threat: cruise_missile", "threat: cruise_misile", 14, "raids.0.threat", "did you mean 'cruise_missile'"),
        ("target: base", "target: bse", 16, "raids.0.target", "no asset named 'bse'"),
        ("duration_s: 100", "duration_s: -1", 4, "time.duration_s", "greater than 0"),
        ("step_s: 1", "step_s: 0", 4, "time.step_s", "greater than or equal to 0.01"),
        ("{lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 50}", "{lat_deg: 95, lon_deg: 32.5, alt_agl_m: 50}", 18,
         "raids.0.route.0.lat_deg", "less than or equal to 90"),
        ("alt_agl_m: 50}", "alt_agl_m: 50, speed_mps: -3}", 18, "raids.0.route.0.speed_mps", "greater than or equal to 10"),
        ("alt_agl_m: 50}", "alt_agl_m: 50, sped_mps: 3}", 18, "raids.0.route.0.sped_mps", "unknown key"),
        ("    lon_deg: 32.5\nraids", "    lon_deg: 32.5\n    colour: red\nraids", 12, "units.0.colour", "unknown key"),
        ("count: 2", "count: 0", 15, "raids.0.count", "greater than or equal to 1"),
        ("    lon_deg: 32.5\nraids", "    lon_deg: 32.5\n    overrides: {radar: {91N6E: {peak_pwr: 5}}}\nraids", 12,
         "units.0.overrides.radar.91N6E.peak_pwr", "did you mean 'peak_power'"),
        ("    lon_deg: 32.5\nraids", "    lon_deg: 32.5\n    overrides: {launchers: {count: -2}}\nraids", 12,
         "units.0.overrides.launchers.count", "non-negative"),
        ("    lon_deg: 32.5\nraids", "    lon_deg: 32.5\n    doctrine: {salvo: 3}\n    overrides: {launchers: {rails: 2, reload_time: 0}}\nraids",
         12, "units.0.doctrine.salvo", "at least 3 rails"),
    ],
)
def test_each_mistake_names_file_line_and_field(tmp_path, old, new, line, path, words):
    assert old in GOOD
    probs = problems(tmp_path, GOOD.replace(old, new, 1))
    match = [p for p in probs if p.path == path]
    assert match, [str(p) for p in probs]
    assert match[0].line == line and words in match[0].message
    assert match[0].file.endswith("s.yaml")


def test_all_problems_reported_at_once(tmp_path):
    probs = problems(tmp_path, GOOD.replace("duration_s: 100", "duration_s: 0").replace("count: 2", "count: -1"))
    assert {p.path for p in probs} >= {"time.duration_s", "raids.0.count"}


def test_duplicate_names_and_keys(tmp_path):
    dup = GOOD.replace("assets:\n", "assets:\n  - {name: base, lat_deg: 40.1, lon_deg: 32.5, value: 1}\n")
    assert any(p.path == "assets.1.name" and "duplicate" in p.message for p in problems(tmp_path, dup))
    dkey = GOOD.replace("name: tiny\n", "name: tiny\nname: again\n")
    assert any("duplicate key" in p.message and p.line == 3 for p in problems(tmp_path, dkey))


def test_malformed_yaml_missing_file_and_empty(tmp_path):
    assert "malformed YAML" in problems(tmp_path, "name: x\n  foo: [1, 2\n")[0].message
    assert "empty" in problems(tmp_path, "")[0].message
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_reports_errors_with_exit_2_and_no_traceback(tmp_path, command):
    p = write(tmp_path, GOOD.replace("system: s400", "system: s-400"))
    result = runner.invoke(app, [command, str(p)])
    assert result.exit_code == 2
    text = result.output
    assert "Traceback" not in text and f"{p}:9: units.0.system" in text


def test_cli_missing_file_exit_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_schema_is_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"origin", "time", "assets", "units", "raids"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
