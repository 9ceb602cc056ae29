"""The run report's electronic-attack section (issue 18 item 5): a map of jam strobes and burn-through
rings, per-radar emission and jamming, and the ARM end games. Empty for a run without jammers,
emission control, ARMs, releases or decoys.

Rings: for each radar and jammer, the self-screening burn-through range (the jammer on a target of
:data:`RING_RCS_M2`, main lobe) and the stand-off burn-through range at the jammer's closest
approach in the run (side lobe), Pd 0.5 per dwell, Swerling 1 (:func:`iadsim.ea.jamming.burn_through_m`).
Strobes: a line from the radar along each strobe's bearing, as far as the radar's instrumented range
(a strobe gives a bearing, not a range).
"""

from __future__ import annotations

import html as _html

import numpy as np
import plotly.graph_objects as go

from iadsim.ea import jamming

RING_RCS_M2 = 1.0  # reference target of the burn-through rings
STROBE_LINES = 300  # most strobe lines drawn


def _has_ea(result) -> bool:
    w = result.compiled.world
    kinds = set(result.events.array("kind").tolist())
    return bool(jamming.of(w) is not None or kinds & {"radar_on", "radar_off", "radar_killed", "arm_miss", "release"}
                or any(t.get("decoy") for t in result.summary["threats"]))


def burn_through_rings(result) -> list[dict]:
    """One row per (radar, jammer): self-screening and stand-off burn-through ranges (m), the jammer's
    closest range (m) in the run, and its kind."""
    w = result.compiled.world
    jam = jamming.of(w)
    if jam is None:
        return []
    rd = w.radars
    pos, act = result.threat_pos_enu_m, result.threat_active
    rows = []
    for j, row in enumerate(jam.threat_idx.tolist()):
        seen = act[:, row] if len(act) else np.zeros(0, bool)
        for r in range(len(rd.name)):
            near = float(np.linalg.norm(pos[seen, row] - rd.pos_enu_m[r], axis=1).min()) if seen.any() else None
            rows.append(dict(radar=r, jammer_row=row, kind=jam.kind[j], closest_m=near,
                             ssj_m=jamming.burn_through_m(rd, r, jam, j, RING_RCS_M2),
                             soj_m=None if near is None else jamming.burn_through_m(rd, r, jam, j, RING_RCS_M2,
                                                                                    jammer_range_m=near)))
    return rows


