"""Smoke test: the tracking benchmark runs in smoke mode in-process; both trackers ran (no timing checks)."""

import importlib.util
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_tracking.py"


def test_bench_tracking_smoke():
    spec = importlib.util.spec_from_file_location("bench_tracking", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.main(["--smoke", "--repeats", "1"])
    rows = result["rows"]
    assert {r["mode"] for r in rows} == {"like", "best"}
    for row in rows:
        assert row["n"] == 10 and row["scans"] == 50
        assert np.isfinite(row["ours"]["gospa"]) and row["ours"]["n_tracks"] > 0
        assert row["stonesoup"], "Stone Soup did not run"
        for ss in row["stonesoup"].values():
            assert np.isfinite(ss["gospa"]) and ss["wall_s"] > 0 and ss["n_tracks"] > 0
    like = next(r for r in rows if r["mode"] == "like")
    assert set(like["stonesoup"]) == {"default", "kdtree"}
    # same logic, same numbers: the like-for-like GOSPA agrees (the benchmark's pass rule is 0.5 %)
    ref = like["stonesoup"]["kdtree"]["gospa"]
    assert abs(like["ours"]["gospa"] - ref) <= 5e-3 * ref
