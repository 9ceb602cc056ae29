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
   (Skolnik 1960; Barton & Leonov; Richards, Scheer & Holm ch. 18: :func:`~iadsim.physics.radar.range_sigma_m`, ``angle_sigma_rad``,
   ``range_rate_sigma_mps``; floors in quadrature), evaluated at the dwell SNR n·SNR_pulse;
5. Poisson false alarms: mean Pfa × the radar's resolution cells per scan
   (:func:`resolution_cells`), uniform in range, azimuth and elevation within coverage,
   ``truth_id = -1``.

Randomness: one generator per run, drawn in a fixed order (detection uniforms for the full radar ×
threat grid, then false-alarm counts and positions, then measurement normals), so a seed gives
the same detections and a threat's draw does not depend on whether the others are visible.
:func:`scan` has a run axis (R runs of one scenario in lockstep); a single run is a batch of one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from iadsim import geo, memo
from iadsim.constants import DNDH_STANDARD_PER_M, EARTH_MEAN_RADIUS_M, SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import line_of_sight
from iadsim.terrain.horizon import horizon_profiles
from iadsim.ea import jamming
from iadsim.state import World
from iadsim.tracking.detections import Detections

AMPLITUDE_MONOPULSE_KM = 1.6  # angle-accuracy slope k_m, amplitude monopulse (Barton & Leonov; Richards, Scheer & Holm ch. 18)
ASPECT_SECTOR_RAD = np.pi / 4  # front within 45° of the nose, rear within 45° of the tail
# IEEE letter bands (IEEE Std 521): upper edge in Hz -> letter, for the threat band-factor tables
BANDS = (("HF", 30e6), ("VHF", 300e6), ("UHF", 1e9), ("L", 2e9), ("S", 4e9), ("C", 8e9), ("X", 12e9),
         ("Ku", 18e9), ("K", 27e9), ("Ka", 40e9))


def effective_earth_radius_m(dndh_per_m: float = DNDH_STANDARD_PER_M, r0_m: float = EARTH_MEAN_RADIUS_M) -> float:
    """Effective earth radius k·R0 with k = 1/(1 + R0·dN/dh) (ITU-R P.453/P.834; MATLAB Radar Toolbox documentation, function effearthradius)."""
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


class Sigmas(NamedTuple):
    """Measurement standard deviations of detections (d,) at their dwell SNR."""

    range_m: np.ndarray
    az_rad: np.ndarray
    el_rad: np.ndarray
    range_rate_mps: np.ndarray


def _sigmas(rd, r_glob, dwell_snr, wavelength_m) -> Sigmas:
    """Measurement sigmas at the dwell SNR, floors in quadrature (Skolnik 1960; Barton & Leonov;
    Richards, Scheer & Holm ch. 18)."""
    s = np.maximum(dwell_snr, 1e-12)
    sig_r = rp.range_sigma_m(s, rd.bandwidth_hz[r_glob], rd.range_accuracy_floor_m[r_glob])
    sig_az = rp.angle_sigma_rad(s, rd.beamwidth_az_rad[r_glob], AMPLITUDE_MONOPULSE_KM, rd.angle_accuracy_floor_rad[r_glob])
    sig_el = rp.angle_sigma_rad(s, rd.beamwidth_el_rad[r_glob], AMPLITUDE_MONOPULSE_KM, rd.angle_accuracy_floor_rad[r_glob])
    sig_rr = rp.range_rate_sigma_mps(s, wavelength_m, rd.dwell_s[r_glob], rd.range_rate_accuracy_floor_mps[r_glob])
    return Sigmas(np.atleast_1d(sig_r), np.atleast_1d(sig_az), np.atleast_1d(sig_el), np.atleast_1d(sig_rr))


