"""S-400 or Patriot at Mürted: the study in one command.

    python examples/study/s400_vs_patriot/recipe.py --runs 80 --workers 2

Three alternatives on identical raids (the raid of ``examples/murted_2019.yaml``; checked before
anything runs), with common random numbers: run *i* of every alternative uses the same seed, as
``iadsim compare`` does (same store layout, same statistics, same paired differences):

- ``s400``: one S-400 battalion at Mürted (``examples/murted_2019.yaml``);
- ``patriot_3_batteries``: three Patriot batteries sited at the assets, each radar's sector facing
  the threat axes of its asset (``examples/murted_patriot.yaml``, planning rule in its header);
- ``patriot_1_battery``: one battery, the cost- and fire-unit-equal case (``patriot_one_battery.yaml``).

Writes, into ``--out`` (default: this directory): ``results.md`` (the tables the README quotes),
``results.json`` (every number), ``s400_vs_patriot.png`` (the plot) and, next to the DuckDB store
(``--store``, default ``studies/s400_vs_patriot/compare.duckdb``), ``compare_report.html``.
The store resumes: the same command with more ``--runs`` runs only the new ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1]
ALTERNATIVES = (  # label, file, description
    ("s400", EXAMPLES / "murted_2019.yaml", "S-400, 1 battalion"),
    ("patriot_3_batteries", EXAMPLES / "murted_patriot.yaml", "Patriot, 3 batteries"),
    ("patriot_1_battery", HERE / "patriot_one_battery.yaml", "Patriot, 1 battery"),
)
METRICS = ("leakers (all raids)", "P(raid annihilation)", "P(asset murted_ab survives)", "P(asset ankara survives)",
           "interceptors fired", "interceptors per kill", "exchange ratio")


def same_raids(scenarios) -> list[str]:
    """What differs between the scenarios' raids, assets, origin, time and seed (empty: a fair comparison)."""
    problems = []
    ref = scenarios[0]
    for sc in scenarios[1:]:
        for field in ("raids", "assets", "origin", "time", "seed"):
            if getattr(sc, field) != getattr(ref, field):
                problems.append(f"{sc.name}: {field} differ from {ref.name}'s")
    return problems


