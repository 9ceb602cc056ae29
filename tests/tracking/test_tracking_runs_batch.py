"""Batched runs of the tracking stage: R runs of one scenario in one set of arrays (TrackingRuns)
give every run exactly what its own TrackingStage gives, step by step, bit for bit.

The inputs are recorded from real engine runs (TrackingStage.update wrapped), then replayed
together; runs have different lengths and are retired after their last step."""

from pathlib import Path

import numpy as np
import pytest
import yaml

import iadsim
from iadsim import engine
from iadsim.compile import compile_scenario
from iadsim.scenario.load import parse_yaml, validate_data
from iadsim.state import Detections
from iadsim.tracking.stage import TrackingRuns, TrackingStage

from tracking_world import one_s400_world

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def _record(scenario, seeds, monkeypatch):
    """Per seed, the single run's tracking inputs and what it returned and exposed, step by step."""
    comp = compile_scenario(scenario)
    single = TrackingStage.update
    out = {}
    for seed in seeds:
        steps = []

        def update(self, t_s, dets, looked, steps=steps):
            events = single(self, t_s, dets, looked)
            n_units = len(self.trackers)
            steps.append(dict(t=t_s, dets=dets, looked=looked.copy(), events=events,
                              tracks=[self.tracks(u, t_s) for u in range(n_units)],
                              samples=[self.samples(u) for u in range(n_units)]))
            return events

        monkeypatch.setattr(TrackingStage, "update", update)
        engine.run_compiled(scenario, comp, seed)
        out[seed] = steps
    monkeypatch.setattr(TrackingStage, "update", single)
    return comp, out


def _replay_and_compare(comp, runs_steps):
    """Replay the recorded runs through one TrackingRuns and assert equality with the single runs."""
    n_runs = len(runs_steps)
    batch = TrackingRuns(comp.world, comp.dt_s, n_runs)
    counts = dict(confirmed=0, dropped=0, tracks=0)
    for k in range(max(len(s) for s in runs_steps)):
        live = [r for r, s in enumerate(runs_steps) if k < len(s)]
        t_s = runs_steps[live[0]][k]["t"]
        looked = runs_steps[live[0]][k]["looked"]
        dets = [runs_steps[r][k]["dets"] if r in live else None for r in range(n_runs)]
        events = batch.update(t_s, dets, looked)
        for r in range(n_runs):
            if r not in live:
                assert events[r] == []
                continue
            rec = runs_steps[r][k]
            assert rec["t"] == t_s and np.array_equal(rec["looked"], looked)
            assert len(events[r]) == len(rec["events"])
            for (u, new, dropped), (u1, new1, dropped1) in zip(events[r], rec["events"]):
                assert u == u1 and _same(new, new1) and _same(dropped, dropped1), (r, k, u)
                counts["confirmed"] += len(new)
                counts["dropped"] += len(dropped)
            view = batch.view(r)
            for u, (trk1, smp1) in enumerate(zip(rec["tracks"], rec["samples"])):
                trk = view.tracks(u, t_s)
                for name in ("id", "truth_id", "pos_enu_m", "vel_enu_mps", "t_last_s"):
                    assert _same(getattr(trk, name), getattr(trk1, name)), (r, k, u, name)
                for a, b in zip(view.samples(u), smp1):
                    assert _same(a, b), (r, k, u)
                for a, b in zip(view.confirmed_positions(u, smp1[0][::2]), (smp1[0][::2], smp1[1][::2], smp1[2][::2])):
                    assert _same(a, b), (r, k, u)
                assert all(view.is_fresh(u, int(i), t_s) == bool(np.isin(i, trk1.id)) for i in smp1[0])
                counts["tracks"] += len(trk1.id)
            if k == len(runs_steps[r]) - 1:
                batch.retire(r)
    return counts


def test_murted_runs_batched_equal_single_runs(monkeypatch):
    """Three seeds of the Mürted example (the first 520 s: confirmations from ~160 s, drops from
    ~485 s), of different lengths, replayed together."""
    scenario = iadsim.load_scenario(EXAMPLES / "murted_2019.yaml")
    scenario = scenario.model_copy(update={"time": scenario.time.model_copy(update={"duration_s": 520.0})})
    comp, rec = _record(scenario, [1, 2, 3], monkeypatch)
    runs = [rec[1][:400], rec[2], rec[3][:500]]
    counts = _replay_and_compare(comp, runs)
    assert counts["confirmed"] >= 20 and counts["dropped"] >= 2 and counts["tracks"] > 1000


