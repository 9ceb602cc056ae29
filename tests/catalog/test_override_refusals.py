"""Named regressions: overrides that were silently ignored or crashed (issue #14 item 7, #16).

Each refusal goes through the command line (`iadsim validate`, `iadsim run`): exit code 2, a
`file:line: field.path: what was expected` message, and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.compile import compile_scenario
from iadsim.scenario.load import load_scenario

SCENARIO = """schema_version: 1
name: refusal
seed: 1
origin: {{lat_deg: 40.07889, lon_deg: 32.56556, alt_m: 843}}
time: {{duration_s: 60, step_s: 1.0}}
assets:
  - {{name: base, lat_deg: 40.07889, lon_deg: 32.56556, value: 100, radius_m: 1500}}
units:
  - name: u1
    system: {system}
    lat_deg: 40.10
    lon_deg: 32.60
    overrides: {unit_overrides}
raids:
  - name: r1
    threat: fighter
    target: base
    overrides: {raid_overrides}
    route:
      - {{lat_deg: 40.6, lon_deg: 32.6, alt_agl_m: 3000}}
"""
UNIT_LINE, RAID_LINE = 13, 18


def write(tmp_path: Path, unit_overrides="{}", raid_overrides="{}", system="s400") -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(SCENARIO.format(unit_overrides=unit_overrides, raid_overrides=raid_overrides, system=system))
    return p


runner = CliRunner()


def refused(tmp_path, path, words, command="validate", **kw):
    f = write(tmp_path, **kw)
    res = runner.invoke(app, [command, str(f)])
    text = " ".join(res.output.split())  # rich wraps long lines
    assert res.exit_code == 2, (res.exit_code, text, res.exception)
    assert "Traceback" not in text and (res.exception is None or isinstance(res.exception, SystemExit))
    line = UNIT_LINE if path.startswith("units") else RAID_LINE
    assert f"{f}:{line}: {path}: " in text, text
    assert words in text, text
    return text


CASES = [
    # (name, unit overrides, raid overrides, field path, words in the message)
    ("channels_zero", "{channels: {targets: 0}}", "{}", "units.0.overrides.channels.targets", "expected a number >= 1"),
    ("tracks_max", "{tracks_max: 5}", "{}", "units.0.overrides.tracks_max", "does not limit the number of tracks"),
    ("radars_42", "{radars: 42}", "{}", "units.0.overrides.radars", "expected a non-empty list of radar names"),
    ("radars_unknown", "{radars: [91N6, 92N6E]}", "{}", "units.0.overrides.radars.0", "did you mean '91N6E'"),
    ("mean_speed", "{missile: {48N6E3: {mean_speed: 0}}}", "{}", "units.0.overrides.missile.48N6E3.mean_speed",
     "no such catalog field"),
    ("pk", "{missile: {48N6E3: {pk: 2.5}}}", "{}", "units.0.overrides.missile.48N6E3.pk", "no such catalog field"),
    ("pk_max", "{missile: {48N6E3: {flyout: {pk_max: 2.5}}}}", "{}", "units.0.overrides.missile.48N6E3.flyout",
     "flyout figures cannot be set from a scenario"),
    ("engagement_radar", "{engagement_radar: nope}", "{}", "units.0.overrides.engagement_radar",
     "'nope' is not one of the unit's radars (91N6E, 92N6E)"),
    ("kind", "{}", "{kind: spaceship}", "raids.0.overrides.kind", "expected one of aircraft, cruise_missile, ballistic, drone"),
    ("rcs_inf", "{}", "{rcs_front: .inf}", "raids.0.overrides.rcs_front", "expected a finite number"),
    ("rcs_nan", "{}", "{rcs_side: .nan}", "raids.0.overrides.rcs_side", "expected a finite number"),
    ("gain_inf", "{radar: {92N6E: {gain: -.inf}}}", "{}", "units.0.overrides.radar.92N6E.gain", "expected a finite number"),
    ("loadout_unknown", "{loadout: [{missile: 48N6E, launchers: 8}]}", "{}", "units.0.overrides.loadout.0.missile",
     "unknown missile '48N6E' (did you mean '48N6E3'"),
    ("loadout_flyout_only", "{loadout: [{missile: 9M96E2, launchers: 8}]}", "{}", "units.0.overrides.loadout.0.missile",
     "has flyout figures only"),
    ("loadout_5", "{loadout: 5}", "{}", "units.0.overrides.loadout", "expected a non-empty list"),
    ("loadout_empty", "{loadout: []}", "{}", "units.0.overrides.loadout", "expected a non-empty list"),
    ("loadout_negative", "{loadout: [{missile: 48N6E3, launchers: -1}]}", "{}", "units.0.overrides.loadout.0.launchers",
     "expected a whole number >= 0"),
    ("frequency_zero", "{radar: {91N6E: {frequency: 0}}}", "{}", "units.0.overrides.radar.91N6E.frequency",
     "expected a number > 0 GHz"),
    ("swerling_five", "{}", "{swerling: five}", "raids.0.overrides.swerling", "expected a finite number"),
    ("swerling_7", "{}", "{swerling: 7}", "raids.0.overrides.swerling", "expected a number <= 4"),
    ("pfa_one", "{radar: {91N6E: {pfa: 1}}}", "{}", "units.0.overrides.radar.91N6E.pfa", "expected a number < 1"),
    ("count_negative", "{launchers: {count: -2}}", "{}", "units.0.overrides.launchers.count", "non-negative"),
    ("count_fraction", "{launchers: {count: 2.5}}", "{}", "units.0.overrides.launchers.count", "whole number"),
    ("count_and_loadout", "{launchers: {count: 2}, loadout: [{missile: 48N6E3, launchers: 8}]}", "{}",
     "units.0.overrides.launchers.count", "2 launchers disagree with the 8 launchers of loadout[].launchers"),
    ("title", "{title: mine}", "{}", "units.0.overrides.title", "documentation only"),
    ("reference_range", "{radar: {91N6E: {reference_range: 300}}}", "{}", "units.0.overrides.radar.91N6E.reference_range",
     "override peak_power or max_range instead"),
    ("radar_not_in_unit", "{radar: {MPQ-65: {gain: 30}}}", "{}", "units.0.overrides.radar.MPQ-65",
     "the unit has no radar 'MPQ-65'"),
    ("unit_mismatch", "{radar: {91N6E: {frequency: {value: 3000, unit: MHz}}}}", "{}",
     "units.0.overrides.radar.91N6E.frequency.unit", "expected unit 'GHz', got 'MHz'"),
]


@pytest.mark.parametrize("name, unit_over, raid_over, path, words", CASES, ids=[c[0] for c in CASES])
def test_validate_refuses(tmp_path, name, unit_over, raid_over, path, words):
    refused(tmp_path, path, words, unit_overrides=unit_over, raid_overrides=raid_over)


@pytest.mark.parametrize("name, unit_over, raid_over, path, words",
                         [c for c in CASES if c[0] in ("loadout_unknown", "pk", "frequency_zero", "loadout_5", "swerling_five")],
                         ids=lambda c: c if isinstance(c, str) else None)
def test_run_refuses_before_running(tmp_path, name, unit_over, raid_over, path, words):
    text = refused(tmp_path, path, words, command="run", unit_overrides=unit_over, raid_overrides=raid_over)
    assert "nothing was run" in text


def rounds(tmp_path, unit_overrides, system="s400"):
    w = compile_scenario(load_scenario(write(tmp_path, unit_overrides, system=system))).world
    return dict(zip(w.weapons.name, w.weapons.rounds.tolist())), w


def test_launcher_count_divides_the_loadout(tmp_path):
    """The README's `launchers: {count: N}`: 2 launchers x 4 rails = 8 rounds, the loadout's launchers
    re-divided in proportion (largest remainder, ties to the first entry)."""
    assert rounds(tmp_path, "{}")[0] == {"48N6E3": 24, "40N6": 8}
    assert rounds(tmp_path, "{launchers: {count: 2}}")[0] == {"48N6E3": 8, "40N6": 0}
    assert rounds(tmp_path, "{launchers: {count: 6}}")[0] == {"48N6E3": 20, "40N6": 4}
    assert rounds(tmp_path, "{launchers: {count: 12}}")[0] == {"48N6E3": 36, "40N6": 12}
    by_rails = rounds(tmp_path, "{launchers: {count: 6}}", system="patriot")[0]
    assert by_rails == {"PAC-2-GEM-T": 5 * 4, "PAC-3-MSE": 1 * 12}
    _, w = rounds(tmp_path, "{launchers: {count: 2}}")
    assert w.weapons.n_launchers.sum() == 2


def test_loadout_override_sets_the_launcher_count(tmp_path):
    got, w = rounds(tmp_path, "{loadout: [{missile: 40N6, launchers: 3}, {missile: 48N6E3, launchers: 1, rails: 2}]}")
    assert got == {"40N6": 12, "48N6E3": 2} and w.weapons.name == ["40N6", "48N6E3"]


def test_sweep_of_launcher_count_changes_the_world(tmp_path):
    """`iadsim sweep --set units.0.overrides.launchers.count=[6,8,12]` (its --help example) gives three
    different worlds, not three identical points."""
    from iadsim.scenario.load import parse_yaml
    from iadsim.study.sweep import parse_set, points

    f = write(tmp_path)
    data, lines = parse_yaml(f.read_text(), str(f))
    pts = points(data, lines, str(f), [parse_set("units.0.overrides.launchers.count=[6,8,12]")])
    totals = [int(compile_scenario(p.scenario).world.weapons.rounds.sum()) for p in pts]
    assert totals == [24, 32, 48]


def test_scenario_figures_are_marked(tmp_path):
    from iadsim.compile import unit_profile

    sc = load_scenario(write(tmp_path, "{radar: {91N6E: {antenna_height: 30}}}"))
    w = compile_scenario(sc).world
    assert np.isclose(w.radars.height_m[w.radars.name.index("91N6E")], 30.0)
    assert unit_profile(sc.units[0])["radar"]["91N6E"]["antenna_height_m"] == 30.0
