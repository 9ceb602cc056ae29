"""The run report: a map of sites, routes, tracks and intercepts, the engagement timeline,
the outcome table, channel and inventory use, and the catalog sources used with their grades.

One HTML file with Plotly's JavaScript embedded once, so it opens offline. The map is drawn on
longitude/latitude axes with the aspect set by cos(latitude) (no tile server, no CDN). Samples are
decimated (routes to ``ROUTE_POINTS`` per threat, tracks to ``TRACK_POINTS`` and detections to
``DETECTION_POINTS`` in all, the detections hidden until picked in the legend) so the page stays
light, and fed to Plotly as arrays (gaps between routes are NaN); the Blake charts of the radars
are PNGs embedded as data URIs.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from iadsim import catalog, geo

ROUTE_POINTS = 300  # per threat on the map
TRACK_POINTS = 4000  # confirmed-track samples on the map, all tracks together
DETECTION_POINTS = 4000  # detections on the map (every n-th), all radars together
LOW_TARGET_AGL_M = 50.0  # the radar footprint drawn on the map is the line of sight to this height
BLAKE_RCS_M2 = (1.0, 0.1, 0.01)
FATE_COLOURS = {"killed": "#2b8a3e", "leaked": "#c92a2a", "ended": "#e67700", "in_flight": "#868e96",
                "not_launched": "#ced4da"}


def _lonlat(pos_enu_m, origin):
    lat, lon, _ = geo.enu_to_geodetic(pos_enu_m, origin)
    return np.atleast_1d(np.degrees(lon)), np.atleast_1d(np.degrees(lat))


def _gaps(parts, origin):
    """Polylines (list of (m, 3) ENU arrays) as one lon/lat pair of arrays, NaN between lines
    (a gap in a Plotly line), in one conversion."""
    if not parts:
        return np.zeros(0), np.zeros(0)
    lon, lat = _lonlat(np.concatenate(parts), origin)
    ends = np.cumsum([len(p) for p in parts])
    return np.insert(lon, ends, np.nan), np.insert(lat, ends, np.nan)


def _ring(centre_enu_m, radius_m, origin, n=120):
    """A circle of ground radius around a site, as lon/lat (flat ENU circle, fine for a picture)."""
    a = np.linspace(0, 2 * np.pi, n)
    pts = centre_enu_m + radius_m * np.stack([np.sin(a), np.cos(a), np.zeros_like(a)], axis=-1)
    return _lonlat(pts, origin)


def _sector(centre_enu_m, radius_m, facing_rad, width_rad, origin, n=60):
    """A sector radar's wedge (apex at the site) as lon/lat."""
    a = np.linspace(facing_rad - width_rad / 2, facing_rad + width_rad / 2, n)
    arc = centre_enu_m + radius_m * np.stack([np.sin(a), np.cos(a), np.zeros_like(a)], axis=-1)
    return _lonlat(np.vstack([centre_enu_m, arc, centre_enu_m]), origin)


def _coverage_traces(fig, w, o) -> None:
    """Radar instrumented range (sector or ring), line-of-sight footprint to a low flyer, missile rings."""
    from iadsim.physics.propagation import max_los_range_m

    for i, name in enumerate(w.radars.name):
        unit = w.units.name[w.radars.unit_idx[i]]
        sector = w.radars.az_sector_rad[i] < 2 * np.pi - 1e-6
        for radius, dash, what in ((w.radars.max_range_m[i], "dot", "instrumented range"),
                                   (min(w.radars.max_range_m[i], float(max_los_range_m(w.radars.height_m[i], LOW_TARGET_AGL_M))),
                                    "dash", f"horizon vs {LOW_TARGET_AGL_M:.0f} m target")):
            if sector:
                lon, lat = _sector(w.radars.pos_enu_m[i], radius, w.radars.facing_rad[i], w.radars.az_sector_rad[i], o)
            else:
                lon, lat = _ring(w.radars.pos_enu_m[i], radius, o)
            fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1, dash=dash, color="#1971c2"),
                            name=f"{unit} {name} {what} ({radius / 1e3:.0f} km)", legendgroup="rings")
    for j, name in enumerate(w.weapons.name):
        lon, lat = _ring(w.units.pos_enu_m[w.weapons.unit_idx[j]], w.weapons.max_range_m[j], o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1, color="#e8590c"),
                        name=f"{name} max range ({w.weapons.max_range_m[j] / 1e3:.0f} km)", legendgroup="rings")


