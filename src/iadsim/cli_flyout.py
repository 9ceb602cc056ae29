"""``iadsim envelope``: a missile's intercept envelope from the 3-DOF flyout model.

Registers itself on :data:`iadsim.cli.app` when imported (``cli._register_commands``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.table import Table

from iadsim import catalog
from iadsim.cli import _fail, app, out

FAST = dict(n_coarse=14, n_refine=4, dt_s=0.1)  # the model's 20 default altitudes, 100 m to 30 km
SHORT = {"approaching": "appr.", "crossing": "cross.", "receding": "rec."}  # aspect column labels
FINE = dict(n_coarse=28, n_refine=8, dt_s=0.05)  # the same altitudes, finer sweeps and step


def _missile_params(system: str, missile: str):
    """Catalog system and one of its missiles -> flyout parameters; exits 2 with suggestions."""
    systems = catalog.names("systems")
    if system not in systems:
        _fail(f"unknown system {system!r}{catalog.suggest(system, systems)}; known: {', '.join(systems)}")
    loadout = [e["missile"] for e in catalog.profile("systems", system)["loadout"]]
    if missile not in loadout:
        _fail(f"{system} has no missile {missile!r}{catalog.suggest(missile, loadout)}; its missiles: {', '.join(loadout)}")
    from iadsim.flyout.params import list_interceptors, load_interceptor_params

    if missile not in list_interceptors():
        _fail(f"missile {missile!r} has no flyout figures in the catalog; "
              f"available: {', '.join(list_interceptors())}")
    return load_interceptor_params(missile)


def _km(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{x / 1000.0:.1f}"


@app.command()
def envelope(system: str = typer.Argument(..., help="catalog system, e.g. s400 or patriot (iadsim catalog)"),
             missile: str = typer.Option(..., "--missile", help="one of the system's missiles, e.g. 48N6E3, 40N6, PAC-3-MSE"),
             target_speed: float = typer.Option(250.0, "--target-speed", min=1.0, help="straight-flying target speed, m/s"),
             json_file: Optional[Path] = typer.Option(None, "--json", help="write the table and max_range_km as JSON"),
             plot: Optional[Path] = typer.Option(None, "--plot", help="write a PNG of range vs altitude"),
             fine: bool = typer.Option(False, "--fine", help="finer range sweeps and flyout step (about 5× slower)")):
    """Max/min intercept range vs target altitude and aspect, flown with the 3-DOF flyout model."""
    from iadsim.flyout.envelope import compute_envelope, envelope_to_json, plot_envelope

    params = _missile_params(system, missile)
    env = compute_envelope(params, target_speed, **(FINE if fine else FAST))
    table = Table(title=f"{system} {missile}: intercept ground range (km) vs a {target_speed:g} m/s target "
                        f"(model fitted to public figures)",
                  caption="appr. = target flying at the launcher, cross. = passing abeam, rec. = flying away; — = no intercept; "
                          "* = some launches inside the span failed (gaps below)")
    table.add_column("altitude (m)", justify="right")
    for asp in env.aspects:
        table.add_column(f"{SHORT[asp]} max", justify="right")
        table.add_column(f"{SHORT[asp]} min", justify="right")
    for i, alt in enumerate(env.altitudes_m):
        gap = lambda j: "*" if env.gaps_m[i][j] else ""  # noqa: E731
        table.add_row(f"{alt:,.0f}", *[v for j in range(len(env.aspects))
                                       for v in (_km(env.max_range_m[i, j]) + gap(j), _km(env.min_range_m[i, j]))])
    out.print(table)
    for i, alt in enumerate(env.altitudes_m):
        for j, asp in enumerate(env.aspects):
            if env.gaps_m[i][j]:
                spans = "; ".join(f"{a / 1000.0:.1f} and {b / 1000.0:.1f} km" for a, b in env.gaps_m[i][j])
                out.print(f"  gap at {alt:,.0f} m, {asp}: launches failed between the intercepts at {spans}",
                          highlight=False)
    out.print(f"max range (approaching, best altitude {env.best_altitude_m:,.0f} m): {env.max_range_km:.1f} km; "
              f"catalog public figure {params.public_max_range_m / 1000.0:.0f} km; {env.n_trials} trials in "
              f"{env.compute_time_s:.1f} s", highlight=False)
    try:
        if json_file is not None:
            import json

            doc = json.loads(envelope_to_json(env))
            table_km = {"max_range_km": doc.pop("max_range_km"), "min_range_km": doc.pop("min_range_km"),
                        "gaps_km": doc.pop("gaps_km")}
            overall = doc.pop("max_range_approaching_km")
            doc = {"system": system, **doc, "max_range_km": overall,
                   "best_altitude_m": env.best_altitude_m, "public_max_range_km": params.public_max_range_m / 1000.0,
                   "table": table_km}
            json_file.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
            out.print(f"wrote {json_file}", highlight=False)
        if plot is not None:
            plot_envelope(env, plot)
            out.print(f"wrote {plot}", highlight=False)
    except OSError as exc:
        _fail(f"cannot write: {exc.strerror or exc}", code=1)
