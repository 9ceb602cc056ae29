"""Radar coverage: detection range against RCS and target altitude, footprint maps, comparisons.

The detection range at a given Pd is the free-space range of the radar equation at the per-pulse
SNR that gives that Pd over one dwell (exact inverse ``required_snr_db``: the radar's n_pulses
non-coherently integrated, its Pfa, Swerling 1 by default), i.e. the Pd of a single dwell, not
cumulative over several scans. It is then capped by the smooth effective-earth line of sight
(``max_los_range_m``, radar antenna height and target altitude above the ground) and by the
radar's instrumented range. Sources: Skolnik 2001 §2 and ch. 8; MATLAB Radar Toolbox documentation, functions radareqrng and
horizonrange (docs/REFERENCES.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iadsim.constants import EARTH_MEAN_RADIUS_M, SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import ground_range_from_slant_m, max_los_range_m


@dataclass(frozen=True)
class CoverageRow:
    unit: str
    radar: str
    rcs_m2: float
    alt_m: float
    pd: float
    free_space_m: float  # radar equation only
    horizon_m: float  # effective-earth line-of-sight limit
    range_m: float  # min(free space, horizon, instrumented range)


def free_space_range_m(radars, i, rcs_m2, pd, swerling=1):
    """Free-space detection range (m) of radar row ``i`` at dwell Pd ``pd`` (broadcasts over rcs_m2, pd)."""
    req_db = rp.required_snr_db(pd, radars.pfa[i], int(radars.n_pulses[i]), swerling)
    return rp.range_for_snr_m(undb(req_db), radars.peak_power_w[i], radars.pulse_width_s[i],
                              SPEED_OF_LIGHT_MPS / radars.frequency_hz[i], rcs_m2, undb(radars.gain_db[i]), None,
                              T0_K * undb(radars.noise_figure_db[i]), undb(radars.losses_db[i]))


def coverage_table(world, rcs_m2, alt_m, pd, swerling=1) -> list[CoverageRow]:
    """One row per (radar, RCS, altitude, Pd) for every radar of the compiled world."""
    rd = world.radars
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    units = world.units.name
    rows = []
    for i, name in enumerate(rd.name):
        for p in pd:
            free = np.atleast_1d(free_space_range_m(rd, i, np.asarray(rcs_m2, float), p, swerling))
            for h in alt_m:
                horizon = float(max_los_range_m(rd.height_m[i], h, k))
                for s, f in zip(rcs_m2, free):
                    rows.append(CoverageRow(units[rd.unit_idx[i]], name, float(s), float(h), float(p), float(f),
                                            horizon, float(min(f, horizon, rd.max_range_m[i]))))
    return rows


@dataclass(frozen=True)
class ThreatCoverageRow:
    unit: str
    radar: str
    threat: str
    band: str  # IEEE letter of the radar's frequency
    band_factor: float  # the threat's RCS factor at that band (threats catalog, X band = 1)
    rcs_m2: float  # frontal RCS the radar sees: rcs_front × band_factor
    alt_m: float
    pd: float
    free_space_m: float
    horizon_m: float
    range_m: float


def threat_rcs_m2(threat: str, band: str) -> tuple[float, float, int]:
    """Frontal RCS of a catalog threat as a radar of IEEE band ``band`` sees it, as a run uses it:
    ``(rcs_front_m2 × band factor, band factor, swerling)`` (a band not listed has factor 1)."""
    from iadsim import catalog

    prof = catalog.si(catalog.profile("threats", threat))
    factor = float(prof.get("rcs_band_factor", {}).get(band, 1.0))
    return prof["rcs_front_m2"] * factor, factor, int(prof["swerling"])


def threat_coverage_table(world, threats, alt_m, pd) -> list[ThreatCoverageRow]:
    """One row per (radar, catalog threat, altitude, Pd): detection range against the threat's nose,
    with its band RCS factor and Swerling model, as a run sees it (:func:`threat_rcs_m2`)."""
    rd = world.radars
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    rows = []
    for i, name in enumerate(rd.name):
        for threat in threats:
            rcs, factor, swerling = threat_rcs_m2(threat, rd.band[i])
            for p in pd:
                free = float(free_space_range_m(rd, i, rcs, p, swerling))
                for h in alt_m:
                    horizon = float(max_los_range_m(rd.height_m[i], h, k))
                    rows.append(ThreatCoverageRow(world.units.name[rd.unit_idx[i]], name, threat, rd.band[i], factor,
                                                  rcs, float(h), float(p), free, horizon,
                                                  float(min(free, horizon, rd.max_range_m[i]))))
    return rows


def footprint_lonlat(world, i, rcs_m2, alt_m, pd, n_az=361, swerling=1):
    """Detection footprint of radar row ``i`` on the map: (lon_deg, lat_deg) of its boundary.

    The slant detection range (capped as in :func:`coverage_table`) becomes a ground range for a
    target at ``alt_m``; a sector radar covers facing ± az_sector/2 (the boundary closes at the site).
    """
    rd = world.radars
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    free = float(free_space_range_m(rd, i, rcs_m2, pd, swerling))
    slant = min(free, float(max_los_range_m(rd.height_m[i], alt_m, k)), rd.max_range_m[i])
    slant = max(slant, abs(alt_m - rd.height_m[i]) + 1e-6)
    ground = float(ground_range_from_slant_m(slant, rd.height_m[i], alt_m, k))
    lat0, lon0 = _site_latlon(world, i)
    sector = rd.az_sector_rad[i]
    full = sector >= 2 * np.pi - 1e-9
    az = np.linspace(0, 2 * np.pi, n_az) if full else rd.facing_rad[i] + np.linspace(-sector / 2, sector / 2, n_az)
    lat, lon = _destination(lat0, lon0, az, ground)
    if not full:
        lat, lon = np.r_[lat0, lat, lat0], np.r_[lon0, lon, lon0]
    return np.degrees(lon), np.degrees(lat), ground


def _site_latlon(world, i):
    from iadsim import geo

    lat, lon, _ = geo.enu_to_geodetic(world.radars.pos_enu_m[i], world.origin)
    return float(lat), float(lon)


def _destination(lat_rad, lon_rad, az_rad, ground_m):
    """Point at great-circle distance ``ground_m`` and bearing ``az_rad`` on the mean sphere."""
    d = ground_m / EARTH_MEAN_RADIUS_M
    lat2 = np.arcsin(np.sin(lat_rad) * np.cos(d) + np.cos(lat_rad) * np.sin(d) * np.cos(az_rad))
    lon2 = lon_rad + np.arctan2(np.sin(az_rad) * np.sin(d) * np.cos(lat_rad), np.cos(d) - np.sin(lat_rad) * np.sin(lat2))
    return lat2, lon2


def _label(world, i):
    return f"{world.units.name[world.radars.unit_idx[i]]} {world.radars.name[i]}"


MAP_RCS_M2 = (0.01, 0.1, 1.0, 10.0)  # stealthy fighter / cruise missile / small fighter / large aircraft, order of magnitude
MAP_ALT_M = (50.0, 1000.0, 10000.0)  # sea-skimming/terrain-following, low, medium-high
RADAR_DASHES = ("solid", "dash", "dot", "dashdot")
RADAR_STYLES = ("-", "--", ":", "-.")
LOG_SPAN = 10.0  # the comparison's range axis is logarithmic beyond this ratio of largest to smallest range


def rcs_colours(rcs_m2) -> list[str]:
    """A dark-to-light sequential colour per RCS value (small RCS dark), one ramp for PNG and HTML."""
    import matplotlib

    cmap = matplotlib.colormaps["viridis"]
    n = len(rcs_m2)
    return [matplotlib.colors.to_hex(cmap(0.05 + 0.8 * k / max(n - 1, 1))) for k in range(n)]


def footprints(world, rcs_m2, alts_m, pd):
    """Every footprint of the map: dicts with radar (index, label), rcs_m2, alt_m, lon_deg, lat_deg,
    ground_m; and the lon/lat box (lon_min, lon_max, lat_min, lat_max) around them and the sites."""
    out, lons, lats = [], [], []
    for h in alts_m:
        for i in range(len(world.radars.name)):
            for s in rcs_m2:
                lon, lat, ground = footprint_lonlat(world, i, s, h, pd)
                out.append(dict(radar=i, label=_label(world, i), rcs_m2=float(s), alt_m=float(h), lon_deg=lon, lat_deg=lat,
                                ground_m=ground))
                lons.append(lon), lats.append(lat)
    for i in range(len(world.radars.name)):
        lat0, lon0 = _site_latlon(world, i)
        lons.append([np.degrees(lon0)]), lats.append([np.degrees(lat0)])
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    return out, (lon.min(), lon.max(), lat.min(), lat.max())


def _panel_box(box, lat0_rad, aspect=1.0, pad=0.06):
    """The box padded and widened so that with y/x scale 1/cos(lat0) it has width/height ``aspect`` on screen."""
    from iadsim.report.run_map import fit_box

    return fit_box([box[0], box[1]], [box[2], box[3]], lat0_rad, (aspect, 1.0), pad=pad, min_half_span_m=5_000.0)


def basemap_axes(ax, view, lat0_rad: float) -> None:
    """A matplotlib map panel on ``view`` = (lon_min, lon_max, lat_min, lat_max) deg: Natural Earth
    coastlines, borders and labelled cities under the data, equal ground scale at ``lat0_rad``."""
    from iadsim.report import basemap, palette

    for layer, colour in (("coast", palette.COAST_COLOUR), ("border", palette.BORDER_COLOUR)):
        lon, lat = basemap.lines(layer, view)
        ax.plot(lon, lat, color=colour, lw=0.8, ls="-" if layer == "coast" else "-.", zorder=1)
    names, clon, clat = basemap.cities(view)
    ax.plot(clon, clat, "o", color=palette.CITY_COLOUR, ms=3, zorder=2)
    for nm, x, y in zip(names, clon, clat):
        ax.annotate(nm, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7, color="#495057", zorder=3.5)
    ax.set_xlim(view[:2])
    ax.set_ylim(view[2:])
    ax.set_aspect(1.0 / np.cos(lat0_rad))
    ax.set_facecolor(palette.LAND_BG)
    ax.set_xlabel("longitude (deg E)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25)


def map_png(world, path: Path, rcs_m2, alts_m, pd: float, title: str) -> None:
    """Footprints of every radar on the Natural Earth basemap (matplotlib): one panel per target
    altitude, one colour per RCS (dark = small), one line style per radar, legend below the panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from iadsim.report import basemap, palette

    fps, box = footprints(world, rcs_m2, alts_m, pd)
    view = _panel_box(box, world.origin.lat_rad)
    colours = rcs_colours(rcs_m2)
    n = len(alts_m)
    fig, axes = plt.subplots(1, n, figsize=(4.6 * n, 5.6), squeeze=False)
    for ax, h in zip(axes[0], alts_m):
        basemap_axes(ax, view, world.origin.lat_rad)
        for f in fps:
            if f["alt_m"] == h:
                k = list(rcs_m2).index(f["rcs_m2"])
                ax.plot(f["lon_deg"], f["lat_deg"], RADAR_STYLES[f["radar"] % 4], color=colours[k], lw=1.6, zorder=3)
        for i in range(len(world.radars.name)):
            lat0, lon0 = _site_latlon(world, i)
            ax.plot(np.degrees(lon0), np.degrees(lat0), "^", color=palette.UNIT_COLOUR, ms=8, zorder=4)
        ax.set_title(f"target {h:g} m above ground", fontsize=10)
    axes[0][0].set_ylabel("latitude (deg N)", fontsize=8)
    handles = [plt.Line2D([], [], color=c, lw=2, label=f"RCS {s:g} m²") for s, c in zip(rcs_m2, colours)]
    handles += [plt.Line2D([], [], color="#212529", ls=RADAR_STYLES[i % 4], label=_label(world, i))
                for i in range(len(world.radars.name))]
    handles += [plt.Line2D([], [], color=palette.UNIT_COLOUR, marker="^", ls="", label="radar site")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
    fig.suptitle(f"{title}: where each radar detects a target at Pd {pd:g} per dwell (Swerling 1), by RCS and altitude",
                 fontsize=10)
    fig.text(0.99, 0.005, basemap.ATTRIBUTION, ha="right", va="bottom", fontsize=6, color="#868e96")
    fig.tight_layout(rect=(0, 0.1, 1, 0.96))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def map_html(world, path: Path, rcs_m2, alts_m, pd: float, title: str) -> None:
    """Interactive version of :func:`map_png` (Plotly; hover gives radar, RCS, altitude and ground range).

    Plotly's JavaScript is written once per output directory as ``plotly.min.js`` beside the page
    (``include_plotlyjs="directory"``): each map page stays small (well under 1 MB, where an inlined
    bundle is 4.8 MB per page) and opens offline as long as the directory is kept together.
    """
    from plotly.subplots import make_subplots

    from iadsim.report import basemap, palette

    fps, box = footprints(world, rcs_m2, alts_m, pd)
    view = _panel_box(box, world.origin.lat_rad)
    colours = rcs_colours(rcs_m2)
    n = len(alts_m)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[f"target {h:g} m above ground" for h in alts_m],
                        horizontal_spacing=0.03)
    names, clon, clat = basemap.cities(view)
    for col, h in enumerate(alts_m, start=1):
        for layer, colour in (("coast", palette.COAST_COLOUR), ("border", palette.BORDER_COLOUR)):
            lon, lat = basemap.lines(layer, view)
            fig.add_scatter(x=np.round(lon, 4), y=np.round(lat, 4), mode="lines", line=dict(color=colour, width=1),
                            hoverinfo="skip", showlegend=False, row=1, col=col)
        for f in fps:
            if f["alt_m"] != h:
                continue
            k = list(rcs_m2).index(f["rcs_m2"])
            first = col == 1
            fig.add_scatter(x=np.round(f["lon_deg"], 4), y=np.round(f["lat_deg"], 4), mode="lines",
                            line=dict(color=colours[k], dash=RADAR_DASHES[f["radar"] % 4], width=2),
                            name=f"{f['label']}, RCS {f['rcs_m2']:g} m²", legendgroup=f"{f['radar']} {k}", showlegend=first,
                            hovertemplate=f"{f['label']}: RCS {f['rcs_m2']:g} m², {h:g} m, "
                                          f"{f['ground_m'] / 1e3:.0f} km ground range<extra></extra>", row=1, col=col)
        for i in range(len(world.radars.name)):
            lat0, lon0 = _site_latlon(world, i)
            fig.add_scatter(x=[np.degrees(lon0)], y=[np.degrees(lat0)], mode="markers", showlegend=False,
                            marker=dict(symbol="triangle-up", size=11, color=palette.UNIT_COLOUR),
                            hovertext=_label(world, i), hoverinfo="text", row=1, col=col)
        fig.add_scatter(x=clon, y=clat, mode="markers+text", text=names, textposition="top right",
                        marker=dict(size=5, color=palette.CITY_COLOUR), textfont=dict(size=9, color="#495057"),
                        showlegend=False, hoverinfo="skip", row=1, col=col)
        anchor = "x" if col == 1 else f"x{col}"
        fig.update_xaxes(range=view[:2], title_text="longitude (deg E)", row=1, col=col)
        fig.update_yaxes(range=view[2:], scaleanchor=anchor, scaleratio=1.0 / np.cos(world.origin.lat_rad),
                         showticklabels=col == 1, row=1, col=col)
    fig.update_yaxes(title_text="latitude (deg N)", row=1, col=1)
    fig.update_layout(title=f"{title}: detection footprint at Pd {pd:g} per dwell (Swerling 1); colour = RCS "
                            f"(dark = small), line style = radar", height=620, plot_bgcolor=palette.LAND_BG,
                      legend=dict(orientation="h", x=0, y=-0.18, font=dict(size=10)), margin=dict(b=140))
    fig.add_annotation(text=basemap.ATTRIBUTION, x=1, y=-0.32, xref="paper", yref="paper", xanchor="right",
                       showarrow=False, font=dict(size=9, color="#868e96"))
    fig.write_html(path, include_plotlyjs="directory", full_html=True)


