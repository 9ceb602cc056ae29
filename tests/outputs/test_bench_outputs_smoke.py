"""The outputs benchmark runs end to end (no timing assertion: CI machines vary)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_outputs.py"


def test_bench_outputs_smoke(capsys):
    spec = importlib.util.spec_from_file_location("bench_outputs", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.main(["--smoke"])
    assert res["run_s"] > 0 and res["outputs_s"] > 0 and set(res["parts_s"]) >= {"replay.czml", "replay.acmi", "report.html"}
    assert "outputs / run" in capsys.readouterr().out
