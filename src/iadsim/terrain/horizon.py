"""Horizon profiles: each radar site's terrain masking angle per azimuth and range, so that a
line-of-sight test over terrain is a table lookup, not a ray march.

Geometry (the effective-earth model of :mod:`iadsim.physics.propagation`: a sphere of radius
``k·R0`` with straight rays; heights above the WGS-84 ellipsoid): a straight ray from the
antenna to a target lies in the vertical plane through both, and every point of it is seen from
the antenna at the target's elevation angle. A terrain point of that plane nearer than the target
is above the ray exactly when it is seen at a higher elevation. So the target is masked when its
elevation (:func:`~iadsim.physics.propagation.elevation_rad`) is below the *masking angle*: the
largest elevation of the terrain samples at smaller ground distance along its azimuth.

The profile of a site samples the terrain along ``N_AZ`` azimuths (the site's own horizon frame,
clockwise from north, bins of 360°/N_AZ, a look uses the nearest) on great circles through the
site, at ground distances of one DEM sample spacing out to the farthest DEM tile corner (at most
``MAX_FINE_SAMPLES`` samples; the step grows beyond that). Its running maximum over range is the
masking-angle table (radars, N_AZ, samples + 1). Beyond the DEM the ground is the smooth sphere
at ``origin.alt_m``, whose elevation seen from the antenna rises to its tangent point and falls
after it, so its largest elevation over a range interval is exact in closed form (no samples):
a look beyond the DEM takes the larger of the table's last angle and that. Radars of one site
share the terrain samples; each has its own antenna height. Tested against a brute-force ray
march (tests/terrain).

Ground distance is the one of :func:`iadsim.geo.ground_distance_m` (the central angle times the
distance from the earth's centre to the antenna), so a look's ground range indexes the profile
directly. The profile is computed once per scenario (kept by content within ``IADSIM_MEMO_MB``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from iadsim import geo, memo
from iadsim.constants import EARTH_MEAN_RADIUS_M, WGS84_F
from iadsim.physics.propagation import elevation_rad

N_AZ = 1440  # azimuth bins (0.25°)
MAX_FINE_SAMPLES = 4000  # samples at the DEM's spacing per azimuth, at most
COARSE_STEP_M = 500.0  # ground-range step of the coverage grids beyond the DEM (iadsim.report.coverage_terrain)
NO_MASK_RAD = -np.pi / 2  # the masking angle where no terrain lies between
_E2 = WGS84_F * (2.0 - WGS84_F)


@dataclass(frozen=True, eq=False)
class HorizonProfiles:
    """Masking angles of every radar of a world; see the module docstring. Indexed by global
    radar row. ``mask_el_rad[r, a, c]`` is the largest terrain elevation seen from radar r
    along azimuth bin a over its first c range samples (c = 0: none, ``NO_MASK_RAD``)."""

    mask_el_rad: np.ndarray  # (r, N_AZ, n + 1) float32
    fine_step_m: np.ndarray  # (r,)
    n_fine: np.ndarray  # (r,) int samples at fine_step_m (distances fine_step_m·1..n_fine), the DEM's extent
    reach_m: np.ndarray  # (r,) instrumented range (the coverage grids' extent)
    antenna_hae_m: np.ndarray  # (r,) antenna height above the ellipsoid
    ground_hae_m: float  # the ground beyond the DEM (origin.alt_m), above the ellipsoid
    k: float  # effective-earth factor the angles were computed with

    @property
    def n_az(self) -> int:
        return self.mask_el_rad.shape[1]

    def range_m(self, r: int) -> np.ndarray:
        """Ground distances of a polar grid about radar r, m: its profile's samples, then every
        ``COARSE_STEP_M`` out to its instrumented range."""
        f = self.fine_step_m[r] * np.arange(1, self.n_fine[r] + 1)
        return np.concatenate([f, f[-1] + COARSE_STEP_M * np.arange(1, max(int(np.ceil((self.reach_m[r] - f[-1])
                                                                                      / COARSE_STEP_M)), 0) + 1)])

    def mask_angle_rad(self, r_idx, az_rad, ground_m) -> np.ndarray:
        """The masking angle (effective-earth elevation, rad) of terrain nearer than ``ground_m``
        along azimuth ``az_rad`` (the site's frame) from radars ``r_idx``; paired rows, broadcast."""
        r_idx, az, d = np.broadcast_arrays(np.asarray(r_idx, np.intp), np.asarray(az_rad, float),
                                           np.asarray(ground_m, float))
        shape = d.shape
        r_idx, az, d = r_idx.reshape(-1), az.reshape(-1), d.reshape(-1)
        a = np.rint(np.mod(az, 2 * np.pi) * (self.n_az / (2 * np.pi))).astype(np.intp) % self.n_az
        step, nf = self.fine_step_m[r_idx], self.n_fine[r_idx]
        c = np.clip(np.ceil(d / step) - 1.0, 0, nf).astype(np.intp)
        mask = self.mask_el_rad[r_idx, a, c].astype(float)
        beyond = d > step * nf
        if beyond.any():
            b = np.flatnonzero(beyond)
            mask[b] = np.maximum(mask[b], self._flat_max_el(r_idx[b], (step * nf)[b], d[b]))
        return mask.reshape(shape)

    def _flat_max_el(self, r_idx, g0_m, g1_m):
        """Largest elevation of the smooth ground at ``ground_hae_m`` over ground ranges [g0, g1]
        seen from radars r_idx, rad: it rises to the tangent point (if the ground is below the
        antenna) and falls after it, so the maximum is at an end or at the tangent point."""
        from iadsim.physics.propagation import effective_earth_radius_m

        re = effective_earth_radius_m(self.k)
        h_a = self.antenna_hae_m[r_idx]
        r1, r2 = re + h_a, re + self.ground_hae_m
        g_tan = re * np.arccos(np.minimum(r2 / r1, 1.0))
        best = np.maximum(elevation_rad(h_a, self.ground_hae_m, g0_m, self.k),
                          elevation_rad(h_a, self.ground_hae_m, g1_m, self.k))
        inside = (g_tan > g0_m) & (g_tan < g1_m)
        return np.where(inside, np.maximum(best, elevation_rad(h_a, self.ground_hae_m, g_tan, self.k)), best)

    def masked(self, r_idx, az_rad, el_rad, ground_m) -> np.ndarray:
        """True where terrain masks a point at effective-earth elevation ``el_rad`` (as
        :func:`~iadsim.physics.propagation.elevation_rad` gives it), azimuth ``az_rad`` (the
        site's frame) and ground distance ``ground_m`` from radars ``r_idx`` (broadcast)."""
        return np.asarray(el_rad, float) < self.mask_angle_rad(r_idx, az_rad, ground_m)

    def visible(self, r_idx, az_rad, ground_m, target_hae_m) -> np.ndarray:
        """True where a point at height ``target_hae_m`` above the ellipsoid clears the terrain."""
        el = elevation_rad(self.antenna_hae_m[r_idx], target_hae_m, ground_m, self.k)
        return ~self.masked(r_idx, az_rad, el, ground_m)

    def lowest_visible_hae_m(self, r_idx, az_rad, ground_m) -> np.ndarray:
        """The lowest height above the ellipsoid seen from radars ``r_idx`` at (azimuth, ground
        distance): where the masking ray crosses that ground distance, m (low-level coverage)."""
        from iadsim.physics.propagation import effective_earth_radius_m

        re = effective_earth_radius_m(self.k)
        el = np.maximum(self.mask_angle_rad(r_idx, az_rad, ground_m), -np.pi / 2 + 1e-9)
        r1 = re + self.antenna_hae_m[np.asarray(r_idx, np.intp)]
        theta = np.asarray(ground_m, float) / re
        # the ray from r1 at elevation el meets the radial at angle θ at r1 cos(el) / cos(el + θ)
        cos_t = np.cos(el + theta)
        return np.where(cos_t > 1e-9, r1 * np.cos(el) / np.maximum(cos_t, 1e-9) - re, np.inf)


def los_clear(world, r_idx, pos_enu_m) -> np.ndarray:
    """Terrain line of sight from radars ``r_idx`` to points ``pos_enu_m`` (paired rows (d,),
    (d, 3) scenario ENU): True where the terrain does not mask the point. All True without a DEM.
    The API other lines of sight (jammer-radar, missile-target) use."""
    prof = horizon_profiles(world)
    pos = np.asarray(pos_enu_m, float).reshape(-1, 3)
    r_idx = np.broadcast_to(np.asarray(r_idx, np.intp), (len(pos),))
    if prof is None:
        return np.ones(len(pos), bool)
    rd = world.radars
    los_local = np.einsum("dij,dj->di", rd.rot_local_from_enu[r_idx], pos - rd.pos_enu_m[r_idx])
    az, _, _ = geo.enu_to_aer(los_local)
    ground = geo.ground_distance_m(pos, rd.pos_enu_m[r_idx], world.earth_centre_enu_m)
    return prof.visible(r_idx, az, ground, geo.altitude_m(pos, world.origin))


def site_samples(terrain, origin, site_enu_m, rot_local_from_enu, earth_centre_enu_m, ground_m, n_az=N_AZ):
    """Terrain heights above the ellipsoid (n_az, n) along the site's azimuth bins at ground
    distances ``ground_m`` (n,): on great circles through the site (the sphere of its distance
    from the earth's centre); a sample's geodetic latitude is that of the ellipsoid surface point
    on its geocentric direction, tan φ = tan ψ / (1 − e²)."""
    radial = np.asarray(site_enu_m, float) - earth_centre_enu_m
    r_s = np.linalg.norm(radial)
    u = radial / r_s
    az = np.arange(n_az) * (2 * np.pi / n_az)
    east, north = rot_local_from_enu[0], rot_local_from_enu[1]
    h = np.sin(az)[:, None] * east + np.cos(az)[:, None] * north
    h -= (h @ u)[:, None] * u
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    u_ecef, h_ecef = u @ origin.rot_enu_from_ecef, h @ origin.rot_enu_from_ecef  # (3,), (n_az, 3)
    theta = np.asarray(ground_m, float) / r_s
    c, s = np.cos(theta)[None, :], np.sin(theta)[None, :]
    x, y, z = (c * u_ecef[i] + s * h_ecef[:, i, None] for i in range(3))
    lat = np.arctan2(z, (1.0 - _E2) * np.hypot(x, y))
    return terrain.height_m(lat, np.arctan2(y, x))


_PROFILES = memo.Memo(0.1)  # kept between runs within IADSIM_MEMO_MB (iadsim.memo); shares: look tables 0.75, routes 0.1, DEMs 0.05


def _key(world, terrain) -> str:
    rd = world.radars
    h = hashlib.blake2b(digest_size=16)
    h.update(terrain.digest.encode())
    for a in (rd.pos_enu_m, rd.max_range_m, rd.unit_idx, np.array([world.effective_radius_m, N_AZ])):
        h.update(np.ascontiguousarray(a, float).tobytes())
    h.update(np.array([world.origin.lat_rad, world.origin.lon_rad, world.origin.alt_hae_m]).tobytes())
    return h.hexdigest()


def horizon_profiles(world) -> HorizonProfiles | None:
    """The :class:`HorizonProfiles` of a compiled world with terrain (``world.extra['terrain']``),
    None without. Computed once per scenario: kept on the world and by content between compiles."""
    terrain = world.extra.get("terrain")
    if terrain is None:
        return None
    held = world.extra.get("horizon_profiles")
    if held is not None:
        return held
    key = _key(world, terrain)
    prof = _PROFILES.get(key)
    if prof is None:
        prof = compute_profiles(world, terrain)
        _PROFILES.put(key, prof, prof.mask_el_rad.nbytes)
    world.extra["horizon_profiles"] = prof
    return prof


def _fine_extent_m(terrain, site_enu_m, origin, centre) -> float:
    """Ground distance from the site to the farthest corner of the DEM, m (plus one sample)."""
    s, n, w, e = terrain.bounds_deg
    lat, lon = np.radians([s, s, n, n]), np.radians([w, e, w, e])
    corners = geo.geodetic_to_enu(lat, lon, np.zeros(4), origin)
    return float(geo.ground_distance_m(corners, site_enu_m, centre).max()) + terrain.spacing_m


def compute_profiles(world, terrain, n_az: int = N_AZ) -> HorizonProfiles:
    """Masking-angle tables of every radar (see the module docstring)."""
    rd, origin, centre = world.radars, world.origin, world.earth_centre_enu_m
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    n_r = len(rd.unit_idx)
    hae = geo.altitude_m(rd.pos_enu_m, origin) if n_r else np.zeros(0)
    step = np.zeros(n_r)
    n_fine = np.zeros(n_r, np.intp)
    tables = {}
    for u in np.unique(rd.unit_idx):  # radars of one site share its terrain samples
        rows = np.flatnonzero(rd.unit_idx == u)
        site = rd.pos_enu_m[rows[0]]
        fine_end = _fine_extent_m(terrain, site, origin, centre)
        dx = max(terrain.spacing_m, fine_end / MAX_FINE_SAMPLES)
        nf = max(int(np.ceil(fine_end / dx)), 1)
        dist = dx * np.arange(1, nf + 1)
        ground_h = site_samples(terrain, origin, site, rd.rot_local_from_enu[rows[0]], centre, dist, n_az)
        for r in rows:
            el = elevation_rad(hae[r], ground_h, dist[None, :], k).astype(np.float32)
            table = np.empty((n_az, nf + 1), np.float32)
            table[:, 0] = NO_MASK_RAD
            np.maximum.accumulate(el, axis=1, out=table[:, 1:])
            tables[r] = table
            step[r], n_fine[r] = dx, nf
    width = max((t.shape[1] for t in tables.values()), default=1)
    mask = np.full((n_r, n_az, width), np.float32(np.pi / 2))  # padding past a radar's samples: never read
    for r, t in tables.items():
        mask[r, :, : t.shape[1]] = t
    return HorizonProfiles(mask, step, n_fine, rd.max_range_m.astype(float), hae, float(terrain.fallback_hae_m), float(k))
