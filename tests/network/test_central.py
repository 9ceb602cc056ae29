"""Engagement across units (issue #17 item 5): one assignment over the units of a command post (no
duplicate engagement, unlike the same units alone), launch on remote only for missiles that allow
it, degradation to autonomous operation; the repair to the units' limits and the merge of fused
tracks on hand-made cases."""

from pathlib import Path

import numpy as np

from iadsim.compile import compile_scenario
from iadsim.engine import run_compiled
from iadsim.network import fusion
from iadsim.network.central import _repair
from iadsim.network.view import REMOTE_BASE
from iadsim.scenario import load_scenario

BASE = """\
schema_version: 1
name: central
seed: 4
origin: {lat_deg: 40.0, lon_deg: 32.5, alt_m: 800}
time: {duration_s: DURATION, step_s: 1}
assets:
  - {name: base, lat_deg: 40.0, lon_deg: 32.5, value: 100, radius_m: 2000}
units:
  - {name: a, system: s400, lat_deg: 40.02, lon_deg: 32.50, command_post: cp UNIT_A}
  - {name: b, system: s400, lat_deg: 39.98, lon_deg: 32.52, command_post: cp}
SENSORS
command_posts:
  - {name: cp, profile: 55K6E, lat_deg: 40.0, lon_deg: 32.51 CP}
links:
  - {from: a, to: cp, latency_s: 1}
  - {from: b, to: cp, latency_s: 1}
LINKS
raids:
  - name: r
    threat: THREAT
    target: base
    start_s: 0
    route:
      - {lat_deg: 41.6, lon_deg: 32.5, alt_agl_m: ALT}
"""


def _run(tmp_path, duration=400, unit_a="", sensors="", links="", cp="", threat="fighter", alt=8000, network=True):
    text = (BASE.replace("DURATION", str(duration)).replace(" UNIT_A", unit_a).replace("SENSORS", sensors)
            .replace("LINKS", links).replace(" CP", cp).replace("THREAT", threat).replace("ALT", str(alt)))
    if not network:
        text = text.replace(", command_post: cp", "").split("command_posts:")[0] + "raids:" + text.split("raids:")[1]
    p = tmp_path / "s.yaml"
    p.write_text(text)
    sc = load_scenario(p)
    return run_compiled(sc, compile_scenario(sc), sc.seed)


def _first_engagement_units(res):
    """Units whose first assign at the raider comes before any kill assessment of it."""
    ev = res.events
    kind, t, unit = np.asarray(ev["kind"]), np.asarray(ev["t_s"]), np.asarray(ev["unit"])
    first_reassess = t[kind == "reassess"].min(initial=np.inf)
    return sorted(set(unit[(kind == "assign") & (t < first_reassess)].tolist()))


def test_one_assignment_engages_a_threat_with_one_unit_where_autonomous_units_both_fire(tmp_path):
    alone = _run(tmp_path, network=False)
    assert _first_engagement_units(alone) == ["a", "b"]  # two units, one fighter: both engage it
    net = _run(tmp_path)
    assert len(_first_engagement_units(net)) == 1  # the command post gives it to one unit
    dup = {u["name"]: u["duplicates_avoided"] for u in net.summary["units"]}
    assert sum(dup.values()) == 1  # the other unit held a track of it: one duplicate avoided
    both = _run(tmp_path, cp=", duplicate_engagements: true")
    assert len(_first_engagement_units(both)) >= 1 and sum(u["duplicates_avoided"] for u in both.summary["units"]) == 0


EW = "sensors:\n  - {name: ew, radar: 55Zh6M, lat_deg: 41.0, lon_deg: 32.5, command_post: cp}"
EW_LINK = "  - {from: ew, to: cp, latency_s: 1, period_s: 2}"
NO_LOR = ", overrides: {loadout: [{missile: 48N6E3, launchers: 8}]}"  # semi-active/TVM rounds only


