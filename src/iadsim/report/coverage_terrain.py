"""Coverage over terrain (issue 19): the low-level coverage diagram and the masking-angle profile.

For a scenario with a DEM (``terrain:``), each radar's coverage against a target flying at a fixed
height *above the terrain* (the classic low-level coverage diagram): a point is covered when the
target there is not masked by the terrain (the site's horizon profile,
:mod:`iadsim.terrain.horizon`, the same lookup a run uses), its slant range is within the one-dwell
free-space detection range at the given Pd and RCS (:func:`iadsim.report.coverage.free_space_range_m`,
Swerling 1) and the instrumented range, and it is inside the radar's azimuth sector. The
*masking-angle profile* of a site is its horizon: the largest terrain elevation angle per
azimuth (effective earth, k of the scenario), over the whole instrumented range.

Grids are polar about each site: ``N_AZ_MAP`` azimuths and the horizon profile's own ground
ranges. Without a DEM nothing here is drawn (the smooth-earth coverage of
:mod:`iadsim.report.coverage` applies).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iadsim.constants import EARTH_MEAN_RADIUS_M
from iadsim.physics.propagation import line_of_sight, slant_range_m
from iadsim.terrain import TerrainWarning, horizon

N_AZ_MAP = 360  # azimuths of the coverage grids (1°)


@dataclass(frozen=True)
class LowLevelCoverage:
    """Coverage of radar row ``radar`` against a target ``agl_m`` above the terrain (polar grid)."""

    radar: int
    agl_m: float
    az_rad: np.ndarray  # (a,) the site's frame, clockwise from north
    ground_m: np.ndarray  # (n,) ground ranges
    visible: np.ndarray  # (a, n) bool: line of sight over the terrain
    in_range: np.ndarray  # (a, n) bool: within detection range, instrumented range and sector (masking aside)
    smooth: np.ndarray  # (a, n) bool: in range and in line of sight over the smooth earth at origin.alt_m (no DEM)
    covered: np.ndarray  # (a, n) bool: visible and in range
    lat_deg: np.ndarray  # (a, n)
    lon_deg: np.ndarray  # (a, n)

    def reach_m(self, which: str = "covered") -> np.ndarray:
        """Ground range (a,) out to which the grid is covered (or visible) without a gap from the site, m."""
        grid = getattr(self, which)
        gap = np.argmin(np.concatenate([grid, np.zeros((len(grid), 1), bool)], axis=1), axis=1)
        return np.where(gap > 0, self.ground_m[np.maximum(gap - 1, 0)], 0.0)

    def area_km2(self, which: str = "covered") -> float:
        """Area of the covered (or visible) cells, km² (annular cells on the sphere, small-angle)."""
        edges = np.concatenate([[0.0], 0.5 * (self.ground_m[1:] + self.ground_m[:-1]), [self.ground_m[-1]]])
        ring = np.pi * (edges[1:] ** 2 - edges[:-1] ** 2) / len(self.az_rad)
        return float((getattr(self, which) * ring[None, :]).sum() / 1e6)


def low_level_coverage(world, i: int, agl_m: float, rcs_m2: float | None = None, pd: float | None = None,
                       n_az: int = N_AZ_MAP) -> LowLevelCoverage | None:
    """The :class:`LowLevelCoverage` of radar row ``i`` (None without a DEM). ``rcs_m2`` and ``pd``
    None: line of sight and instrumented range only."""
    from iadsim.report.coverage import free_space_range_m

    prof = horizon.horizon_profiles(world)
    if prof is None:
        return None
    rd, ter = world.radars, world.extra["terrain"]
    ground = prof.range_m(i)
    az = np.arange(n_az) * (2 * np.pi / n_az)
    hae_t = horizon.site_samples(ter, world.origin, rd.pos_enu_m[i], rd.rot_local_from_enu[i], world.earth_centre_enu_m,
                                 ground, n_az) + agl_m
    r_idx = np.full(hae_t.shape, i)
    visible = prof.visible(r_idx, az[:, None], ground[None, :], hae_t)
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    slant = slant_range_m(prof.antenna_hae_m[i], hae_t, ground[None, :], k)
    reach = rd.max_range_m[i]
    if rcs_m2 is not None and pd is not None:
        reach = min(reach, float(free_space_range_m(rd, i, rcs_m2, pd)))
    in_range = slant <= reach  # (the radar's minimum range is left out, as in iadsim.report.coverage)
    if rd.az_sector_rad[i] < 2 * np.pi - 1e-9:
        off = np.abs(np.mod(az - rd.facing_rad[i] + np.pi, 2 * np.pi) - np.pi)
        in_range &= (off <= rd.az_sector_rad[i] / 2)[:, None]
    lat, lon = _latlon(world, i, az, ground)
    smooth = in_range & line_of_sight(rd.height_m[i], agl_m, ground, k)[None, :]
    return LowLevelCoverage(i, float(agl_m), az, ground, visible, in_range, smooth, visible & in_range, lat, lon)


def _latlon(world, i, az, ground):
    """Geodetic latitude and longitude (deg) of the polar grid (the horizon profile's geometry)."""
    rd = world.radars
    radial = rd.pos_enu_m[i] - world.earth_centre_enu_m
    r_s = np.linalg.norm(radial)
    u = radial / r_s
    e, n = rd.rot_local_from_enu[i][0], rd.rot_local_from_enu[i][1]
    h = np.sin(az)[:, None] * e + np.cos(az)[:, None] * n
    h -= (h @ u)[:, None] * u
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    rot = world.origin.rot_enu_from_ecef
    u_e, h_e = u @ rot, h @ rot
    th = ground / r_s
    x, y, z = (np.cos(th)[None, :] * u_e[c] + np.sin(th)[None, :] * h_e[:, c, None] for c in range(3))
    lat = np.arctan2(z, (1.0 - horizon._E2) * np.hypot(x, y))
    return np.degrees(lat), np.degrees(np.arctan2(y, x))


def masking_profile_deg(world, i: int, n_az: int = N_AZ_MAP) -> tuple[np.ndarray, np.ndarray] | None:
    """(azimuth deg (a,), masking angle deg (a,)) of radar row ``i``: the largest terrain elevation
    over its instrumented range per azimuth (effective earth). None without a DEM."""
    prof = horizon.horizon_profiles(world)
    if prof is None:
        return None
    az = np.arange(n_az) * (2 * np.pi / n_az)
    mask = prof.mask_angle_rad(np.full(n_az, i), az, np.full(n_az, world.radars.max_range_m[i]))
    return np.degrees(az), np.degrees(mask)


def masked_footprint_lonlat(world, i: int, agl_m: float):
    """The masked line-of-sight footprint of radar row ``i`` against a target ``agl_m`` above the
    terrain: (lon_deg, lat_deg) of the boundary out to which it is seen without a gap from the site
    (capped by the instrumented range; a sector radar's closes at the site). None without a DEM."""
    cov = low_level_coverage(world, i, agl_m)
    if cov is None:
        return None
    reach = cov.reach_m("covered")
    j = np.clip(np.searchsorted(cov.ground_m, reach), 0, len(cov.ground_m) - 1)
    a = np.arange(len(cov.az_rad))
    lat, lon = cov.lat_deg[a, j], cov.lon_deg[a, j]
    return np.r_[lon, lon[:1]], np.r_[lat, lat[:1]]


def summary_rows(world, agl_m: float, rcs_m2: float, pd: float) -> list[dict]:
    """Per radar: masking angle (min, median, max deg), covered area over the terrain and over the
    smooth earth at origin.alt_m (what the scenario gives without its DEM), km², against a target
    ``agl_m`` above the ground, RCS ``rcs_m2``, Pd ``pd``; the median gap-free reach, km."""
    rows = []
    for i, name in enumerate(world.radars.name):
        cov = low_level_coverage(world, i, agl_m, rcs_m2, pd)
        if cov is None:
            return []
        _, mask = masking_profile_deg(world, i)
        rows.append(dict(unit=world.units.name[world.radars.unit_idx[i]], radar=name, mask_min_deg=float(mask.min()),
                         mask_median_deg=float(np.median(mask)), mask_max_deg=float(mask.max()),
                         area_km2=cov.area_km2(), area_smooth_km2=cov.area_km2("smooth"),
                         reach_median_km=float(np.median(cov.reach_m())) / 1e3))
    return rows


def low_level_png(world, path: Path, agl_m: float, rcs_m2: float, pd: float, title: str) -> None:
    """The low-level coverage diagram: each radar's covered cells (filled) against a target ``agl_m``
    above the terrain, over the DEM's relief (grey shading), on longitude/latitude axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    fig, ax = plt.subplots(figsize=(8, 7))
    ter = world.extra["terrain"]
    covs = [low_level_coverage(world, i, agl_m, rcs_m2, pd) for i in range(len(world.radars.name))]
    lat_all = np.concatenate([c.lat_deg[c.covered] for c in covs] + [c.lat_deg[:, 0] for c in covs])
    lon_all = np.concatenate([c.lon_deg[c.covered] for c in covs] + [c.lon_deg[:, 0] for c in covs])
    pad_lat = 0.1 * max(np.ptp(lat_all), 0.1)
    pad_lon = 0.1 * max(np.ptp(lon_all), 0.1)
    box = (lat_all.min() - pad_lat, lat_all.max() + pad_lat, lon_all.min() - pad_lon, lon_all.max() + pad_lon)
    glat, glon = np.meshgrid(np.linspace(box[0], box[1], 300), np.linspace(box[2], box[3], 300), indexing="ij")
    with warnings.catch_warnings():  # the view may reach past the tiles: origin.alt_m there, already announced
        warnings.simplefilter("ignore", TerrainWarning)
        relief = ter.height_m(np.radians(glat), np.radians(glon))
    im = ax.pcolormesh(glon, glat, relief, cmap="Greys", shading="auto")
    fig.colorbar(im, ax=ax, label="terrain height above the ellipsoid (m)", shrink=0.7)
    for i, cov in enumerate(covs):
        colour = f"C{i}"
        wrap = lambda a: np.vstack([a, a[:1]])  # noqa: E731  close the circle (the last azimuth back to north)
        ax.pcolormesh(wrap(cov.lon_deg), wrap(cov.lat_deg), np.where(cov.covered, 1.0, np.nan)[:, :-1],
                      cmap=ListedColormap([colour]), alpha=0.3, shading="flat", edgecolors="none", antialiased=False,
                      rasterized=True)
        lon, lat = masked_footprint_lonlat(world, i, agl_m)
        ax.plot(lon, lat, color=colour, lw=1, label=f"{world.units.name[world.radars.unit_idx[i]]} {world.radars.name[i]}")
    ax.set_xlim(box[2], box[3])
    ax.set_ylim(box[0], box[1])
    ax.set_aspect(1.0 / np.cos(world.origin.lat_rad))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title(f"{title}: low-level coverage, target {agl_m:g} m above the terrain, RCS {rcs_m2:g} m², Pd {pd:g}\n"
                 "(filled: detected, one dwell, Swerling 1, terrain masking; line: covered without a gap from the site)",
                 fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def masking_profile_png(world, path: Path, title: str) -> None:
    """Masking-angle profile of every radar: terrain horizon elevation against azimuth."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    for i in range(len(world.radars.name)):
        az, mask = masking_profile_deg(world, i)
        ax.plot(az, mask, color=f"C{i}", label=f"{world.units.name[world.radars.unit_idx[i]]} {world.radars.name[i]}")
    ax.set_xlim(0, 360)
    ax.set_xlabel("azimuth (deg, clockwise from north)")
    ax.set_ylabel("masking angle (deg)")
    ax.set_title(f"{title}: terrain masking angle per azimuth (effective earth, over the instrumented range)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def add_masked_footprints(fig, world, agl_m: float) -> None:
    """Run report hook: each radar's masked line-of-sight footprint against a target ``agl_m`` above
    the terrain, as a Plotly line (nothing without a DEM)."""
    if horizon.horizon_profiles(world) is None:
        return
    for i, name in enumerate(world.radars.name):
        lon, lat = masked_footprint_lonlat(world, i, agl_m)
        fig.add_scatter(x=lon, y=lat, mode="lines", line=dict(width=1.5, color="#5f3dc4"), legendgroup="rings",
                        name=f"{world.units.name[world.radars.unit_idx[i]]} {name} terrain-masked footprint vs "
                             f"{agl_m:.0f} m above the terrain")


def cli_outputs(world, target: Path, suffix: str, name: str, agl_m: float, rcs_m2: float, pd: float, out) -> list[Path]:
    """``iadsim coverage`` hook: for a scenario with a DEM, print the low-level coverage table and
    write the low-level coverage map and the masking-angle profile; returns the files written."""
    if horizon.horizon_profiles(world) is None:
        return []
    from rich.table import Table

    from rich import box

    table = Table(title=f"{name}: low-level coverage over the terrain (target {agl_m:g} m above it, RCS {rcs_m2:g} m², "
                        f"Pd {pd:g})", box=box.SIMPLE_HEAD, caption="mask: masking angle min / median / max (deg); "
                        "covered: area seen over the terrain vs over a smooth earth; reach: median gap-free reach")
    for col in ("unit", "radar", "mask deg", "covered km²", "smooth km²", "reach km"):
        table.add_column(col, justify="left" if col in ("unit", "radar") else "right", no_wrap=True)
    for r in summary_rows(world, agl_m, rcs_m2, pd):
        table.add_row(r["unit"], r["radar"], f"{r['mask_min_deg']:.2f}/{r['mask_median_deg']:.2f}/{r['mask_max_deg']:.2f}",
                      f"{r['area_km2']:,.0f}", f"{r['area_smooth_km2']:,.0f}", f"{r['reach_median_km']:.1f}")
    out.print(table)
    png, prof = target / f"low_level_coverage{suffix}.png", target / f"masking_profile{suffix}.png"
    low_level_png(world, png, agl_m, rcs_m2, pd, name)
    masking_profile_png(world, prof, name)
    return [png, prof]
