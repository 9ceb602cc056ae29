"""The run report's map: Natural Earth coastlines, borders and cities under the sites, threat
routes, confirmed tracks and intercepts, zoomed to the action, with an overview inset that shows
the long-range rings (radar instrumented range, interceptor maximum range).

Drawn on longitude/latitude axes with the aspect set by cos(latitude) at the origin (no tile
server, no CDN). Samples are decimated (routes to ``ROUTE_POINTS`` per threat, tracks to
``TRACK_POINTS`` and detections to ``DETECTION_POINTS`` in all, the detections hidden until picked
in the legend) and the basemap cropped to each view, so the page stays light. Colours come from
:mod:`iadsim.report.palette`; labels are placed by :mod:`iadsim.report.labels` so they do not collide.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from iadsim import geo
from iadsim.report import basemap, labels, palette

ROUTE_POINTS = 300  # per threat on the map
TRACK_POINTS = 4000  # confirmed-track samples on the map, all tracks together
DETECTION_POINTS = 4000  # detections on the map (every n-th), all radars together
LOW_TARGET_AGL_M = 50.0  # the radar footprint drawn on the map is the line of sight to this height
WIDTH_PX, HEIGHT_PX = 1200, 880
MARGIN = dict(l=60, r=10, t=60, b=50)
MAIN_X = (0.0, 0.70)  # paper fractions of the main map; the legend and the overview take the rest
INSET_X, INSET_Y = (0.76, 1.0), (0.64, 0.97)
LEGEND_TOP = 0.60  # the legend sits under the overview
PAD = 0.08  # fraction of the action's span added on each side
MIN_HALF_SPAN_M = 15_000.0


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


def fit_box(lon, lat, lat0_rad, size_px, pad=PAD, min_half_span_m=MIN_HALF_SPAN_M):
    """(lon_min, lon_max, lat_min, lat_max) around the points, padded, at least ``min_half_span_m``
    either side, and widened in one direction so that with the y/x scale 1/cos(lat0) it fills a plot
    area of ``size_px`` = (width, height) exactly."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon, lat = lon[ok], lat[ok]
    c = np.cos(lat0_rad)
    cx, cy = (lon.min() + lon.max()) / 2, (lat.min() + lat.max()) / 2
    min_half = np.degrees(min_half_span_m / 6_371_000.0)
    hx = max((lon.max() - lon.min()) / 2 * (1 + 2 * pad), min_half / c)
    hy = max((lat.max() - lat.min()) / 2 * (1 + 2 * pad), min_half)
    want = size_px[0] / size_px[1]  # (hx * c) / hy on screen
    if hx * c / hy < want:
        hx = hy * want / c
    else:
        hy = hx * c / want
    return cx - hx, cx + hx, cy - hy, cy + hy


def _plot_px(x_frac, y_frac):
    w = (WIDTH_PX - MARGIN["l"] - MARGIN["r"]) * (x_frac[1] - x_frac[0])
    h = (HEIGHT_PX - MARGIN["t"] - MARGIN["b"]) * (y_frac[1] - y_frac[0])
    return w, h


def _basemap_traces(fig, box, xa, ya, show_cities):
    for layer, colour, width, name in (("coast", palette.COAST_COLOUR, 1.0, "coastline"),
                                       ("border", palette.BORDER_COLOUR, 1.0, "land border")):
        lon, lat = basemap.lines(layer, box)
        if lon.size:
            fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(color=colour, width=width,
                                                                   dash="dashdot" if layer == "border" else "solid"),
                            name=name, hoverinfo="skip", xaxis=xa, yaxis=ya, showlegend=show_cities,
                            legendgroup="basemap", legendgrouptitle_text="Map (Natural Earth)" if layer == "coast" else None)


