"""Smoke test: the raid-scale benchmark builds the ×k scenarios, runs each in its own subprocess
and reports threats, wall, peak memory and the stage split (no timing check)."""

import importlib.util
import math
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_scale.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_scaled_scenario_multiplies_counts_and_divides_spacing():
    bench = _bench()
    data = yaml.safe_load(bench.MURTED.read_text(encoding="utf-8"))
    x4 = bench.scaled(data, 4)
    for a, b in zip(data["raids"], x4["raids"]):
        assert b["count"] == 4 * a["count"] and b["route"] == a["route"]
        assert math.isclose(b["spacing_s"], a.get("spacing_s", 0.0) / 4)


def test_bench_scale_smoke():
    rows = _bench().main(smoke=True, verbose=False)
    assert [r["k"] for r in rows] == [1, 2]
    assert rows[1]["threats"] == 2 * rows[0]["threats"] > 0
    for r in rows:
        assert r["steps"] > 100 and r["wall_s"] > 0 and 0 < r["peak_gb"] < 4
        st = r["stages"]
        assert st["tracking"] > 0 and st["sensing"] > 0 and st["total"] >= sum(st[s] for s in ("threats", "sensing", "tracking", "c2", "flyout", "record")) - 1e-6