def pair_looks(world: World, r_idx, t_idx, pos_enu_m, vel_enu_mps, agl_m, jam=None) -> dict:
    """The deterministic part of looks of radars ``r_idx`` at raiders ``t_idx`` (paired rows (d,)).

    ``pos_enu_m``, ``vel_enu_mps`` (d, 3) and ``agl_m`` (d,) are the raiders' truth at the
    look (``agl_m`` above the scenario ground ``world.ground_alt_m``). The line of sight is the
    smooth effective earth's, or with a DEM the terrain's: the site's horizon profile, a table
    lookup (:mod:`iadsim.terrain.horizon`). Returns arrays (d,): ``visible`` (coverage and line of sight), ``range_m``, ``az_rad``,
    ``el_rad`` (the site's frame), ``range_rate_mps`` (true, opening), ``pd`` (the dwell's exact
    Pd; 0 where not visible) and ``snr_dwell`` (n × per-pulse SNR): what a scan reads.
    ``jam``: with jammers, ``f(az, el) -> (d, m)`` J/N of each jammer while the beam is on the
    target (:meth:`iadsim.ea.jamming.JamLooks.pairs`); the SNR is then S/(N+J) over all of them
    and the result adds ``jnr`` (d, m) and ``snr_clear`` (the dwell SNR without jamming).
    """
    rd, th = world.radars, world.threats
    los_enu = pos_enu_m - rd.pos_enu_m[r_idx]
    los_local = np.einsum("dij,dj->di", rd.rot_local_from_enu[r_idx], los_enu)
    az, el, rng_m = geo.enu_to_aer(los_local)
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    ground_m = geo.ground_distance_m(pos_enu_m, rd.pos_enu_m[r_idx], world.earth_centre_enu_m)
    profiles = horizon_profiles(world)  # terrain masking (iadsim.terrain.horizon), None without a DEM
    los = (line_of_sight(rd.height_m[r_idx], np.maximum(agl_m, 0.0), ground_m, k) if profiles is None
           else profiles.visible(r_idx, az, ground_m, agl_m + world.ground_alt_m))
    visible = ((rng_m >= rd.min_range_m[r_idx]) & (rng_m <= rd.max_range_m[r_idx])
               & (el >= rd.el_min_rad[r_idx]) & (el <= rd.el_max_rad[r_idx]) & los)
    sector = rd.az_sector_rad[r_idx] < 2 * np.pi
    if sector.any():
        off_bore = np.abs(np.mod(az - rd.facing_rad[r_idx] + np.pi, 2 * np.pi) - np.pi)
        visible &= (off_bore <= rd.az_sector_rad[r_idx] / 2 + 1e-12) | ~sector
    v = np.flatnonzero(visible)
    rv, tv = r_idx[v], t_idx[v]
    rcs = aspect_rcs_m2(los_enu[v], vel_enu_mps[v], th.rcs_front_m2[tv], th.rcs_side_m2[tv], th.rcs_rear_m2[tv],
                        rng_m[v]) * rd.rcs_factor_by_raid[rv, th.raid_idx[tv]]
    snr_pp = np.zeros(len(r_idx))
    snr_pp[v] = snr_per_pulse(world, rv, rng_m[v], rcs)
    jnr = None if jam is None else jam(az, el)
    if jnr is not None:
        snr_clear = rd.n_pulses[r_idx] * snr_pp  # kept: a run with some jammer dead divides it by its own 1 + ΣJ/N
        snr_pp = snr_pp / (1.0 + jnr.sum(1))  # S/(N+J), every jammer (iadsim.ea.jamming)
    pd = np.zeros(len(r_idx))
    pd[v] = detection_probability(snr_pp[v], rd.pfa[rv], rd.n_pulses[rv], th.swerling[tv])
    rr_mps = np.einsum("dk,dk->d", los_enu, vel_enu_mps) / np.maximum(rng_m, 1e-9)
    out = dict(visible=visible, range_m=rng_m, az_rad=az, el_rad=el, range_rate_mps=rr_mps, pd=pd,
               snr_dwell=rd.n_pulses[r_idx] * snr_pp)
    if jnr is not None:
        out.update(jnr=jnr, snr_clear=snr_clear)
    return out


class Looks(NamedTuple):
    """Detected looks (paired rows (d,)) with their true values, before measurement noise."""

    radar_idx: np.ndarray  # (d,) int, global radar row
    truth_id: np.ndarray  # (d,) int threat id, -1 for a false alarm
    range_m: np.ndarray
    az_rad: np.ndarray  # the site's frame
    el_rad: np.ndarray
    range_rate_mps: np.ndarray  # true, opening
    snr_dwell: np.ndarray  # (d,) linear dwell SNR


