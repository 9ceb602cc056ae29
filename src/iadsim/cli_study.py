"""Study commands: ``mc`` (a Monte Carlo study), ``compare`` (alternatives with common random
numbers) and ``sweep`` (one or two scenario parameters). They register on :data:`iadsim.cli.app`.

Every input is checked before anything is written: run and worker counts, the store, the
scheduler, every sweep point. Runs are committed as they finish; Ctrl-C stops the study, keeps
the finished runs and tells how to resume.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import duckdb
import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from iadsim.cli import _fail, _load, app, check_seed, err, out, slug
from iadsim.report.study_report import (TERMINAL_DIFF_HEADER, TERMINAL_METRIC_HEADER, fmt, terminal_difference_rows,
                                       terminal_metric_rows)
from iadsim.study.execute import ExecutionError
from iadsim.study.store import Store, StoreError
from iadsim.study.study import StudyError, check_counts, run_study

RUNS = typer.Option(..., "--runs", help="number of runs (per alternative or sweep point)")
WORKERS = typer.Option(None, "--workers", help="local worker processes (default: one per CPU)")
SCHEDULER = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
SEED = typer.Option(None, "--seed", help="study seed (default: the scenario's seed)")
BATCH = typer.Option(None, "--batch-runs", help="most runs simulated together (default 64; fewer use less memory; results are the same)")
LOG_EVERY_S = 0.5  # progress lines when stderr is not a terminal


@contextmanager
def _progress(total: int, what: str):
    """A rich progress bar over runs with runs/s (this session) and ETA; yields ``update(done)``."""
    columns = (TextColumn(f"[bold]{what}[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False, disable=not err.is_terminal) as bar:
        task = bar.add_task(what, total=total, rate="")
        state = {"t0": time.perf_counter(), "start": None, "logged": time.perf_counter()}

        def update(done: int, offset: int = 0):
            if state["start"] is None:
                state["start"], state["t0"] = done + offset, time.perf_counter()
            dt = time.perf_counter() - state["t0"]
            rate = (done + offset - state["start"]) / dt if dt > 0 else 0.0
            bar.update(task, completed=done + offset, rate=f"{rate:.2f} runs/s" if rate else "")
            now = time.perf_counter()
            if not err.is_terminal and done + offset > state["start"] and (now - state["logged"] >= LOG_EVERY_S
                                                                           or done + offset == total):
                state["logged"] = now  # plain progress lines for logs and pipes (no live bar there)
                err.print(f"{what}: {done + offset}/{total} runs committed ({rate:.2f} runs/s)", highlight=False, soft_wrap=True)

        yield update


def _check_common(runs: int, workers: Optional[int], batch_runs: Optional[int] = None, seed: Optional[int] = None) -> None:
    check_seed(seed)
    try:
        check_counts(runs, workers, batch_runs)
    except StudyError as exc:
        _fail(str(exc))


@contextmanager
def _study_errors(done: dict, store: Path):
    """The exits of mc, compare and sweep: bad input 2, a dead worker 1, Ctrl-C 130 (finished runs kept)."""
    try:
        yield
    except StudyError as exc:
        _fail(str(exc))
    except (ExecutionError, StoreError) as exc:  # StoreError here: cannot create, open or write the store (OS reason)
        _fail(str(exc), code=1)
    except KeyboardInterrupt:
        _interrupted(done["n"], store)


def _interrupted(done: int, store: Path):
    err.print(escape(f"interrupted: {done} finished run(s) are committed to {store}; run the same command again to resume"),
              highlight=False, soft_wrap=True)
    raise typer.Exit(130)


def _print_metrics(stats, title: str) -> None:
    table = Table(title=escape(title), box=box.SIMPLE_HEAD)
    for col in TERMINAL_METRIC_HEADER:
        table.add_column(col, no_wrap=col == "metric")
    for row in terminal_metric_rows(stats):
        table.add_row(*(escape(str(c)) for c in row))
    out.print(table)
    if stats.n_failed:
        out.print(f"[red]{stats.n_failed} run(s) failed[/] (status 'error' in the runs table, with the traceback)")


def _check_some_ran(study, stats) -> None:
    """A study in which every run failed has no statistics: say why (the first run's error) and exit 1."""
    if len(stats.per_run.run_index) == 0 and stats.n_failed:
        errors = [e for e in study.runs.column("error").to_pylist() if e]
        last = errors[0].strip().splitlines()[-1] if errors else "no error recorded"
        study.close()
        _fail(f"every run of study {study.study_id} failed ({stats.n_failed} run(s)); the first error: {last}. "
              f"The tracebacks are in the runs table of {study.store.path}", code=1)


def _print_convergence(stats) -> None:
    conv = stats.convergence
    names = [k for k in conv if k != "n"]
    table = Table(title="Convergence: 95 % interval half-width against runs", box=box.SIMPLE_HEAD)
    table.add_column("runs")
    for k in names:
        table.add_column(k)
    for i, n in enumerate(conv["n"]):
        table.add_row(str(n), *(fmt(conv[k][i], 2) for k in names))
    out.print(table)
    out.print("Half-widths shrink as 1/√runs: 4× the runs halves them.", highlight=False)


def _open_store(path: Path) -> Store:
    """The store of compare and sweep, or one clear error (read-only place, full disk, in use)."""
    try:
        return Store(path)
    except StoreError as exc:
        _fail(str(exc), code=1)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}", code=1)


