"""Effective-earth refraction, radar horizon and line of sight, vectorised.

Model: a smooth sphere of effective radius ``Re = k * R0`` with straight rays, which
absorbs standard atmospheric refraction (Skolnik 3e ch. 8; Doerry, SAND2012-10690, 2013;
MATLAB Radar Toolbox documentation, functions ``effearthradius``, ``horizonrange``,
``height2grndrange``, ``range2height``; ITU-R P.453, P.834; full citations docs/REFERENCES.md).
``k`` is always a parameter; the default comes from the ITU-R P.453 median gradient
dN/dh = -39 N-units/km, k ≈ 1.3306, Re ≈ 8.4774e6 m (MATLAB's default, *not* exactly 4/3).

Heights are above the sphere's surface (use height above MSL or the ellipsoid), in metres.
A *ground range* is the great-circle distance measured on the effective-earth surface, which
is the true surface distance (the model rescales the radius, not surface distances). Angles
are radians; elevation is measured up from the local horizontal at the radar and is the
*apparent* (refracted) elevation when k > 1, the geometric one when k = 1.

Every function broadcasts its arguments with NumPy rules and never mutates its inputs.
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from iadsim.constants import DNDH_STANDARD_PER_M, EARTH_MEAN_RADIUS_M
from iadsim.physics.checks import nonneg as _nonneg, positive as _positive




def k_factor(dndh_per_m=DNDH_STANDARD_PER_M, earth_radius_m=EARTH_MEAN_RADIUS_M):
    """Effective-earth factor ``k = 1 / (1 + R0 dN/dh)`` (dimensionless).

    Parameters
    ----------
    dndh_per_m : refractivity gradient dn/dh in 1/m (N-units/km times 1e-9); -39e-9 standard.
    earth_radius_m : true earth radius R0, m.

    Must give k > 0 (gradients below -157 N-units/km are ducting: ValueError).
    """
    denom = 1.0 + np.asarray(earth_radius_m, float) * np.asarray(dndh_per_m, float)
    if np.any(~(denom > 0.0)):
        raise ValueError("dndh_per_m must be > -1/earth_radius_m (about -157e-9 1/m): ducting")
    return 1.0 / denom


K_STANDARD = float(k_factor())  # ≈ 1.3306, MATLAB effearthradius default
K_FOUR_THIRDS = 4.0 / 3.0


def effective_earth_radius_m(k=K_STANDARD, earth_radius_m=EARTH_MEAN_RADIUS_M):
    """Effective earth radius ``Re = k R0`` in m (≈ 8.4774e6 m for the default k)."""
    return _positive("k", k) * _positive("earth_radius_m", earth_radius_m)


def horizon_range_m(h_m, k=K_STANDARD):
    """Slant (tangent) range to the radar horizon from height ``h_m``: sqrt(2 Re h + h²), m.

    MATLAB ``horizonrange`` semantics; ≈ 4.12 km·sqrt(h/m) for a 4/3 earth (TP 8347 §2.9).
    """
    h = _nonneg("h_m", h_m)
    re = effective_earth_radius_m(k)
    return np.sqrt(2.0 * re * h + h * h)


def horizon_ground_range_m(h_m, k=K_STANDARD):
    """Ground (surface arc) range to the horizon from height ``h_m``: Re acos(Re/(Re+h)), m."""
    h = _nonneg("h_m", h_m)
    re = effective_earth_radius_m(k)
    return re * _horizon_angle_rad(h, re)


def _horizon_angle_rad(h_m, re_m):
    """Central angle from a point at height h to its tangent point (0 for h <= 0)."""
    return np.arccos(np.minimum(re_m / (re_m + np.maximum(h_m, 0.0)), 1.0))


def max_los_range_m(h_radar_m, h_target_m, k=K_STANDARD):
    """Longest radar-target slant range over a smooth effective earth, m.

    Sum of the two tangent ranges, ≈ 4.12 (sqrt(h_r) + sqrt(h_t)) km with h in m for a 4/3
    earth (FS-1037C "radio horizon"; NAWCWD TP 8347 §2.9).
    """
    return horizon_range_m(h_radar_m, k) + horizon_range_m(h_target_m, k)


def slant_range_m(h1_m, h2_m, ground_range_m, k=K_STANDARD):
    """Straight-line range between two points given heights and ground range, m (law of cosines)."""
    re = effective_earth_radius_m(k)
    r1, r2 = re + np.asarray(h1_m, float), re + np.asarray(h2_m, float)
    theta = _nonneg("ground_range_m", ground_range_m) / re
    # r1² + r2² - 2 r1 r2 cos θ, written to stay accurate for small θ
    return np.sqrt((r1 - r2) ** 2 + 4.0 * r1 * r2 * np.sin(0.5 * theta) ** 2)


def ground_range_from_slant_m(range_m, h1_m, h2_m, k=K_STANDARD):
    """Ground range between two points given slant range and both heights, m.

    Raises ValueError if the slant range is shorter than the height difference.
    """
    re = effective_earth_radius_m(k)
    rng = _nonneg("range_m", range_m)
    r1, r2 = re + np.asarray(h1_m, float), re + np.asarray(h2_m, float)
    s2 = (rng * rng - (r1 - r2) ** 2) / (4.0 * r1 * r2)
    if np.any(s2 < -1e-12):
        raise ValueError("range_m must be >= |h2_m - h1_m| (allowed range [|dh|, inf))")
    return re * 2.0 * np.arcsin(np.sqrt(np.clip(s2, 0.0, 1.0)))


def elevation_rad(h_radar_m, h_target_m, ground_range_m, k=K_STANDARD):
    """Elevation of the target seen from the radar on the effective earth, rad.

    With the default k this is the apparent (refracted) elevation; k = 1 gives the geometric
    one. Law of cosines (MATLAB Radar Toolbox documentation, functions ``height2grndrange`` and
    ``range2height``; Skolnik 3e ch. 8).
    """
    re = effective_earth_radius_m(k)
    r1, r2 = re + np.asarray(h_radar_m, float), re + np.asarray(h_target_m, float)
    theta = _nonneg("ground_range_m", ground_range_m) / re
    horiz = r2 * np.sin(theta)
    vert = r2 * np.cos(theta) - r1
    return np.arctan2(vert, horiz)


def slant_range_from_height_m(h_target_m, h_radar_m, el_rad, k=K_STANDARD):
    """Slant range to a target at height ``h_target_m`` seen at elevation ``el_rad``, m.

    Solves (Re+h_t)² = (Re+h_r)² + R² + 2 (Re+h_r) R sin(el) for R > 0 (MATLAB
    ``height2range``). Raises ValueError if the ray never reaches that height.
    """
    re = effective_earth_radius_m(k)
    r1, r2 = re + np.asarray(h_radar_m, float), re + np.asarray(h_target_m, float)
    s = r1 * np.sin(np.asarray(el_rad, float))
    disc = s * s + (r2 - r1) * (r2 + r1)
    if np.any(disc < 0.0):
        raise ValueError("h_target_m is below the lowest point of the ray at el_rad")
    rng = np.sqrt(disc) - s
    if np.any(rng < 0.0):
        raise ValueError("h_target_m is below h_radar_m on a downward ray: no solution")
    return rng


def ground_range_from_height_m(h_target_m, h_radar_m, el_rad, k=K_STANDARD):
    """Ground range to a target at height ``h_target_m`` seen at elevation ``el_rad``, m.

    MATLAB ``height2grndrange(tgtht, anht, el)`` semantics (el there in degrees).
    """
    re = effective_earth_radius_m(k)
    el = np.asarray(el_rad, float)
    rng = slant_range_from_height_m(h_target_m, h_radar_m, el, k)
    r1 = re + np.asarray(h_radar_m, float)
    return re * np.arctan2(rng * np.cos(el), r1 + rng * np.sin(el))


def height_from_range_m(range_m, h_radar_m, el_rad, k=K_STANDARD):
    """Target height from slant range and elevation, m (MATLAB ``range2height``)."""
    re = effective_earth_radius_m(k)
    rng = _nonneg("range_m", range_m)
    r1 = re + np.asarray(h_radar_m, float)
    el = np.asarray(el_rad, float)
    return np.sqrt(r1 * r1 + rng * rng + 2.0 * r1 * rng * np.sin(el)) - re


def ray_height_m(h1_m, h2_m, ground_range_m, frac, k=K_STANDARD):
    """Height of the straight ray between two points above the effective earth, m.

    ``frac`` in [0, 1] is the fraction of the ground range from point 1; the chord in polar
    form is r(φ) = r1 r2 sin θ / (r1 sin φ + r2 sin(θ - φ)).
    """
    re = effective_earth_radius_m(k)
    r1, r2 = re + np.asarray(h1_m, float), re + np.asarray(h2_m, float)
    theta = _nonneg("ground_range_m", ground_range_m) / re
    phi = np.asarray(frac, float) * theta
    den = r1 * np.sin(phi) + r2 * np.sin(theta - phi)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(theta > 0.0, r1 * r2 * np.sin(theta) / den, r1 + (r2 - r1) * frac)
    return r - re


@runtime_checkable
class Terrain(Protocol):
    """Terrain elevation source: height above the reference surface at geodetic points.

    ``height_m(lat_rad, lon_rad)`` broadcasts its arguments and returns heights in metres in
    the same datum as the heights passed to :func:`line_of_sight`. A raster (DTED/SRTM)
    implementation can be added later without changing callers.
    """

    def height_m(self, lat_rad, lon_rad) -> np.ndarray: ...


@dataclass(frozen=True)
class FlatEllipsoid:
    """Bald earth: terrain height 0 everywhere (the smooth effective-earth sphere)."""

    def height_m(self, lat_rad, lon_rad):
        """Zero height, shape of the broadcast inputs, m."""
        return np.zeros(np.broadcast_shapes(np.shape(lat_rad), np.shape(lon_rad)))


def _great_circle_points(lat1_rad, lon1_rad, lat2_rad, lon2_rad, frac):
    """Points at fraction ``frac`` along the great circle (spherical slerp), rad."""
    def unit(lat, lon):
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        return np.stack(np.broadcast_arrays(np.cos(lat) * np.cos(lon),
                                            np.cos(lat) * np.sin(lon), np.sin(lat)), -1)
    u1, u2 = unit(lat1_rad, lon1_rad)[..., None, :], unit(lat2_rad, lon2_rad)[..., None, :]
    omega = np.arccos(np.clip(np.sum(u1 * u2, -1, keepdims=True), -1.0, 1.0))
    f = np.asarray(frac, float)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        so = np.sin(omega)
        w1 = np.where(so > 1e-15, np.sin((1.0 - f) * omega) / so, 1.0 - f)
        w2 = np.where(so > 1e-15, np.sin(f * omega) / so, f)
    p = w1 * u1 + w2 * u2
    return np.arctan2(p[..., 2], np.hypot(p[..., 0], p[..., 1])), np.arctan2(p[..., 1], p[..., 0])


def line_of_sight(h1_m, h2_m, ground_range_m, k=K_STANDARD, *, terrain=None, lat1_rad=None,
                  lon1_rad=None, lat2_rad=None, lon2_rad=None, n_samples=64):
    """True where the straight ray between two points clears the effective earth.

    Parameters
    ----------
    h1_m, h2_m : heights of the two ends, m. ground_range_m : great-circle separation, m.
    k : effective-earth factor. terrain : optional :class:`Terrain`; when given, the ray is
        also sampled at ``n_samples`` interior points and must stay above the terrain, which
        needs the end points ``lat1_rad, lon1_rad, lat2_rad, lon2_rad`` (rad).

    Without terrain the test is exact: θ <= acos(Re/(Re+h1)) + acos(Re/(Re+h2)), valid at any
    range (600 km and beyond). Returns a bool array of the broadcast shape.
    """
    re = effective_earth_radius_m(k)
    ground = _nonneg("ground_range_m", ground_range_m)
    h1, h2 = np.asarray(h1_m, float), np.asarray(h2_m, float)
    visible = ground / re <= _horizon_angle_rad(h1, re) + _horizon_angle_rad(h2, re)
    visible = visible | (ground == 0.0)
    if terrain is None:
        return visible
    if any(v is None for v in (lat1_rad, lon1_rad, lat2_rad, lon2_rad)):
        raise ValueError("terrain needs lat1_rad, lon1_rad, lat2_rad and lon2_rad")
    frac = (np.arange(n_samples) + 1.0) / (n_samples + 1.0)
    lat, lon = _great_circle_points(lat1_rad, lon1_rad, lat2_rad, lon2_rad, frac)
    ray = ray_height_m(h1[..., None], h2[..., None], ground[..., None], frac, k)
    clear = np.all(ray >= terrain.height_m(lat, lon), axis=-1)
    return visible & clear


def central_angle_rad(pos1_ecef_m, pos2_ecef_m):
    """Angle at the earth's centre between two ECEF positions (..., 3), rad (Kahan-safe atan2)."""
    a, b = np.asarray(pos1_ecef_m, float), np.asarray(pos2_ecef_m, float)
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    return np.arctan2(cross, np.sum(a * b, axis=-1))


def line_of_sight_ecef(pos1_ecef_m, pos2_ecef_m, h1_m, h2_m, k=K_STANDARD,
                       earth_radius_m=EARTH_MEAN_RADIUS_M):
    """Smooth effective-earth line of sight between ECEF positions (..., 3) with heights h (m).

    Ground range is ``R0 * central angle`` (spherical approximation, < 0.5 % at 600 km);
    heights are the points' heights above the ellipsoid or MSL.
    """
    ground = np.asarray(earth_radius_m, float) * central_angle_rad(pos1_ecef_m, pos2_ecef_m)
    return line_of_sight(h1_m, h2_m, ground, k)
