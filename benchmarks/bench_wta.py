"""WTA benchmark: exact optimum vs the default heuristic and MMR, one round and μ rounds per type.

Run ``python benchmarks/bench_wta.py`` (full: both classes below, about 5 min on 2 cores) or with
``--smoke`` (tiny, for CI); ``--class single`` or ``--class multi`` runs one class. Prints the
tables; a full run writes them to ``benchmarks/results_wta.md`` and the proven optima of the
multi-round instances to ``benchmarks/wta_multi_round_optima.csv`` (read by tests/c2/test_wta.py).
BLAS is pinned to one thread so the heuristic timings are comparable.

Classes (instances from ``iadsim.c2.wta.generate_instance``: values U[25, 100], pk U[0.6, 0.9],
Ahuja et al. 2007):

* single: one round per weapon, n weapons × m targets (20×20, 50×50, 100×100, 100×50), seeds 0–4.
* multi: n weapon types × m targets with μ = 2 and 3 rounds of each type, sizes 50×100 and
  100×200, seeds 0–4. This is the convention of Andersen, Pavlikov & Toffolo (2022), whose
  instances are named |W|×|T|×μ (weapon types × targets × rounds per type), e.g. ``wta_50x100x2``.

References
----------
Ahuja, R. K., Kumar, A., Jha, K. C. & Orlin, J. B. (2007). Exact and heuristic algorithms for the
weapon-target assignment problem. Operations Research 55(6), 1136–1146. doi:10.1287/opre.1070.0440
Andersen, A. C., Pavlikov, K. & Toffolo, T. A. M. (2022). Weapon-target assignment problem: exact
and approximate solution algorithms. Annals of Operations Research (published online 13 January
2022). doi:10.1007/s10479-022-04525-6 (the authors' instances and code:
https://github.com/tuliotoffolo/wta; an instance file starts with the line "|W| |T| μ")
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from iadsim.c2.wta import generate_instance, solve  # noqa: E402

FULL_SIZES = ((20, 20), (50, 50), (100, 100), (100, 50))
SMOKE_SIZES = ((6, 5),)
MULTI_SIZES = ((50, 100), (100, 200))
MULTI_MU = (2, 3)
SMOKE_MULTI = (((4, 6),), (2,))
SEEDS = range(5)
RESULTS_PATH = pathlib.Path(__file__).with_name("results_wta.md")
OPTIMA_PATH = pathlib.Path(__file__).with_name("wta_multi_round_optima.csv")
OPTIMA_FIELDS = ("n_types", "n_targets", "rounds_per_type", "seed", "f_opt", "lower_bound", "proven", "exact_s")
CITATION = ("Andersen, Pavlikov & Toffolo, \"Weapon-target assignment problem: exact and approximate solution "
            "algorithms\", Annals of Operations Research (2022), doi:10.1007/s10479-022-04525-6; "
            "Ahuja, Kumar, Jha & Orlin, \"Exact and heuristic algorithms for the weapon-target assignment "
            "problem\", Operations Research 55(6) (2007) 1136–1146, doi:10.1287/opre.1070.0440")


def _best_time_s(fn, repeats):
    """Result of the first call and the shortest wall time over ``repeats`` calls."""
    res = fn()
    return res, min([res.wall_s] + [fn().wall_s for _ in range(repeats - 1)])


def _times_s(fn, repeats):
    """Result of the first call, and the wall and process CPU times of ``repeats`` calls, s.

    CPU time is what the solve costs whatever else the machine runs; wall time is what a caller
    waits on this (shared) machine.
    """
    results, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        results.append(fn())
        cpu.append(time.process_time() - c0)
    return results[0], np.array([r.wall_s for r in results]), np.array(cpu)


def run(sizes, seeds, repeats=5, exact_repeats=3):
    """One row per instance: exact optimum and time, heuristic and MMR gap (%) and time (s)."""
    rows = []
    for n, m in sizes:
        for seed in seeds:
            values, pk, rounds = generate_instance(n, m, seed)
            exact, exact_s = _best_time_s(lambda: solve(values, pk, rounds, "exact"), exact_repeats)
            heur, heur_wall, heur_cpu = _times_s(lambda: solve(values, pk, rounds), repeats)
            heur_s, heur_cpu_s = float(heur_wall.min()), float(heur_cpu.min())
            mmr, mmr_s = _best_time_s(lambda: solve(values, pk, rounds, "mmr"), repeats)
            f_opt = exact.surviving_value
            rows.append(dict(n=n, m=m, seed=seed, f_opt=f_opt, optimal=exact.optimal, exact_s=exact_s,
                             bound_gap=(f_opt - exact.lower_bound) / f_opt,
                             heur_gap_pct=100.0 * (heur.surviving_value / f_opt - 1.0), heur_s=heur_s,
                             heur_cpu_s=heur_cpu_s,
                             mmr_gap_pct=100.0 * (mmr.surviving_value / f_opt - 1.0), mmr_s=mmr_s))
    return rows


def run_multi(sizes, mus, seeds, repeats=11):
    """One row per (size, μ, seed): proven optimum, bound, proof time, heuristic gap and times."""
    rows = []
    for n, m in sizes:
        for mu in mus:
            for seed in seeds:
                values, pk, rounds = generate_instance(n, m, seed, rounds_per_type=mu)
                exact = solve(values, pk, rounds, "exact")
                heur, heur_s, heur_cpu_s = _times_s(lambda: solve(values, pk, rounds), repeats)
                mmr = solve(values, pk, rounds, "mmr")
                f_opt = exact.surviving_value
                rows.append(dict(n=n, m=m, mu=mu, seed=seed, f_opt=f_opt, lower_bound=exact.lower_bound,
                                 optimal=exact.optimal, exact_s=exact.wall_s,
                                 bound_gap=(f_opt - exact.lower_bound) / f_opt,
                                 heur_gap_pct=100.0 * (heur.surviving_value / f_opt - 1.0),
                                 heur_best_s=float(heur_s.min()), heur_median_s=float(np.median(heur_s)),
                                 heur_cpu_best_s=float(heur_cpu_s.min()),
                                 heur_cpu_median_s=float(np.median(heur_cpu_s)),
                                 mmr_gap_pct=100.0 * (mmr.surviving_value / f_opt - 1.0)))
    return rows


def _machine():
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, BLAS 1 thread"


def format_table(rows):
    """Markdown table: per-instance rows, then a summary per size."""
    out = ["| n×m | seed | F* | proven | (F* − bound) / F* | exact s | heuristic gap % | heuristic ms | heuristic CPU ms "
           "| MMR gap % | MMR ms |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['n']}×{r['m']} | {r['seed']} | {r['f_opt']:.6f} | {'yes' if r['optimal'] else 'no'} "
                   f"| {r['bound_gap']:.1e} "
                   f"| {r['exact_s']:.2f} | {r['heur_gap_pct']:.3f} | {1e3 * r['heur_s']:.1f} "
                   f"| {1e3 * r['heur_cpu_s']:.1f} | {r['mmr_gap_pct']:.2f} | {1e3 * r['mmr_s']:.1f} |")
    out += ["", "| n×m | heuristic gap % max / mean | MMR gap % max / mean | exact s median / max "
            "| heuristic ms median / max | heuristic CPU ms median / max | median MMR ms | exact / heuristic time |",
            "|---|---|---|---|---|---|---|---|"]
    for size in dict.fromkeys((r["n"], r["m"]) for r in rows):
        g = [r for r in rows if (r["n"], r["m"]) == size]
        hg, mg = np.array([r["heur_gap_pct"] for r in g]), np.array([r["mmr_gap_pct"] for r in g])
        ex, hs, hc, ms = (np.array([r[k] for r in g]) for k in ("exact_s", "heur_s", "heur_cpu_s", "mmr_s"))
        out.append(f"| {size[0]}×{size[1]} | {hg.max():.3f} / {hg.mean():.3f} | {mg.max():.2f} / {mg.mean():.2f} "
                   f"| {np.median(ex):.2f} / {ex.max():.2f} | {1e3 * np.median(hs):.1f} / {1e3 * hs.max():.1f} "
                   f"| {1e3 * np.median(hc):.1f} / {1e3 * hc.max():.1f} "
                   f"| {1e3 * np.median(ms):.1f} | {np.median(ex) / np.median(hs):.0f}× |")
    hg = np.array([r["heur_gap_pct"] for r in rows])
    out += ["", f"All instances: heuristic gap max {hg.max():.3f} %, mean {hg.mean():.3f} %; "
            f"{sum(r['optimal'] for r in rows)}/{len(rows)} proven optimal, largest (F* − bound) / F* "
            f"{max(r['bound_gap'] for r in rows):.1e} (tolerance 1e-9).",
            f"Machine: {_machine()}, load average {os.getloadavg()[0]:.1f} at the end; times are the best of 5 "
            "calls for the heuristics (wall and process CPU), of 3 for exact (wall)."]
    return "\n".join(out)


def format_multi_table(rows):
    """Markdown table of the multi-round class: per instance, then a summary per size and μ."""
    out = ["| n×m | μ | seed | F* | proven | (F* − bound) / F* | proof s | heuristic gap % | heuristic wall ms "
           "best / median | heuristic CPU ms best / median | MMR gap % |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['n']}×{r['m']} | {r['mu']} | {r['seed']} | {r['f_opt']:.6f} | "
                   f"{'yes' if r['optimal'] else 'no'} | {r['bound_gap']:.1e} | {r['exact_s']:.1f} | "
                   f"{r['heur_gap_pct']:.3f} | {1e3 * r['heur_best_s']:.1f} / {1e3 * r['heur_median_s']:.1f} | "
                   f"{1e3 * r['heur_cpu_best_s']:.1f} / {1e3 * r['heur_cpu_median_s']:.1f} | {r['mmr_gap_pct']:.2f} |")
    out += ["", "| n×m | μ | heuristic gap % max / mean | heuristic wall ms: best / median / worst median "
            "| heuristic CPU ms: best / median / worst median | proof s median / max | MMR gap % max |",
            "|---|---|---|---|---|---|---|"]
    for key in dict.fromkeys((r["n"], r["m"], r["mu"]) for r in rows):
        g = [r for r in rows if (r["n"], r["m"], r["mu"]) == key]
        hg = np.array([r["heur_gap_pct"] for r in g])
        hb, hm, cb, cm, ex = (np.array([r[k] for r in g]) for k in (
            "heur_best_s", "heur_median_s", "heur_cpu_best_s", "heur_cpu_median_s", "exact_s"))
        out.append(f"| {key[0]}×{key[1]} | {key[2]} | {hg.max():.3f} / {hg.mean():.3f} | {1e3 * hb.min():.1f} / "
                   f"{1e3 * np.median(hm):.1f} / {1e3 * hm.max():.1f} | {1e3 * cb.min():.1f} / "
                   f"{1e3 * np.median(cm):.1f} / {1e3 * cm.max():.1f} | {np.median(ex):.1f} / {ex.max():.1f} | "
                   f"{max(r['mmr_gap_pct'] for r in g):.2f} |")
    hg = np.array([r["heur_gap_pct"] for r in rows])
    out += ["", f"All instances: heuristic gap max {hg.max():.3f} %, mean {hg.mean():.3f} %; "
            f"{sum(r['optimal'] for r in rows)}/{len(rows)} proven optimal, largest (F* − bound) / F* "
            f"{max(r['bound_gap'] for r in rows):.1e} (tolerance 1e-9).",
            f"Machine: {_machine()}, shared with other jobs while measured (load average "
            f"{os.getloadavg()[0]:.1f} at the end); heuristic times are over 11 calls per instance (wall: what a "
            "caller waits; CPU: the process's own time, what the solve costs without the other jobs), proof times are one call of the exact method (outer approximation on HiGHS, warm "
            "started from the heuristic)."]
    return "\n".join(out)


def write_optima(rows, path=OPTIMA_PATH):
    """The proven optima of the multi-round instances, one CSV row per instance."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(OPTIMA_FIELDS)
        for r in rows:
            w.writerow([r["n"], r["m"], r["mu"], r["seed"], f"{r['f_opt']:.9f}", f"{r['lower_bound']:.9f}",
                        int(r["optimal"]), f"{r['exact_s']:.2f}"])