def map_figure(result) -> go.Figure:
    comp, w = result.compiled, result.compiled.world
    o = comp.origin
    fig = go.Figure()
    _coverage_traces(fig, w, o)
    classes = np.array(comp.threat_classes)
    pos = result.threat_pos_enu_m
    for cls in dict.fromkeys(classes):
        parts = []
        for i in np.flatnonzero(classes == cls):
            act = np.flatnonzero(result.threat_active[:, i])
            if act.size:
                act = act[np.unique(np.linspace(0, act.size - 1, min(act.size, ROUTE_POINTS)).round().astype(int))]
                parts.append(pos[act, i])
        lon, lat = _gaps(parts, o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1.5), name=f"route: {cls}")
    ts = result.track_samples
    if len(ts["t_s"]):
        every = max(1, len(ts["t_s"]) // TRACK_POINTS)
        lon, lat = _lonlat(ts["pos_enu_m"][::every], o)
        fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(size=2, color="#495057"), name="confirmed tracks")
    ev = result.events
    kinds = ev.array("kind")
    xyz = np.column_stack([ev.array(c) for c in ("x_m", "y_m", "z_m")])
    det = np.flatnonzero(kinds == "detect")
    if det.size:  # hidden until asked for in the legend: every n-th detection, up to DETECTION_POINTS
        lon, lat = _lonlat(xyz[det[:: max(1, det.size // DETECTION_POINTS)]], o)
        fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(size=2, color="#adb5bd"), visible="legendonly",
                        name=f"detections (1 in {max(1, det.size // DETECTION_POINTS)})")
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


def _threat_phases(result):
    """Per threat: (start, first detection, first track, end) times in s; None where absent."""
    s = result.summary
    t = result.t_s
    phases = []
    for i, th in enumerate(s["threats"]):
        act = np.flatnonzero(result.threat_active[:, i]) if result.threat_active.size else np.zeros(0, int)
        start = float(t[act[0]]) if act.size else None
        end = th["t_s"] if th["t_s"] is not None else (float(t[act[-1]]) if act.size else None)
        phases.append((start, th["first_detect_s"], th["first_track_s"], end))
    return phases


def timeline_figure(result) -> go.Figure:
    """Gantt-like engagement timeline: one row per threat; undetected, detected and tracked phases,
    launches at it, and its outcome."""
    s = result.summary
    fig = go.Figure()
    labels = [f"{t['id']:>3} {t['threat']} ({t['raid']})" for t in s["threats"]]
    phases = _threat_phases(result)
    segments = (("in flight, undetected", "#dee2e6", 0, (1, 2, 3)), ("detected, no track", "#ffd8a8", 1, (2, 3)),
                ("tracked", "#a5d8ff", 2, (3,)))
    for name, colour, a, ends in segments:
        y, base, length = [], [], []
        for i, ph in enumerate(phases):
            if ph[a] is None:
                continue
            stop = next((ph[b] for b in ends if ph[b] is not None), None)
            if stop is not None and stop > ph[a]:
                y.append(labels[i]), base.append(ph[a]), length.append(stop - ph[a])
        if y:
            fig.add_bar(y=y, x=length, base=base, orientation="h", marker_color=colour, name=name)
    ev = result.events
    kinds, tid, t_s = ev.array("kind"), ev.array("threat_id"), ev.array("t_s")
    for kind, sym, col in (("launch", "triangle-right", "#e8590c"), ("intercept_hit", "x", "#2b8a3e"),
                           ("intercept_miss", "circle-open", "#f08c00"), ("leak", "star", "#c92a2a")):
        sel = (kinds == kind) & (tid >= 0) & (tid < len(labels))
        if sel.any():
            fig.add_scatter(x=t_s[sel], y=[labels[i] for i in tid[sel]], mode="markers",
                            marker=dict(symbol=sym, size=9, color=col, line=dict(width=2, color=col)), name=kind)
    fig.update_layout(title="Engagement timeline (per threat)", barmode="overlay", xaxis_title="time (s)",
                      height=max(400, 22 * len(labels) + 150), yaxis=dict(autorange="reversed", type="category",
                                                                            categoryorder="array", categoryarray=labels))
    return fig


def resources_figure(result) -> go.Figure:
    """Per unit over time: interceptors in flight (missile channels used), threats engaged (target
    channels used), both against their limits, and ready rounds per missile type."""
    from plotly.subplots import make_subplots

    w = result.compiled.world
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("channels in use", "ready rounds"))
    isamp, t = result.interceptor_samples, np.asarray(result.t_s)
    ev = result.events
    kinds, t_ev, units, missiles = ev.array("kind"), ev.array("t_s"), ev.array("unit"), ev.array("missile")
    launch = kinds == "launch"
    target_of = dict(zip(ev.array("interceptor_id")[launch].tolist(), ev.array("threat_id")[launch].tolist()))
    k_of = np.searchsorted(t, np.asarray(isamp["t_s"]))
    for u, name in enumerate(w.units.name):
        sel = np.asarray(isamp["unit"]) == u
        in_flight = np.bincount(k_of[sel], minlength=t.size)[: t.size]
        pairs = {(int(k), target_of.get(int(i), -1)) for k, i in zip(k_of[sel], np.asarray(isamp["id"])[sel])}
        engaged = np.bincount(np.array([k for k, _ in pairs], int), minlength=t.size)[: t.size]
        fig.add_scatter(x=t, y=in_flight, mode="lines", line_shape="hv", name=f"{name}: interceptors in flight",
                        row=1, col=1)
        fig.add_scatter(x=t, y=engaged, mode="lines", line_shape="hv", line_dash="dash", name=f"{name}: threats engaged",
                        row=1, col=1)
        fig.add_hline(y=int(w.units.channels_missiles[u]), line_dash="dot", row=1, col=1,
                      annotation_text=f"{name} missile channels ({int(w.units.channels_missiles[u])})")
        fig.add_hline(y=int(w.units.channels_targets[u]), line_dash="dash", row=1, col=1,
                      annotation_text=f"{name} target channels ({int(w.units.channels_targets[u])})")
        for j in np.flatnonzero(w.weapons.unit_idx == u):
            missile = w.weapons.name[j]
            launch_t = np.sort(t_ev[launch & (units == name) & (missiles == missile)])
            total = int(w.weapons.rounds[j])
            fig.add_scatter(x=np.concatenate([[0.0], launch_t, [t[-1] if t.size else 0.0]]),
                            y=np.concatenate([[total], total - np.arange(1, launch_t.size + 1), [total - launch_t.size]]),
                            mode="lines", line_shape="hv", name=f"{name}: {missile} ready rounds", row=2, col=1)
    fig.update_layout(title="Channel and inventory use", height=560)
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    fig.update_yaxes(rangemode="tozero")
    return fig


def blake_images(result, rcs_m2=BLAKE_RCS_M2) -> list[tuple[str, str]]:
    """(title, PNG data URI) of the Blake chart of every radar, for the given RCS values."""
    from iadsim.report.blake import REQUIRED, blake_chart

    w = result.compiled.world
    out = []
    for i, name in enumerate(w.radars.name):
        params = {k: float(getattr(w.radars, k)[i]) for k in REQUIRED}
        params["name"] = f"{w.units.name[w.radars.unit_idx[i]]} {name}"
        buf = io.BytesIO()
        blake_chart(params, rcs_m2, buf, dpi=72)
        out.append((params["name"], "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()))
    return out


class _Html(str):
    """A table cell that is already HTML (built here from escaped parts)."""


def _table(rows: list[list], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c if isinstance(c, _Html) else html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sources_rows(result) -> list[list]:
    """Figures in force: each unit's and raid's catalog profiles with the scenario's overrides
    (grade 'scenario'); a profile appears once per distinct set of figures."""
    from iadsim.compile import threat_figures, unit_figures

    rows, seen = [], set()
    sc = result.scenario

    def add(kind, name, figs, owner):
        figs = list(catalog.figures(figs))
        label = name if figs == list(catalog.figures(catalog.profile(kind, name))) else f"{name} ({owner})"
        if (name, repr(figs)) not in seen:
            seen.add((name, repr(figs)))
            rows.extend([label, path, q["value"], q["unit"], q.get("grade", ""), ", ".join(q.get("src") or []),
                         q.get("method") or ""] for path, q in figs)

    for unit in sc.units:
        prof = unit_figures(unit)
        owner = f"unit {unit.name}"
        add("systems", unit.system, {k: v for k, v in prof.items() if k not in ("radar", "missile")}, owner)
        for part, kind in (("radar", "radars"), ("missile", "missiles")):
            for name, p in prof[part].items():
                add(kind, name, p, owner)
    for raid in sc.raids:
        add("threats", raid.threat, threat_figures(raid), f"raid {raid.name}")
    return rows


def _citations(rows) -> list[list]:
    """[key, title, publisher, date, link] for every source key cited in the figure rows."""
    keys = sorted({k for r in rows for k in str(r[5]).split(", ") if k})
    out = []
    for k in keys:
        s = catalog.citation(k)
        url = s["url"]
        link = _Html(f'<a href="{html.escape(url)}" rel="noreferrer">{html.escape(url)}</a>') if url else ""
        out.append([k, s["title"], s["publisher"], s["date"], link])
    return out


CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#212529}table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:left}th{background:#f1f3f5}.kpi{display:inline-block;margin:0 1.5em 1em 0}
.kpi b{font-size:1.6em;display:block}.note{color:#868e96;font-size:12px}.blake{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}figcaption{font-size:12px;color:#495057}"""


def render_run_report(result) -> str:
    """The whole report as one HTML string."""
    from iadsim.report import ea_section  # jam strobes, burn-through rings, emission (issue 18)

    s = result.summary
    tot = s["totals"]
    kpis = "".join(f'<div class="kpi"><b>{v}</b>{html.escape(k.replace("_", " "))}</div>' for k, v in tot.items())
    outcome_rows = [[t["id"], t["raid"], t["threat"], t["target"], t["fate"], _fmt(t["t_s"]), t["killed_by"] or "",
                     t["rounds_spent"], _fmt(t["first_detect_s"]), _fmt(t["first_track_s"])] for t in s["threats"]]
    unit_rows = [[u["name"], u["system"], u["rounds_fired"], u["rounds_left"], u["kills"],
                  f"{u['targets_engaged_peak']}/{u['channels']['targets']}", f"{u['missiles_guided_peak']}/{u['channels']['missiles']}",
                  u["channels_saturated_s"]] for u in s["units"]]
    figs = [map_figure(result), timeline_figure(result), resources_figure(result)]
    blakes = "".join(f'<figure><img alt="Blake chart {html.escape(t)}" src="{uri}"><figcaption>{html.escape(t)}</figcaption></figure>'
                     for t, uri in blake_images(result))
    sc = result.scenario
    scen_rows = [["scenario", sc.name], ["seed", s["seed"]], ["origin", f"{sc.origin.lat_deg:.5f} N, {sc.origin.lon_deg:.5f} E, "
                 f"ground {sc.origin.alt_m:g} m above WGS-84"], ["duration / step", f"{sc.time.duration_s:g} s / {sc.time.step_s:g} s"],
                 ["units", ", ".join(f"{u.name} ({u.system})" for u in sc.units)],
                 ["raids", ", ".join(f"{r.name}: {r.count} × {r.threat} → {r.target}" for r in sc.raids)]]
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
<h2>Radar vertical coverage (Blake charts)</h2>
<p class="note">Free-space detection envelope (Pd 0.5, Swerling 1) for RCS {", ".join(f"{r:g}" for r in BLAKE_RCS_M2)} m², cut at the
instrumented range and the elevation limits, over an effective earth k = 1.3306; no multipath lobing.</p>
<div class="blake">{blakes}</div>
{ea_section.html(result)}
<h2>Outcomes per threat</h2>
{_table(outcome_rows, ["id", "raid", "threat", "target", "fate", "time (s)", "killed by", "rounds", "first detection (s)", "first track (s)"])}
<h2>Units</h2>
{_table(unit_rows, ["unit", "system", "rounds fired", "rounds left", "kills", "targets engaged peak/limit", "missiles guided peak/limit", "channels saturated (s)"])}
<h2>Scenario</h2>
{_table(scen_rows, ["", ""])}
<h2>Catalog figures used (in force, overrides included), with grades and sources</h2>
<p class="note">Grade A: two or more independent public sources agree; B: one source, or several echoing one origin; C: estimated, fitted or a modelling choice (see method). Grade "scenario": set by this scenario's overrides, not a public figure.</p>
{_table(rows := _sources_rows(result), ["profile", "field", "value", "unit", "grade", "sources", "method"])}
<h3>Sources cited</h3>
{_table(_citations(rows), ["key", "title", "publisher", "date", "link"])}
</body></html>"""


def _fmt(x):
    return "" if x is None else f"{x:.1f}"