@app.command()
def mc(file: Path = typer.Argument(..., help="scenario YAML file"), runs: int = RUNS, workers: Optional[int] = WORKERS,
       scheduler: Optional[str] = SCHEDULER,
       store: Optional[Path] = typer.Option(None, "--store", help="DuckDB results store (default studies/<slug of the name>/study.duckdb)"),
       new_study: bool = typer.Option(False, "--new-study", help="add a study of another scenario or seed to an existing store"),
       export: Optional[str] = typer.Option(None, "--export", help="also write the tables as files: parquet"),
       seed: Optional[int] = SEED, no_report: bool = typer.Option(False, "--no-report", help="skip study_report.html"),
       batch_runs: Optional[int] = BATCH):
    """Run a Monte Carlo study (resumable), print statistics with 95 % intervals, write study_report.html."""
    _check_common(runs, workers, batch_runs, seed)
    if export not in (None, "parquet"):
        _fail(f"--export {export!r}: the only export format is 'parquet'")
    sc = _load(file)
    store = store or Path("studies") / slug(sc.name) / "study.duckdb"
    done = {"n": 0}
    with _progress(runs, "mc") as update:
        def progress(k, n):
            done["n"] = k
            update(k)

        with _study_errors(done, store):
            study = run_study(file, runs, workers=workers, store=store, seed=seed, scheduler=scheduler,
                              new_study=new_study, progress=progress, batch_runs=batch_runs)
    with study:
        stats = study.statistics()
        _check_some_ran(study, stats)
        _print_metrics(stats, f"{sc.name}: {len(stats.per_run.run_index)} runs, study {study.study_id}")
        held = study.runs_in_store()
        if held > runs:
            out.print(f"Statistics cover runs 0..{runs - 1} (the {runs} asked for); the store holds {held} runs of this "
                      f"study: pass --runs {held} to use them all.", highlight=False)
        _print_convergence(stats)
        written = [str(store)]
        if not no_report:
            from iadsim import __version__
            from iadsim.report.study_report import render_study_report

            report = store.parent / "study_report.html"
            meta = dict(scenario=sc.name, study_id=study.study_id, study_seed=study.study_seed, store=store, version=__version__)
            _write(report, render_study_report(meta, stats))
            written.append(str(report))
        if export:
            try:
                written += [str(p) for p in study.store.export_parquet()]
            except (OSError, duckdb.Error) as exc:
                _fail(f"cannot export the tables next to {store}: {exc}", code=1)
    out.print(escape("Wrote " + ", ".join(written)), highlight=False, soft_wrap=True)


@app.command()
def compare(files: List[Path] = typer.Argument(..., help="two or more scenario YAML files; the first is the reference"),
            runs: int = RUNS, workers: Optional[int] = WORKERS, scheduler: Optional[str] = SCHEDULER, seed: Optional[int] = SEED,
            store: Optional[Path] = typer.Option(None, "--store", help="DuckDB store (default studies/<slug of the first name>/compare.duckdb)"),
            batch_runs: Optional[int] = BATCH):
    """Compare alternatives with common random numbers: paired differences against the first, with 95 % intervals."""
    from iadsim.report.study_report import render_compare_report
    from iadsim.study.compare import paired_differences

    _check_common(runs, workers, batch_runs, seed)
    if len(files) < 2:
        _fail("compare needs at least two scenario files")
    scenarios = [_load(f) for f in files]
    labels = _labels(files)
    study_seed = scenarios[0].seed if seed is None else seed
    store = store or Path("studies") / slug(scenarios[0].name) / "compare.duckdb"
    _check_scheduler(scheduler)
    studies, done = [], {"n": 0}
    with _open_store(store) as db, _progress(runs * len(files), "compare") as update:
        with _study_errors(done, store):
            for k, (f, label) in enumerate(zip(files, labels)):
                def progress(i, n, k=k):
                    done["n"] = k * runs + i
                    update(i, k * runs)

                studies.append(run_study(f, runs, workers=workers, store=db, seed=study_seed, scheduler=scheduler,
                                         new_study=True, label=label, progress=progress, batch_runs=batch_runs))
        stats = [s.statistics() for s in studies]
        for s, st_ in zip(studies, stats):
            _check_some_ran(s, st_)
        diffs = paired_differences([s.per_run for s in stats])
    for label, rows in zip(labels[1:], diffs):
        table = Table(title=escape(f"{label} − {labels[0]} (paired over {rows[0]['n'] if rows else 0} runs, common random numbers)"))
        table.box = box.SIMPLE_HEAD
        for col in TERMINAL_DIFF_HEADER:
            table.add_column(col, no_wrap=col == "metric")
        for r in terminal_difference_rows(rows):
            table.add_row(*(escape(str(c)) for c in r))
        out.print(table)
    report = store.parent / "compare_report.html"
    _write(report, render_compare_report(labels, stats, diffs, dict(study_seed=study_seed, store=store)))
    out.print(escape(f"Wrote {store}, {report}"), highlight=False)


