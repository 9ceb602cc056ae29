"""Scanning several runs at once: each run draws what a scan of that run alone draws, so its
detections are the same bit for bit, whatever the other runs hold."""

from dataclasses import replace
from pathlib import Path

import numpy as np

import iadsim
from iadsim import engine, sensing
from iadsim.compile import compile_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _same(a, b):
    for f in a.__dataclass_fields__:
        x, y = np.asarray(getattr(a, f)), np.asarray(getattr(b, f))
        assert x.shape == y.shape and x.dtype == y.dtype, f
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f


def test_scan_runs_equals_scan_of_each_run():
    """Four runs of the Mürted raid over its first 400 steps: one with every raider alive, two with
    different raiders killed (other draws), one over from step 150 on (None); detections,
    their order and the generators' states after the step equal scanning each run alone."""
    sc = iadsim.load_scenario(EXAMPLES / "murted_2019.yaml")
    comp = compile_scenario(sc)
    world, dt = comp.world, comp.dt_s
    looks = sensing.look_table(world, dt, comp.n_steps)
    n = len(world.threats.id)
    killed = [np.zeros(n, bool), np.arange(n) % 3 == 0, np.arange(n) >= n // 2, np.zeros(n, bool)]
    batch = [np.random.default_rng(s) for s in range(4)]
    alone = [np.random.default_rng(s) for s in range(4)]
    radars, seen, fa = world.radars, 0, 0
    for k in range(400):
        t = k * dt
        truth = engine.threat_truth(world, t, dt)
        ths = []
        for r in range(4):
            th = replace(world.threats, alive=world.threats.alive & ~killed[r])
            ths.append(None if r == 3 and k >= 150 else engine.apply_truth(th, truth, t)[0])
        w = replace(world, radars=radars)
        dets, nxt = sensing.scan_runs(w, t, ths, batch, looks, k)
        for r in range(4):
            if ths[r] is None:
                assert dets[r] is None
                continue
            ref, nxt_ref = sensing.scan(replace(w, threats=ths[r]), t, None, alone[r], looks=looks, step=k)
            _same(dets[r], ref)
            np.testing.assert_array_equal(nxt, nxt_ref)
            assert batch[r].bit_generator.state == alone[r].bit_generator.state
            seen += int((ref.truth_id >= 0).sum())
            fa += int((ref.truth_id < 0).sum())
        radars = replace(radars, next_scan_t_s=nxt)
    assert seen > 100 and fa > 100  # both kinds of rows were compared


def test_scan_runs_without_a_look_table_falls_back_to_scan():
    sc = iadsim.load_scenario(EXAMPLES / "murted_2019.yaml")
    comp = compile_scenario(sc)
    world, dt = comp.world, comp.dt_s
    t = 200 * dt
    th = engine.apply_truth(world.threats, engine.threat_truth(world, t, dt), t)[0]
    w = replace(world, threats=th)
    dets, _ = sensing.scan_runs(w, t, [th, th], [np.random.default_rng(1), np.random.default_rng(2)], None, 200)
    for r, seed in enumerate((1, 2)):
        _same(dets[r], sensing.scan(w, t, None, np.random.default_rng(seed))[0])
    assert len(dets[0]) and not np.array_equal(dets[0].range_m[:1], dets[1].range_m[:1])