@dataclass(frozen=True)
class LookTable:
    """The deterministic part of every scheduled look of a scenario, for all its runs.

    Raiders fly trajectories fixed at compile time and radars do not move, so the geometry,
    line of sight, RCS, SNR and Pd of each (radar, raider) pair at each scan are the same in
    every Monte Carlo run of a scenario; only the draws (detection, false alarms, noise) and
    which raiders are still alive differ. :func:`look_table` computes them once, in one
    vectorised pass over all scans; the scan then only draws. Arrays are (J, n) over the J
    scheduled looks and the n raiders (``visible`` False where a raider is not in flight).
    """

    look_of: np.ndarray  # (n_steps + 1, n_radars) int: row of radar r's look at step k, -1 when it does not look
    grid: dict  # pair_looks arrays, each (J, n)

    def rows(self, step: int, due: np.ndarray):
        """Look rows of radars ``due`` at engine step ``step``, or None if any is not in the table."""
        if step >= len(self.look_of):
            return None
        rows = self.look_of[step, due]
        return rows if (rows >= 0).all() else None


LOOK_TABLE_MAX_PAIRS = 4_000_000  # ~200 MB (6 float64 and a bool per pair); larger scenarios compute their looks each step
# A run alone gains from the table only in time per call (the same pairs are computed either way);
# above this it computes its looks each step instead, without the table's memory (~50 MB here).
LOOK_TABLE_MAX_PAIRS_ONE_RUN = 1_000_000
_LOOK_TABLES = memo.Memo(0.75)  # kept between runs within IADSIM_MEMO_MB (iadsim.memo)


def look_table(world: World, dt_s: float, n_steps: int, max_pairs: int | None = None) -> LookTable | None:
    """The :class:`LookTable` of a compiled world, or None if it would exceed ``max_pairs``
    (default :data:`LOOK_TABLE_MAX_PAIRS`) radar looks × raiders. Kept between runs (by
    content) within the memory bound ``IADSIM_MEMO_MB`` (:mod:`iadsim.memo`)."""
    rd, th = world.radars, world.threats
    key = _content_key(world, dt_s, n_steps)
    if key in _LOOK_TABLES:
        return _LOOK_TABLES.get(key)
    nxt = rd.next_scan_t_s
    look_of = np.full((n_steps + 1, len(nxt)), -1, np.int64)
    steps, radars = [], []
    for k in range(n_steps + 1):  # the schedule scan() follows
        due, nxt = due_radars(nxt, rd.scan_period_s, k * dt_s)
        look_of[k, due] = len(steps) + np.arange(due.size)
        steps.extend([k] * due.size)
        radars.extend(due.tolist())
    n = len(th.id)
    jidx = _jammer_rows(world)
    per_pair = 1.0 if jidx is None else 1.0 + (1 + jidx.size) / 7.0  # ~7 numbers a pair; + unjammed SNR and a J/N per jammer
    if len(steps) * n * per_pair > min(LOOK_TABLE_MAX_PAIRS, LOOK_TABLE_MAX_PAIRS if max_pairs is None else max_pairs):
        return None
    from iadsim import threats as motion

    step, r_look = np.asarray(steps, np.int64), np.asarray(radars, np.int64)
    uniq = np.unique(step)
    pos = np.empty((uniq.size, n, 3))
    vel = np.empty((uniq.size, n, 3))
    fly = np.empty((uniq.size, n), bool)
    for j, k in enumerate(uniq):  # one vectorised call per scan time (all raiders)
        pos[j], vel[j], _, fly[j] = motion.kinematics(th, k * dt_s)
    agl = geo.altitude_m(pos, world.origin) - world.ground_alt_m
    at = np.searchsorted(uniq, step)
    jj, ii = np.nonzero(fly[at])  # (look, raider) pairs with the raider in flight
    jam = None if jidx is None else jamming.looks(world, r_look, pos[:, jidx][at], fly[:, jidx][at])
    flat = pair_looks(world, r_look[jj], ii, pos[at[jj], ii], vel[at[jj], ii], agl[at[jj], ii],
                      jam=None if jam is None else jam.pairs(world, jj))
    grid = {}
    for name, a in flat.items():
        full = np.zeros((len(steps), n) + a.shape[1:], a.dtype)
        full[jj, ii] = a
        grid[name] = full
    if jam is not None:
        grid.update(jam.grid())
    table = LookTable(look_of=look_of, grid=grid)
    _LOOK_TABLES.put(key, table, look_of.nbytes + sum(a.nbytes for a in grid.values()))
    return table


def _content_key(world: World, dt_s: float, n_steps: int) -> str:
    """Digest of everything a look table depends on (radars, raiders, earth), not of object identity."""
    h = hashlib.blake2b(digest_size=16)
    for part in (world.radars, world.threats):
        for name in sorted(part.__dataclass_fields__):
            a = getattr(part, name)
            if isinstance(a, np.ndarray) and a.dtype != object:
                h.update(name.encode())
                h.update(np.ascontiguousarray(a).tobytes())
    h.update(jamming.key_bytes(world))
    h.update(np.array([dt_s, n_steps, world.effective_radius_m, world.ground_alt_m, *world.earth_centre_enu_m,
                       world.origin.lat_rad, world.origin.lon_rad, world.origin.alt_hae_m]).tobytes())
    if world.extra.get("terrain") is not None:
        h.update(world.extra["terrain"].digest.encode())
    return h.hexdigest()


