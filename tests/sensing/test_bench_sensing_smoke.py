"""The sensing benchmark runs (no timing assertion)."""

import importlib.util
from pathlib import Path


def test_bench_sensing_smoke():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_sensing.py"
    spec = importlib.util.spec_from_file_location("bench_sensing", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    best_s, median_s = mod.main(n_threats=50, repeats=2, verbose=False)
    assert 0 < best_s <= median_s
