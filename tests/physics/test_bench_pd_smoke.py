"""Smoke test: the Pd benchmark runs at a tiny size and reports finite rates (no timing check)."""

import importlib.util
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_pd.py"


def test_bench_pd_smoke():
    spec = importlib.util.spec_from_file_location("bench_pd", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.main(n=1000, n_pulses=10, repeats=1, verbose=False)
    assert sorted(results) == [0, 1, 2, 3, 4]
    for rate, rate_naive, diff in results.values():
        assert np.isfinite(rate) and rate > 0 and np.isfinite(rate_naive)
        assert diff < 1e-12