def compare_png(worlds: dict, path: Path, alts_m, pd: float = 0.5, rcs_m2=np.logspace(-4, 3, 57)) -> bool:
    """Detection range vs RCS at a few altitudes for every radar of several scenarios (one panel per
    altitude). The range axis is logarithmic when the capped ranges span more than a factor
    ``LOG_SPAN`` (returns whether it is), and is scaled to the capped (solid) curves: the free-space
    curves (dotted) run off the top beyond them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = []  # (panel, label, colour, capped_km, free_km)
    for p, h in enumerate(alts_m):
        c = 0
        for scen, world in worlds.items():
            rd = world.radars
            k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
            for i in range(len(rd.name)):
                free = free_space_range_m(rd, i, rcs_m2, pd)
                capped = np.minimum(np.minimum(free, max_los_range_m(rd.height_m[i], h, k)), rd.max_range_m[i])
                curves.append((p, f"{scen}: {_label(world, i)}", f"C{c}", capped / 1e3, free / 1e3))
                c += 1
    lo = min(cv[3].min() for cv in curves)
    hi = max(cv[3].max() for cv in curves)
    log_y = bool(hi / max(lo, 1e-9) > LOG_SPAN)
    fig, axes = plt.subplots(1, len(alts_m), figsize=(5 * len(alts_m), 4.8), sharey=True, squeeze=False)
    for p, label, colour, capped, free in curves:
        ax = axes[0][p]
        ax.plot(rcs_m2, capped, color=colour, lw=1.8, label=label)
        ax.plot(rcs_m2, free, ":", color=colour, lw=0.9)
    for ax, h in zip(axes[0], alts_m):
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
            ax.set_ylim(lo / 1.3, hi * 1.3)
            ticks = [m * 10 ** e for e in range(-1, 5) for m in (1, 2, 5) if lo / 1.3 <= m * 10 ** e <= hi * 1.3]
            ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        else:
            ax.set_ylim(0, hi * 1.1)
        ax.set_xlabel("RCS (m²)")
        ax.set_title(f"target altitude {h:g} m", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel(f"detection range at Pd {pd:g} (km{', log scale' if log_y else ''})")
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="#495057", ls=":", lw=0.9))
    labels.append("free space (no horizon, no instrumented-range cap)")
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), fontsize=8, frameon=False)
    fig.suptitle("Detection range vs RCS (single dwell, Swerling 1): solid = capped by the horizon and the instrumented "
                 "range, dotted = free space", fontsize=10)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return log_y
