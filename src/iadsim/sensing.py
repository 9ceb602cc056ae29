"""Radar scans -> detections, on the exact physics of ``iadsim.physics`` (issue 4).

For the radars due to look this step, vectorised over (radars, threats), no per-threat loop:

1. geometry in the site's own horizon frame; coverage (min/max range, azimuth sector about the
   radar's facing, elevation limits) and the smooth effective-earth line of sight
   (:func:`iadsim.physics.propagation.line_of_sight`; heights above the scenario ground);
2. the RCS the radar sees: the threat's front/side/rear figure by aspect sector
   (:func:`aspect_rcs_m2`) times its band factor for the radar's band (threats.yaml);
3. per-pulse SNR from the monostatic radar equation (:func:`iadsim.physics.radar.snr`,
   Ts = T0·F, noise bandwidth 1/τ) and the exact Pd of the dwell
   (:func:`iadsim.physics.radar.pd_linear`: the threat's Swerling case, the radar's n_pulses
   and Pfa), then one uniform draw per (radar, threat) pair;
4. measured range, azimuth, elevation and range rate with Gaussian noise from the accuracy model
   (radar.md §1.9: :func:`~iadsim.physics.radar.range_sigma_m`, ``angle_sigma_rad``,
   ``range_rate_sigma_mps``; floors in quadrature), evaluated at the dwell SNR n·SNR_pulse;
5. Poisson false alarms: mean Pfa × the radar's resolution cells per scan
   (:func:`resolution_cells`), uniform in range, azimuth and elevation within coverage,
   ``truth_id = -1``.

Randomness: one generator, drawn in a fixed order (detection uniforms for the full radar ×
threat grid, then false-alarm counts and positions, then measurement normals), so a seed gives
the same detections and a threat's draw does not depend on whether the others are visible.
"""

from __future__ import annotations

import numpy as np

from iadsim import geo
from iadsim.constants import DNDH_STANDARD_PER_M, EARTH_MEAN_RADIUS_M, SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import line_of_sight
from iadsim.state import Detections, World

AMPLITUDE_MONOPULSE_KM = 1.6  # angle-accuracy slope, radar.md §1.9
ASPECT_SECTOR_RAD = np.pi / 4  # front within 45° of the nose, rear within 45° of the tail
# IEEE letter bands (IEEE Std 521): upper edge in Hz -> letter, for the threat band-factor tables
BANDS = (("HF", 30e6), ("VHF", 300e6), ("UHF", 1e9), ("L", 2e9), ("S", 4e9), ("C", 8e9), ("X", 12e9),
         ("Ku", 18e9), ("K", 27e9), ("Ka", 40e9))


def effective_earth_radius_m(dndh_per_m: float = DNDH_STANDARD_PER_M, r0_m: float = EARTH_MEAN_RADIUS_M) -> float:
    """Effective earth radius k·R0 with k = 1/(1 + R0·dN/dh) (radar.md §1.3; MATLAB effearthradius)."""
    return r0_m / (1.0 + r0_m * dndh_per_m)


def band_letter(frequency_hz: float) -> str:
    """IEEE radar band letter of a frequency (IEEE Std 521-2002), e.g. 3 GHz -> 'S'."""
    for letter, upper_hz in BANDS:
        if frequency_hz < upper_hz:
            return letter
    return "mm"


def aspect_rcs_m2(los_enu_m, vel_enu_mps, rcs_front_m2, rcs_side_m2, rcs_rear_m2, range_m=None) -> np.ndarray:
    """RCS by aspect sector: front within 45° of the nose, rear within 45° of the tail, else side.

    Paired rows: los_enu_m (d, 3) radar -> threat, vel_enu_mps (d, 3), rcs_* (d,), range_m (d,)
    = |los| (computed if not given). The aspect is the 3-D angle between the threat's velocity
    and the direction back to the radar. A threat at rest shows its front. Returns (d,) m².
    """
    speed_mps = np.sqrt(np.einsum("dk,dk->d", vel_enu_mps, vel_enu_mps))
    range_m = np.sqrt(np.einsum("dk,dk->d", los_enu_m, los_enu_m)) if range_m is None else range_m
    cos_nose = -np.einsum("dk,dk->d", los_enu_m, vel_enu_mps) / (np.maximum(range_m, 1e-9) * np.maximum(speed_mps, 1e-9))
    c = np.cos(ASPECT_SECTOR_RAD)
    rcs = np.where(cos_nose > c, rcs_front_m2, np.where(cos_nose < -c, rcs_rear_m2, rcs_side_m2))
    return np.where(speed_mps > 0, rcs, rcs_front_m2)


