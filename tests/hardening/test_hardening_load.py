"""Hostile and careless scenario files (issue #16): refused with file:line, exit 2, in bounded time."""

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.scenario import ScenarioError, load_scenario
from iadsim.scenario.load import MAX_DEPTH, parse_yaml
from iadsim.scenario.models import MAX_STEPS, MIN_SPEED_MPS, MIN_STEP_S

runner = CliRunner()

GOOD = """\
schema_version: 1
name: tiny
seed: 3
origin: {lat_deg: 40.0, lon_deg: 32.5, alt_m: 800}
time: {duration_s: 100, step_s: 1}
assets:
  - {name: base, lat_deg: 40.0, lon_deg: 32.5, value: 10, radius_m: 1000}
units:
  - name: u1
    system: s400
    lat_deg: 40.0
    lon_deg: 32.5
raids:
  - name: r1
    threat: cruise_missile
    count: 2
    start_s: 0
    target: base
    route:
      - {lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 50}
      - {lat_deg: 40.3, lon_deg: 32.5, alt_agl_m: 50}
"""

# The 841-byte alias bomb's pattern and the classic billion laughs (9 levels of 9 references).
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def problems_of(tmp_path: Path, text: str):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    return info.value.problems


def cli(tmp_path: Path, text: str, *args):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return runner.invoke(app, [*args, str(p)] if args else ["validate", str(p)])


def test_good_file_still_loads(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(GOOD)
    assert load_scenario(p).seed == 3


@pytest.mark.parametrize("text, line", [
    (BILLION_LAUGHS, 2),
    ("overrides: &r {loop: *r}\n", 1),  # a node that contains itself
    ("a: &x 1\nb: *x\n", 2),  # every alias is refused, even a harmless one
])
def test_aliases_are_refused_at_their_line_in_bounded_time(text, line):
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "bomb.yaml")
    assert time.perf_counter() - t0 < 0.5
    (p,) = info.value.problems
    assert p.line == line and "aliases" in p.message


def test_deep_nesting_is_refused_without_recursion_error():
    text = "x: " + "[" * 5000 + "]" * 5000 + "\n"
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "deep.yaml")
    # ~0.3 s unloaded, whatever the depth: PyYAML's scanner looks ahead over at most 1024 characters
    # of possible simple keys, each scan visiting every open flow level (bounded, not linear in the file)
    assert time.perf_counter() - t0 < 2.0
    assert f"deeper than {MAX_DEPTH}" in info.value.problems[0].message


@pytest.mark.parametrize("value", ["!foo x", "!!python/name:os.system x", "!!python/object/apply:os.system [ls]",
                                   "!!binary aGVsbG8=", "!!set {a, b}"])
def test_tags_are_refused(value):
    with pytest.raises(ScenarioError) as info:
        parse_yaml(f"name: {value}\n", "tag.yaml")
    (p,) = info.value.problems
    assert p.line == 1 and p.path == "name" and "tag" in p.message


def test_complex_keys_are_refused():
    with pytest.raises(ScenarioError) as info:
        parse_yaml("a: 1\n? [1, 2]\n: 3\n", "k.yaml")
    assert info.value.problems[0].line == 2


@pytest.mark.parametrize("old, new, path", [
    ("value: 10", "value: .inf", "assets.0.value"),
    ("radius_m: 1000", "radius_m: .inf", "assets.0.radius_m"),
    ("start_s: 0", "start_s: .inf", "raids.0.start_s"),
    ("start_s: 0", "start_s: .nan", "raids.0.start_s"),
    ("alt_agl_m: 50}\n      - {lat_deg: 40.3", "alt_agl_m: .nan}\n      - {lat_deg: 40.3", "raids.0.route.0.alt_agl_m"),
    ("count: 2", "count: 2\n    overrides: {speed: .nan}", "raids.0.overrides.speed"),
    ("lon_deg: 32.5\nraids", "lon_deg: 32.5\n    overrides: {rcs_front: -.inf}\nraids", "units.0.overrides.rcs_front"),
])
def test_non_finite_numbers_are_refused_with_file_line(tmp_path, old, new, path):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    probs = problems_of(tmp_path, text)
    line = next(k for k, ln in enumerate(text.splitlines(), 1) if ".inf" in ln or ".nan" in ln)
    assert any(p.path == path and p.line == line and "finite" in p.message for p in probs), [str(p) for p in probs]


def test_tiny_step_is_refused_with_the_memory_it_would_need(tmp_path):
    probs = problems_of(tmp_path, GOOD.replace("step_s: 1", "step_s: 1e-9"))
    assert probs[0].path == "time.step_s" and f"{MIN_STEP_S}" in probs[0].message
    probs = problems_of(tmp_path, GOOD.replace("duration_s: 100, step_s: 1", "duration_s: 86400, step_s: 0.05"))
    (p,) = probs
    assert p.path == "time" and p.line == 5
    assert f"{86400 / 0.05:,.0f} steps" in p.message and f"{MAX_STEPS:,}" in p.message and "GiB" in p.message