def test_two_unit_srbm_runs_batched_equal_single_runs(monkeypatch):
    """The SRBM/Patriot example with a second unit (an S-400 beside it), so each step's detections
    are split between units; two seeds (the first 470 s), the second retired early."""
    data = yaml.safe_load((EXAMPLES / "srbm_patriot.yaml").read_text(encoding="utf-8"))
    data["units"].append(dict(name="s400_second", system="s400", lat_deg=40.0, lon_deg=32.7))
    data["time"]["duration_s"] = 470.0  # confirmations from ~295 s, drops from ~316 s
    parsed, lines = parse_yaml(yaml.safe_dump(data, allow_unicode=True), "srbm_two_units")
    comp, rec = _record(validate_data(parsed, lines, "srbm_two_units"), [5, 6], monkeypatch)
    assert len(comp.world.units.name) == 2
    counts = _replay_and_compare(comp, [rec[5], rec[6][:400]])
    assert counts["confirmed"] >= 4 and counts["dropped"] >= 2


def _detections(t_s, radar, az_rad, range_m, truth):
    """Engine detections of one radar of unit 0 at ``t_s``: one per (azimuth, range)."""
    n = len(az_rad)
    full = lambda v: np.full(n, v, float)
    return Detections(t_s=full(t_s), radar_idx=np.full(n, radar), unit_idx=np.zeros(n, int), truth_id=np.asarray(truth),
                      range_m=np.asarray(range_m, float), az_rad=np.asarray(az_rad, float), el_rad=full(0.05),
                      sigma_range_m=full(20.0), sigma_angle_rad=full(1e-3), pos_enu_m=np.zeros((n, 3)),
                      snr_db=full(20.0))


@pytest.mark.parametrize("offset_m", [0.0, 30.0])
def test_gating_never_pairs_detections_of_another_run(offset_m):
    """Two runs see the same two close targets (in one GNN cluster) at the same place (or the
    second 30 m further out): each run builds its own tracks from its own detections, exactly as
    a single run does, and none takes the other's detections. At one step only run 0 scans."""
    world = one_s400_world()
    radar = int(np.flatnonzero(world.radars.is_engagement)[0])
    looked = np.eye(len(world.radars.name), dtype=bool)[radar]
    batch = TrackingRuns(world, 1.0, 2)
    singles = [TrackingStage(world, 1.0), TrackingStage(world, 1.0)]
    n_confirmed = 0
    for k in range(8):
        base = [_detections(float(k), radar, [0.3, 0.3004], [60e3 - 50.0 * k, 60.1e3 - 50.0 * k], [0, 1])]
        base.append(_detections(float(k), radar, [0.3, 0.3004], [60e3 + offset_m - 50.0 * k, 60.1e3 + offset_m - 50.0 * k], [0, 1]))
        looked_k = looked
        if k == 3:  # run 1 sees nothing and (as the flags say) no radar looked: a scan for run 0 only
            base[1], looked_k = Detections.empty(), np.zeros_like(looked)
        events = batch.update(float(k), base, looked_k)
        for r, single in enumerate(singles):
            expect = single.update(float(k), base[r], looked_k)
            assert len(events[r]) == len(expect)
            for (u, new, dropped), (u1, new1, dropped1) in zip(events[r], expect):
                assert u == u1 and _same(new, new1) and _same(dropped, dropped1)
            mine, theirs = batch.view(r).tracks(0, float(k)), single.tracks(0, float(k))
            for name in ("id", "truth_id", "pos_enu_m", "vel_enu_mps", "t_last_s"):
                assert _same(getattr(mine, name), getattr(theirs, name)), (k, r, name)
            n_confirmed += len(mine.id)
        held = batch.trackers[0]._a  # every column of each run's rows (tentative tracks too), in the single run's order
        for r, single in enumerate(singles):
            rows = held["run"] == r
            for name, column in single.trackers[0]._a.items():
                assert _same(held[name][rows], column), (k, r, name)
        assert batch.trackers[0].n_tracks == singles[0].trackers[0].n_tracks + singles[1].trackers[0].n_tracks
    assert n_confirmed > 0
    assert _same(batch.view(0).tracks(0, 7.0).id, batch.view(1).tracks(0, 7.0).id)  # same ids: 0, 1 in each run
    batch.retire(0)
    assert batch.trackers[0].n_tracks == singles[1].trackers[0].n_tracks
    assert batch.update(8.0, [None, base[1]], looked)[0] == []
