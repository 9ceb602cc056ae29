"""Monte Carlo throughput: runs/s on 1 and 2 workers, scaling efficiency, and the store's cost per run.

Usage: ``python benchmarks/bench_montecarlo.py [--runs N] [--scenario FILE] [--markdown PATH] [--smoke]``

Runs the same study (examples/murted_2019.yaml by default) with ``workers=1`` (in process) and
``workers=2`` (a local process pool, pool start-up included) into a fresh DuckDB store, and reports
runs/s, the efficiency rate₂ / (2 rate₁), and the projected time of 1,000 runs. The store overhead is
the time to commit one run's rows (one transaction) into a file store, timed alone. Goals: 1,000
Mürted runs in under 5 minutes on a 2-core machine; efficiency >= 80 %. Studies simulate their runs
in batches (``iadsim.engine.run_batch``, up to ``BATCH_RUNS`` runs in one set of arrays); the
benchmark also measures, in one process, the engine CPU time per run of runs simulated one by one
and in one batch (the ratio is the batching gain), and where each kind of run's time goes, stage by
stage. ``--smoke`` runs a tiny scenario a few times (for CI; no timing claims).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per worker process: workers are the parallelism

import iadsim  # noqa: E402
from iadsim.study.execute import BATCH_RUNS, batch_size, run_one  # noqa: E402
from iadsim.study.seeds import run_seed  # noqa: E402
from iadsim.study.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MURTED = ROOT / "examples" / "murted_2019.yaml"
GOAL_RUNS, GOAL_S, GOAL_EFFICIENCY = 1000, 300.0, 0.80


def tiny_scenario():
    """Three drones against one launcher for 120 s (smoke mode)."""
    import yaml

    from iadsim.scenario.load import parse_yaml, validate_data

    data = dict(schema_version=1, name="bench_tiny", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
                time=dict(duration_s=120.0, step_s=1.0),
                assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=10.0, radius_m=1000.0)],
                units=[dict(name="p", system="patriot", lat_deg=40.0, lon_deg=32.5)],
                raids=[dict(name="d", threat="drone", count=3, spacing_s=5.0, target="base",
                            route=[dict(lat_deg=40.05, lon_deg=32.5, alt_agl_m=300.0)])])
    d, lines = parse_yaml(yaml.safe_dump(data), "bench")
    return validate_data(d, lines, "bench")


def throughput(scenario, runs: int, workers: int, directory: Path) -> dict:
    """Wall time of a fresh study of ``runs`` runs; runs/s and mean engine time per run."""
    store = directory / f"w{workers}.duckdb"
    t0 = time.perf_counter()
    with iadsim.monte_carlo(scenario, runs, workers=workers, store=store) as study:
        wall_s = time.perf_counter() - t0
        engine_s = sum(study.runs["wall_s"].to_pylist())
        n = study.runs.num_rows
    return dict(workers=workers, runs=n, wall_s=wall_s, runs_per_s=n / wall_s, engine_s_per_run=engine_s / n)


def commit_overhead_s(scenario, directory: Path, repeats: int) -> float:
    """Mean time to commit one run's rows (threats, units, runs row) in one transaction, file store."""
    row = run_one(scenario, 0, run_seed(0, 0))
    with Store(directory / "commit.duckdb") as db:
        db.ensure_study("bench", "bench", scenario.name, "0" * 64, 0, iadsim.__version__, "")
        t0 = time.perf_counter()
        for i in range(repeats):
            db.commit_run("bench", "0" * 64, dict(row, run_index=i))
        return (time.perf_counter() - t0) / repeats


def stage_seconds(scenario, seeds, repeats: int = 3) -> dict:
    """CPU seconds per run and engine stage (best of ``repeats`` by total): the runs ``seeds``
    simulated together (``engine.run_batch``; one seed: a run alone), timing each stage's entry
    point in the engine's one step loop."""
    from contextlib import ExitStack
    from unittest import mock

    from iadsim import engine, sensing
    from iadsim.c2.stage import C2Stage
    from iadsim.compile import compile_scenario
    from iadsim.flyout.stage import FlyoutRuns
    from iadsim.record import Recorder
    from iadsim.tracking.stage import TrackingRuns

    points = [(engine, "threat_truth", "threats"), (engine, "apply_truth", "threats"), (sensing, "scan", "sensing"),
              (TrackingRuns, "update", "tracking"), (engine, "decide_runs", "c2"), (FlyoutRuns, "launch", "flyout"),
              (FlyoutRuns, "advance", "flyout"), (C2Stage, "due_launches", "c2"), (Recorder, "step", "record"),
              (Recorder, "finish", "record")]
    comp = compile_scenario(scenario)
    run = lambda: engine.run_batch(scenario, comp, seeds)  # noqa: E731
    run()  # warm: caches and the look table
    best = None
    for _ in range(repeats):
        acc = dict.fromkeys([p[2] for p in points], 0.0)

        def timed(fn, label):
            def call(*a, **k):
                t0 = time.process_time()
                try:
                    return fn(*a, **k)
                finally:
                    acc[label] += time.process_time() - t0
            return call

        with ExitStack() as stack:
            for owner, name, label in points:
                stack.enter_context(mock.patch.object(owner, name, timed(getattr(owner, name), label)))
            t0 = time.process_time()
            run()
            total = time.process_time() - t0
        if best is None or total < best["total"]:
            best = dict(acc, other=total - sum(acc.values()), total=total)
    return {k: v / len(seeds) for k, v in best.items()}