def _noise_dwell_snr(rd, due):
    """The dwell SNR a false alarm reads as: a noise sum just over the threshold T, ≈ T − n."""
    n = rd.n_pulses[due].astype(int)
    return np.atleast_1d(np.maximum(rp.threshold(rd.pfa[due], n) - n, 1.0))


def _false_alarm_rows(rd, due, counts, u, dwell_snr):
    """False-alarm rows: ``counts[i]`` of radar ``due[i]`` placed by the uniforms u (4, Σcounts),
    in the order of ``due``; ``dwell_snr`` (per ``due`` row) from :func:`_noise_dwell_snr`."""
    r_glob = np.repeat(due, counts)
    range_m = rd.min_range_m[r_glob] + u[0] * (rd.max_range_m[r_glob] - rd.min_range_m[r_glob])
    az = rd.facing_rad[r_glob] + (u[1] - 0.5) * rd.az_sector_rad[r_glob]
    el = rd.el_min_rad[r_glob] + u[2] * (rd.el_max_rad[r_glob] - rd.el_min_rad[r_glob])
    prf_hz = rd.n_pulses[r_glob] / rd.dwell_s[r_glob]
    rr_mps = (u[3] - 0.5) * SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_glob] * prf_hz / 2.0  # uniform over ±λ·PRF/4
    return Looks(r_glob, np.full(r_glob.size, -1), range_m, az, el, rr_mps, np.repeat(dwell_snr, counts))


