"""examples/sead_strike.yaml: the stand-off jammer delays the strikers' first detection; decoys,
releases, ARMs and strobes show in the results; batches equal single runs bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iadsim import engine
from iadsim.compile import compile_scenario
from iadsim.scenario.load import load_scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sead_strike.yaml"


@pytest.fixture(scope="module")
def runs():
    sc = load_scenario(EXAMPLE)
    without = sc.model_copy(update={"raids": [r for r in sc.raids if r.name != "soj"]})
    return engine.simulate(sc, seed=1), engine.simulate(without, seed=1)


def _strikers_first_detect(res):
    return np.array([t["first_detect_s"] for t in res.summary["threats"] if t["raid"] == "strikers"], float)


def test_without_the_jammer_the_strikers_are_seen_much_earlier(runs):
    jammed, clear = runs
    fj, fc = _strikers_first_detect(jammed), _strikers_first_detect(clear)
    assert fj.size == fc.size == 4 and np.isfinite(fc).all()
    # strikers start at 60-120 s, 360 km out: seen almost at once without the jammer, hundreds of seconds later with it
    assert (np.nan_to_num(fj, nan=1e9) - fc >= 200.0).all(), (fj, fc)


def test_the_package_shows_in_the_results(runs):
    jammed, clear = runs
    s = jammed.summary
    kinds = set(jammed.events["kind"])
    assert {"jammed", "release", "radar_off", "radar_on"} <= kinds
    assert kinds & {"radar_killed", "arm_miss"} or any(t["raid"] == "arm" and t["fate"] == "killed" for t in s["threats"])
    radars = {r["name"]: r for r in s["radars"]}
    assert radars["91N6E"]["jammed_s"] > 600 and radars["92N6E"]["jammed_s"] > 600
    decoys = [t for t in s["threats"] if t["raid"] == "decoys"]
    assert decoys and all(t["decoy"] for t in decoys) and not any(t["decoy"] for t in s["threats"] if t["raid"] != "decoys")
    assert s["totals"]["rounds_on_decoys"] == sum(t["rounds_spent"] for t in decoys) > 0
    # without the jammer the strikers die before releasing: their missiles are never released
    assert clear.summary["totals"]["not_released"] > 0


def test_batches_equal_single_runs():
    sc = load_scenario(EXAMPLE)
    sc = sc.model_copy(update={"time": sc.time.model_copy(update={"duration_s": 900.0})})
    comp = compile_scenario(sc)
    batch = engine.run_batch(sc, comp, [3, 4])
    for seed, b in zip([3, 4], batch):
        one = engine.run_compiled(sc, comp, seed)
        assert one.summary == b.summary
        for c in one.events:  # bit for bit (NaN where NaN)
            np.testing.assert_array_equal(one.events.array(c), b.events.array(c), err_msg=c)


def test_study_is_the_same_whatever_the_workers_and_batches(tmp_path):
    """A Monte Carlo study of the SEAD strike: one worker in one batch, or two workers one run at a
    time, store the same per-threat rows (fates, times, rounds, first detections, decoys)."""
    import iadsim

    sc = load_scenario(EXAMPLE)
    sc = sc.model_copy(update={"time": sc.time.model_copy(update={"duration_s": 900.0})})
    tables = []
    for i, (workers, batch) in enumerate(((1, 3), (2, 1))):
        with iadsim.monte_carlo(sc, 3, workers=workers, batch_runs=batch, seed=5, store=tmp_path / f"s{i}.duckdb") as st:
            t = st.threats.drop_columns(["study_id"]).sort_by([("run_index", "ascending"), ("threat_id", "ascending")])
            tables.append(t.to_pydict())
    assert tables[0] == tables[1]
    assert len(tables[0]["threat_id"]) == 3 * 19
