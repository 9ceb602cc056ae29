"""Intervals: coverage at about the nominal rate on synthetic data, and the per-run outcomes."""

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats as sps

from iadsim.study import stats as st
from iadsim.study.compare import paired_differences

LEVEL = 0.95


def exact_wilson_coverage(n: int, p: float) -> float:
    """P(interval covers p) summed over the binomial distribution (the exact oracle)."""
    k = np.arange(n + 1)
    cover = np.array([lo <= p <= hi for lo, hi in (st.wilson_interval(int(j), n) for j in k)])
    return float(sps.binom.pmf(k, n, p)[cover].sum())


def binomial_tolerance(coverage: float, reps: int, n_sigma: float = 4.0) -> float:
    return n_sigma * np.sqrt(coverage * (1 - coverage) / reps)


def test_wilson_known_values():
    # Brown, Cai & DasGupta (2001) Wilson interval, n = 10, x = 0: upper bound z²/(n + z²) = 0.2775
    lo, hi = st.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.27753, abs=1e-4)
    lo, hi = st.wilson_interval(5, 10)
    assert (lo, hi) == pytest.approx((0.23659, 0.76341), abs=1e-4)


@pytest.mark.parametrize("n, p", [(30, 0.1), (50, 0.5), (100, 0.85)])
def test_wilson_coverage_is_nominal(n, p):
    reps = 4000
    rng = np.random.default_rng(1)
    k = rng.binomial(n, p, size=reps)
    bounds = {j: st.wilson_interval(int(j), n) for j in np.unique(k)}
    covered = np.mean([bounds[j][0] <= p <= bounds[j][1] for j in k])
    exact = exact_wilson_coverage(n, p)
    assert 0.92 <= exact <= 0.98, exact  # Wilson's coverage oscillates close to 95 % (Brown et al. 2001, fig. 4)
    assert abs(covered - exact) <= binomial_tolerance(exact, reps), (covered, exact)
    assert abs(covered - LEVEL) <= 0.03 + binomial_tolerance(LEVEL, reps)


def test_t_and_ratio_interval_coverage():
    rng = np.random.default_rng(2)
    reps, n = 1500, 60
    hit_t = hit_r = 0
    for _ in range(reps):
        leak = rng.poisson(2.0, n).astype(float)  # true mean 2
        lo, hi = st.t_interval(leak)
        hit_t += lo <= 2.0 <= hi
        fired = rng.poisson(8.0, n).astype(float)
        kills = rng.binomial(fired.astype(int), 0.5).astype(float)  # true interceptors per kill = 2
        lo, hi = st.Metric("r", "ratio", num=fired, den=kills).interval()
        hit_r += lo <= 2.0 <= hi
    for hits in (hit_t, hit_r):
        assert abs(hits / reps - LEVEL) <= 0.01 + binomial_tolerance(LEVEL, reps), hits / reps


def _tables(fates_by_run, targets, raids, rounds_by_run, ok=None):
    n_runs = len(fates_by_run)
    ok = ok or ["ok"] * n_runs
    runs = pa.table({"run_index": list(range(n_runs)), "status": ok})
    rows = [(i, f, t, r) for i, fates in enumerate(fates_by_run) for f, t, r in zip(fates, targets, raids)]
    threats = pa.table({"run_index": [r[0] for r in rows], "fate": [r[1] for r in rows], "target": [r[2] for r in rows],
                        "raid": [r[3] for r in rows]})
    units = pa.table({"run_index": list(range(n_runs)), "rounds_fired": rounds_by_run})
    return runs, threats, units


def test_statistics_from_tables_match_hand_counts():
    fates = [["killed", "killed", "leaked"], ["killed", "killed", "killed"], ["leaked", "leaked", "killed"],
             ["killed", "in_flight", "killed"]]
    runs, threats, units = _tables(fates, ["a", "a", "b"], ["r1", "r1", "r2"], [4, 3, 2, 5],
                                   ok=["ok", "ok", "ok", "error"])
    s = st.statistics(runs, threats, units, assets=["a", "b", "c"])
    assert s.n_failed == 1
    np.testing.assert_array_equal(s.per_run.leakers, [1, 0, 2])
    assert s.row("leakers (all raids)")["estimate"] == pytest.approx(1.0)
    assert s.row("leakers: raid r1")["estimate"] == pytest.approx(2 / 3)
    assert s.row("P(raid annihilation)")["estimate"] == pytest.approx(1 / 3)
    assert s.row("P(asset a survives)")["estimate"] == pytest.approx(2 / 3)
    assert s.row("P(asset b survives)")["estimate"] == pytest.approx(2 / 3)
    assert s.row("P(asset c survives)")["estimate"] == 1.0  # nothing flies at c
    assert s.row("interceptors per kill")["estimate"] == pytest.approx(9 / 6)
    assert s.row("exchange ratio")["estimate"] == pytest.approx(6 / 9)
    assert s.table().num_rows == len(s.rows)
    assert s.convergence["n"][-1] == 3


def test_paired_difference_of_identical_runs_is_exactly_zero_and_shift_is_found():
    rng = np.random.default_rng(3)
    n = 40
    base = st.PerRun(np.arange(n), rng.poisson(2, n), np.full(n, 5), np.full(n, 7), rng.poisson(9, n).astype(float))
    shifted = st.PerRun(np.arange(n), base.leakers + 1, base.killed - 1, base.n_threats, base.rounds_fired)
    same, shift = paired_differences([base, base, shifted])
    assert all(r["difference"] == 0 and r["half_width"] == 0 for r in same)
    leak = next(r for r in shift if r["metric"] == "leakers (all raids)")
    assert leak["difference"] == 1 and leak["half_width"] == 0 and leak["significant"]
