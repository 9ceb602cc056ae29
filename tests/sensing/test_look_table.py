"""The look table: the deterministic part of every scan, computed once per scenario for all runs,
gives exactly the detections of looks computed step by step."""

from pathlib import Path

import numpy as np
import pytest

import iadsim
from iadsim import memo, sensing
from iadsim.compile import compile_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["murted_patriot", "srbm_patriot"])
def test_runs_with_and_without_the_table_are_identical(name, monkeypatch):
    """A sector radar (Patriot) against routes and ballistic arcs: every event, summary value and
    trajectory sample is the same whether looks come from the table or are computed each step."""
    sc = iadsim.load_scenario(EXAMPLES / f"{name}.yaml")
    comp = compile_scenario(sc)
    assert sensing.look_table(comp.world, comp.dt_s, comp.n_steps) is not None
    tabled = iadsim.simulate(sc, seed=4)
    monkeypatch.setattr(sensing, "LOOK_TABLE_MAX_PAIRS", 0)
    monkeypatch.setattr(sensing, "_LOOK_TABLES", memo.Memo(0.75))
    assert sensing.look_table(comp.world, comp.dt_s, comp.n_steps) is None
    direct = iadsim.simulate(sc, seed=4)
    assert tabled.summary == direct.summary
    assert tabled.summary["totals"]["intercepts_hit"] > 0
    for col in tabled.events:
        np.testing.assert_array_equal(np.array(tabled.events[col]), np.array(direct.events[col]))
    np.testing.assert_array_equal(tabled.threat_pos_enu_m, direct.threat_pos_enu_m)


def test_table_matches_pair_looks_at_a_scan_and_is_cached_by_content():
    """At a scan, the table's rows equal pair_looks recomputed for the raiders in flight; a second
    compile of the same scenario gets the same table, another scenario a different one."""
    from iadsim import geo, threats as motion

    sc = iadsim.load_scenario(EXAMPLES / "murted_2019.yaml")
    a, b = compile_scenario(sc), compile_scenario(sc)
    table = sensing.look_table(a.world, a.dt_s, a.n_steps)
    assert sensing.look_table(b.world, b.dt_s, b.n_steps) is table
    other = compile_scenario(iadsim.load_scenario(EXAMPLES / "murted_patriot.yaml"))
    assert sensing.look_table(other.world, other.dt_s, other.n_steps) is not table
    k = 700
    due = np.flatnonzero(table.look_of[k] >= 0)
    assert due.size >= 1
    pos, vel, _, fly = motion.kinematics(a.world.threats, k * a.dt_s)
    rows = np.flatnonzero(fly)
    agl = geo.altitude_m(pos, a.origin) - a.ground_alt_m
    for r in due:
        ref = sensing.pair_looks(a.world, np.full(rows.size, r), rows, pos[rows], vel[rows], agl[rows])
        got = {key: arr[table.look_of[k, r], rows] for key, arr in table.grid.items()}
        assert got["visible"].any()
        for key in ref:
            np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-12, err_msg=key)
    assert not table.grid["visible"][table.look_of[k, due]][:, ~fly].any()  # raiders not in flight are never seen
