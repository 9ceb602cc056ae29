"""iadsim's batched tracker against Stone Soup 1.9.1, side by side (protocol: results_tracking.md).

Usage::

    python benchmarks/bench_tracking.py [--n 10 50 200] [--scans 200] [--seed 1]
        [--smoke] [--no-stonesoup-default] [--mode like|best|both] [--repeats 3]
        [--gate 4 --confirm 2 --coast 5 --tent-coast 2 --prior-vel 300] [--no-stonesoup]
        [--gospa-timing] [--json out.json] [--save-scenario DIR]

The "CV-3D-uniform" scenario (``tracking_scenario.make_scenario``) is streamed scan by scan to each tracker
(``step(k, t_s, detections) -> (ids, positions)``), truth withheld, in one process with BLAS
pinned to one thread. Wall time covers tracker construction and every ``step``; scenario
generation and conversion to Stone Soup detections are reported apart. Our tracker: best of
``--repeats`` runs with per-scan p50/p99/max latency; Stone Soup: one run per configuration.
GOSPA (p = 1, c = 1000 m, α = 2) is scored on the online output of every scan and averaged;
ID switches count changes of the track assigned to a truth. GOSPA: Rahmathullah,
García-Fernández & Svensson, FUSION 2017; Stone Soup: Dstl, github.com/dstl/Stone-Soup (full
citations in docs/REFERENCES.md).

Modes: *like-for-like* (``TrackerConfig.stonesoup_tutorial()`` against Stone Soup's tutorial
logic: gate 3, confirm on the 3rd hit, delete tentative/confirmed after 2/3 misses, velocity
sigma 300 m/s) against Stone Soup "default" (``GNNWith2DAssignment``) and "kdtree"
(``DetectionKDTreeGNN2D``); *best-effort* (our knobs, by default gate 4, deletion after 5
misses, confirmation on the 2nd hit) against Stone Soup kd-tree re-run with the same knobs.
``--smoke``: N = 10, 50 scans.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tracking_scenario import Scenario, make_scenario  # noqa: E402

from iadsim.tracking.detections import CartesianDetections  # noqa: E402
from iadsim.tracking.metrics import gospa, id_switches  # noqa: E402
from iadsim.tracking.mtt import Tracker, TrackerConfig  # noqa: E402

GOSPA_C_M, GOSPA_P, GOSPA_ALPHA = 1000.0, 1.0, 2.0


class OursTracker:
    """Streaming adapter of ``iadsim.tracking.mtt.Tracker`` with Cartesian detections."""

    def __init__(self, config: TrackerConfig, sigma_m: float):
        self.tracker = Tracker(config)
        self.cov = np.eye(3) * sigma_m**2

    def step(self, k: int, t_s: float, z_enu_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(z_enu_m)
        dets = CartesianDetections(np.full(n, t_s), np.zeros(n, np.int64), z_enu_m,
                                   np.broadcast_to(self.cov, (n, 3, 3)))
        out = self.tracker.step(t_s, dets)
        return out.id, out.pos_enu_m


def run_tracker(make, scans: list, times_s: np.ndarray) -> dict:
    """Construct with ``make()`` and stream every scan; returns outputs, wall time and latencies."""
    t0 = time.perf_counter()
    trk = make()
    lat = np.zeros(len(scans))
    ids, pos = [], []
    for k, z in enumerate(scans):
        t1 = time.perf_counter()
        i, p = trk.step(k, float(times_s[k]), z)
        lat[k] = time.perf_counter() - t1
        ids.append(i)
        pos.append(p)
    return dict(wall_s=time.perf_counter() - t0, lat_s=lat, ids=ids, pos=pos)


def score(sc: Scenario, run: dict) -> dict:
    """Mean GOSPA and its decomposition over scans, ID switches, distinct confirmed tracks."""
    res = [gospa(sc.truth_pos_enu_m[k][sc.alive[k]], run["pos"][k], GOSPA_C_M, GOSPA_P, GOSPA_ALPHA)
           for k in range(sc.n_scans)]
    n_pairs = sum(sc.alive[k].sum() - r.n_missed for k, r in enumerate(res))
    truth_ids = [np.flatnonzero(sc.alive[k]) for k in range(sc.n_scans)]
    all_ids = np.concatenate(run["ids"]) if run["ids"] else np.zeros(0)
    return dict(gospa=float(np.mean([r.distance for r in res])),
                missed_per_scan=float(np.mean([r.n_missed for r in res])),
                false_per_scan=float(np.mean([r.n_false for r in res])),
                loc_error_m=float(sum(r.localisation for r in res) / max(n_pairs, 1)),
                id_switches=id_switches(truth_ids, run["ids"], [r.truth_to_est for r in res]),
                n_tracks=int(len(np.unique(all_ids))))


def gospa_timing(sc: Scenario, run: dict, n_scans: int = 60) -> dict:
    """Score the first ``n_scans`` scans of one output with ours and with Stone Soup's GOSPAMetric."""
    import datetime

    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.types.state import State

    k_max = min(n_scans, sc.n_scans)
    truth = [sc.truth_pos_enu_m[k][sc.alive[k]] for k in range(k_max)]
    t0 = time.perf_counter()
    ours = [gospa(truth[k], run["pos"][k], GOSPA_C_M, GOSPA_P).distance for k in range(k_max)]
    ours_s = time.perf_counter() - t0
    metric = GOSPAMetric(c=GOSPA_C_M, p=GOSPA_P)
    ts = datetime.datetime(2025, 1, 1)
    as_states = lambda a: [State(v[:, None], timestamp=ts) for v in a]  # noqa: E731
    states = [(as_states(run["pos"][k]), as_states(truth[k])) for k in range(k_max)]
    t0 = time.perf_counter()
    ref = [metric.compute_gospa_metric(e, t)[0].value["distance"] if (e or t) else 0.0 for e, t in states]
    ss_s = time.perf_counter() - t0
    diff = float(np.max(np.abs(np.subtract(ours, ref))))
    return dict(scans=k_max, ours_s=ours_s, stonesoup_s=ss_s, max_abs_diff=diff)


