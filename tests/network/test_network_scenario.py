"""Scenario entities of the network (issue #17 item 1): sensors, command posts, links and a unit's
command post load and compile into arrays; every mistake is named with file, line and field."""


import numpy as np
import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.compile import compile_scenario
from iadsim.engine import run_compiled
from iadsim.scenario import load_scenario
from scenario_helpers import problems, write

GOOD = """\
schema_version: 1
name: net
origin: {lat_deg: 40.0, lon_deg: 32.5, alt_m: 800}
time: {duration_s: 100, step_s: 1}
assets:
  - {name: base, lat_deg: 40.0, lon_deg: 32.5, value: 10}
units:
  - name: u1
    system: s400
    lat_deg: 40.0
    lon_deg: 32.5
    command_post: cp
  - {name: u2, system: patriot, lat_deg: 40.1, lon_deg: 32.6}
sensors:
  - {name: ew, radar: 55Zh6M, lat_deg: 40.2, lon_deg: 32.3, antenna_height_m: 20, command_post: cp}
command_posts:
  - {name: cp, profile: 55K6E, lat_deg: 40.05, lon_deg: 32.55, subordinates: [u2], lost_at_s: 60}
links:
  - {from: u1, to: cp, latency_s: 0.5, period_s: 2, capacity: 10}
  - {from: u2, to: cp}
  - {from: ew, to: cp, latency_s: 2, period_s: 4, loss_probability: 0.1, cut_at_s: 50}
raids:
  - name: r1
    threat: cruise_missile
    target: base
    route:
      - {lat_deg: 40.5, lon_deg: 32.5, alt_agl_m: 50}
"""


def test_network_compiles_into_arrays(tmp_path):
    comp = compile_scenario(load_scenario(write(tmp_path, GOOD)))
    w = comp.world
    assert w.units.name == ["u1", "u2", "ew"]
    assert w.units.is_sensor.tolist() == [False, False, True]
    assert w.units.channels_targets[2] == 0 and not np.any(w.weapons.unit_idx == 2)
    ew = np.flatnonzero(w.radars.unit_idx == 2)
    assert [w.radars.name[i] for i in ew] == ["55Zh6M"] and w.radars.band[ew[0]] == "VHF"
    assert w.radars.height_m[ew[0]] == pytest.approx(20.0)  # the sensor's antenna height, not the catalog's
    net = w.network
    assert net.cp_name == ["cp"] and net.cp_lost_at_s.tolist() == [60.0]
    assert net.site_cp.tolist() == [0, 0, 0]
    assert net.link_site.tolist() == [0, 1, 2] and net.site_link.tolist() == [0, 1, 2]
    assert net.link_latency_s.tolist() == [0.5, 1.0, 2.0] and net.link_capacity.tolist() == [10, 100, 100]
    assert net.link_cut_at_s[2] == 50.0 and np.isinf(net.link_cut_at_s[:2]).all()
    assert net.cp_cycle_s[0] == 2.0 and net.cp_processing_s[0] == 2.0
    # launch on remote from the missile catalog: 40N6 and PAC-3 MSE active seekers yes, 48N6E3 and GEM-T no
    lor = dict(zip(w.weapons.name, w.weapons.launch_on_remote.tolist()))
    assert lor == {"48N6E3": False, "40N6": True, "PAC-2-GEM-T": False, "PAC-3-MSE": True}


def test_stealth_band_factor_reaches_the_vhf_sensor(tmp_path):
    text = GOOD.replace("threat: cruise_missile", "threat: stealth_fighter")
    w = compile_scenario(load_scenario(write(tmp_path, text))).world
    by_band = dict(zip(w.radars.band, w.radars.rcs_factor_by_raid[:, 0].tolist()))
    assert by_band["VHF"] == 100.0 and by_band["X"] == 1.0 and by_band["S"] == 5.0


def test_command_post_overrides_compile(tmp_path):
    text = GOOD.replace("lost_at_s: 60}", "lost_at_s: 60, overrides: {c2_cycle: 4, processing_time: 1}}")
    net = compile_scenario(load_scenario(write(tmp_path, text))).world.network
    assert net.cp_cycle_s[0] == 4.0 and net.cp_processing_s[0] == 1.0