def snr_per_pulse(world: World, r_idx, range_m, rcs_m2) -> np.ndarray:
    """Single-pulse SNR (linear), monostatic radar equation, Ts = T0·F, B = 1/τ (physics.radar.snr).

    ``r_idx`` (radar rows) broadcasts against ``range_m`` and ``rcs_m2``: paired rows (d,), or
    (r, 1) against (r, n) for a grid.
    """
    rd = world.radars
    return rp.snr(np.maximum(range_m, 1.0), rd.peak_power_w[r_idx], rd.pulse_width_s[r_idx],
                  SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_idx], rcs_m2, undb(rd.gain_db[r_idx]), None,
                  T0_K * undb(rd.noise_figure_db[r_idx]), undb(rd.losses_db[r_idx]))


def resolution_cells(radars, r_idx=None) -> np.ndarray:
    """Resolution cells searched in one scan: range cells × azimuth beams × elevation beams.

    Range cells of c/(2B) over [min_range, max_range]; beams of beamwidth_az over the azimuth
    sector and of beamwidth_el over [el_min, el_max]. The mean false alarms per scan are
    ``pfa × cells``.
    """
    rd = radars
    i = slice(None) if r_idx is None else r_idx
    dr_m = SPEED_OF_LIGHT_MPS / (2.0 * rd.bandwidth_hz[i])
    n_range = np.ceil((rd.max_range_m[i] - rd.min_range_m[i]) / dr_m)
    n_az = np.maximum(rd.az_sector_rad[i] / rd.beamwidth_az_rad[i], 1.0)
    n_el = np.maximum((rd.el_max_rad[i] - rd.el_min_rad[i]) / rd.beamwidth_el_rad[i], 1.0)
    return n_range * n_az * n_el


def ground_range_m(world: World, pos_a_enu_m, pos_b_enu_m) -> np.ndarray:
    """Great-circle ground range between ENU points (..., 3), m: R0 × the central angle about the earth's centre.

    The angle is 2·asin(|â - b̂|/2) of the geocentric unit vectors (accurate at small angles).
    """
    a = np.asarray(pos_a_enu_m) - world.earth_centre_enu_m
    b = np.asarray(pos_b_enu_m) - world.earth_centre_enu_m
    a = a / np.sqrt(np.einsum("...k,...k->...", a, a))[..., None]
    b = b / np.sqrt(np.einsum("...k,...k->...", b, b))[..., None]
    d = a - b
    half_chord = 0.5 * np.sqrt(np.einsum("...k,...k->...", d, d))
    return EARTH_MEAN_RADIUS_M * 2.0 * np.arcsin(np.minimum(half_chord, 1.0))


def detection_probability(snr_per_pulse, pfa, n_pulses, swerling) -> np.ndarray:
    """Exact dwell Pd (physics.radar.pd_linear) for paired rows, one call per distinct (Pfa, N) pair.

    Rows of one radar share Pfa and N, so each group passes them as scalars (the fast path of
    ``pd_linear``); the Swerling case may differ row by row.
    """
    snr_per_pulse = np.asarray(snr_per_pulse, float)
    pfa, n_pulses = np.broadcast_to(pfa, snr_per_pulse.shape), np.broadcast_to(n_pulses, snr_per_pulse.shape)
    swerling = np.broadcast_to(swerling, snr_per_pulse.shape)
    out = np.empty(snr_per_pulse.shape)
    if out.size == 0:
        return out
    keys = np.stack([pfa, n_pulses.astype(float)], axis=-1).reshape(-1, 2)
    if (keys == keys[0]).all():  # one radar, or radars alike: a single group, no sort
        uniq, inv = keys[:1], np.zeros(len(keys), int)
    else:
        uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(snr_per_pulse.shape)
    for g, (p, n) in enumerate(uniq):
        m = inv == g
        sw = swerling[m]
        out[m] = rp.pd_linear(snr_per_pulse[m], float(p), int(n), int(sw[0]) if np.all(sw == sw[0]) else sw)
    return out