def environment() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        import stonesoup
        ss = stonesoup.__version__
    except ImportError:
        ss = None
    return dict(cpu=cpu, n_cpu=os.cpu_count(), platform=platform.platform(), python=platform.python_version(),
                numpy=np.__version__, scipy=scipy.__version__, stonesoup=ss,
                blas_threads=os.environ.get("OPENBLAS_NUM_THREADS"), load_avg=os.getloadavg())


def bench_one(n: int, args, sc: Scenario) -> list[dict]:
    """All configured runs for one N; one row per (mode, Stone Soup configuration)."""
    times_s = np.arange(sc.n_scans) * sc.dt_s
    rows = []
    modes = ["like", "best"] if args.mode == "both" else [args.mode]
    for mode in modes:
        if mode == "like":
            cfg = TrackerConfig.stonesoup_tutorial(q_cv_m2ps3=sc.q_m2ps3)
            knobs = dict(gate=3.0, confirm=3, coast=3, tent_coast=2, prior_vel_mps=300.0)
        else:
            # Stone Soup's min_points=M with tentative deletion after K misses is M-of-(M + (M-1)(K-1))
            window = args.confirm + (args.confirm - 1) * (args.tent_coast - 1)
            cfg = TrackerConfig(q_cv_m2ps3=sc.q_m2ps3, gate=args.gate, confirm_m=args.confirm, confirm_n=window,
                                delete_tentative_misses=args.tent_coast, delete_confirmed_misses=args.coast,
                                init_vel_sigma_mps=args.prior_vel)
            knobs = dict(gate=args.gate, confirm=args.confirm, coast=args.coast, tent_coast=args.tent_coast,
                         prior_vel_mps=args.prior_vel)
        ours = [run_tracker(lambda: OursTracker(cfg, sc.sigma_m), sc.det_pos_enu_m, times_s)
                for _ in range(args.repeats)]
        best = min(ours, key=lambda r: r["wall_s"])
        row = dict(n=n, mode=mode, scans=sc.n_scans, detections=sc.n_detections, ours_s=best["wall_s"],
                   ours_p50_ms=1e3 * float(np.median(best["lat_s"])),
                   ours_p99_ms=1e3 * float(np.percentile(best["lat_s"], 99)),
                   ours_max_ms=1e3 * float(best["lat_s"].max()), ours=score(sc, best), stonesoup={})
        configs = ["kdtree"] if mode == "best" or args.no_stonesoup_default else ["default", "kdtree"]
        if not args.no_stonesoup:
            from tracking_stonesoup import StoneSoupTracker, measurement_model, to_detections
            model = measurement_model(sc.sigma_m)
            t0 = time.perf_counter()
            ss_scans = [to_detections(z, times_s[k], model) for k, z in enumerate(sc.det_pos_enu_m)]
            row["ss_conversion_s"] = time.perf_counter() - t0
            for name in configs:
                r = run_tracker(lambda: StoneSoupTracker(q_m2ps3=sc.q_m2ps3, sigma_m=sc.sigma_m,
                                                         kdtree=name == "kdtree", **knobs), ss_scans, times_s)
                row["stonesoup"][name] = dict(wall_s=r["wall_s"], p50_ms=1e3 * float(np.median(r["lat_s"])),
                                              **score(sc, r))
        if args.gospa_timing and not args.no_stonesoup:
            row["gospa_timing"] = g = gospa_timing(sc, best)
            print(f"# GOSPA scoring, {g['scans']} scans: ours {g['ours_s']:.4f} s, "
                  f"Stone Soup {g['stonesoup_s']:.3f} s, "
                  f"max |diff| {g['max_abs_diff']:.1e}", flush=True)
        rows.append(row)
        _print_row(row)
    return rows