def test_launch_on_remote_only_with_missiles_that_allow_it(tmp_path):
    """A stealth fighter the units' own radars see late and a VHF radar forward of them: with the
    40N6 (active seeker) a unit fires on the command post's fused track before its own radars hold
    the raider; with only the 48N6E3 (track-via-missile) no unit fires on a remote track."""
    kw = dict(duration=1500, sensors=EW, links=EW_LINK, threat="stealth_fighter", alt=10000)
    lor = _run(tmp_path, **kw)
    ev = lor.events
    kind, tid = np.asarray(ev["kind"]), np.asarray(ev["track_id"])
    remote = (kind == "launch") & (tid >= REMOTE_BASE)
    assert remote.any() and sum(u["launches_on_remote"] for u in lor.summary["units"]) == int(remote.sum())
    assert set(np.asarray(ev["missile"])[remote].tolist()) == {"40N6"}
    first_own = min(t["first_track_s"] for t in _run(tmp_path, duration=1500, threat="stealth_fighter", alt=10000,
                                                     network=False).summary["threats"])
    assert np.asarray(ev["t_s"])[remote].min() < first_own  # before either unit's own radars track it
    none = _run(tmp_path, unit_a=NO_LOR, **{**kw, "cp": ""})
    ev2 = none.events
    kind2, tid2, unit2 = np.asarray(ev2["kind"]), np.asarray(ev2["track_id"]), np.asarray(ev2["unit"])
    assert not ((kind2 == "launch") & (tid2 >= REMOTE_BASE) & (unit2 == "a")).any()


def test_command_post_lost_drops_units_to_autonomous(tmp_path):
    res = _run(tmp_path, duration=600, cp=", lost_at_s: 150", threat="cruise_missile", alt=50)
    ev = res.events
    kind, t = np.asarray(ev["kind"]), np.asarray(ev["t_s"])
    lost = np.flatnonzero(kind == "command_post_lost")
    assert t[lost].tolist() == [150.0] and "autonomous a, b" in ev["detail"][lost[0]]
    assert res.summary["network"]["events"] == [dict(t_s=150.0, kind="command_post_lost", name="cp", autonomous=["a", "b"])]
    tid = np.asarray(ev["track_id"])
    assert not ((kind == "assign") & (tid >= REMOTE_BASE) & (t >= 150.0)).any()  # no fused tracks after the loss


def test_repair_keeps_one_unit_per_threat_and_each_units_channels():
    # rows: unit 0 has rows 0-1, unit 1 rows 2-3; targets 0-2 with values 5, 1, 3
    x = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    row_part = np.array([0, 0, 1, 1])
    parts = [dict(free_t=2, free_m=2), dict(free_t=1, free_m=1)]
    value = np.array([5.0, 1.0, 3.0])
    y = x.copy()
    _repair(y, row_part, parts, value, duplicates=False)
    # targets 0 and 2 had both units (1 round each): the first unit keeps them; unit 0 then has three
    # targets for two channels and drops its lowest-value one (target 1)
    assert y.tolist() == [[1, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]]
    z = x.copy()
    _repair(z, row_part, parts, value, duplicates=True)
    # duplicates allowed: unit 1 keeps one of its two targets (the higher value, target 0); unit 0 drops target 1
    assert z.tolist() == [[1, 0, 1], [0, 0, 0], [1, 0, 0], [0, 0, 0]]


def test_merge_pairs_joins_tracks_of_disjoint_sites_only():
    x = np.array([[0, 0, 0, 0, 0, 0], [30, 0, 0, 0, 0, 0], [5e4, 0, 0, 0, 0, 0]], float)
    p = np.stack([np.eye(6) * 900.0] * 3)
    # fused 0 fed by site 0, fused 1 by site 1, fused 2 by site 1: 0 and 1 are 30 m apart and merge
    assert fusion.merge_pairs(x, p, np.array([0, 1, 2]), np.array([0, 1, 1])).tolist() == [0, 0, 2]
    # the same site feeds both: two tracks of that site, not merged
    assert fusion.merge_pairs(x, p, np.array([0, 1, 2]), np.array([1, 1, 1])).size == 0