def _sigmas(rd, r_glob, dwell_snr, wavelength_m):
    """(σ_range_m, σ_az_rad, σ_el_rad, σ_range_rate_mps) at the dwell SNR, floors in quadrature."""
    s = np.maximum(dwell_snr, 1e-12)
    sig_r = rp.range_sigma_m(s, rd.bandwidth_hz[r_glob], rd.range_accuracy_floor_m[r_glob])
    sig_az = rp.angle_sigma_rad(s, rd.beamwidth_az_rad[r_glob], AMPLITUDE_MONOPULSE_KM, rd.angle_accuracy_floor_rad[r_glob])
    sig_el = rp.angle_sigma_rad(s, rd.beamwidth_el_rad[r_glob], AMPLITUDE_MONOPULSE_KM, rd.angle_accuracy_floor_rad[r_glob])
    sig_rr = rp.range_rate_sigma_mps(s, wavelength_m, rd.dwell_s[r_glob], rd.range_rate_accuracy_floor_mps[r_glob])
    return (np.atleast_1d(sig_r), np.atleast_1d(sig_az), np.atleast_1d(sig_el), np.atleast_1d(sig_rr))


def _target_looks(world, due, threat_agl_m, rng):
    """Detected (radar, threat) pairs: rows (r_glob, truth_id, range_m, az_rad, el_rad, range_rate_mps, dwell SNR), true values."""
    rd, th = world.radars, world.threats
    cols = np.flatnonzero(th.active & th.alive)
    los_enu = th.pos_enu_m[cols][None] - rd.pos_enu_m[due][:, None]  # (r, n, 3)
    los_local = np.einsum("rij,rnj->rni", rd.rot_local_from_enu[due], los_enu)
    az, el, rng_m = geo.enu_to_aer(los_local)
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    ground_m = ground_range_m(world, rd.pos_enu_m[due][:, None], th.pos_enu_m[cols][None])
    col = (slice(None), None)
    visible = ((rng_m >= rd.min_range_m[due][col]) & (rng_m <= rd.max_range_m[due][col])
               & (el >= rd.el_min_rad[due][col]) & (el <= rd.el_max_rad[due][col])
               & line_of_sight(rd.height_m[due][col], np.maximum(threat_agl_m[cols], 0.0)[None], ground_m, k))
    sector = rd.az_sector_rad[due] < 2 * np.pi
    if sector.any():
        off_bore = np.abs(np.mod(az - rd.facing_rad[due][col] + np.pi, 2 * np.pi) - np.pi)
        visible &= (off_bore <= rd.az_sector_rad[due][col] / 2 + 1e-12) | ~sector[col]
    u = rng.random(visible.shape)  # full grid: a threat's draw does not depend on the others
    vr, vc = np.nonzero(visible)
    vt = cols[vc]
    r_glob = due[vr]
    range_m = rng_m[vr, vc]
    los = los_enu[vr, vc]
    rcs = aspect_rcs_m2(los, th.vel_enu_mps[vt], th.rcs_front_m2[vt], th.rcs_side_m2[vt], th.rcs_rear_m2[vt],
                        range_m) * rd.rcs_factor_by_raid[r_glob, th.raid_idx[vt]]
    snr_pp = np.atleast_1d(snr_per_pulse(world, r_glob, range_m, rcs))
    hit = u[vr, vc] < detection_probability(snr_pp, rd.pfa[r_glob], rd.n_pulses[r_glob], th.swerling[vt])
    rr_mps = np.einsum("dk,dk->d", los[hit], th.vel_enu_mps[vt[hit]]) / np.maximum(range_m[hit], 1e-9)  # + opening
    return (r_glob[hit], th.id[vt[hit]], range_m[hit], az[vr[hit], vc[hit]], el[vr[hit], vc[hit]], rr_mps,
            rd.n_pulses[r_glob[hit]] * snr_pp[hit])