class _Geometry:
    """Everything drawn, in lon/lat, computed once for the main view and the overview."""

    def __init__(self, result):
        comp, w = result.compiled, result.compiled.world
        o = self.origin = comp.origin
        self.w = w
        self.classes = np.array(comp.threat_classes)
        pos = result.threat_pos_enu_m
        self.routes = {}
        for cls in dict.fromkeys(self.classes):
            parts = []
            for i in np.flatnonzero(self.classes == cls):
                act = np.flatnonzero(result.threat_active[:, i])
                if act.size:
                    act = act[np.unique(np.linspace(0, act.size - 1, min(act.size, ROUTE_POINTS)).round().astype(int))]
                    parts.append(pos[act, i])
            self.routes[cls] = _gaps(parts, o)
        ev = result.events
        self.kinds = ev.array("kind")
        self.xyz = np.column_stack([ev.array(c) for c in ("x_m", "y_m", "z_m")])
        self.events = {k: _lonlat(self.xyz[self.kinds == k], o) for k in palette.EVENTS if (self.kinds == k).any()}
        self.assets = _lonlat(w.assets.pos_enu_m, o) if len(w.assets.name) else (np.zeros(0), np.zeros(0))
        self.units = _lonlat(w.units.pos_enu_m, o)
        ts = result.track_samples
        self.tracks = None
        if len(ts["t_s"]):
            every = max(1, len(ts["t_s"]) // TRACK_POINTS)
            self.tracks = _lonlat(ts["pos_enu_m"][::every], o)

    def action_points(self):
        """lon, lat of what the main view must show: sites, routes, intercepts and leaks."""
        lon = [self.units[0], self.assets[0]] + [r[0] for r in self.routes.values()] + [e[0] for e in self.events.values()]
        lat = [self.units[1], self.assets[1]] + [r[1] for r in self.routes.values()] + [e[1] for e in self.events.values()]
        return np.concatenate(lon), np.concatenate(lat)


def _ring_traces(fig, g, xa, ya, main):
    """Radar instrumented range (dotted) and line of sight to a low flyer (dashed), sector or ring;
    interceptor maximum range rings, one colour per interceptor type."""
    from iadsim.physics.propagation import max_los_range_m

    w, o = g.w, g.origin
    seen = set()
    for i, name in enumerate(w.radars.name):
        unit = w.units.name[w.radars.unit_idx[i]]
        sector = w.radars.az_sector_rad[i] < 2 * np.pi - 1e-6
        horizon = min(w.radars.max_range_m[i], float(max_los_range_m(w.radars.height_m[i], LOW_TARGET_AGL_M)))
        for radius, dash, what in ((w.radars.max_range_m[i], "dot", "radar instrumented range"),
                                   (horizon, "dash", f"radar line of sight to a {LOW_TARGET_AGL_M:.0f} m target")):
            if sector:
                lon, lat = _sector(w.radars.pos_enu_m[i], radius, w.radars.facing_rad[i], w.radars.az_sector_rad[i], o)
            else:
                lon, lat = _ring(w.radars.pos_enu_m[i], radius, o)
            fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1.2, dash=dash, color=palette.RADAR_COLOUR),
                            name=what, legendgroup=what, showlegend=main and what not in seen, xaxis=xa, yaxis=ya,
                            legendgrouptitle_text="Radars" if main and not seen else None,
                            hovertemplate=f"{unit} {name}: {what} {radius / 1e3:.0f} km<extra></extra>")
            seen.add(what)
    if main:  # with a DEM: each radar's terrain-masked footprint
        from iadsim.report.coverage_terrain import add_masked_footprints

        add_masked_footprints(fig, w, LOW_TARGET_AGL_M)
    colours = palette.missile_colours(w.weapons.name)
    shown = set()
    for j, name in enumerate(w.weapons.name):
        unit = w.units.name[w.weapons.unit_idx[j]]
        lon, lat = _ring(w.units.pos_enu_m[w.weapons.unit_idx[j]], w.weapons.max_range_m[j], o)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1.8, color=colours[name]),
                        name=f"{name} max range ({w.weapons.max_range_m[j] / 1e3:.0f} km)", legendgroup=f"missile {name}",
                        showlegend=main and name not in shown, xaxis=xa, yaxis=ya,
                        legendgrouptitle_text="Interceptor max range" if main and not shown else None,
                        hovertemplate=f"{unit}: {name} max range {w.weapons.max_range_m[j] / 1e3:.0f} km<extra></extra>")
        shown.add(name)


def _route_traces(fig, g, xa, ya, main):
    colours = palette.threat_colours(g.routes)
    for k, (cls, (lon, lat)) in enumerate(g.routes.items()):
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=2.0 if main else 1.0, color=colours[cls]),
                        name=f"route: {cls}", legendgroup=f"route {cls}", showlegend=main, xaxis=xa, yaxis=ya,
                        legendgrouptitle_text="Threat routes (truth)" if main and k == 0 else None,
                        hovertemplate=f"{cls}<extra></extra>")


