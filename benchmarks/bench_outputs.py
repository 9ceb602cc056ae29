"""Benchmark: writing every output of the Mürted run versus running it.

    python benchmarks/bench_outputs.py            # the full 1,800 s run
    python benchmarks/bench_outputs.py --smoke    # the first 300 s (CI smoke test: no timing assertion)

Prints the simulation time, the time to write all outputs (events, replay data, CZML, ACMI, KML,
report with its Blake charts, summary) with a per-file breakdown, and outputs / run. The goal is
a ratio below 1: writing a run's files costs less than running it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "murted_2019.yaml"


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def breakdown(result, out_dir: Path) -> dict[str, float]:
    """Seconds per output file, writing them one by one as write_run does."""
    import json

    import pyarrow.parquet as pq

    from iadsim.export.replay import Replay
    from iadsim.output import atomic_write, events_with_geodetic, write_exports
    from iadsim.report.run_report import render_run_report

    out_dir.mkdir(parents=True, exist_ok=True)
    times = {}
    _, times["events.parquet"] = _timed(lambda: pq.write_table(events_with_geodetic(result), out_dir / "events.parquet"))
    rep, times["replay data"] = _timed(lambda: (r := Replay.from_result(result)).save(out_dir, atomic_write) or r)
    for fmt in ("czml", "acmi", "kml"):
        _, times[f"replay.{fmt}"] = _timed(lambda: write_exports(out_dir, (fmt,), replay=rep))
    _, times["report.html"] = _timed(lambda: (out_dir / "report.html").write_text(render_run_report(result), "utf-8"))
    _, times["summary.json"] = _timed(lambda: (out_dir / "summary.json").write_text(json.dumps(result.summary)))
    return times


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="first 300 s of the run only")
    args = ap.parse_args(argv)
    import iadsim
    from iadsim.output import write_run

    sc = iadsim.load_scenario(SCENARIO)
    if args.smoke:
        sc = sc.model_copy(update={"time": sc.time.model_copy(update={"duration_s": 300.0})})
    result, t_run = _timed(lambda: iadsim.simulate(sc))
    with tempfile.TemporaryDirectory() as tmp:
        _, t_out = _timed(lambda: write_run(result, Path(tmp) / "run"))
        parts = breakdown(result, Path(tmp) / "parts")
    print(f"murted_2019 ({sc.time.duration_s:g} s simulated, {len(result.events['t_s'])} events)")
    print(f"  run:          {t_run:7.3f} s")
    print(f"  all outputs:  {t_out:7.3f} s   (write_run)")
    for name, t in parts.items():
        print(f"    {name:<16}{t:7.3f} s")
    print(f"  outputs / run: {t_out / t_run:.2f}")
    return {"run_s": t_run, "outputs_s": t_out, "ratio": t_out / t_run, "parts_s": parts}


if __name__ == "__main__":
    main(sys.argv[1:])