def run(runs: int, workers: int | None, store: Path, out: Path, batch_runs: int | None = None, progress=None) -> dict:
    """Run (or resume) the three studies into one store; write the tables, the plot and the report."""
    import iadsim
    from iadsim.report.study_report import render_compare_report
    from iadsim.study import run_study
    from iadsim.study.compare import paired_differences
    from iadsim.study.store import Store

    scenarios = [iadsim.load_scenario(f) for _, f, _ in ALTERNATIVES]
    problems = same_raids(scenarios)
    if problems:
        raise SystemExit("not a fair comparison: " + "; ".join(problems))
    labels = [label for label, _, _ in ALTERNATIVES]
    seed = scenarios[0].seed
    store.parent.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    with Store(store) as db:
        studies = [run_study(f, runs, workers=workers, store=db, seed=seed, new_study=True, label=label,
                             batch_runs=batch_runs, progress=progress)
                   for label, f, _ in ALTERNATIVES]
        stats = [s.statistics() for s in studies]
        diffs = paired_differences([s.per_run for s in stats])
    (store.parent / "compare_report.html").write_text(
        render_compare_report(labels, stats, diffs, dict(study_seed=seed, store=store)), encoding="utf-8")
    result = dict(runs=runs, study_seed=seed, alternatives=[
        dict(label=label, file=str(f.relative_to(EXAMPLES.parent)), description=d, n_runs=len(s.per_run.run_index),
             metrics={r["metric"]: {k: r[k] for k in ("estimate", "lo", "hi", "method", "unit")} for r in s.rows},
             rounds_per_run=dict(zip(map(int, s.per_run.run_index), map(float, s.per_run.rounds_fired))))
        for (label, f, d), s in zip(ALTERNATIVES, stats)],
        differences={label: {r["metric"]: {k: r[k] for k in ("difference", "lo", "hi", "n")} for r in rows}
                     for label, rows in zip(labels[1:], diffs)})
    (out / "results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(result), encoding="utf-8")
    plot(result, out / "s400_vs_patriot.png")
    return result


def _num(x, digits=3):
    return "–" if x is None or x != x else f"{x:.{digits}g}"


def markdown(result: dict) -> str:
    """The result tables (estimate [95 % interval]) and the paired differences against the S-400."""
    alts = result["alternatives"]
    names = [m for m in alts[0]["metrics"] if m in METRICS or m.startswith("leakers: raid")]
    head = "| metric | " + " | ".join(a["description"] for a in alts) + " |\n|---|" + "---|" * len(alts) + "\n"
    rows = "".join(f"| {m} | " + " | ".join(f"{_num(a['metrics'][m]['estimate'])} [{_num(a['metrics'][m]['lo'])}, "
                                              f"{_num(a['metrics'][m]['hi'])}]" for a in alts) + " |\n" for m in names)
    others = alts[1:]
    dhead = ("| metric | " + " | ".join(f"{a['description']} − S-400" for a in others) + " |\n|---|"
             + "---|" * len(others) + "\n")
    drows = "".join(f"| {m} | " + " | ".join(
        (lambda d: f"{_num(d['difference'])} [{_num(d['lo'])}, {_num(d['hi'])}]")(result["differences"][a["label"]][m])
        for a in others) + " |\n" for m in names if all(m in result["differences"][a["label"]] for a in others))
    n = result["alternatives"][0]["n_runs"]
    return (f"Runs per alternative: {n} (study seed {result['study_seed']}; run i of each alternative uses the same "
            f"seed).\n\nEstimates with 95 % intervals:\n\n{head}{rows}\nPaired differences against the S-400 "
            f"(common random numbers; 95 % t intervals on per-run differences):\n\n{dhead}{drows}")


def plot(result: dict, path: Path) -> None:
    """Leakers per run by raid, P(asset survives) and interceptors fired, with 95 % intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    alts = result["alternatives"]
    colours = ("#c92a2a", "#1971c2", "#74c0fc")
    raids = [m for m in alts[0]["metrics"] if m.startswith("leakers: raid")]
    panels = (("Leakers per run, by raid", raids, lambda m: m.removeprefix("leakers: raid ")),
              ("Probability (per run)", ["P(raid annihilation)", "P(asset murted_ab survives)", "P(asset ankara survives)"],
               lambda m: m.removeprefix("P(").removesuffix(")").replace("asset ", "").replace(" survives", " survives")),
              ("Interceptors fired per run", ["interceptors fired"], lambda m: "all units"))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), gridspec_kw=dict(width_ratios=(5, 3, 1.4)))
    width = 0.8 / len(alts)
    for ax, (title, names, short) in zip(axes, panels):
        x = np.arange(len(names))
        for k, (a, c) in enumerate(zip(alts, colours)):
            est = np.array([a["metrics"][m]["estimate"] for m in names])
            lo = np.array([a["metrics"][m]["lo"] for m in names])
            hi = np.array([a["metrics"][m]["hi"] for m in names])
            ax.bar(x + (k - (len(alts) - 1) / 2) * width, est, width, color=c, label=a["description"],
                   yerr=np.maximum(np.vstack([est - lo, hi - est]), 0.0), capsize=3, error_kw=dict(lw=1))
        ax.set_xticks(x, [short(m) for m in names], rotation=20 if len(names) > 2 else 0, ha="right" if len(names) > 2 else "center")
        ax.set_title(title, fontsize=11)
        ax.grid(axis="y", alpha=0.3)
    axes[1].set_ylim(0, 1.05)
    axes[0].legend(loc="upper right", fontsize=9)
    fig.suptitle(f"S-400 or Patriot at Mürted: identical raids, {alts[0]['n_runs']} runs each, common random numbers, "
                 "95 % intervals", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=80, help="runs per alternative (default 80)")
    ap.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per CPU)")
    ap.add_argument("--batch-runs", type=int, default=None, help="most runs simulated together")
    ap.add_argument("--store", type=Path, default=Path("studies/s400_vs_patriot/compare.duckdb"), help="DuckDB store")
    ap.add_argument("--out", type=Path, default=HERE, help="where results.md, results.json and the plot go")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    def progress(done, total):  # one line per 10 committed runs of each alternative, on stderr
        if done == total or done % 10 == 0:
            print(f"  {done}/{total} runs", file=sys.stderr, flush=True)

    result = run(args.runs, args.workers, args.store, args.out, args.batch_runs, progress)
    print((args.out / "results.md").read_text(encoding="utf-8"))
    print(f"Wrote {args.out / 'results.md'}, {args.out / 'results.json'}, {args.out / 's400_vs_patriot.png'}, "
          f"{args.store.parent / 'compare_report.html'}")
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