def test_without_command_posts_there_is_no_network(tmp_path):
    text = GOOD.split("sensors:")[0].replace("    command_post: cp\n", "") + GOOD.split("links:")[1].split("\n", 4)[-1]
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  - {from")) + "\n"
    w = compile_scenario(load_scenario(write(tmp_path, text))).world
    assert w.network is None and not w.units.is_sensor.any()


MISTAKES = [
    ("radar: 55Zh6M", "radar: 55Zh6", 15, "sensors.0.radar", "did you mean '55Zh6M'"),
    ("profile: 55K6E", "profile: 55K6", 17, "command_posts.0.profile", "unknown command post"),
    ("    command_post: cp\n", "    command_post: cq\n", 12, "units.0.command_post", "no command post named 'cq'"),
    ("subordinates: [u2]", "subordinates: [u3]", 17, "command_posts.0.subordinates.0", "no unit or sensor named 'u3'"),
    ("{from: u2, to: cp}", "{from: u9, to: cp}", 20, "links.1.from", "no unit or sensor named 'u9'"),
    ("{from: u2, to: cp}", "{from: u2, to: cq}", 20, "links.1.to", "no command post named 'cq'"),
    ("{from: u2, to: cp}", "{from: u1, to: cp}", 20, "links.1.from", "already has a link"),
    ("  - {from: u2, to: cp}\n", "", 13, "units.1.name", "has no link to it"),
    ("loss_probability: 0.1", "loss_probability: 1.5", 21, "links.2.loss_probability", "less than 1"),
    ("period_s: 4", "period_s: 0", 21, "links.2.period_s", "greater than 0"),
    ("latency_s: 0.5", "latency_s: -1", 19, "links.0.latency_s", "greater than or equal to 0"),
    ("capacity: 10}", "capacity: 0}", 19, "links.0.capacity", "greater than or equal to 1"),
    ("lon_deg: 32.3, antenna", "lon_deg: 32.3, antena", 15, "sensors.0.antena_height_m", "unknown key"),
    ("command_post: cp}\ncommand_posts", "command_post: cp, overrides: {peak_power: -5}}\ncommand_posts", 15,
     "sensors.0.overrides.peak_power", "non-negative"),
    ("name: ew, radar", "name: u2, radar", 15, "sensors.0.name", "duplicate name 'u2'"),
]


@pytest.mark.parametrize("old,new,line,path,words", MISTAKES)
def test_each_network_mistake_names_file_line_and_field(tmp_path, old, new, line, path, words):
    assert old in GOOD
    found = problems(tmp_path, GOOD.replace(old, new, 1))
    hit = [p for p in found if p.path == path]
    assert hit, [str(p) for p in found]
    assert hit[0].line == line and hit[0].file.endswith("s.yaml")
    if words:
        assert words in hit[0].message, hit[0].message


def test_sensor_without_command_post_and_misdirected_link(tmp_path):
    text = GOOD.replace(", command_post: cp}", "}").replace("{from: ew, to: cp, latency_s: 2, period_s: 4, "
                                                           "loss_probability: 0.1, cut_at_s: 50}", "{from: u1, to: cp}")
    found = {p.path: p for p in problems(tmp_path, text)}
    assert "sensors.0.command_post" in found and "reports its tracks to a command post" in found["sensors.0.command_post"].message


def test_two_command_posts_for_one_unit(tmp_path):
    text = GOOD.replace("command_posts:\n", "command_posts:\n  - {name: cp2, profile: 55K6E, lat_deg: 40.0, lon_deg: 32.0, "
                                            "subordinates: [u1]}\n")
    found = {p.path: p for p in problems(tmp_path, text)}
    assert "already under command post 'cp'" in found["command_posts.0.subordinates.0"].message


def test_cli_validate_exit_2_no_traceback(tmp_path):
    res = CliRunner().invoke(app, ["validate", str(write(tmp_path, GOOD.replace("to: cp}", "to: nowhere}")))])
    assert res.exit_code == 2 and "Traceback" not in res.output and "links.1.to" in res.output


def test_dump_round_trips_with_the_from_key(tmp_path):
    """Studies store the scenario as dumped YAML: links are written with `from`, as in the file."""
    import yaml

    from iadsim.scenario.models import Scenario

    sc = load_scenario(write(tmp_path, GOOD))
    data = sc.model_dump(mode="json")
    assert "from" in data["links"][0] and "source" not in data["links"][0]
    assert Scenario.model_validate(yaml.safe_load(yaml.safe_dump(data))) == sc


def test_sensor_emission_schedule_silences_its_radar(tmp_path):
    """A sensor site's `emission:` (iadsim.emission) applies to its radar row like a unit radar's:
    on a schedule, it detects only while it radiates, and the switch is an event."""
    text = GOOD.replace("antenna_height_m: 20, command_post: cp}",
                        "antenna_height_m: 20, command_post: cp, emission: {mode: schedule, on: [[0, 30]]}}")
    sc = load_scenario(write(tmp_path, text))
    ev = run_compiled(sc, compile_scenario(sc), 1).events
    kind, unit, t = (np.asarray(ev[c], object) for c in ("kind", "unit", "t_s"))
    ew_det = t[(kind == "detect") & (unit == "ew")].astype(float)
    assert ew_det.size and ew_det.max() < 30.0
    off = t[(kind == "radar_off") & (unit == "ew")].astype(float)
    assert off.tolist() == [30.0]
    always = run_compiled(*(lambda s: (s, compile_scenario(s)))(load_scenario(write(tmp_path, GOOD))), 1).events
    k2, u2, t2 = (np.asarray(always[c], object) for c in ("kind", "unit", "t_s"))
    assert t2[(k2 == "detect") & (u2 == "ew")].astype(float).max() > 30.0  # radiating throughout, it sees it later too


def test_sensor_cannot_be_cued(tmp_path):
    text = GOOD.replace("antenna_height_m: 20, command_post: cp}", "antenna_height_m: 20, command_post: cp, "
                        "emission: {mode: when_cued}}")
    msgs = " ".join(str(p) for p in problems(tmp_path, text))
    assert "sensors" in msgs and "no other radar to cue it" in msgs