def _print_row(row: dict) -> None:
    o = row["ours"]
    print(f"# N={row['n']} {row['mode']}: ours {row['ours_s']:.3f} s, GOSPA {o['gospa']:.1f}, "
          f"IDsw {o['id_switches']}, p50/p99 {row['ours_p50_ms']:.2f}/{row['ours_p99_ms']:.2f} ms; "
          + ", ".join(f"SS {k} {v['wall_s']:.2f} s GOSPA {v['gospa']:.1f} IDsw {v['id_switches']}"
                      for k, v in row["stonesoup"].items()), flush=True)


def table(rows: list[dict]) -> str:
    """Markdown table of the results."""
    head = ("| N | mode | scans | detections | Stone Soup default | Stone Soup kd-tree | ours (best of runs) "
            "| × vs default | × vs kd-tree | GOSPA SS | GOSPA ours | \\|ΔGOSPA\\| % | ID sw. SS | ID sw. ours "
            "| tracks SS / ours | ours p50 / p99 ms/scan |\n" + "|" + " --: |" * 16)
    lines = [head]

    def fmt(v, spec):
        return "—" if v is None else format(v, spec)

    for r in rows:
        ss, o, t = r["stonesoup"], r["ours"], r["ours_s"]
        d, k = ss.get("default"), ss.get("kdtree")
        ref = k or d
        cells = [r["n"], r["mode"], r["scans"], f"{r['detections']:,}",
                 fmt(d and d["wall_s"], ".2f") + (" s" if d else ""),
                 fmt(k and k["wall_s"], ".2f") + (" s" if k else ""),
                 f"{t:.3f} s", fmt(d and d["wall_s"] / t, ".0f") + ("×" if d else ""),
                 fmt(k and k["wall_s"] / t, ".0f") + ("×" if k else ""), fmt(ref and ref["gospa"], ".1f"),
                 f"{o['gospa']:.1f}", fmt(ref and 100 * abs(o["gospa"] - ref["gospa"]) / ref["gospa"], ".2f"),
                 fmt(ref and ref["id_switches"], "d"), o["id_switches"],
                 f"{fmt(ref and ref['n_tracks'], 'd')} / {o['n_tracks']}",
                 f"{r['ours_p50_ms']:.2f} / {r['ours_p99_ms']:.2f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def parse(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--scans", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--smoke", action="store_true", help="N=10, 50 scans (CI)")
    ap.add_argument("--no-stonesoup-default", action="store_true", help="skip the slow GNNWith2DAssignment run")
    ap.add_argument("--no-stonesoup", action="store_true", help="our tracker only (scaling runs)")
    ap.add_argument("--mode", choices=["like", "best", "both"], default="both")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--gate", type=float, default=4.0)
    ap.add_argument("--confirm", type=int, default=2)
    ap.add_argument("--coast", type=int, default=5)
    ap.add_argument("--tent-coast", type=int, default=2)
    ap.add_argument("--prior-vel", type=float, default=300.0)
    ap.add_argument("--gospa-timing", action="store_true", help="time our GOSPA against Stone Soup's (60 scans)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--save-scenario", type=Path)
    args = ap.parse_args(argv)
    if args.smoke:
        args.n, args.scans = [10], 50
    return args


def main(argv=None) -> dict:
    args = parse(argv)
    env = environment()
    print("# environment " + json.dumps(env), flush=True)
    rows = []
    for n in args.n:
        t0 = time.perf_counter()
        sc = make_scenario(n, args.scans, args.seed)
        gen_s = time.perf_counter() - t0
        print(f"# N={n}: scenario {gen_s:.3f} s, {sc.n_detections} detections ({sc.n_clutter} clutter)", flush=True)
        if args.save_scenario:
            args.save_scenario.mkdir(parents=True, exist_ok=True)
            np.savez(args.save_scenario / f"scenario_n{n}_s{args.seed}.npz", truth_pos_enu_m=sc.truth_pos_enu_m,
                     alive=sc.alive, det_scan=np.repeat(np.arange(sc.n_scans), [len(z) for z in sc.det_pos_enu_m]),
                     det_pos_enu_m=np.vstack(sc.det_pos_enu_m), det_origin=np.concatenate(sc.det_origin))
        for row in bench_one(n, args, sc):
            row["scenario_s"] = gen_s
            rows.append(row)
    print(table(rows))
    result = dict(environment=env, seed=args.seed, rows=rows)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