def main(argv=None):
    """Run the benchmark, print the tables, write results (full run only); return the rows."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny instances, no results files")
    p.add_argument("--class", dest="cls", choices=("all", "single", "multi"), default="all",
                   help="which class to run (default all; results files are written only for all)")
    args = p.parse_args(argv)
    rows, multi = [], []
    if args.smoke:
        rows = run(SMOKE_SIZES, (0, 1), repeats=1, exact_repeats=1)
        multi = run_multi(*SMOKE_MULTI, (0, 1), repeats=1)
    else:
        if args.cls in ("all", "single"):
            rows = run(FULL_SIZES, SEEDS)
        if args.cls in ("all", "multi"):
            multi = run_multi(MULTI_SIZES, MULTI_MU, SEEDS)
    parts = []
    if rows:
        parts += ["## One round per weapon (n weapons × m targets)", "", format_table(rows)]
    if multi:
        parts += ["", "## Several rounds per weapon type (n types × m targets × μ rounds)", "",
                  "Instances as in " + CITATION + ": n weapon types × m targets, μ rounds of each type "
                  "(values U[25, 100], pk U[0.6, 0.9]; `generate_instance(n, m, seed, rounds_per_type=μ)`). "
                  "Proven optima in `benchmarks/wta_multi_round_optima.csv`.", "", format_multi_table(multi)]
    text = "\n".join(parts)
    print(text)
    if not args.smoke and args.cls == "all":
        RESULTS_PATH.write_text("# WTA benchmark (`python benchmarks/bench_wta.py`)\n\n" + text + "\n")
        write_optima(multi)
    return rows + multi


if __name__ == "__main__":
    main()
