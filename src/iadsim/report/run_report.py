"""The run report: a map of sites, routes, tracks and intercepts, the engagement timeline,
the outcome table, channel and inventory use, and the catalog sources used with their grades.

One HTML file with Plotly's JavaScript embedded once, so it opens offline. The map is drawn on
longitude/latitude axes with the aspect set by cos(latitude) (no tile server, no CDN).
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from iadsim import catalog, geo

FATE_COLOURS = {"killed": "#2b8a3e", "leaked": "#c92a2a", "in_flight": "#868e96", "not_launched": "#ced4da"}


def _lonlat(pos_enu_m, origin):
    lat, lon, _ = geo.enu_to_geodetic(pos_enu_m, origin)
    return np.atleast_1d(np.degrees(lon)), np.atleast_1d(np.degrees(lat))


def _ring(centre_enu_m, radius_m, origin, n=120):
    """A circle of ground radius around a site, as lon/lat (flat ENU circle, fine for a picture)."""
    a = np.linspace(0, 2 * np.pi, n)
    pts = centre_enu_m + radius_m * np.stack([np.sin(a), np.cos(a), np.zeros_like(a)], axis=-1)
    return _lonlat(pts, origin)


def map_figure(result) -> go.Figure:
    comp, w = result.compiled, result.compiled.world
    o = comp.origin
    fig = go.Figure()
    for i, name in enumerate(w.radars.name):
        lon, lat = _ring(w.radars.pos_enu_m[i], w.radars.max_range_m[i], o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1, dash="dot", color="#1971c2"),
                        name=f"{w.units.name[w.radars.unit_idx[i]]} {name} instrumented range", legendgroup="rings")
    for j, name in enumerate(w.weapons.name):
        lon, lat = _ring(w.units.pos_enu_m[w.weapons.unit_idx[j]], w.weapons.max_range_m[j], o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1, color="#e8590c"), name=f"{name} max range",
                        legendgroup="rings")
    classes = np.array(comp.threat_classes)
    pos = result.threat_pos_enu_m
    for cls in dict.fromkeys(classes):
        xs, ys = [], []
        for i in np.flatnonzero(classes == cls):
            act = result.threat_active[:, i]
            if act.any():
                lon, lat = _lonlat(pos[act, i], o)
                xs += list(lon) + [None]
                ys += list(lat) + [None]
        fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(width=1.5), name=f"route: {cls}")
    ts = result.track_samples
    if len(ts["t_s"]):
        every = max(1, len(ts["t_s"]) // 4000)
        lon, lat = _lonlat(ts["pos_enu_m"][::every], o)
        fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(size=2, color="#495057"), name="confirmed tracks")
    ev = result.events
    kinds = np.array(ev["kind"])
    xyz = np.column_stack([ev["x_m"], ev["y_m"], ev["z_m"]]) if len(kinds) else np.zeros((0, 3))
    for kind, sym, col in (("intercept_hit", "x", "#2b8a3e"), ("intercept_miss", "circle-open", "#f08c00"),
                           ("leak", "star", "#c92a2a")):
        sel = kinds == kind
        if sel.any():
            lon, lat = _lonlat(xyz[sel], o)
            fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(symbol=sym, size=9, color=col), name=kind)
    lon, lat = _lonlat(w.assets.pos_enu_m, o)
    fig.add_scatter(x=lon, y=lat, mode="markers+text", text=w.assets.name, textposition="top center",
                    marker=dict(symbol="square", size=10, color="#5f3dc4"), name="defended assets")
    lon, lat = _lonlat(w.units.pos_enu_m, o)
    fig.add_scatter(x=lon, y=lat, mode="markers+text", text=w.units.name, textposition="bottom center",
                    marker=dict(symbol="triangle-up", size=12, color="#1864ab"), name="air-defence units")
    fig.update_layout(title="Sites, routes, tracks and intercepts", height=720, xaxis_title="longitude (deg E)",
                      yaxis_title="latitude (deg N)", legend=dict(font=dict(size=10)))
    fig.update_yaxes(scaleanchor="x", scaleratio=1.0 / np.cos(o.lat_rad))
    return fig


def timeline_figure(result) -> go.Figure:
    """Gantt-like engagement timeline: one row per threat, first detection to fate."""
    s = result.summary
    fig = go.Figure()
    labels = [f"{t['id']:>3} {t['threat']} ({t['raid']})" for t in s["threats"]]
    for fate, colour in FATE_COLOURS.items():
        rows = [t for t in s["threats"] if t["fate"] == fate and t["first_detect_s"] is not None]
        if rows:
            end = [t["t_s"] if t["t_s"] is not None else s["duration_s"] for t in rows]
            fig.add_bar(y=[labels[t["id"]] for t in rows], x=[e - t["first_detect_s"] for e, t in zip(end, rows)],
                        base=[t["first_detect_s"] for t in rows], orientation="h", marker_color=colour, opacity=0.5,
                        name=f"detected → {fate}")
    ev = result.events
    kinds, tid, t_s = np.array(ev["kind"]), np.array(ev["threat_id"]), np.array(ev["t_s"])
    for kind, sym, col in (("track_confirmed", "line-ns-open", "#1971c2"), ("launch", "triangle-right", "#e8590c"),
                           ("intercept_hit", "x", "#2b8a3e"), ("intercept_miss", "circle-open", "#f08c00"),
                           ("leak", "star", "#c92a2a")):
        sel = (kinds == kind) & (tid >= 0)
        if sel.any():
            fig.add_scatter(x=t_s[sel], y=[labels[i] for i in tid[sel]], mode="markers",
                            marker=dict(symbol=sym, size=9, color=col, line=dict(width=2, color=col)), name=kind)
    fig.update_layout(title="Engagement timeline (per threat)", barmode="overlay", xaxis_title="time (s)",
                      height=max(400, 22 * len(labels) + 150), yaxis=dict(autorange="reversed", type="category"))
    return fig


def resources_figure(result) -> go.Figure:
    """Interceptors in the air and rounds left over time, per unit."""
    w = result.compiled.world
    fig = go.Figure()
    isamp = result.interceptor_samples
    for u, name in enumerate(w.units.name):
        counts = np.array([np.sum((isamp["t_s"] == t) & (isamp["unit"] == u)) for t in result.t_s]) if len(isamp["t_s"]) else np.zeros(len(result.t_s))
        fig.add_scatter(x=result.t_s, y=counts, mode="lines", name=f"{name}: interceptors in flight")
        fig.add_hline(y=int(w.units.channels_missiles[u]), line_dash="dot", annotation_text=f"{name} missile channels")
    ev = result.events
    kinds, t_s, units = np.array(ev["kind"]), np.array(ev["t_s"]), np.array(ev["unit"])
    total = {n: sum(int(w.weapons.rounds[j]) for j in np.flatnonzero(w.weapons.unit_idx == u)) for u, n in enumerate(w.units.name)}
    for name in w.units.name:
        launch_t = np.sort(t_s[(kinds == "launch") & (units == name)])
        fig.add_scatter(x=np.concatenate([[0.0], launch_t, [result.t_s[-1]]]),
                        y=np.concatenate([[total[name]], total[name] - np.arange(1, launch_t.size + 1), [total[name] - launch_t.size]]),
                        mode="lines", line_shape="hv", name=f"{name}: ready rounds")
    fig.update_layout(title="Channel and inventory use", xaxis_title="time (s)", yaxis_title="count", height=420)
    return fig


def _table(rows: list[list], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sources_rows(result) -> list[list]:
    rows = []
    sc = result.scenario
    seen = set()
    for unit in sc.units:
        prof = catalog.profile("systems", unit.system)
        items = [("systems", unit.system, prof)] + [("radars", r, catalog.profile("radars", r)) for r in prof["radars"]] \
            + [("missiles", e["missile"], catalog.profile("missiles", e["missile"])) for e in prof["loadout"]]
        for kind, name, p in items:
            if (kind, name) not in seen:
                seen.add((kind, name))
                rows += _quantity_rows(name, p)
    for raid in sc.raids:
        if ("threats", raid.threat) not in seen:
            seen.add(("threats", raid.threat))
            rows += _quantity_rows(raid.threat, catalog.profile("threats", raid.threat))
    return rows


def _quantity_rows(name, node, prefix=""):
    rows = []
    for key, val in node.items():
        if catalog.is_quantity(val):
            rows.append([name, prefix + key, val["value"], val["unit"], val.get("grade", ""), ", ".join(val.get("src", [])),
                         val.get("note", "")])
        elif isinstance(val, dict):
            rows += _quantity_rows(name, val, prefix + key + ".")
    return rows


CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#212529}table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:left}th{background:#f1f3f5}.kpi{display:inline-block;margin:0 1.5em 1em 0}
.kpi b{font-size:1.6em;display:block}.note{color:#868e96;font-size:12px}"""


