"""Cost against raid size: the Mürted example with every raid ×k (count × k, spacing ÷ k, same
routes), the whole ``iadsim run … --seed 1`` (outputs included), one subprocess per k.

Usage::

    python benchmarks/bench_scale.py [--k 1 4 16 64] [--seed 1] [--smoke] [--json out.json]

Per k: threats, wall time of the whole command, CPU per threat and engine step (ms), peak
memory (the child's max RSS, from ``os.wait4``: that child's own ``getrusage(RUSAGE_CHILDREN)``
figure) and the per-stage CPU split of the engine (each stage's entry point timed in the
child). Goals (issue 15): wall(×64)/wall(×16) ≤ 4.5, wall(×64)/wall(×1) ≤ 8, peak at ×64 ≤ 1 GB.
``--smoke``: k = 1 and 2 on a 200 s version of the scenario (CI: tests/test_bench_scale_smoke.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MURTED = ROOT / "examples" / "murted_2019.yaml"
STAGES = ("threats", "sensing", "tracking", "c2", "flyout", "record")


def scaled(data: dict, k: int, duration_s: float | None = None) -> dict:
    """The scenario with every raid's count × k and spacing ÷ k (same routes, same start); with
    ``duration_s``, the run is cut there and the raids that would start at or after it are left out."""
    data = json.loads(json.dumps(data))
    data["name"] = f"{data.get('name', 'scenario')}_x{k}"
    if duration_s is not None:
        data["raids"] = [r for r in data["raids"] if float(r.get("start_s", 0.0)) < duration_s]
    for raid in data["raids"]:
        raid["count"] = int(raid.get("count", 1)) * k
        raid["spacing_s"] = float(raid.get("spacing_s", 0.0)) / k
    if duration_s is not None:
        data.setdefault("time", {})["duration_s"] = duration_s
    return data


def child(path: Path, out_dir: Path, seed: int, report: Path) -> None:
    """In the child: the ``iadsim run`` command in-process, each stage's entry point timed (CPU s)."""
    from contextlib import ExitStack
    from unittest import mock

    from iadsim import cli, engine, sensing
    from iadsim.c2.stage import C2Stage
    from iadsim.flyout.stage import FlyoutRuns
    from iadsim.record import Recorder
    from iadsim.tracking.stage import TrackingRuns

    points = [(engine, "threat_truth", "threats"), (engine, "apply_truth", "threats"), (sensing, "scan", "sensing"),
              (sensing, "look_table", "sensing"), (TrackingRuns, "update", "tracking"), (engine, "decide_runs", "c2"),
              (C2Stage, "due_launches", "c2"), (FlyoutRuns, "launch", "flyout"), (FlyoutRuns, "advance", "flyout"),
              (Recorder, "step", "record"), (Recorder, "finish", "record")]
    acc = dict.fromkeys(STAGES, 0.0)
    steps = [0]

    def timed(fn, label):
        def call(*a, **kw):
            t0 = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                acc[label] += time.process_time() - t0
        return call

    real_iter = engine.iter_batch

    def engine_timed(*a, **kw):
        t0 = time.process_time()
        for item in real_iter(*a, **kw):
            acc["engine"] = time.process_time() - t0
            yield item

    def progress_counting(*a, **kw):
        kw["progress"] = lambda k, n: steps.__setitem__(0, k + 1)
        return engine_timed(*a, **kw)

    with ExitStack() as stack:
        for owner, name, label in points:
            stack.enter_context(mock.patch.object(owner, name, timed(getattr(owner, name), label)))
        stack.enter_context(mock.patch.object(engine, "iter_batch", progress_counting))
        t0 = time.process_time()
        try:
            rc = cli.app(["run", str(path), "--seed", str(seed), "--out", str(out_dir)], standalone_mode=False)
        finally:
            acc["total"] = time.process_time() - t0
    if isinstance(rc, int) and rc != 0:  # the command refused its input (its message is on stderr)
        raise SystemExit(rc)
    acc["steps"] = steps[0]
    report.write_text(json.dumps(acc))


def measure(data: dict, k: int, seed: int, tmp: Path, duration_s: float | None = None) -> dict:
    """One k in a fresh subprocess: wall, peak RSS (``os.wait4``), CPU split."""
    sc = scaled(data, k, duration_s)
    path, report = tmp / f"x{k}.yaml", tmp / f"x{k}.json"
    path.write_text(yaml.safe_dump(sc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--child", str(path), str(tmp / f"run{k}"), str(seed), str(report)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"bench_scale: the run at k={k} failed (status {status})")
    split = json.loads(report.read_text())
    n_threats = sum(r["count"] for r in sc["raids"])
    return dict(k=k, threats=n_threats, wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime,
                peak_gb=usage.ru_maxrss * 1024 / 1e9, steps=split.pop("steps"), engine_s=split.pop("engine", None),
                stages=split)


def main(ks=(1, 4, 16, 64), seed: int = 1, smoke: bool = False, scenario: Path = MURTED, verbose: bool = True) -> list:
    data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    duration = 200.0 if smoke else None
    ks = (1, 2) if smoke else tuple(ks)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in ks:
            row = measure(data, k, seed, Path(tmp), duration)
            row["ms_per_threat_step"] = 1e3 * row["cpu_s"] / max(row["threats"] * row["steps"], 1)
            rows.append(row)
            if verbose:
                print(_line(row), flush=True)
    if verbose:
        for what in ("wall_s", "cpu_s"):  # on a machine shared with other jobs, CPU time is the steadier figure
            by_k = {r["k"]: r[what] for r in rows}
            for a, b, goal in ((16, 64, 4.5), (1, 64, 8.0), (1, 16, None)):
                if a in by_k and b in by_k:
                    print(f"{what[:-2]}(x{b}) / {what[:-2]}(x{a}) = {by_k[b] / by_k[a]:.2f}"
                          + (f" (goal <= {goal})" if goal else ""))
    return rows


def _line(r: dict) -> str:
    st = r["stages"]
    split = " ".join(f"{s} {st.get(s, 0.0):.1f}" for s in STAGES)
    other = st["total"] - sum(st.get(s, 0.0) for s in STAGES)
    return (f"x{r['k']:<3d} threats {r['threats']:5d}  wall {r['wall_s']:7.1f} s  cpu {r['cpu_s']:7.1f} s  "
            f"{r['ms_per_threat_step']:.3f} ms/threat-step  peak {r['peak_gb']:.2f} GB  steps {r['steps']}  "
            f"engine {r['engine_s'] or 0:.1f} s [{split} other {other:.1f}]")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
        sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--k", type=int, nargs="+", default=[1, 4, 16, 64])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = main(args.k, args.seed, args.smoke)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