def test_duration_shorter_than_a_step_is_refused(tmp_path):
    (p,) = problems_of(tmp_path, GOOD.replace("duration_s: 100, step_s: 1", "duration_s: 5, step_s: 60"))
    assert p.path == "time" and p.line == 5 and "shorter than one step_s" in p.message


@pytest.mark.parametrize("old, new, path", [
    ("alt_agl_m: 50}\n      - {lat_deg: 40.3", "alt_agl_m: 50, speed_mps: 0.001}\n      - {lat_deg: 40.3",
     "raids.0.route.0.speed_mps"),
    ("count: 2", "count: 2\n    overrides: {speed: 0}", "raids.0.overrides.speed"),
    ("count: 2", "count: 2\n    overrides: {speed: 1}", "raids.0.overrides.speed"),
])
def test_speeds_below_the_floor_are_refused(tmp_path, old, new, path):
    t0 = time.perf_counter()
    probs = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert time.perf_counter() - t0 < 5
    assert any(p.path == path and p.line and f"{MIN_SPEED_MPS:g}" in p.message for p in probs), [str(p) for p in probs]


def test_repeated_waypoint_is_refused_at_its_line(tmp_path):
    text = GOOD.replace("{lat_deg: 40.3, lon_deg: 32.5, alt_agl_m: 50}", "{lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 80}")
    (p,) = problems_of(tmp_path, text)
    assert p.path == "raids.0.route.1" and p.line == 21 and "repeats waypoint 0" in p.message


@pytest.mark.parametrize("seed, words", [("true", "valid integer"), ("1.5", "valid integer"), ("-1", "greater than"),
                                         (str(2**63), "less than or equal"), ("'7'", "valid integer")])
def test_bad_seeds_are_refused(tmp_path, seed, words):
    (p,) = problems_of(tmp_path, GOOD.replace("seed: 3", f"seed: {seed}"))
    assert p.path == "seed" and p.line == 3 and words in p.message


def test_largest_seed_is_accepted(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("seed: 3", f"seed: {2**63 - 1}"))
    assert load_scenario(p).seed == 2**63 - 1


def test_raid_after_the_end_is_an_error(tmp_path):
    (p,) = problems_of(tmp_path, GOOD.replace("start_s: 0", "start_s: 100"))
    assert p.path == "raids.0.start_s" and p.line == 17 and "after the end of the run" in p.message


@pytest.mark.parametrize("field, old", [("name", "name: tiny"), ("assets", "name: base"), ("units", "name: u1"),
                                        ("raids", "name: r1")])
@pytest.mark.parametrize("bad", ['"a\\0b"', '"a\\rb"', '"a\\nb"', '"a\\u2028b"', '"a\\u202eb"', '"a\\x1bb"', '" "'])
def test_control_characters_in_names_are_refused(tmp_path, field, old, bad):
    new = old.split(":")[0] + ": " + bad
    text = GOOD.replace(old, new, 1)
    if field != "name":
        text = text.replace("target: base", f"target: {bad}") if field == "assets" else text
    probs = problems_of(tmp_path, text)
    assert any(p.path.startswith(field) and p.path.endswith("name") and p.line for p in probs), [str(p) for p in probs]


@pytest.mark.parametrize("text", [BILLION_LAUGHS, "x: " + "[" * 3000 + "]" * 3000, "name: !!python/name:os.system x\n",
                                  GOOD.replace("step_s: 1", "step_s: 1e-9"), GOOD.replace("seed: 3", "seed: true"),
                                  GOOD.replace("name: tiny", 'name: "a\\0b"'), "- just\n- a list\n", ""])
def test_cli_validate_exits_2_without_traceback(tmp_path, text):
    res = cli(tmp_path, text)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "s.yaml" in res.output


def test_scenarios_built_in_python_refuse_non_finite_numbers_too():
    import yaml
    from pydantic import ValidationError

    from iadsim.scenario import Scenario

    good = yaml.safe_load(GOOD)
    assert Scenario.model_validate(good).name == "tiny"
    for where, value in ((("assets", 0, "value"), float("inf")), (("raids", 0, "start_s"), float("nan")),
                         (("units", 0, "overrides"), {"launchers": {"count": float("nan")}})):
        bad = yaml.safe_load(GOOD)
        node = bad
        for k in where[:-1]:
            node = node[k]
        node[where[-1]] = value
        with pytest.raises(ValidationError) as info:
            Scenario.model_validate(bad)
        assert info.value.errors()[0]["loc"][:3] == where[:3]


def test_schema_command_still_works():
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0 and '"step_s"' in res.output
