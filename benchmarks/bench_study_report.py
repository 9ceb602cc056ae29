"""Study report of a 1,000-run study: time to build the HTML and to render it in headless Chromium.

The outcome tables are synthetic (seeded draws shaped like the store's ``runs``/``threats``/
``units`` tables: 24 threats per run in five raids, two assets), so the benchmark measures the
report, not the engine. Goal (issue 9): the report renders in the browser in under 3 s.

    python benchmarks/bench_study_report.py [--runs 1000] [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from iadsim.report.study_report import render_study_report
from iadsim.study.stats import statistics

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RAIDS = ("cm_north", "cm_southwest", "fighters_east", "stealth_west", "drones_south")


def synthetic_tables(n_runs: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    per_raid = (6, 4, 4, 2, 8)
    run_idx = np.repeat(np.arange(n_runs), sum(per_raid))
    raid = np.tile(np.repeat(RAIDS, per_raid), n_runs)
    fate = np.where(rng.random(run_idx.size) < 0.85, "killed", "leaked")
    target = np.where(np.isin(raid, ("cm_north", "stealth_west")), "murted_ab", "ankara")
    runs = pa.table({"run_index": np.arange(n_runs), "status": ["ok"] * n_runs})
    threats = pa.table({"run_index": run_idx, "fate": fate.tolist(), "raid": raid.tolist(), "target": target.tolist()})
    units = pa.table({"run_index": np.arange(n_runs), "rounds_fired": rng.integers(24, 33, n_runs)})
    return runs, threats, units


def main(runs: int = 1000, smoke: bool = False) -> dict:
    n = 20 if smoke else runs
    t0 = time.perf_counter()
    stats = statistics(*synthetic_tables(n))
    html = render_study_report({"scenario": "synthetic", "study_id": "bench", "study_seed": 0, "store": "-",
                                "version": "bench"}, stats)
    build_s = time.perf_counter() - t0
    out = {"runs": n, "build_s": build_s, "html_bytes": len(html), "render_s": float("nan")}
    if Path(CHROMIUM).exists():
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return out
        with tempfile.TemporaryDirectory() as tmp:
            page_path = Path(tmp) / "study_report.html"
            page_path.write_text(html, encoding="utf-8")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page()
                t1 = time.perf_counter()
                page.goto(page_path.as_uri(), wait_until="load")
                page.wait_for_selector("#distribution .main-svg")
                page.wait_for_selector("#convergence .main-svg")
                out["render_s"] = time.perf_counter() - t1
                browser.close()
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    r = main(a.runs, a.smoke)
    print(f"study report, {r['runs']} runs: built in {r['build_s']:.3f} s ({r['html_bytes'] / 1e6:.1f} MB); "
          f"rendered in Chromium in {r['render_s']:.2f} s; goal 3 s -> ratio {r['render_s'] / 3.0:.2f}")
