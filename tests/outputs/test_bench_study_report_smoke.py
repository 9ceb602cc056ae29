"""Smoke run of benchmarks/bench_study_report.py (no timing assertion)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_study_report.py"


def test_study_report_benchmark_smoke():
    spec = importlib.util.spec_from_file_location("bench_study_report", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(smoke=True)
    assert out["runs"] == 20 and out["html_bytes"] > 1e5 and out["build_s"] > 0