def figure(result) -> go.Figure:
    from iadsim.report.run_map import _basemap_traces, _lonlat, _ring

    comp, w = result.compiled, result.compiled.world
    o, rd = comp.origin, w.radars
    fig = go.Figure()
    for b in burn_through_rings(result):
        r = b["radar"]
        for key, dash, what in (("ssj_m", "dot", "self-screening"), ("soj_m", "dash", "stand-off at its closest")):
            if b[key]:
                lon, lat = _ring(rd.pos_enu_m[r], b[key], o)
                fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1, dash=dash),
                                name=f"{rd.name[r]} burn-through vs jammer #{b['jammer_row']} ({what}, "
                                     f"{RING_RCS_M2:g} m²): {b[key] / 1e3:.0f} km")
    ev = result.events
    sel = np.flatnonzero(ev.array("kind") == "jammed")
    if sel.size:
        sel = sel[:: max(1, sel.size // STROBE_LINES)]
        names = np.asarray(ev.array("radar"), object)[sel]
        brg = np.radians(ev.array("bearing_deg")[sel])
        parts = []
        for name, b in zip(names, brg):
            r = rd.name.index(name)
            end = rd.pos_enu_m[r] + rd.max_range_m[r] * np.array([np.sin(b), np.cos(b), 0.0])
            parts.append(np.vstack([rd.pos_enu_m[r], end, np.full(3, np.nan)]))
        pts = np.vstack(parts)
        ok = ~np.isnan(pts[:, 0])
        lon, lat = np.full(len(pts), np.nan), np.full(len(pts), np.nan)
        lon[ok], lat[ok] = _lonlat(pts[ok], o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=0.6, color="#c2255c"),
                        name=f"jam strobes (1 in {max(1, np.flatnonzero(ev.array('kind') == 'jammed').size // STROBE_LINES)})")
    lon, lat = _lonlat(rd.pos_enu_m, o)
    fig.add_scatter(x=lon, y=lat, mode="markers+text", text=rd.name, textposition="bottom center",
                    marker=dict(symbol="triangle-up", size=10, color="#1864ab"), name="radars")
    xs = np.concatenate([np.asarray(t.x, float) for t in fig.data])
    ys = np.concatenate([np.asarray(t.y, float) for t in fig.data])
    n_data = len(fig.data)
    _basemap_traces(fig, (np.nanmin(xs) - 0.5, np.nanmax(xs) + 0.5, np.nanmin(ys) - 0.5, np.nanmax(ys) + 0.5), "x", "y",
                    True)  # the run map's Natural Earth coastlines and borders, drawn under the data
    fig.data = fig.data[n_data:] + fig.data[:n_data]
    fig.update_xaxes(range=[np.nanmin(xs) - 0.2, np.nanmax(xs) + 0.2])
    fig.update_yaxes(range=[np.nanmin(ys) - 0.2, np.nanmax(ys) + 0.2])
    fig.update_layout(title="Jam strobes and burn-through rings", height=620, xaxis_title="longitude (deg E)",
                      yaxis_title="latitude (deg N)", legend=dict(font=dict(size=10)))
    fig.update_yaxes(scaleanchor="x", scaleratio=1.0 / np.cos(o.lat_rad))
    return fig


def html(result) -> str:
    """The section's HTML (a heading, the map, the tables), or '' when the run has nothing of issue 18."""
    if not _has_ea(result):
        return ""
    from iadsim.report.run_report import _table  # late: run_report imports this module

    s = result.summary
    radar_rows = [[r["name"], r["unit"] or "", f"{r['emitting_s']:.0f}", f"{r['jammed_s']:.0f}",
                   "yes" if r["killed"] else "no", "" if r["killed_s"] is None else f"{r['killed_s']:.1f}"]
                  for r in s.get("radars", [])]
    ev = result.events
    kinds = ev.array("kind")
    arm_rows = [[f"{ev['t_s'][i]:.1f}", ev["kind"][i], ev["radar"][i], ev["threat_id"][i],
                 f"{ev['miss_distance_m'][i]:.1f}", f"{ev['p_kill'][i]:.4f}", ev["detail"][i]]
                for i in np.flatnonzero((kinds == "radar_killed") | (kinds == "arm_miss")).tolist()]
    decoys = [t for t in s["threats"] if t.get("decoy")]
    parts = ["<h2>Electronic attack and emission control</h2>",
             '<p class="note">Jam strobes are bearings only; the tracker does not use them. Rings: burn-through '
             f"range (Pd 0.5 per dwell, Swerling 1, {RING_RCS_M2:g} m² target) against each jammer, self-screening "
             "(main lobe) and stand-off at the jammer's closest approach (average side lobe).</p>",
             figure(result).to_html(full_html=False, include_plotlyjs=False, div_id="ea_map"),
             _table(radar_rows, ["radar", "unit", "radiating (s)", "jammed (s)", "killed", "killed at (s)"])]
    if arm_rows:
        parts.append(_table(arm_rows, ["t (s)", "end game", "radar", "ARM", "miss (m)", "P(kill)", "guidance"]))
    if decoys:
        parts.append(f"<p>{len(decoys)} decoys drew {s['totals'].get('rounds_on_decoys', 0)} rounds "
                     f"({_html.escape(', '.join(sorted({t['raid'] for t in decoys})))}).</p>")
    return "\n".join(parts)


def coverage_rows(world, rcs_m2, pd: float = 0.5) -> list[dict]:
    """For ``iadsim coverage``: per radar, jammer and RCS, the self-screening burn-through range and the
    stand-off one with the jammer where its route starts (its station; m). [] without jammers."""
    jam = jamming.of(world)
    if jam is None:
        return []
    rd, th = world.radars, world.threats
    rows = []
    for j, row in enumerate(jam.threat_idx.tolist()):
        start = th.knot_pos_enu_m[th.route_idx[row], 0]
        for r in range(len(rd.name)):
            near = float(np.linalg.norm(start - rd.pos_enu_m[r]))
            for s in np.atleast_1d(rcs_m2):
                rows.append(dict(unit=world.units.name[rd.unit_idx[r]] if rd.unit_idx[r] >= 0 else "", radar=rd.name[r],
                                 jammer_row=row, kind=jam.kind[j], rcs_m2=float(s), start_m=near,
                                 ssj_m=jamming.burn_through_m(rd, r, jam, j, float(s), pd),
                                 soj_m=jamming.burn_through_m(rd, r, jam, j, float(s), pd, jammer_range_m=near)))
    return rows
