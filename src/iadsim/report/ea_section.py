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


def jammed_map_png(world, path, rows: list[dict], rcs_m2: float, pd: float, title: str) -> None:
    """``iadsim coverage`` with jammers: for one RCS, each radar's burn-through range against each
    jammer (:func:`coverage_rows`: solid = stand-off, with the jammer on its station; dotted =
    self-screening) on the Natural Earth basemap, the jammers' stations marked and joined to the
    radars they jam (the strobe bearing). Inside a ring the radar detects that target at ``pd`` per
    dwell despite that jammer (J >> N; ranges beyond the radar's reach are drawn as computed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iadsim import geo
    from iadsim.report import basemap, palette
    from iadsim.report.coverage import basemap_axes
    from iadsim.report.run_map import _ring

    o, rd, th = world.origin, world.radars, world.threats
    rows = [b for b in rows if b["rcs_m2"] == rcs_m2]
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    lons, lats, handles = [], [], []
    colours = plt.get_cmap("tab10").colors
    for k, b in enumerate(rows):
        r = rd.name.index(b["radar"])
        c = colours[r % len(colours)]
        for key, ls in (("soj_m", "-"), ("ssj_m", ":")):
            if b[key] > 0:
                x, y = _ring(rd.pos_enu_m[r], b[key], o)
                ax.plot(x, y, ls, color=c, lw=1.5, zorder=3)
                lons.append(x), lats.append(y)
        station = th.knot_pos_enu_m[th.route_idx[b["jammer_row"]], 0]
        x, y = _ring(station, 0.0, o, n=2)
        ax.plot(x[:1], y[:1], "*", color="#c2255c", ms=12, zorder=4)
        sx, sy = _ring(rd.pos_enu_m[r], 0.0, o, n=2)
        ax.plot([sx[0], x[0]], [sy[0], y[0]], color="#c2255c", lw=0.6, alpha=0.6, zorder=2)
        lons.append(x), lats.append(y)
        handles.append(plt.Line2D([], [], color=c, lw=1.5, label=f"{b['unit']} {b['radar']} vs jammer #{b['jammer_row']} "
                                  f"({b['kind']}): {b['soj_m'] / 1e3:.0f} km stand-off, {b['ssj_m'] / 1e3:.0f} km self-screening"))
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    pad = 0.5
    view = (np.nanmin(lon) - pad, np.nanmax(lon) + pad, np.nanmin(lat) - pad, np.nanmax(lat) + pad)
    basemap_axes(ax, view, o.lat_rad)
    site_lat, site_lon, _ = geo.enu_to_geodetic(rd.pos_enu_m, o)
    ax.plot(np.degrees(site_lon), np.degrees(site_lat), "^", color=palette.UNIT_COLOUR, ms=9, zorder=5)
    handles += [plt.Line2D([], [], color="#495057", ls=":", label="dotted: self-screening (jammer on the target)"),
                plt.Line2D([], [], color="#c2255c", marker="*", ls="", ms=10, label="jammer station (route start)"),
                plt.Line2D([], [], color=palette.UNIT_COLOUR, marker="^", ls="", label="radar site")]
    ax.set_ylabel("latitude (deg N)", fontsize=8)
    ax.set_title(f"{title}: burn-through range, RCS {rcs_m2:g} m², Pd {pd:g} per dwell (Swerling 1)", fontsize=10)
    fig.legend(handles=handles, loc="lower center", ncol=1, fontsize=7, frameon=False)
    fig.text(0.99, 0.005, basemap.ATTRIBUTION, ha="right", va="bottom", fontsize=6, color="#868e96")
    fig.tight_layout(rect=(0, 0.04 + 0.028 * len(handles), 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
