"""``iadsim exposure``: what the defence's radars see of aircraft flying given routes, weapons held.

Registers on :data:`iadsim.cli.app`. Runs the scenario once with every unit holding fire
(doctrine ``weapons_free: false``, set here whatever the file says), so each raider flies its
whole given route, then measures its exposure to every radar (:mod:`iadsim.exposure`) and writes:
the run directory (as ``iadsim run``; its report has the exposure section), ``exposure.parquet``
and ``exposure.csv`` (one row per raider and radar), ``exposure_looks.parquet`` (one row per dwell)
and ``exposure_aspect.png`` (where on the aircraft the radars looked from).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich import box
from rich.table import Table

from iadsim.cli import _fail, _load, app, check_seed, err, out, slug

TABLE_COLUMNS = (("raid", "raid"), ("threat_id", "id"), ("radar", "radar"), ("band", "band"),
                 ("time_in_coverage_s", "cover s"), ("dwells", "dwells"), ("detections", "det"),
                 ("snr_db_median", "SNR dB"), ("closest_range_km", "min km"), ("unit_track_time_s", "track s"))
TABLE_CAPTION = ("cover: time in the radar's coverage; det: dwells that detected; SNR: median dwell SNR; "
                 "min km: closest range; track: time the unit held a confirmed track")


def hold_fire(scenario):
    """The scenario with every unit's doctrine set to hold fire, and the names of units that were weapons free."""
    free = [u.name for u in scenario.units if u.doctrine.weapons_free]
    units = [u.model_copy(update={"doctrine": u.doctrine.model_copy(update={"weapons_free": False})}) for u in scenario.units]
    return scenario.model_copy(update={"units": units}), free


@app.command()
def exposure(file: Path = typer.Argument(..., help="scenario YAML file"),
             out_dir: Optional[Path] = typer.Option(None, "--out", help="directory (default runs/<slug of the name>_exposure)"),
             seed: Optional[int] = typer.Option(None, "--seed", help="override the scenario's seed, in [0, 2**63)"),
             no_report: bool = typer.Option(False, "--no-report", help="skip report.html")):
    """Measure what the radars see of raiders flying the scenario's routes with every unit holding fire:
    time in coverage, dwells, SNR, illuminated aspects and bands, track time (tables and a plot)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from iadsim import exposure as ex
    from iadsim.engine import simulate
    from iadsim.output import atomic_write, write_run
    from iadsim.report.exposure_section import aspect_png

    check_seed(seed)
    sc = _load(file)
    if not sc.units:
        _fail(f"{file}: exposure needs at least one unit (a radar to be exposed to)")
    sc, free = hold_fire(sc)
    if free:
        err.print(escape(f"note: weapons held for {', '.join(free)} (the file has them weapons free): exposure measures "
                         "the given routes flown to their end"), highlight=False, soft_wrap=True)
    run_dir = out_dir or Path("runs") / f"{slug(sc.name)}_exposure"
    result = simulate(sc, seed=seed)
    measured = ex.measure(result)
    try:
        write_run(result, run_dir, report=not no_report)
        atomic_write(run_dir / "exposure.parquet", lambda p: pq.write_table(measured.summary, p))
        atomic_write(run_dir / "exposure.csv", lambda p: pcsv.write_csv(measured.summary, p))
        atomic_write(run_dir / "exposure_looks.parquet", lambda p: pq.write_table(measured.looks, p))
        png = aspect_png(measured)
        atomic_write(run_dir / "exposure_aspect.png", lambda p: p.write_bytes(png))
    except OSError as exc:
        _fail(f"cannot write to {run_dir}: {exc.strerror or exc}", code=1)
    table = Table(title=escape(f"{sc.name}: exposure per aircraft and radar (weapons held, seed {result.seed})"),
                  box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False, caption=TABLE_CAPTION)
    for c, head in TABLE_COLUMNS:
        table.add_column(head, no_wrap=True, justify="left" if c in ("raid", "radar", "band") else "right")
    rows = measured.summary.to_pydict()
    for j in range(measured.summary.num_rows):
        table.add_row(*(escape(_cell(rows[c][j])) for c, _ in TABLE_COLUMNS))
    out.print(table)
    out.print(escape(f"Wrote {run_dir}/: exposure.parquet, exposure.csv, exposure_looks.parquet, exposure_aspect.png, "
                     f"summary.json, events.parquet{', report.html' if not no_report else ''}, replays"),
              highlight=False, soft_wrap=True)


def _cell(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if isinstance(value, float) else str(value)
