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


def map_png(world, path: Path, rcs_m2: float, alt_m: float, pds, title: str) -> None:
    """Footprints of every radar at each Pd (solid, dashed, ...) on a lon/lat plot (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 7))
    styles = ["-", "--", ":", "-."]
    for i in range(len(world.radars.name)):
        color = f"C{i}"
        for j, p in enumerate(pds):
            lon, lat, _ = footprint_lonlat(world, i, rcs_m2, alt_m, p)
            ax.plot(lon, lat, styles[j % 4], color=color, label=f"{_label(world, i)} Pd {p:g}")
        lat0, lon0 = _site_latlon(world, i)
        ax.plot(np.degrees(lon0), np.degrees(lat0), "k^")
    ax.set_aspect(1.0 / np.cos(world.origin.lat_rad))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title(f"{title}: detection footprint, RCS {rcs_m2:g} m², altitude {alt_m:g} m (single dwell, Swerling 1)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def map_html(world, path: Path, rcs_m2: float, alt_m: float, pds, title: str) -> None:
    """Interactive version of :func:`map_png` (Plotly, JavaScript embedded: opens offline)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i in range(len(world.radars.name)):
        for j, p in enumerate(pds):
            lon, lat, ground = footprint_lonlat(world, i, rcs_m2, alt_m, p)
            fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(dash=dashes[j % 4]),
                            name=f"{_label(world, i)} Pd {p:g} ({ground / 1e3:.0f} km ground range)")
        lat0, lon0 = _site_latlon(world, i)
        fig.add_scatter(x=[np.degrees(lon0)], y=[np.degrees(lat0)], mode="markers", marker=dict(symbol="triangle-up", size=10),
                        name=f"{_label(world, i)} site", showlegend=False)
    fig.update_layout(title=f"{title}: detection footprint, RCS {rcs_m2:g} m², altitude {alt_m:g} m (single dwell, Swerling 1)",
                      xaxis_title="longitude (deg)", yaxis_title="latitude (deg)", yaxis_scaleanchor="x",
                      yaxis_scaleratio=1.0 / np.cos(world.origin.lat_rad))
    fig.write_html(path, include_plotlyjs=True, full_html=True)


def compare_png(worlds: dict, path: Path, alts_m, pd: float = 0.5, rcs_m2=np.logspace(-4, 3, 57)) -> None:
    """Detection range vs RCS at a few altitudes for every radar of several scenarios (one panel per altitude)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(alts_m), figsize=(5 * len(alts_m), 4.5), sharey=True, squeeze=False)
    for ax, h in zip(axes[0], alts_m):
        c = 0
        for scen, world in worlds.items():
            rd = world.radars
            k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
            for i in range(len(rd.name)):
                free = free_space_range_m(rd, i, rcs_m2, pd)
                capped = np.minimum(np.minimum(free, max_los_range_m(rd.height_m[i], h, k)), rd.max_range_m[i])
                ax.plot(rcs_m2, capped / 1e3, color=f"C{c}", label=f"{scen}: {rd.name[i]}")
                ax.plot(rcs_m2, free / 1e3, ":", color=f"C{c}", lw=0.8)
                c += 1
        ax.set_xscale("log")
        ax.set_xlabel("RCS (m²)")
        ax.set_title(f"target altitude {h:g} m")
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel(f"detection range at Pd {pd:g} (km)")
    axes[0][-1].legend(fontsize=8)
    fig.suptitle("Detection range vs RCS (single dwell, Swerling 1; dotted: free space, solid: horizon and instrumented range)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
