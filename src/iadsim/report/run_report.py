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

from iadsim import catalog
from iadsim.report import palette
from iadsim.report.run_map import DETECTION_POINTS, ROUTE_POINTS, TRACK_POINTS, map_figure  # noqa: F401 (re-exported)

BLAKE_RCS_M2 = (1.0, 0.1, 0.01)
LIMIT_IN_VIEW = 3.0  # a channel limit up to this many times the peak use is drawn on the use-scaled axis


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
    marks = {"launch": ("interceptor launch", "triangle-right", palette.MISSILE_COLOURS[0]), **palette.EVENTS}
    for kind, (label, sym, col) in marks.items():
        sel = (kinds == kind) & (tid >= 0) & (tid < len(labels))
        if sel.any():
            fig.add_scatter(x=t_s[sel], y=[labels[i] for i in tid[sel]], mode="markers", name=label,
                            marker=dict(symbol=sym, size=9, color=col, line=dict(width=2 if sym != "star" else 1,
                                                                                 color=col if sym != "star" else "#212529")))
    fig.update_layout(title="Engagement timeline (per threat)", barmode="overlay", xaxis_title="time (s)",
                      height=max(400, 22 * len(labels) + 150), yaxis=dict(autorange="reversed", type="category",
                                                                            categoryorder="array", categoryarray=labels))
    return fig


def _scaled_limit(fig, peak: float, limit: float, row: int, col: int, what: str, colour: str, side: str) -> float:
    """Draw ``limit`` as a line when it is within ``LIMIT_IN_VIEW`` times the peak use (else the row's
    title states it and the axis stays scaled to the use); returns the y extent the limit needs (0 when
    it stays off the axis)."""
    if limit <= LIMIT_IN_VIEW * max(peak, 1):
        fig.add_hline(y=limit, line=dict(dash="dot", color=colour, width=1.5), row=row, col=col,
                      annotation=dict(text=f"{what} limit {limit:g}", font=dict(size=10, color=colour)),
                      annotation_position=f"top {side}")
        return limit
    return 0.0


def resources_figure(result) -> go.Figure:
    """Per unit (one row each): channels in use over time, scaled to the use, with each channel limit
    drawn as a line when it is within ``LIMIT_IN_VIEW`` times the peak (always stated in the row's title); and rounds
    fired per interceptor type against the rounds loaded, in the interceptor's palette colour."""
    from plotly.subplots import make_subplots

    from iadsim.c2.stage import fire_units

    w = result.compiled.world
    fire = fire_units(w)  # standalone sensor sites have no channels nor rounds
    n_units = max(len(fire), 1)
    isamp, t = result.interceptor_samples, np.asarray(result.t_s)
    ev = result.events
    kinds, t_ev, units, missiles = ev.array("kind"), ev.array("t_s"), ev.array("unit"), ev.array("missile")
    launch = kinds == "launch"
    target_of = dict(zip(ev.array("interceptor_id")[launch].tolist(), ev.array("threat_id")[launch].tolist()))
    k_of = np.searchsorted(t, np.asarray(isamp["t_s"]))
    colours = palette.missile_colours(w.weapons.name)
    titles = []
    for u in fire:
        name = w.units.name[u]
        ct, cm = int(w.units.channels_targets[u]), int(w.units.channels_missiles[u])
        titles += [f"{name}: channels in use (limits: {ct} target, {cm} missile)", f"{name}: rounds fired of rounds loaded"]
    fig = make_subplots(rows=n_units, cols=2, shared_xaxes=True, horizontal_spacing=0.1,
                        vertical_spacing=min(0.12, 0.3 / max(n_units, 1)), subplot_titles=titles)
    t_end = float(t[-1]) if t.size else 0.0
    shown = []  # interceptor types already in the legend
    for row, u in enumerate(fire, start=1):
        name = w.units.name[u]
        sel = np.asarray(isamp["unit"]) == u
        in_flight = np.bincount(k_of[sel], minlength=t.size)[: t.size]
        pairs = {(int(k), target_of.get(int(i), -1)) for k, i in zip(k_of[sel], np.asarray(isamp["id"])[sel])}
        engaged = np.bincount(np.array([k for k, _ in pairs], int), minlength=t.size)[: t.size]
        first = row == 1
        fig.add_scatter(x=t, y=engaged, mode="lines", line=dict(shape="hv", color="#212529", width=2),
                        name="threats engaged (target channels)", legendgroup="tc", showlegend=first, row=row, col=1)
        fig.add_scatter(x=t, y=in_flight, mode="lines", line=dict(shape="hv", color="#868e96", width=2, dash="dash"),
                        name="interceptors guided (missile channels)", legendgroup="mc", showlegend=first, row=row, col=1)
        peak = float(max(engaged.max(initial=0), in_flight.max(initial=0)))
        top = max(peak * 1.25, 1.0)
        top = max(top, 1.1 * _scaled_limit(fig, peak, int(w.units.channels_targets[u]), row, 1, "target channel", "#212529", "left"))
        top = max(top, 1.1 * _scaled_limit(fig, peak, int(w.units.channels_missiles[u]), row, 1, "missile channel", "#868e96",
                                           "right"))
        fig.update_yaxes(range=[0, top], title_text="channels", row=row, col=1)
        peak_r, loaded_max = 0.0, 0.0
        for j in np.flatnonzero(w.weapons.unit_idx == u):
            missile = w.weapons.name[j]
            launch_t = np.sort(t_ev[launch & (units == name) & (missiles == missile)])
            loaded = int(w.weapons.rounds[j])
            fired = np.arange(launch_t.size + 1)
            fig.add_scatter(x=np.concatenate([[0.0], launch_t, [t_end]]), y=np.concatenate([fired, [launch_t.size]]),
                            mode="lines", line=dict(shape="hv", color=colours[missile], width=2),
                            name=f"{missile} rounds fired", legendgroup=f"m {missile}", showlegend=missile not in shown,
                            row=row, col=2)
            shown.append(missile)
            fig.add_hline(y=loaded, line=dict(dash="dot", color=colours[missile], width=1.5), row=row, col=2,
                          annotation=dict(text=f"{missile} loaded {loaded}", font=dict(size=10, color=colours[missile])),
                          annotation_position="top left" if len(shown) % 2 else "bottom right")  # alternate: no overlap
            peak_r, loaded_max = max(peak_r, launch_t.size), max(loaded_max, loaded)
        fig.update_yaxes(range=[0, 1.12 * max(loaded_max, peak_r, 1)], title_text="rounds", row=row, col=2)
    fig.update_layout(title="Channel and inventory use per unit", height=120 + 300 * n_units,
                      legend=dict(font=dict(size=11)), margin=dict(t=90))
    fig.update_xaxes(title_text="time (s)", row=n_units, col=1)
    fig.update_xaxes(title_text="time (s)", row=n_units, col=2)
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
        title = s["title"] or ""
        if title in ("", "title not recorded"):
            title = _Html('<span class="note">title not recorded</span>')
        out.append([k, title, s["publisher"], s["date"], link])
    return out


CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#212529}table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:left}th{background:#f1f3f5}.kpi{display:inline-block;margin:0 1.5em 1em 0}
.kpi b{font-size:1.6em;display:block}.note{color:#868e96;font-size:12px}.blake{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}figcaption{font-size:12px;color:#495057}"""


def _div(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id)


def section_overview(result) -> str:
    s = result.summary
    kpis = "".join(f'<div class="kpi"><b>{v}</b>{html.escape(k.replace("_", " "))}</div>' for k, v in s["totals"].items())
    return f"<div>{kpis}</div>"


def section_map(result) -> str:
    return _div(map_figure(result), "map") + f'<p class="note">{html.escape(palette.LEGEND_NOTE)}</p>'


def section_timeline(result) -> str:
    return _div(timeline_figure(result), "timeline")


def section_resources(result) -> str:
    return _div(resources_figure(result), "resources")


def section_blake(result) -> str:
    blakes = "".join(f'<figure><img alt="Blake chart {html.escape(t)}" src="{uri}"><figcaption>{html.escape(t)}</figcaption></figure>'
                     for t, uri in blake_images(result))
    return f"""<h2>Radar vertical coverage (Blake charts)</h2>
<p class="note">Free-space detection envelope (Pd 0.5, Swerling 1) for RCS {", ".join(f"{r:g}" for r in BLAKE_RCS_M2)} m², cut at the
instrumented range and the elevation limits, over an effective earth k = 1.3306; no multipath lobing.</p>
<div class="blake">{blakes}</div>"""


def section_outcomes(result) -> str:
    rows = [[t["id"], t["raid"], t["threat"], t["target"], t["fate"], _fmt(t["t_s"]), t["killed_by"] or "–",
             t["rounds_spent"], _fmt(t["first_detect_s"]), _fmt(t["first_track_s"])] for t in result.summary["threats"]]
    return "<h2>Outcomes per threat</h2>\n" + _table(rows, ["id", "raid", "threat", "target", "fate", "time (s)", "killed by",
                                                             "rounds", "first detection (s)", "first track (s)"])


def section_units(result) -> str:
    rows = [[u["name"], u["system"], _counts(u["rounds_fired"]), _counts(u["rounds_left"]), u["kills"],
             f"{u['targets_engaged_peak']} / {u['channels']['targets']}", f"{u['missiles_guided_peak']} / {u['channels']['missiles']}",
             f"{u['channels_saturated_s']:g}"] for u in result.summary["units"]]
    return "<h2>Units</h2>\n" + _table(rows, ["unit", "system", "rounds fired", "rounds left", "kills",
                                               "targets engaged: peak / limit", "missiles guided: peak / limit",
                                               "time with channels saturated (s)"])


def section_scenario(result) -> str:
    sc, s = result.scenario, result.summary
    rows = [["scenario", sc.name], ["seed", s["seed"]], ["origin", f"{sc.origin.lat_deg:.5f} N, {sc.origin.lon_deg:.5f} E, "
            f"ground {sc.origin.alt_m:g} m above WGS-84"], ["duration / step", f"{sc.time.duration_s:g} s / {sc.time.step_s:g} s"],
            ["units", ", ".join(f"{u.name} ({u.system})" for u in sc.units)],
            ["raids", ", ".join(f"{r.name}: {r.count} × {r.threat} → {r.target}" for r in sc.raids)]]
    return "<h2>Scenario</h2>\n" + _table(rows, ["", ""])


def section_sources(result) -> str:
    rows = _sources_rows(result)
    return f"""<h2>Catalog figures used (in force, overrides included), with grades and sources</h2>
<p class="note">Grade A: two or more independent public sources agree; B: one source, or several echoing one origin; C: estimated, fitted or a modelling choice (see method). Grade "scenario": set by this scenario's overrides, not a public figure.</p>
{_table([r[:2] + [_value(r[2]), _unit(r[3])] + r[4:] for r in rows], ["profile", "field", "value", "unit", "grade", "sources", "method"])}
<h3>Sources cited</h3>
{_table(_citations(rows), ["key", "title", "publisher", "date", "link"])}"""


def section_ea(result) -> str:
    """Jam strobes, burn-through rings, emission and ARM outcomes (issue 18; empty without them)."""
    from iadsim.report import ea_section

    return ea_section.html(result)


def section_network(result) -> str:
    """Sites, links, command posts and the fused picture of a networked run (empty otherwise)."""
    from iadsim.report.network_section import network_html

    return network_html(result, _table)


def section_exposure(result) -> str:
    """What the radars saw of aircraft flying with every unit holding fire (empty otherwise)."""
    from iadsim.report.exposure_section import exposure_html

    return exposure_html(result)


# The report is these sections in order, each ``f(result) -> HTML``. A new section (network, EA,
# exposure, ...) is one function inserted here, e.g. ``SECTIONS.insert(SECTIONS.index(section_units) + 1, f)``.
SECTIONS = [section_overview, section_map, section_timeline, section_resources, section_blake, section_ea, section_outcomes,
            section_units, section_network, section_exposure, section_scenario, section_sources]


def render_run_report(result, sections=None) -> str:
    """The whole report as one HTML string: ``sections`` (default :data:`SECTIONS`) in order."""
    s = result.summary
    body = "\n".join(f(result) for f in (SECTIONS if sections is None else sections))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>iadsim run: {html.escape(s['scenario'])} (seed {s['seed']})</title><style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script></head><body>
<h1>{html.escape(s['scenario'])} <small>seed {s['seed']}, iadsim {html.escape(s['iadsim_version'])}</small></h1>
<p>{html.escape(result.scenario.description)}</p>
<p class="note">Simulation from public-source, graded figures (see the sources table). Not a prediction of real performance.</p>
{body}
</body></html>"""


def _value(v) -> str:
    """A catalog value for people: a list as ``0.3, 0.32, …`` (no brackets), a mapping as ``key: value``."""
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in v.items())
    return f"{v:g}" if isinstance(v, float) else str(v)


def _unit(unit: str) -> str:
    """A catalog unit for people: ``m2`` as m², ``us`` as µs, ``1`` (dimensionless) as –."""
    return {"1": "–", "": "–", "us": "µs"}.get(unit, unit.replace("m2", "m²").replace("s2", "s²"))


def _counts(by_type: dict) -> str:
    """``{'48N6E3': 24, '40N6': 7}`` as ``48N6E3: 24, 40N6: 7`` (a table cell for people)."""
    return ", ".join(f"{k}: {v}" for k, v in by_type.items()) or "–"


def _fmt(x):
    return "" if x is None else f"{x:.1f}"
