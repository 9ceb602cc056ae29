"""Radar scans -> detections, first version (issue 4 replaces the detection statistics).

For every radar due to look this step, vectorised over (radars, threats): geometry in the
site's own horizon frame, coverage (range, sector, elevation), effective-earth line of sight,
the monostatic radar equation, a Swerling-1 detection draw and measurement noise from the
thermal-noise accuracy model (radar.md §1.9). The first version integrates the dwell's pulses
coherently (SNR × n) and uses the single-look Swerling-1 law Pd = Pfa^(1/(1+SNR)) (exact for
N = 1); the exact N-pulse Swerling 0-4 statistics come with ``iadsim.physics.radar``.
"""

import numpy as np

from iadsim import geo
from iadsim.constants import BOLTZMANN_J_PER_K, DNDH_STANDARD_PER_M, EARTH_MEAN_RADIUS_M, SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.state import Detections, World

AMPLITUDE_MONOPULSE_KM = 1.6  # angle-accuracy slope, radar.md §1.9


def effective_earth_radius_m(dndh_per_m: float = DNDH_STANDARD_PER_M, r0_m: float = EARTH_MEAN_RADIUS_M) -> float:
    """Effective earth radius k·R0 with k = 1/(1 + R0·dN/dh) (radar.md §1.3; MATLAB effearthradius)."""
    return r0_m / (1.0 + r0_m * dndh_per_m)


def aspect_rcs_m2(world: World, los_enu_m: np.ndarray, vel_enu_mps: np.ndarray) -> np.ndarray:
    """RCS seen by each radar: front within 45° of the nose, rear within 45° of the tail, else side.

    los_enu_m: (r, n, 3) radar -> threat; vel_enu_mps: (n, 3). Returns (r, n) m².
    """
    t = world.threats
    speed = np.linalg.norm(vel_enu_mps, axis=-1)
    cos = -np.einsum("rnk,nk->rn", los_enu_m, vel_enu_mps) / (np.linalg.norm(los_enu_m, axis=-1) * np.maximum(speed, 1e-9))
    rcs = np.where(cos > np.cos(np.pi / 4), t.rcs_front_m2, np.where(cos < -np.cos(np.pi / 4), t.rcs_rear_m2, t.rcs_side_m2))
    return np.where(speed > 0, rcs, t.rcs_front_m2)


def snr_per_pulse(world: World, r_idx: np.ndarray, range_m: np.ndarray, rcs_m2: np.ndarray) -> np.ndarray:
    """Single-pulse SNR (linear) of the monostatic radar equation, Ts = T0·F, B = 1/τ (MATLAB radareqsnr)."""
    rd = world.radars
    lam = SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_idx][:, None]
    num = rd.peak_power_w[r_idx][:, None] * rd.pulse_width_s[r_idx][:, None] * undb(2 * rd.gain_db[r_idx])[:, None] * lam**2 * rcs_m2
    den = (4 * np.pi) ** 3 * BOLTZMANN_J_PER_K * T0_K * undb(rd.noise_figure_db[r_idx] + rd.losses_db[r_idx])[:, None] * range_m**4
    return num / den


def scan(world: World, t_s: float, threat_agl_m: np.ndarray, rng: np.random.Generator) -> tuple[Detections, np.ndarray]:
    """Detections of the radars due at ``t_s``, and every radar's next scan time."""
    rd, th = world.radars, world.threats
    due = np.flatnonzero(rd.next_scan_t_s <= t_s + 1e-9)
    next_scan = rd.next_scan_t_s.copy()
    next_scan[due] += rd.scan_period_s[due] * np.ceil((t_s + 1e-9 - rd.next_scan_t_s[due]) / rd.scan_period_s[due])
    live = th.active & th.alive
    if due.size == 0 or not live.any():
        return Detections.empty(), next_scan
    los_enu = th.pos_enu_m[None] - rd.pos_enu_m[due][:, None]  # (r, n, 3)
    los_local = np.einsum("rij,rnj->rni", rd.rot_local_from_enu[due], los_enu)
    az, el, rng_m = geo.enu_to_aer(los_local)
    off_bore = np.abs(np.angle(np.exp(1j * (az - rd.facing_rad[due][:, None]))))
    re_m = world.effective_radius_m
    horizon_m = np.sqrt(2 * re_m * rd.height_m[due])[:, None] + np.sqrt(2 * re_m * np.maximum(threat_agl_m, 0.0))[None]
    visible = (
        live[None]
        & (rng_m >= rd.min_range_m[due][:, None]) & (rng_m <= rd.max_range_m[due][:, None])
        & (off_bore <= rd.az_sector_rad[due][:, None] / 2 + 1e-12)
        & (el >= rd.el_min_rad[due][:, None]) & (el <= rd.el_max_rad[due][:, None])
        & (rng_m <= horizon_m)
    )
    rcs = aspect_rcs_m2(world, los_enu, th.vel_enu_mps)
    snr = snr_per_pulse(world, due, np.maximum(rng_m, 1.0), rcs) * rd.n_pulses[due][:, None]
    pd = rd.pfa[due][:, None] ** (1.0 / (1.0 + snr))
    hit = visible & (rng.random(visible.shape) < pd)
    ri, ti = np.nonzero(hit)
    r_glob = due[ri]
    snr_hit = snr[ri, ti]
    sig_r = np.hypot(SPEED_OF_LIGHT_MPS / (2 * rd.bandwidth_hz[r_glob]) / np.sqrt(2 * snr_hit), rd.range_accuracy_floor_m[r_glob])
    sig_a = np.hypot(rd.beamwidth_az_rad[r_glob] / (AMPLITUDE_MONOPULSE_KM * np.sqrt(2 * snr_hit)), rd.angle_accuracy_floor_rad[r_glob])
    m_range = rng_m[ri, ti] + sig_r * rng.standard_normal(ri.size)
    m_az = az[ri, ti] + sig_a * rng.standard_normal(ri.size)
    m_el = el[ri, ti] + sig_a * rng.standard_normal(ri.size)
    local = geo.aer_to_enu(m_az, m_el, m_range)
    pos = np.einsum("dji,dj->di", rd.rot_local_from_enu[r_glob], local) + rd.pos_enu_m[r_glob]
    dets = Detections(
        t_s=np.full(ri.size, t_s), radar_idx=r_glob, unit_idx=rd.unit_idx[r_glob], truth_id=th.id[ti],
        range_m=m_range, az_rad=np.mod(m_az, 2 * np.pi), el_rad=m_el, sigma_range_m=sig_r, sigma_angle_rad=sig_a,
        pos_enu_m=pos, snr_db=10 * np.log10(snr_hit),
    )
    return dets, next_scan