def main(runs: int = 256, scenario_path: Path | None = MURTED, smoke: bool = False, commit_repeats: int = 200,
         verbose: bool = True) -> dict:
    scenario = tiny_scenario() if smoke else iadsim.load_scenario(scenario_path)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rates = [throughput(scenario, runs, w, tmp) for w in (1, 2)]
        commit_s = commit_overhead_s(scenario, tmp, commit_repeats)
    n_batch = 2 if smoke else BATCH_RUNS
    stages = stage_seconds(scenario, [1], repeats=1 if smoke else 3)
    batched = stage_seconds(scenario, list(range(1, n_batch + 1)), repeats=1)
    r1, r2 = rates
    out = dict(scenario=scenario.name, runs=runs, one=r1, two=r2, efficiency=r2["runs_per_s"] / (2 * r1["runs_per_s"]),
               projected_1000_s=GOAL_RUNS / r2["runs_per_s"], commit_ms=commit_s * 1e3, cpus=os.cpu_count(),
               load_1min=os.getloadavg()[0], stages=stages, batched=batched, n_batch=n_batch,
               batch_used=[batch_size(runs, w) for w in (1, 2)])
    if verbose:
        print(markdown(out))
    return out


def markdown(r: dict) -> str:
    rows = "\n".join(f"| {x['workers']} | {x['runs']} | {x['wall_s']:.1f} | {x['runs_per_s']:.2f} | {x['engine_s_per_run']:.2f} |"
                     for x in (r["one"], r["two"]))
    ok = lambda good: "meets" if good else "misses"
    line = lambda st: f"**{st['total']:.2f} s** = " + ", ".join(  # noqa: E731
        f"{k} {v:.2f}" for k, v in sorted(st.items(), key=lambda kv: -kv[1]) if k != "total")
    st, bt = r["stages"], r["batched"]
    return f"""Scenario `{r['scenario']}`, {r['runs']} runs per worker count (batches of {r['batch_used'][0]} and {r['batch_used'][1]} runs), {r['cpus']} CPUs, 1-min load average at the end {r['load_1min']:.1f}.

| workers | runs | wall (s) | runs/s | engine s/run (mean) |
|---|---|---|---|---|
{rows}

- Scaling efficiency 1 → 2 workers: **{100 * r['efficiency']:.0f} %** (goal ≥ {100 * GOAL_EFFICIENCY:.0f} %: {ok(r['efficiency'] >= GOAL_EFFICIENCY)})
- Projected 1,000 runs on 2 workers: **{r['projected_1000_s'] / 60:.1f} min** (goal < {GOAL_S / 60:.0f} min: {ok(r['projected_1000_s'] < GOAL_S)})
- Store overhead: **{r['commit_ms']:.2f} ms per run committed** (one transaction: threat, unit and run rows)
- Engine CPU time per run, one process, every event recorded: alone **{st['total']:.2f} s**, in a batch of {r['n_batch']} **{bt['total']:.2f} s** (batching gain **{st['total'] / bt['total']:.1f}×**; a study records summaries only: the table's engine s/run)
- By stage, a run alone (seed 1): {line(st)}
- By stage, per run in a batch of {r['n_batch']} (seeds 1–{r['n_batch']}): {line(bt)}
"""


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=256, help="runs per worker count (256: full batches on 1 and 2 workers)")
    ap.add_argument("--scenario", type=Path, default=MURTED)
    ap.add_argument("--markdown", type=Path, help="append the results to this Markdown file")
    ap.add_argument("--smoke", action="store_true", help="tiny scenario, 2 runs (CI)")
    a = ap.parse_args()
    res = main(runs=2 if a.smoke else a.runs, scenario_path=a.scenario, smoke=a.smoke,
               commit_repeats=10 if a.smoke else 200)
    if a.markdown:
        with a.markdown.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## {time.strftime('%Y-%m-%d %H:%M')} UTC\n\n{markdown(res)}")
