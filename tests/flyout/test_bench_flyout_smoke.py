"""The flyout benchmark runs in smoke mode (no timing assertion)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_flyout.py"


def test_bench_flyout_smoke():
    res = subprocess.run([sys.executable, str(BENCH), "--smoke"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert "step:" in res.stdout and "envelope:" in res.stdout
