"""Smoke test: the Monte Carlo benchmark runs in its tiny mode and reports finite rates (no timing check)."""

import importlib.util
import math
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_montecarlo.py"


def test_bench_montecarlo_smoke():
    spec = importlib.util.spec_from_file_location("bench_montecarlo", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = bench.main(runs=2, smoke=True, commit_repeats=5, verbose=False)
    assert r["one"]["runs"] == r["two"]["runs"] == 2
    for value in (r["one"]["runs_per_s"], r["two"]["runs_per_s"], r["efficiency"], r["commit_ms"]):
        assert math.isfinite(value) and value > 0
    assert "Scaling efficiency" in bench.markdown(r)
    st = r["stages"]  # the stages partition one run's CPU time
    assert {"threats", "sensing", "tracking", "c2", "flyout", "record", "other", "total"} <= set(st)
    assert st["tracking"] > 0 and st["flyout"] > 0 and st["other"] >= -1e-6
    assert abs(sum(v for k, v in st.items() if k != "total") - st["total"]) < 1e-9