def due_radars(next_scan_t_s: np.ndarray, scan_period_s: np.ndarray, t_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Radars whose scan is due at ``t_s`` and every radar's next scan time (a new array): a due
    radar's next scan is the first multiple of its period after ``t_s`` on its own schedule."""
    due = np.flatnonzero(next_scan_t_s <= t_s + 1e-9)
    nxt = next_scan_t_s.copy()
    nxt[due] += scan_period_s[due] * np.ceil((t_s + 1e-9 - next_scan_t_s[due]) / scan_period_s[due])
    return due, nxt


def scan(world: World, t_s: float, threats: list, rngs: list, looks: LookTable | None = None,
         step: int | None = None, false_alarms: bool = True, threat_agl_m: np.ndarray | None = None,
         emitting: list | None = None) -> tuple[list, np.ndarray]:
    """Detections of the radars due at ``t_s`` in each of R runs of one scenario, and every
    radar's next scan time (the same in every run). A single run is ``threats=[th], rngs=[rng]``.

    ``threats[r]``: run r's raiders (the same trajectories and positions in every run, other
    raiders alive; None for a run that is over), ``rngs[r]`` its sensing generator. Returns a
    list with run r's :class:`Detections` (targets, then false alarms; None for a run over).
    ``looks`` and ``step``: the scenario's :class:`LookTable` and the engine step of ``t_s``
    (the geometry and Pd are read from it; computed here for the due radars when absent).
    ``threat_agl_m`` (n,): raider heights above the scenario ground (computed when None).
    ``false_alarms=False`` switches the Poisson false alarms off (tests, clean diagnostics).
    ``emitting[r]`` (n_radars,) bool: which radars radiate in run r (:mod:`iadsim.emission`); a
    silent or killed radar detects nothing and has no false alarms (its draws are still made and
    its rows dropped, so the other radars' detections do not depend on it). With jammers, a run in which some jammer was
    killed sums J over its alive jammers only (:func:`iadsim.ea.jamming.run_pd_snr`).

    Each run draws from its own generator in a fixed order (detection uniforms over the full
    (due radar × its raiders in flight) grid, false-alarm counts and positions, measurement
    normals), so its detections do not depend on the other runs; the arithmetic on the drawn
    looks is done once for all runs.
    """
    rd = world.radars
    due, next_scan = due_radars(rd.next_scan_t_s, rd.scan_period_s, t_s)
    out: list = [None] * len(threats)
    live = [r for r, th in enumerate(threats) if th is not None]
    if due.size == 0 or not live:
        for r in live:
            out[r] = _EMPTY
        return out, next_scan
    grid, rows_of, col_of = _due_grid(world, due, [threats[r] for r in live], looks, step, threat_agl_m)
    visible_rows, pd_rows = grid["visible"][rows_of], grid["pd"][rows_of]  # the due looks, every raider
    mean_false = rd.pfa[due] * resolution_cells(rd, due) if false_alarms else None
    look_r, look_c, fa_counts, fa_u, normals, n_t, n_f, snr_t = [], [], [], [], [], [], [], []
    jidx = _jammer_rows(world)
    for r in live:  # the draws, run by run, in a fixed order
        th, rng = threats[r], rngs[r]
        cols = np.flatnonzero(th.active & th.alive)
        vr = vc = _NO_ROWS
        if cols.size:
            gc = col_of[cols]
            visible, pd_r, snr_r = visible_rows[:, gc], pd_rows[:, gc], None
            if jidx is not None and not th.alive[jidx].all():  # some jammer killed in this run
                pd_r, snr_r = jamming.run_pd_snr(world, grid, rows_of, gc, due, world.threats.swerling[cols],
                                                 th.alive[jidx])
            u = rng.random(visible.shape)  # full grid: a threat's draw does not depend on the others
            vr, vc = np.nonzero(visible & (u < pd_r))
            snr_t.append(grid["snr_dwell"][rows_of[vr], gc[vc]] if snr_r is None else snr_r[vr, vc])
        counts = rng.poisson(mean_false) if false_alarms else np.zeros(due.size, np.int64)
        n_fa = int(counts.sum())
        fa_u.append(rng.random((4, n_fa)) if false_alarms else np.zeros((4, 0)))
        look_r.append(vr)
        look_c.append(cols[vc])
        fa_counts.append(counts)
        n_t.append(vr.size)
        n_f.append(n_fa)
        if vr.size + n_fa:
            normals.append(rng.standard_normal((4, vr.size + n_fa)))
    n_t, n_f = np.array(n_t, np.int64), np.array(n_f, np.int64)
    vr, truth_col = np.concatenate(look_r), np.concatenate(look_c)
    rows, cols = rows_of[vr], col_of[truth_col]
    take = lambda key: grid[key][rows, cols]  # noqa: E731
    targets = Looks(due[vr], world.threats.id[truth_col], take("range_m"), take("az_rad"), take("el_rad"),
                    take("range_rate_mps"), np.concatenate(snr_t) if snr_t else np.zeros(0))
    k = len(live)
    false = _false_alarm_rows(rd, np.tile(due, k), np.concatenate(fa_counts), np.concatenate(fa_u, axis=1),
                              np.tile(_noise_dwell_snr(rd, due), k))
    # interleave: run r's target looks, then its false alarms
    per_run = n_t + n_f
    ends = np.cumsum(per_run)
    within = np.arange(int(ends[-1])) - np.repeat(ends - per_run, per_run)
    t_start, f_start = np.repeat(np.cumsum(n_t) - n_t, per_run), np.repeat(np.cumsum(n_f) - n_f + n_t.sum(), per_run)
    nt_row = np.repeat(n_t, per_run)
    order = np.where(within < nt_row, t_start + within, f_start + within - nt_row)
    merged = Looks(*(np.concatenate([a, b])[order] for a, b in zip(targets, false)))
    dets = _measured(rd, t_s, merged, np.concatenate(normals, axis=1) if normals else np.zeros((4, 0)))
    for r, hi, n in zip(live, ends.tolist(), per_run.tolist()):
        out[r] = _EMPTY if n == 0 else (dets if n == len(dets.t_s) else _rows(dets, slice(hi - n, hi)))
        if emitting is not None and n and not emitting[r][due].all():  # silent radars: their rows go
            out[r] = _rows(out[r], emitting[r][out[r].radar_id])
    return out, next_scan


def _due_grid(world: World, due, threats: list, looks: LookTable | None, step: int | None, threat_agl_m):
    """The deterministic part of the due radars' looks: (grid of :func:`pair_looks` arrays, the
    grid row of each due radar, the grid column of each raider). From the look table when it
    holds this step; else computed on (due radars × raiders any run has in flight)."""
    table_rows = None if looks is None or step is None else looks.rows(step, due)
    if table_rows is not None:
        return looks.grid, table_rows, _arange(len(world.threats.id))
    th = threats[0]  # positions are the same in every run
    flying = np.zeros(len(th.id), bool)
    for other in threats:
        flying |= other.active & other.alive
    cols = np.flatnonzero(flying)
    agl = (geo.altitude_m(th.pos_enu_m[cols], world.origin) - world.ground_alt_m if threat_agl_m is None
           else np.asarray(threat_agl_m, float)[cols])
    r_idx, c = np.repeat(due, cols.size), np.tile(cols, due.size)
    jidx = _jammer_rows(world)
    jam = None if jidx is None else jamming.looks(world, due, np.broadcast_to(th.pos_enu_m[jidx], (due.size, jidx.size, 3)),
                                                  np.broadcast_to(flying[jidx], (due.size, jidx.size)))
    flat = pair_looks(world, r_idx, c, th.pos_enu_m[c], th.vel_enu_mps[c], np.tile(agl, due.size),
                      jam=None if jam is None else jam.pairs(world, np.repeat(np.arange(due.size), cols.size)))
    grid = {key: a.reshape((due.size, cols.size) + a.shape[1:]) for key, a in flat.items()}
    if jam is not None:
        grid.update(jam.grid())
    col_of = np.full(len(th.id), -1, np.int64)
    col_of[cols] = np.arange(cols.size)
    return grid, np.arange(due.size), col_of


def _jammer_rows(world: World):
    """Raider rows that carry a jammer, or None (:mod:`iadsim.ea.jamming`)."""
    jam = jamming.of(world)
    return None if jam is None else jam.threat_idx


def _arange(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64)


def _measured(rd, t_s: float, looks: Looks, z: np.ndarray) -> Detections:
    """Detections from detected looks' true values and their standard normals z (4, d):
    Gaussian noise at each look's accuracy in the site's frame, then :func:`measured_detections`. Row by row."""
    r_glob, truth_id, range_m, az, el, rr_mps, snr_dwell = looks
    sig = _sigmas(rd, r_glob, snr_dwell, SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_glob])
    m_range = np.maximum(range_m + sig.range_m * z[0], 1.0)
    m_az, m_el = az + sig.az_rad * z[1], el + sig.el_rad * z[2]
    return measured_detections(rd, np.full(r_glob.size, float(t_s)), r_glob, truth_id, m_range, m_az, m_el, sig,
                               rr_mps + sig.range_rate_mps * z[3], 10 * np.log10(snr_dwell))


