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


@pytest.mark.parametrize("n", [1, 12, 1000])
def test_zero_counts_in_every_run_get_the_exact_poisson_upper_bound(n):
    """Issue #14 item 8: 0 leakers in every run must not give the interval [0, 0]."""
    from iadsim.study.stats import Metric

    row = Metric("leakers (all raids)", "mean", np.zeros(n)).summary()
    if n == 1:  # one run: no zero-spread rule (a single value has no spread to speak of): nan bounds from t
        assert np.isnan(row["hi"])
        return
    assert row["estimate"] == 0.0 and row["lo"] == 0.0
    assert row["hi"] == pytest.approx(-np.log(0.05) / n, rel=1e-12)  # = ln 20 / n = 2.996 / n
    assert 2.99 / n < row["hi"] < 3.0 / n  # the rule of three, 3/n, to within 0.2 %
    assert "Poisson" in row["method"]


@pytest.mark.parametrize("count, n", [(1, 10), (2, 10), (7, 40)])
def test_same_nonzero_count_in_every_run_gets_the_garwood_interval(count, n):
    """Exact Poisson bounds for the total S = count·n: P(X ≤ S | n·hi) = 2.5 % and P(X ≥ S | n·lo) = 2.5 %."""
    from iadsim.study.stats import Metric

    row = Metric("interceptors fired", "mean", np.full(n, float(count))).summary()
    s = count * n
    assert row["lo"] < count < row["hi"]
    assert sps.poisson.cdf(s, n * row["hi"]) == pytest.approx(0.025, abs=1e-9)
    assert sps.poisson.sf(s - 1, n * row["lo"]) == pytest.approx(0.025, abs=1e-9)


def test_counts_with_spread_keep_the_t_interval():
    from iadsim.study.stats import Metric, t_interval

    x = np.array([0.0, 0, 1, 0, 2, 0])
    row = Metric("leakers (all raids)", "mean", x).summary()
    assert (row["lo"], row["hi"]) == (max(t_interval(x)[0], 0.0), t_interval(x)[1]) and row["method"] == "t"


def test_first_track_per_raid_is_the_earliest_of_its_raiders_with_a_t_interval():
    """``first track: raid r`` = per run, the earliest first_track_s of the raid's raiders, over the
    runs that tracked it (n counts them); a mean of times with a t interval that is not clamped at
    0, never a Poisson one; missing (null) when fewer than two runs tracked it."""
    runs = pa.table({"run_index": [0, 1, 2, 3], "status": ["ok"] * 4})
    threats = pa.table({"run_index": [0, 0, 1, 1, 2, 2, 3], "fate": ["killed"] * 7, "target": ["a"] * 7,
                        "raid": ["r1", "r1", "r1", "r1", "r1", "r2", "r1"],
                        "first_track_s": [30.0, 20.0, None, 40.0, 20.0, 50.0, None]})
    units = pa.table({"run_index": [0, 1, 2, 3], "rounds_fired": [1, 1, 1, 1]})
    s = st.statistics(runs, threats, units)
    np.testing.assert_array_equal(s.per_run.first_track_by_raid["r1"], [20.0, 40.0, 20.0, np.nan])
    row = s.row("first track: raid r1")
    lo, hi = st.t_interval([20.0, 40.0, 20.0])
    assert row["estimate"] == pytest.approx(80.0 / 3) and (row["lo"], row["hi"]) == (lo, hi) and row["n"] == 3
    assert row["method"] == "t" and row["unit"] == "s" and row["kind"] == "time"
    assert lo < 0.0 < hi  # three runs, wide: the bound is not clamped to 0
    r2 = s.row("first track: raid r2")  # tracked in one run only: no interval, and no NaN in the data
    assert r2["n"] == 1 and r2["estimate"] == 50.0 and r2["lo"] is None and r2["hi"] is None
    same = st.Metric("first track", "time", np.array([230.0, 230.0, 230.0]), unit="s").summary()
    assert (same["lo"], same["hi"], same["method"]) == (230.0, 230.0, "t")  # equal times: no Poisson interval
    # paired: over the runs where both tracked it
    base = st.Metric("first track", "time", np.array([10.0, np.nan, 30.0, 40.0]), unit="s")
    other = st.Metric("first track", "time", np.array([15.0, 20.0, np.nan, 50.0]), unit="s")
    d = st.paired_difference(base, other)
    assert d["n"] == 2 and d["difference"] == pytest.approx(7.5) and (d["lo"], d["hi"]) == st.t_interval([5.0, 10.0])


def test_a_store_written_before_first_track_gains_the_columns(tmp_path):
    import duckdb

    from iadsim.study.store import Store

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE threats (study_id VARCHAR, run_index INTEGER, threat_id INTEGER, raid VARCHAR, "
                "threat_class VARCHAR, target VARCHAR, fate VARCHAR, t_s DOUBLE, unit VARCHAR, rounds_spent INTEGER, "
                "PRIMARY KEY (study_id, run_index, threat_id))")
    con.execute("INSERT INTO threats VALUES ('s', 0, 0, 'r1', 'fighter', 'a', 'killed', 10.0, 'u', 1)")
    con.close()
    with Store(path) as store:
        cols = [r[0] for r in store.con.execute("DESCRIBE threats").fetchall()]
        assert cols[-2:] == ["first_detect_s", "first_track_s"]
        assert store.con.execute("SELECT first_track_s FROM threats").fetchall() == [(None,)]
