"""The ``iadsim`` command line: run, validate, schema, catalog.

User mistakes (a wrong scenario, an unknown name) print one clear message per problem and exit
with code 2, never a traceback. The CLI only calls the public API.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Optional

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from iadsim import catalog
from iadsim.scenario import ScenarioError, load_scenario

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="iadsim: simulate an integrated air-defence system from radar to kill assessment (public-source data).")
out = Console(emoji=False)  # ":100:" in a file:line is text, not an emoji code
err = Console(stderr=True, emoji=False)


def _version(value: bool):
    if value:
        from iadsim import __version__

        out.print(f"iadsim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")):
    """iadsim: simulate an integrated air-defence system from radar to kill assessment (public-source data)."""


def _fail(message: str, code: int = 2):
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True, emoji=False)
    raise typer.Exit(code)


SLUG_MAX = 64


def slug(name: str) -> str:
    """A scenario name as one safe directory name: ASCII letters, digits, ``.``, ``_`` and ``-``.

    Names are labels, never paths: accents are dropped (``Mürted`` -> ``Murted``), every other run
    of characters, and runs of punctuation, become ``_`` (``../../x`` -> ``x``, ``/abs/path`` -> ``abs_path``), leading dots
    and separators go, the result is at most :data:`SLUG_MAX` characters, and a name with nothing
    left (``"."``) becomes ``scenario``. Output directories are ``runs/<slug>`` and
    ``studies/<slug>/``, inside the working directory; only ``--out``/``--store`` put them elsewhere.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[._-]{2,}", "_", re.sub(r"[^A-Za-z0-9._-]+", "_", text))
    text = text.lstrip("._-")[:SLUG_MAX].rstrip("._-")
    return text or "scenario"


def check_seed(seed: Optional[int]) -> None:
    """``--seed`` in [0, 2**63) (the results store's signed 64-bit column), checked before anything is written."""
    from iadsim.scenario.models import SEED_MAX

    if seed is not None and not 0 <= seed <= SEED_MAX:
        _fail(f"--seed must be a whole number in [0, 2**63), got {seed}")


def _load(path: Path):
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for problem in exc.problems:  # plain text: no rich markup ("[...]") or emoji codes (":100:") from the file
            err.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True, emoji=False)
        err.print(escape(f"{len(exc.problems)} problem(s) in {path}; nothing was run."), highlight=False, emoji=False)
        raise typer.Exit(2)


@app.command()
def validate(file: Path = typer.Argument(..., help="scenario YAML file")):
    """Check a scenario file against the schema and the catalog."""
    sc = _load(file)
    n_threats = sum(r.count * (1 + sum(rel.count for rel in r.releases)) for r in sc.raids)  # released weapons too
    out.print(f"[green]ok[/] {escape(str(file))}: {len(sc.units)} unit(s), {len(sc.assets)} asset(s), {len(sc.raids)} raid(s), "
              f"{n_threats} threat(s), {sc.time.duration_s:g} s", highlight=False)


@app.command()
def schema():
    """Print the JSON Schema of scenario files (for editors)."""
    from iadsim.scenario.models import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command("catalog")
def catalog_cmd(name: Optional[str] = typer.Argument(None, help="profile to show with every figure and its sources"),
                as_json: bool = typer.Option(False, "--json", help=(
                    "print JSON. With NAME one object {name, kind, figures: [{path, value, unit, grade, sources, "
                    "method}], sources: {KEY: {title, publisher, date, url}}}; without NAME a list of those "
                    "objects, one per profile of every kind"))):
    """List the catalog profiles, or show one with every figure (flyout ones too): value, unit,
    grade, and the sources (title, publisher, date) or the method behind it."""
    if name is None:
        if as_json:
            typer.echo(json.dumps([catalog.describe(n, kind) for kind, n, _ in catalog.catalog_table()],
                                  indent=1, ensure_ascii=False))
            return
        table = Table(title="iadsim catalog (public-source profiles)")
        for col in ("kind", "name", "title"):
            table.add_column(col)
        for kind, n, title in catalog.catalog_table():
            table.add_row(kind[:-1], n, title)
        out.print(table)
        return
    try:
        kind, prof = catalog.find(name)
    except catalog.CatalogError as exc:
        _fail(str(exc))
    doc = catalog.describe(name, kind, prof)
    if as_json:
        typer.echo(json.dumps(doc, indent=1, ensure_ascii=False))
        return
    table = Table(title=f"{kind[:-1]} {name}: {prof.get('title', '')}")
    for col in ("figure", "value", "unit", "grade", "sources", "method"):
        table.add_column(col, overflow="fold")
    for f in doc["figures"]:
        table.add_row(*(escape(str(c)) for c in (f["path"], f["value"], f["unit"], f["grade"], ", ".join(f["sources"]),
                                                 f["method"] or "")))
    out.print(table)
    others = {k: v for k, v in prof.items() if not isinstance(v, dict) and k != "title"}
    for k, v in others.items():
        out.print(f"[bold]{k}[/]: {escape(str(v))}", highlight=False)
    out.print("[bold]sources[/]:", highlight=False)
    for key, s in doc["sources"].items():
        url = f" {s['url']}" if s["url"] else ""
        out.print(escape(f"  [{key}] {s['publisher']}, \"{s['title']}\", {s['date']}.{url}"), highlight=False, soft_wrap=True)