def _site_labels(fig, g, box, size_px, city_names, city_lon, city_lat):
    """Units, assets and cities with labels that do not collide."""
    w = g.w
    names = list(w.units.name) + list(w.assets.name) + list(city_names)
    lon = np.concatenate([g.units[0], g.assets[0], city_lon])
    lat = np.concatenate([g.units[1], g.assets[1], city_lat])
    n_u, n_a = len(w.units.name), len(w.assets.name)
    n_f = n_u - int(np.count_nonzero(w.units.is_sensor)) if w.units.is_sensor is not None else n_u  # sensors come last
    prio = [0] * (n_u + n_a) + [1] * len(city_names)
    obstacles = [np.column_stack([lon, lat])] + [np.column_stack(e) for e in g.events.values()]
    pos = labels.place(names, lon, lat, prio, np.concatenate(obstacles), box[:2], box[2:], size_px)
    groups = (("defended assets", slice(n_u, n_u + n_a), dict(symbol="square", size=11, color=palette.ASSET_COLOUR,
                                                              line=dict(width=1.5, color="#212529")),
               dict(size=12, color="#212529")),
              ("cities (Natural Earth)", slice(n_u + n_a, len(names)), dict(symbol="circle", size=6, color=palette.CITY_COLOUR),
               dict(size=11, color="#495057")),
              ("sensor sites", slice(n_f, n_u), dict(symbol="diamond", size=12, color=palette.RADAR_COLOUR,
                                                     line=dict(width=1, color="white")),
               dict(size=12, color=palette.RADAR_COLOUR)),
              ("air-defence units", slice(0, n_f), dict(symbol="triangle-up", size=14, color=palette.UNIT_COLOUR,
                                                        line=dict(width=1, color="white")),
               dict(size=12, color=palette.UNIT_COLOUR)))  # units last: drawn on top of a co-located asset
    for k, (what, sl, marker, font) in enumerate(groups):
        if sl.stop <= sl.start:
            continue
        p = pos[sl]
        near = [isinstance(q, str) and q for q in p]  # beside the marker; the others on a leader line, below
        fig.add_scatter(x=lon[sl], y=lat[sl], mode="markers+text", marker=marker, name=what,
                        text=[n if q else "" for n, q in zip(names[sl], near)], textposition=[q or "top center" for q in near],
                        textfont=font, hovertext=names[sl], hoverinfo="text", legendgroup="places",
                        legendgrouptitle_text="Places" if k == 0 else None, xaxis="x", yaxis="y")
        for n, q, x, y in zip(names[sl], p, lon[sl], lat[sl]):
            if isinstance(q, tuple):
                fig.add_annotation(x=x, y=y, text=n, ax=q[0], ay=q[1], showarrow=True, arrowhead=0, arrowwidth=1,
                                   arrowcolor="#495057", font=font, bgcolor="rgba(255,255,255,0.85)", xref="x", yref="y")