def measured_detections(rd, t_s, r_glob, truth_id, range_m, az_site_rad, el_site_rad, sigmas, range_rate_mps,
                        snr_db) -> Detections:
    """Detections (scenario ENU) from measurements in each radar's own horizon frame (paired rows).

    A radar measures range, azimuth (clockwise from the site's north) and elevation (above the
    site's horizontal) in its own local ENU frame; the tracker works on the scenario's ENU axes.
    This is the one place the measured line of sight is rotated (``rot_local_from_enu.T``): the
    measured position ``pos_enu_m`` is the rotated line of sight from the antenna, and azimuth and
    elevation are recomputed on the scenario axes. The rotation is rigid, so range and range rate
    are unchanged and the angle sigmas are kept (the frames differ by under a degree over a few
    hundred km). ``sigmas``: the :class:`Sigmas` of the rows; a range-rate sigma that is not finite becomes 1e6 m/s (no information).
    """
    local = geo.aer_to_enu(az_site_rad, el_site_rad, range_m)
    los_enu = np.einsum("dji,dj->di", rd.rot_local_from_enu[r_glob], local).reshape(-1, 3)
    az, el, rng_m = geo.enu_to_aer(los_enu)
    radar_pos = rd.pos_enu_m[r_glob]
    return Detections.trusted(
        t_s=t_s, radar_id=r_glob, radar_pos_enu_m=radar_pos, range_m=np.maximum(rng_m, 1.0), az_rad=az, el_rad=el,
        sigma_range_m=sigmas.range_m, sigma_az_rad=sigmas.az_rad, sigma_el_rad=sigmas.el_rad,
        range_rate_mps=range_rate_mps, truth_id=truth_id,
        sigma_range_rate_mps=np.where(np.isfinite(sigmas.range_rate_mps), sigmas.range_rate_mps, 1e6),
        unit_idx=rd.unit_idx[r_glob], snr_db=snr_db, pos_enu_m=los_enu + radar_pos)


def _rows(dets: Detections, sel: slice) -> Detections:
    """Rows ``sel`` of complete detections (every field set), without re-running the checks."""
    return dets.rows(sel)


_EMPTY = Detections.empty()
_NO_ROWS = np.zeros(0, np.int64)
