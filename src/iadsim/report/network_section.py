"""The run report's network section (issue #17): a map of the sites (fire units, standalone
sensors, command posts), the links between them (cut links dashed) and the fused picture (the
command posts' fused tracks at their fusion cycles, coloured by time), and tables of the links
(tracks carried, lost, over capacity), the command posts, the degradation events and, per threat,
when the fused picture first held it and who saw it first. Empty for an unnetworked run."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from iadsim import geo

FUSED_POINTS = 4000  # fused-track samples drawn, all command posts together


def _lonlat(pos_enu_m, origin):
    lat, lon, _ = geo.enu_to_geodetic(np.asarray(pos_enu_m, float).reshape(-1, 3), origin)
    return np.degrees(lon), np.degrees(lat)


def network_figure(result) -> go.Figure:
    """Sites and links on longitude/latitude axes (aspect cos(latitude))."""
    w, o = result.compiled.world, result.compiled.origin
    net = w.network
    fig = go.Figure()
    site_lon, site_lat = _lonlat(w.units.pos_enu_m, o)
    cp_lon, cp_lat = _lonlat(net.cp_pos_enu_m, o)
    for li, name in enumerate(net.link_name):
        s, c = int(net.link_site[li]), int(net.link_cp[li])
        cut = bool(np.isfinite(net.link_cut_at_s[li]))
        fig.add_scatter(x=[site_lon[s], cp_lon[c]], y=[site_lat[s], cp_lat[c]], mode="lines",
                        line=dict(width=2, color="#868e96", dash="dash" if cut else "solid"),
                        name=f"link {name}" + (f" (cut at {net.link_cut_at_s[li]:.0f} s)" if cut else ""))
    sensor = w.units.is_sensor
    for sel, sym, col, what in ((~sensor, "triangle-up", "#1864ab", "fire units"), (sensor, "diamond", "#2b8a3e", "sensors")):
        idx = np.flatnonzero(sel)
        if idx.size:
            fig.add_scatter(x=site_lon[idx], y=site_lat[idx], mode="markers+text", text=[w.units.name[i] for i in idx],
                            textposition="bottom center", marker=dict(symbol=sym, size=12, color=col), name=what)
    fig.add_scatter(x=cp_lon, y=cp_lat, mode="markers+text", text=net.cp_name, textposition="top center",
                    marker=dict(symbol="star-square", size=14, color="#c92a2a"), name="command posts")
    lon, lat = _lonlat(w.assets.pos_enu_m, o)
    fig.add_scatter(x=lon, y=lat, mode="markers+text", text=w.assets.name, textposition="top center",
                    marker=dict(symbol="square", size=10, color="#5f3dc4"), name="defended assets")
    fs = result.fused_samples
    if fs is not None and len(fs["t_s"]):  # the fused picture: every n-th sample, up to FUSED_POINTS
        every = max(1, len(fs["t_s"]) // FUSED_POINTS)
        lon, lat = _lonlat(fs["pos_enu_m"][::every], o)
        fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(size=3, color=fs["t_s"][::every], colorscale="Viridis",
                                                                  colorbar=dict(title="t (s)")),
                        text=[f"fused {i}, threat {j}" for i, j in zip(fs["fused_id"][::every], fs["truth_id"][::every])],
                        name=f"fused picture (1 in {every})")
    fig.update_layout(title="The network: sites, command posts, links and the fused picture", height=560, xaxis_title="longitude (deg E)",
                      yaxis_title="latitude (deg N)")
    fig.update_yaxes(scaleanchor="x", scaleratio=1.0 / np.cos(o.lat_rad))
    return fig


def network_html(result, table) -> str:
    """The section's HTML (``table(rows, header)`` is the report's table writer); '' when the run has no network."""
    s = result.summary
    if "network" not in s or result.compiled.world.network is None:
        return ""
    n = s["network"]
    fig = network_figure(result).to_html(full_html=False, include_plotlyjs=False, div_id="network")
    links = [[ln["name"], ln["carried"], ln["lost"], ln["over_capacity"], "" if ln["cut_at_s"] is None else ln["cut_at_s"]]
             for ln in n["links"]]
    cps = [[c["name"], c["profile"], c["fused_tracks"], "" if c["lost_at_s"] is None else c["lost_at_s"]]
           for c in n["command_posts"]]
    events = [[e["t_s"], e["kind"], e["name"], ", ".join(e["autonomous"]) or "none"] for e in n["events"]]
    fmt = lambda x: "" if x is None else f"{x:.1f}"  # noqa: E731
    threats = [[t["id"], t["threat"], t["raid"], fmt(t["first_detect_s"]), t.get("first_detect_by") or "",
                fmt(t["first_track_s"]), fmt(t.get("first_fused_s")), t.get("first_fused_from") or ""] for t in s["threats"]]
    units = [[u["name"], u.get("launches_on_remote", 0), u.get("duplicates_avoided", 0)] for u in s["units"]]
    return f"""<h2>Network</h2>
<p class="note">Tracks reported over links to command posts, fused there (track-to-track association, covariance
intersection) and assigned across units; cut links are dashed.</p>
{fig}
<h3>Links</h3>
{table(links, ["link", "tracks carried", "tracks lost", "over capacity", "cut at (s)"])}
<h3>Command posts</h3>
{table(cps, ["command post", "profile", "fused tracks started", "lost at (s)"])}
<h3>Degradation</h3>
{table(events, ["time (s)", "event", "what", "units now autonomous"]) if events else "<p>none</p>"}
<h3>Units across the network</h3>
{table(units, ["unit", "launches on remote tracks", "duplicate engagements avoided"])}
<h3>First sight per threat</h3>
{table(threats, ["id", "threat", "raid", "first detection (s)", "first detected by", "first track (s)",
                 "first in the fused picture (s)", "fused track started by"])}
""".replace("<h2>Network</h2>", f"<h2>Network ({html.escape(', '.join(c['name'] for c in n['command_posts']))})</h2>", 1)
