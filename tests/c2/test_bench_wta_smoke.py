"""The WTA benchmark runs end to end at its smoke size (no timing assertions)."""

import importlib.util
import math
import pathlib

BENCH_PATH = pathlib.Path(__file__).parents[2] / "benchmarks" / "bench_wta.py"


def test_bench_wta_smoke():
    spec = importlib.util.spec_from_file_location("bench_wta", BENCH_PATH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--smoke"])
    assert rows
    for r in rows:
        for key in ("heur_gap_pct", "mmr_gap_pct"):
            assert math.isfinite(r[key]) and r[key] >= -1e-9