def _print_summary(summary: dict, run_dir: Path, report: bool = True) -> None:
    tot = summary["totals"]
    out.print(f"[bold]{escape(summary['scenario'])}[/] seed {summary['seed']}: {tot['threats']} threats, "
              f"[green]{tot['killed']} killed[/], [red]{tot['leaked']} leaked[/], {tot['ended']} ended away from their target, "
              f"{tot['in_flight']} still in flight, {tot.get('not_launched', 0)} not launched by the end of the run; "
              f"{tot['rounds_fired']} interceptors fired ({tot['intercepts_hit']} hits, {tot['intercepts_missed']} misses)",
              highlight=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, caption="channels: peak in use / limit", caption_justify="left")
    for col, justify in (("unit", "left"), ("system", "left"), ("rounds fired", "left"), ("kills", "right"),
                         ("target ch.", "right"), ("missile ch.", "right")):
        table.add_column(col, justify=justify, overflow="fold")
    for u in summary["units"]:
        fired = "\n".join(f"{k} {v}" for k, v in u["rounds_fired"].items()) or "–"
        table.add_row(escape(u["name"]), escape(u["system"]), escape(fired), str(u["kills"]),
                      f"{u['targets_engaged_peak']}/{u['channels']['targets']}", f"{u['missiles_guided_peak']}/{u['channels']['missiles']}")
    out.print(table)
    if summary["assets"]:
        out.print("leakers per asset: " + ", ".join(f"{escape(a['name'])} {a['leakers']}" for a in summary["assets"]),
                  highlight=False, emoji=False)
    files = ["summary.json", "events.parquet"] + (["report.html"] if report else []) + ["replay.czml", "replay.acmi", "replay.kml"]
    out.print(escape(f"Wrote {run_dir}/: {', '.join(files)}"), highlight=False)


@app.command()
def run(file: Path = typer.Argument(..., help="scenario YAML file"),
        out_dir: Optional[Path] = typer.Option(None, "--out", help="run directory (default runs/<slug of the scenario name>)"),
        seed: Optional[int] = typer.Option(None, "--seed", help="override the scenario's seed, in [0, 2**63)"),
        no_report: bool = typer.Option(False, "--no-report", help="skip report.html")):
    """Run one scenario and write events.parquet, summary.json and report.html."""
    from iadsim.engine import simulate
    from iadsim.output import write_run

    check_seed(seed)
    sc = _load(file)
    run_dir = out_dir or Path("runs") / slug(sc.name)
    with Progress(TextColumn("[bold]simulating[/]"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as bar:
        task = bar.add_task("run", total=None)

        def progress(k, n):
            bar.update(task, completed=k + 1, total=n + 1)

        result = simulate(sc, seed=seed, progress=progress)
    try:
        write_run(result, run_dir, report=not no_report)
    except OSError as exc:
        _fail(f"cannot write the run to {run_dir}: {exc.strerror or exc}", code=1)
    _print_summary(result.summary, run_dir, report=not no_report)


def _register_commands() -> None:
    """Commands that live in their own modules register themselves on ``app`` when imported."""
    import importlib

    for module in ("iadsim.cli_study", "iadsim.cli_outputs", "iadsim.cli_physics", "iadsim.cli_flyout",
                   "iadsim.cli_exposure"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_register_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; files already written are complete, the rest were not written")
        sys.exit(130)


if __name__ == "__main__":
    main()
