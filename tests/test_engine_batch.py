"""Properties of the engine's one step loop that hold for any batch: a run simulated with others
(engine.run_batch) gives exactly what it gives alone (a batch of one): every event, summary
value and sampled trajectory, bit for bit, whatever the other runs do; permuting the seeds
permutes the results; batch sizes 1, 3 and 7 give the same; with or without the look table.
What a run gives is frozen separately (tests/golden)."""

import os
from pathlib import Path

import numpy as np
import pytest

import iadsim
from iadsim import engine
from iadsim.compile import compile_scenario
from iadsim.study import execute

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _assert_same_run(a, b):
    assert a.seed == b.seed
    assert a.summary == b.summary
    for col in a.events:
        x, y = np.asarray(a.events[col]), np.asarray(b.events[col])
        assert x.shape == y.shape, col
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), col
    for name in ("t_s", "threat_pos_enu_m", "threat_active"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for samples in ("track_samples", "interceptor_samples"):
        sa, sb = getattr(a, samples), getattr(b, samples)
        for col in sa:
            np.testing.assert_array_equal(np.asarray(sa[col]), np.asarray(sb[col]), err_msg=f"{samples}.{col}")


@pytest.mark.parametrize("name,seeds", [("murted_2019", (1, 2, 3, 4)), ("murted_patriot", (4, 5, 8)),
                                        ("srbm_patriot", (1, 2, 3, 8, 9))])
def test_batch_equals_single_runs(name, seeds):
    sc = iadsim.load_scenario(EXAMPLES / f"{name}.yaml")
    comp = compile_scenario(sc)
    batch = engine.run_batch(sc, comp, seeds)
    for seed, res in zip(seeds, batch):
        _assert_same_run(res, engine.run_compiled(sc, comp, seed))
        assert res.summary["totals"]["rounds_fired"] > 0
    summaries = [res for _, res in sorted(engine.iter_batch(sc, comp, seeds, details=False), key=lambda x: x[0])]
    assert [r.summary for r in summaries] == [r.summary for r in batch]  # what a study keeps
    assert not summaries[0].events["t_s"]
    assert len({(r.summary["end_s"], r.summary["totals"]["rounds_fired"]) for r in batch}) > 1  # the runs differ


def test_batch_sizes_and_the_direct_looks_give_the_same_runs(monkeypatch):
    """Seven seeds as one batch, as batches of 3, 3, 1 and (looks computed each step, no table)
    as a batch of 7: every run equal to its run alone."""
    from iadsim import memo, sensing

    sc = iadsim.load_scenario(EXAMPLES / "srbm_patriot.yaml")
    comp = compile_scenario(sc)
    seeds = [4, 11, 5, 12, 6, 13, 7]
    whole = engine.run_batch(sc, comp, seeds)
    parts = [res for lo in (0, 3, 6) for res in engine.run_batch(sc, comp, seeds[lo:lo + 3])]
    for a, b in zip(whole, parts):
        _assert_same_run(a, b)
    _assert_same_run(whole[6], engine.run_compiled(sc, comp, seeds[6]))
    monkeypatch.setattr(sensing, "LOOK_TABLE_MAX_PAIRS", 0)
    monkeypatch.setattr(sensing, "_LOOK_TABLES", memo.Memo(0.75))
    assert sensing.look_table(comp.world, comp.dt_s, comp.n_steps) is None
    for a, b in zip(whole, engine.run_batch(sc, comp, seeds)):
        _assert_same_run(a, b)


def test_runs_leave_the_batch_as_they_end():
    """A run's result is yielded at its own last step; the order of seeds in a batch changes nothing."""
    sc = iadsim.load_scenario(EXAMPLES / "srbm_patriot.yaml")
    comp = compile_scenario(sc)
    seeds = [3, 1, 2]
    order = [r for r, _ in engine.iter_batch(sc, comp, seeds)]
    assert sorted(order) == [0, 1, 2]
    ends = [engine.run_compiled(sc, comp, s).t_s[-1] for s in seeds]
    assert [ends[r] for r in order] == sorted(ends)
    swapped = engine.run_batch(sc, comp, seeds[::-1])
    for res, alone in zip(swapped[::-1], engine.run_batch(sc, comp, seeds)):
        _assert_same_run(res, alone)


def test_a_failing_batch_falls_back_to_runs_one_by_one(monkeypatch):
    """If the batch raises after its first run ended, that run keeps its row and the others are
    run alone: every task gets exactly one row, equal to its run alone."""
    sc = iadsim.load_scenario(EXAMPLES / "srbm_patriot.yaml")
    real = engine.iter_batch

    def failing(scenario, comp, seeds, **kw):  # batches fail after their first run; a run alone does not
        it = real(scenario, comp, seeds, **kw)
        yield next(it)
        if len(seeds) > 1:
            raise RuntimeError("boom")
        yield from it

    monkeypatch.setattr(engine, "iter_batch", failing)
    tasks = [(0, 11), (1, 12), (2, 13)]
    rows = list(execute.iter_runs(sc, tasks))
    assert sorted(r["run_index"] for r in rows) == [0, 1, 2]
    assert all(r["status"] == "ok" for r in rows)
    for row in rows:
        alone = execute.run_one(sc, row["run_index"], row["seed"])
        assert row["threats"] == alone["threats"] and row["units"] == alone["units"]


def test_batch_sizes():
    b = execute.BATCH_RUNS
    assert execute.batch_size(1000, 2) <= b
    for n, w in [(1000, 2), (10, 2), (1, 4), (128, 1), (128, 2), (7 * b + 3, 3)]:
        size = execute.batch_size(n, w)
        parts = execute.batches(range(n), size)
        assert size <= b and sum(map(len, parts)) == n
        assert len(parts) % w == 0 or len(parts) < w  # every worker gets as many batches
        assert max(map(len, parts)) - min(map(len, parts)) <= max(1, size // 4)  # nearly equal sizes
    assert execute.batch_size(2 * b, 1) == b and execute.batch_size(2 * b, 2) == b
    assert execute.batches([(i, i) for i in range(5)], 2) == [[(0, 0), (1, 1)], [(2, 2), (3, 3)], [(4, 4)]]


def test_malloc_tuning_applies_once_on_glibc():
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc only")
    assert execute.tune_malloc() is True and execute.tune_malloc() is True


def test_pool_workers_get_one_blas_thread_and_the_environment_is_restored(monkeypatch):
    for var in execute.BLAS_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # a user's choice is kept
    with execute._one_blas_thread():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["OMP_NUM_THREADS"] == "1"
        assert os.environ["MKL_NUM_THREADS"] == "3"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "3"