def map_figure(result) -> go.Figure:
    """The map: main view fitted to the action, overview inset with the long-range rings."""
    g = _Geometry(result)
    o = g.origin
    main_px = _plot_px(MAIN_X, (0.0, 1.0))
    box = fit_box(*g.action_points(), o.lat_rad, main_px)
    fig = go.Figure()
    crop = (box[0] - 0.5, box[1] + 0.5, box[2] - 0.5, box[3] + 0.5)
    _basemap_traces(fig, crop, "x", "y", True)
    _ring_traces(fig, g, "x", "y", True)
    _route_traces(fig, g, "x", "y", True)
    if g.tracks is not None:
        fig.add_scatter(x=g.tracks[0], y=g.tracks[1], mode="markers", marker=dict(size=2.5, color="#343a40", opacity=0.6),
                        name="confirmed tracks", legendgroup="tracks", legendgrouptitle_text="Defence picture",
                        hoverinfo="skip")
    det = np.flatnonzero(g.kinds == "detect")
    if det.size:  # hidden until asked for in the legend: every n-th detection, up to DETECTION_POINTS
        every = max(1, det.size // DETECTION_POINTS)
        lon, lat = _lonlat(g.xyz[det[::every]], o)
        fig.add_scatter(x=lon, y=lat, mode="markers", marker=dict(size=2, color="#adb5bd"), visible="legendonly",
                        name=f"detections (1 in {every})", legendgroup="tracks", hoverinfo="skip")
    city_names, city_lon, city_lat = basemap.cities(box)
    _site_labels(fig, g, box, main_px, city_names, city_lon, city_lat)
    for k, (kind, (lon, lat)) in enumerate(g.events.items()):
        label, sym, col = palette.EVENTS[kind]
        fig.add_scatter(x=lon, y=lat, mode="markers", name=label, legendgroup="events",
                        legendgrouptitle_text="Events" if k == 0 else None,
                        marker=dict(symbol=sym, size=15 if kind == "leak" else 9, color=col,
                                    line=dict(width=2 if sym != "star" else 1, color=col if sym != "star" else "#212529")),
                        hovertemplate=f"{label}<extra></extra>")  # after the sites: a leaker shows on top of its asset
    has_overview = _overview(fig, g, box)
    fig.update_layout(title="Sites, threat routes and intercepts", width=WIDTH_PX, height=HEIGHT_PX, margin=MARGIN,
                      plot_bgcolor=palette.LAND_BG, legend=dict(x=INSET_X[0], y=LEGEND_TOP if has_overview else 1.0, xanchor="left", yanchor="top",
                                                                font=dict(size=10), groupclick="toggleitem",
                                                                tracegroupgap=4),
                      xaxis=dict(domain=MAIN_X, range=box[:2], title="longitude (deg E)", showgrid=True,
                                 gridcolor="#e9ecef", zeroline=False),
                      yaxis=dict(range=box[2:], title="latitude (deg N)", scaleanchor="x",
                                 scaleratio=1.0 / np.cos(o.lat_rad), showgrid=True, gridcolor="#e9ecef", zeroline=False))
    fig.add_annotation(text=basemap.ATTRIBUTION, x=MAIN_X[1], y=0, xref="paper", yref="paper", xanchor="right",
                       yanchor="bottom", showarrow=False, font=dict(size=9, color="#868e96"), bgcolor="rgba(255,255,255,0.7)")
    _scale_bar(fig, box, o.lat_rad)
    return fig


def _scale_bar(fig, box, lat0_rad):
    """A round-number distance bar in the lower left of the main view."""
    span_km = (box[1] - box[0]) * np.cos(lat0_rad) * 111.195
    target = span_km / 5
    nice = max(v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if v <= max(target, 1))
    dlon = nice / (111.195 * np.cos(lat0_rad))
    x0 = box[0] + 0.04 * (box[1] - box[0])
    y0 = box[2] + 0.04 * (box[3] - box[2])
    fig.add_scatter(x=[x0, x0 + dlon], y=[y0, y0], mode="lines+text", line=dict(color="#212529", width=3),
                    text=["", f"{nice:g} km"], textposition="middle right", name="scale bar", showlegend=False, hoverinfo="skip")


def _overview(fig, g, box) -> bool:
    """The inset: every ring, the routes, the basemap and the main view's outline. Left out (returns
    False) when the main view already shows every ring whole."""
    w, o = g.w, g.origin
    lons, lats = [box[0], box[1]], [box[2], box[3]]
    for pos, r in [(w.units.pos_enu_m[w.weapons.unit_idx[j]], w.weapons.max_range_m[j]) for j in range(len(w.weapons.name))] + \
                  [(w.radars.pos_enu_m[i], w.radars.max_range_m[i]) for i in range(len(w.radars.name))]:
        lon, lat = _ring(pos, r, o, n=16)
        lons += [lon.min(), lon.max()]
        lats += [lat.min(), lat.max()]
    if min(lons) >= box[0] and max(lons) <= box[1] and min(lats) >= box[2] and max(lats) <= box[3]:
        return False
    inset = fit_box(lons, lats, o.lat_rad, _plot_px(INSET_X, INSET_Y), pad=0.03)
    _basemap_traces(fig, inset, "x2", "y2", False)
    _ring_traces(fig, g, "x2", "y2", False)
    _route_traces(fig, g, "x2", "y2", False)
    fig.add_scatter(x=[box[0], box[1], box[1], box[0], box[0]], y=[box[2], box[2], box[3], box[3], box[2]], mode="lines",
                    line=dict(color="#212529", width=1.5), xaxis="x2", yaxis="y2", name="main view", showlegend=False,
                    hoverinfo="skip")
    fig.update_layout(xaxis2=dict(domain=INSET_X, anchor="y2", range=inset[:2], showticklabels=False, showgrid=False,
                                  zeroline=False, mirror=True, showline=True, linecolor="#495057"),
                      yaxis2=dict(domain=INSET_Y, anchor="x2", range=inset[2:], showticklabels=False, showgrid=False,
                                  zeroline=False, mirror=True, showline=True, linecolor="#495057", scaleanchor="x2",
                                  scaleratio=1.0 / np.cos(o.lat_rad)))
    fig.add_annotation(text="Overview: full ranges (box: main view)", x=INSET_X[0], y=INSET_Y[1], xref="paper",
                       yref="paper", xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=10, color="#495057"))
    return True
