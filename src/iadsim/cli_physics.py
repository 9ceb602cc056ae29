"""``iadsim coverage``: what each radar of a scenario sees, from how far (registers itself on ``iadsim.cli.app``)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np
import typer
from rich import box
from rich.table import Table

from iadsim.cli import _fail, _load, app, out

def _threat_table(name, rows) -> Table:
    table = Table(title=f"{name}: detection range (km) vs threat (nose-on, band RCS factor applied)", box=box.SIMPLE_HEAD)
    for col in ("radar", "band", "threat", "RCS m² (×factor)", "alt m", "Pd", "free space km", "range km"):
        table.add_column(col, justify="left" if col in ("radar", "band", "threat") else "right", overflow="fold",
                         no_wrap=col in ("radar", "threat"))
    for r in rows:
        limited = r.range_m < r.free_space_m - 1e-6
        table.add_row(r.radar, r.band, r.threat, f"{r.rcs_m2:g} (×{r.band_factor:g})", f"{r.alt_m:g}", f"{r.pd:g}",
                      f"{r.free_space_m / 1e3:.1f}", f"[bold]{r.range_m / 1e3:.1f}[/]" + ("*" if limited else ""))
    return table


DWELL_NOTE = ("Pd of one dwell (the radar's n_pulses non-coherently integrated, its Pfa, Swerling 1), not cumulative "
              "over scans; 'horizon' is the effective-earth line of sight (k = 1.3306) between the antenna and the "
              "target altitude; 'range' = min(free space, horizon, instrumented range). The RCS is the one seen in the radar's band "
              "(threat band factors are not applied to --rcs values; --threat applies them).")


def _floats(text: str, what: str, low: float, high: float = np.inf, open_low=True, open_high=True) -> list[float]:
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        _fail(f"{what}: expected comma-separated numbers, got {text!r}")
    if not vals:
        _fail(f"{what}: expected at least one number")
    for v in vals:
        bad_low = v <= low if open_low else v < low
        bad_high = v >= high if open_high else v > high
        if not np.isfinite(v) or bad_low or bad_high:
            lo, hi = ("(" if open_low else "[") + f"{low:g}", f"{high:g}" + (")" if open_high else "]")
            _fail(f"{what}: {v:g} is outside the allowed range {lo}, {hi}")
    return vals


@app.command()
def coverage(files: List[Path] = typer.Argument(..., help="scenario YAML file(s); two with --compare"),
             rcs: str = typer.Option("0.001,0.1,2,100", "--rcs", help="target RCS values, m² (> 0)"),
             alt: str = typer.Option("50,1000,10000", "--alt", help="target altitudes above the ground, m (>= 0)"),
             pd: str = typer.Option("0.5,0.9", "--pd", help="detection probabilities per dwell, in (0, 1)"),
             map_rcs: str = typer.Option("0.01,0.1,1,10", "--map-rcs", help="RCS values of the footprint map, m² (one colour each)"),
             map_alt: str = typer.Option("50,1000,10000", "--map-alt", help="target altitudes of the footprint map, m (one panel each)"),
             threat: str = typer.Option("", "--threat",
                                        help="catalog threats (comma-separated): range against each one's nose, with "
                                             "its band RCS factor and Swerling model, as a run sees it"),
             compare: bool = typer.Option(False, "--compare", help="also plot detection range vs RCS of two scenarios"),
             out_dir: Optional[Path] = typer.Option(None, "--out", help="output directory (default runs/coverage_<name>)")):
    """Detection range of every radar vs RCS and altitude (table), footprint map (PNG, HTML), comparison plot."""
    from iadsim.compile import compile_scenario
    from iadsim.report import coverage as cov

    rcs_m2 = _floats(rcs, "--rcs", 0.0)
    alts_m = _floats(alt, "--alt", 0.0, open_low=False)
    pds = _floats(pd, "--pd", 0.0, 1.0)
    map_rcs_m2 = _floats(map_rcs, "--map-rcs", 0.0)
    map_alts_m = _floats(map_alt, "--map-alt", 0.0, open_low=False)
    threats = [t.strip() for t in threat.split(",") if t.strip()]
    from iadsim import catalog

    for t in threats:
        if t not in catalog.names("threats"):
            _fail(f"--threat: unknown threat {t!r}{catalog.suggest(t, catalog.names('threats'))}; "
                  f"known: {', '.join(catalog.names('threats'))}")
    if compare and len(files) != 2:
        _fail(f"--compare needs exactly two scenario files, got {len(files)}")
    worlds = {}
    for f in files:
        sc = _load(f)
        worlds[sc.name] = compile_scenario(sc).world
    names = list(worlds)
    target = out_dir or Path("runs") / ("coverage_" + "_vs_".join(names))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot create {target}: {exc.strerror or exc}", code=1)
    written = []
    for name, world in worlds.items():
        table = Table(title=f"{name}: detection range (km) vs RCS and target altitude", box=box.SIMPLE_HEAD)
        for col in ("unit", "radar", "RCS m²", "alt m", "Pd", "free space km", "horizon km", "range km"):
            table.add_column(col, justify="right" if col not in ("unit", "radar") else "left", overflow="fold",
                             no_wrap=col in ("unit", "radar"))
        for row in cov.coverage_table(world, rcs_m2, alts_m, pds):
            limited = row.range_m < row.free_space_m - 1e-6
            table.add_row(row.unit, row.radar, f"{row.rcs_m2:g}", f"{row.alt_m:g}", f"{row.pd:g}",
                          f"{row.free_space_m / 1e3:.1f}", f"{row.horizon_m / 1e3:.1f}",
                          f"[bold]{row.range_m / 1e3:.1f}[/]" + ("*" if limited else ""))
        out.print(table)
        if threats:
            out.print(_threat_table(name, cov.threat_coverage_table(world, threats, alts_m, pds)))
        from iadsim.report.ea_section import coverage_rows  # jammed coverage (issue 18)

        jammed = coverage_rows(world, rcs_m2, pds[0])
        if jammed:
            jt = Table(title=f"{name}: burn-through range (km) against each jammer, Pd {pds[0]:g}, Swerling 1",
                       box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False, caption="SSJ: self-screening (on the target, main lobe); SOJ: stand-off with "
                       "the jammer on its station (side lobes), which is 'station' km away")
            for col in ("unit", "radar", "jammer", "kind", "RCS m²", "SSJ km", "SOJ km", "station km"):
                jt.add_column(col, justify="left" if col in ("unit", "radar", "kind") else "right", no_wrap=True)
            for b in jammed:
                jt.add_row(b["unit"], b["radar"], str(b["jammer_row"]), b["kind"], f"{b['rcs_m2']:g}", f"{b['ssj_m'] / 1e3:.1f}",
                           f"{b['soj_m'] / 1e3:.1f}", f"{b['start_m'] / 1e3:.1f}")
            out.print(jt)
        suffix = "" if len(worlds) == 1 else f"_{name}"
        png, html = target / f"coverage_map{suffix}.png", target / f"coverage_map{suffix}.html"
        cov.map_png(world, png, map_rcs_m2, map_alts_m, pds[0], name)
        cov.map_html(world, html, map_rcs_m2, map_alts_m, pds[0], name)
        written += [png, html]
        if jammed:
            from iadsim.report.ea_section import jammed_map_png

            rcs_j = sorted(rcs_m2)[len(rcs_m2) // 2]
            jpng = target / f"jammed_coverage{suffix}.png"
            jammed_map_png(world, jpng, jammed, float(rcs_j), pds[0], name)
            written.append(jpng)
        from iadsim.report import coverage_terrain  # with a DEM: low-level coverage and masking profile

        written += coverage_terrain.cli_outputs(world, target, suffix, name, min(alts_m),
                                                sorted(map_rcs_m2)[len(map_rcs_m2) // 2], pds[0], out)
    written.append(target / "plotly.min.js")  # written once beside the map pages, which load it (offline)
    out.print(f"{DWELL_NOTE} * = limited by the horizon or the instrumented range.", highlight=False, soft_wrap=True)
    if compare:
        png = target / "compare.png"
        cov.compare_png(worlds, png, alts_m, pd=pds[0])
        written.append(png)
    out.print("Wrote " + ", ".join(str(p) for p in written), highlight=False, soft_wrap=True)