def _false_alarm_looks(world, due, rng):
    """Poisson(Pfa × cells) false alarms per due radar, uniform in range/az/el within coverage (same row layout)."""
    rd = world.radars
    counts = rng.poisson(rd.pfa[due] * resolution_cells(rd, due))
    r_glob = np.repeat(due, counts)
    u = rng.random((4, r_glob.size))
    range_m = rd.min_range_m[r_glob] + u[0] * (rd.max_range_m[r_glob] - rd.min_range_m[r_glob])
    az = rd.facing_rad[r_glob] + (u[1] - 0.5) * rd.az_sector_rad[r_glob]
    el = rd.el_min_rad[r_glob] + u[2] * (rd.el_max_rad[r_glob] - rd.el_min_rad[r_glob])
    prf_hz = rd.n_pulses[r_glob] / rd.dwell_s[r_glob]
    rr_mps = (u[3] - 0.5) * SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_glob] * prf_hz / 2.0  # uniform over ±λ·PRF/4
    n = rd.n_pulses[due].astype(int)
    t_over_n = np.maximum(rp.threshold(rd.pfa[due], n) - n, 1.0)  # a noise sum just over T reads as n·SNR ≈ T - n
    return r_glob, np.full(r_glob.size, -1), range_m, az, el, rr_mps, np.repeat(np.atleast_1d(t_over_n), counts)


def scan(world: World, t_s: float, threat_agl_m: np.ndarray, rng: np.random.Generator,
         false_alarms: bool = True) -> tuple[Detections, np.ndarray]:
    """Detections of the radars due at ``t_s`` (targets, then false alarms), and every radar's next scan time.

    threat_agl_m: (n,) threat heights above the scenario ground, m. ``false_alarms=False``
    switches the Poisson false alarms off (tests, clean diagnostics).
    """
    rd, th = world.radars, world.threats
    due = np.flatnonzero(rd.next_scan_t_s <= t_s + 1e-9)
    next_scan = rd.next_scan_t_s.copy()
    next_scan[due] += rd.scan_period_s[due] * np.ceil((t_s + 1e-9 - rd.next_scan_t_s[due]) / rd.scan_period_s[due])
    if due.size == 0:
        return Detections.empty(), next_scan
    rows = []
    if (th.active & th.alive).any():
        rows.append(_target_looks(world, due, np.asarray(threat_agl_m, float), rng))
    if false_alarms:
        rows.append(_false_alarm_looks(world, due, rng))
    if not rows or sum(len(r[0]) for r in rows) == 0:
        return Detections.empty(), next_scan
    r_glob, truth_id, range_m, az, el, rr_mps, snr_dwell = (np.concatenate(c) for c in zip(*rows))
    sig = _sigmas(rd, r_glob, snr_dwell, SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_glob])
    z = rng.standard_normal((4, r_glob.size))
    m_range = np.maximum(range_m + sig[0] * z[0], 1.0)
    m_az, m_el = az + sig[1] * z[1], el + sig[2] * z[2]
    local = geo.aer_to_enu(m_az, m_el, m_range)
    pos = np.einsum("dji,dj->di", rd.rot_local_from_enu[r_glob], local) + rd.pos_enu_m[r_glob]
    dets = Detections(
        t_s=np.full(r_glob.size, float(t_s)), radar_idx=r_glob, unit_idx=rd.unit_idx[r_glob], truth_id=truth_id,
        range_m=m_range, az_rad=np.mod(m_az, 2 * np.pi), el_rad=m_el, sigma_range_m=sig[0], sigma_angle_rad=sig[1],
        pos_enu_m=pos.reshape(-1, 3), snr_db=10 * np.log10(snr_dwell), sigma_el_rad=sig[2],
        range_rate_mps=rr_mps + sig[3] * z[3], sigma_range_rate_mps=sig[3], is_false_alarm=truth_id < 0,
    )
    return dets, next_scan