def render_run_report(result) -> str:
    """The whole report as one HTML string."""
    s = result.summary
    tot = s["totals"]
    kpis = "".join(f'<div class="kpi"><b>{v}</b>{html.escape(k.replace("_", " "))}</div>' for k, v in tot.items())
    outcome_rows = [[t["id"], t["raid"], t["threat"], t["target"], t["fate"], _fmt(t["t_s"]), t["killed_by"] or "",
                     t["rounds_spent"], _fmt(t["first_detect_s"]), _fmt(t["first_track_s"])] for t in s["threats"]]
    unit_rows = [[u["name"], u["system"], u["rounds_fired"], u["rounds_left"], u["kills"],
                  f"{u['targets_engaged_peak']}/{u['channels']['targets']}", f"{u['missiles_guided_peak']}/{u['channels']['missiles']}",
                  u["channels_saturated_s"]] for u in s["units"]]
    figs = [map_figure(result), timeline_figure(result), resources_figure(result)]
    divs = "\n".join(f.to_html(full_html=False, include_plotlyjs=False, div_id=i)
                     for f, i in zip(figs, ("map", "timeline", "resources")))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>iadsim run: {html.escape(s['scenario'])} (seed {s['seed']})</title><style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{html.escape(s['scenario'])} <small>seed {s['seed']}, iadsim {html.escape(s['iadsim_version'])}</small></h1>
<p>{html.escape(result.scenario.description)}</p>
<p class="note">Simulation from public-source, graded figures (see the sources table). Not a prediction of real performance.</p>
<div>{kpis}</div>
{divs}
<h2>Outcomes per threat</h2>
{_table(outcome_rows, ["id", "raid", "threat", "target", "fate", "time (s)", "killed by", "rounds", "first detection (s)", "first track (s)"])}
<h2>Units</h2>
{_table(unit_rows, ["unit", "system", "rounds fired", "rounds left", "kills", "targets engaged peak/limit", "missiles guided peak/limit", "channels saturated (s)"])}
<h2>Catalog figures used, with grades and sources</h2>
<p class="note">Grade A: two or more independent public sources agree; B: one source; C: recalled, estimated or derived (see note). Keys refer to shared/reference/parameters.md §7.</p>
{_table(_sources_rows(result), ["profile", "field", "value", "unit", "grade", "sources", "note"])}
</body></html>"""


def _fmt(x):
    return "" if x is None else f"{x:.1f}"