@app.command()
def sweep(file: Path = typer.Argument(..., help="scenario YAML file"),
          sets: List[str] = typer.Option(..., "--set", help="PATH=[v1,v2,...], e.g. units.0.overrides.launchers.count=[6,8,12]; once or twice"),
          runs: int = RUNS, workers: Optional[int] = WORKERS, scheduler: Optional[str] = SCHEDULER, seed: Optional[int] = SEED,
          store: Optional[Path] = typer.Option(None, "--store", help="DuckDB store (default studies/<slug of the name>/sweep.duckdb)"),
          batch_runs: Optional[int] = BATCH):
    """Sweep one or two scenario parameters (line plot or heat map with 95 % intervals, sweep_report.html)."""
    from iadsim.report.study_report import SWEEP_METRICS, render_sweep_report
    from iadsim.scenario import ScenarioError
    from iadsim.scenario.load import parse_yaml
    from iadsim.study.sweep import SweepError, parse_set, points

    _check_common(runs, workers, batch_runs, seed)
    sc = _load(file)
    try:
        axes = [parse_set(s) for s in sets]
        data, lines = parse_yaml(file.read_text(encoding="utf-8"), str(file))
        pts = points(data, lines, str(file), axes)
    except (SweepError, ScenarioError) as exc:
        _fail(str(exc))
    study_seed = sc.seed if seed is None else seed
    store = store or Path("studies") / slug(sc.name) / "sweep.duckdb"
    _check_scheduler(scheduler)
    stats, done = [], {"n": 0}
    with _open_store(store) as db, _progress(runs * len(pts), "sweep") as update:
        with _study_errors(done, store):
            for k, p in enumerate(pts):
                def progress(i, n, k=k):
                    done["n"] = k * runs + i
                    update(i, k * runs)

                st = run_study(p.scenario, runs, workers=workers, store=db, seed=study_seed, scheduler=scheduler,
                               new_study=True, label=p.label, yaml_text=p.yaml_text, progress=progress,
                               batch_runs=batch_runs)
                stats.append(st.statistics())
                _check_some_ran(st, stats[-1])
    table = Table(title=escape(f"{sc.name}: sweep over {', '.join(a.name for a in axes)} ({runs} runs per point)"))
    for col in [a.name for a in axes] + list(SWEEP_METRICS):
        table.add_column(escape(col))
    for p, s in zip(pts, stats):
        table.add_row(*(escape(str(v)) for v in p.values), *(escape(f"{fmt(s.row(m)['estimate'])} [{fmt(s.row(m)['lo'])}, {fmt(s.row(m)['hi'])}]")
                                 for m in SWEEP_METRICS))
    out.print(table)
    report = store.parent / "sweep_report.html"
    _write(report, render_sweep_report(axes, pts, stats, dict(scenario=sc.name, study_seed=study_seed, store=store)))
    out.print(escape(f"Wrote {store}, {report}"), highlight=False)


def _labels(files: List[Path]) -> list[str]:
    """Short unique labels: the file stems (with the parent directory when stems repeat)."""
    stems = [f.stem for f in files]
    return [f"{f.parent.name}/{f.stem}" if stems.count(f.stem) > 1 else f.stem for f in files]


def _check_scheduler(address: Optional[str]) -> None:
    """Fail before any store is written when a scheduler address is given but cannot be reached."""
    if address:
        from iadsim.study.execute import DaskCluster

        try:
            DaskCluster(address).close()
        except ExecutionError as exc:
            _fail(str(exc))
