"""Noise jammers carried by raiders, and the S/(N+J) every radar look sees (issue 18 item 1).

Model (barrage noise; Skolnik 2001; NAWCWD TP 8347 §4.7-4.10; full citations in docs/REFERENCES.md):

* **Received J/N** at radar r from jammer i while r's beam looks at target t:
  ``J/N = Pj Gj Gr(θ_it) λ² / ((4π)² Rj² Lj k Ts Br) · f_band`` — :func:`iadsim.physics.radar.jamming_to_noise`
  with the radar's receive gain towards the jammer ``Gr(θ_it) = G0 · g(θ_it)``, where θ_it is the
  angle between the look direction (the target) and the jammer, and ``f_band`` the fraction of
  the jammer's power inside the radar's instantaneous band (:func:`band_fraction`). Ts = T0·F,
  Br the radar's bandwidth (the same noise the detection statistics use).
* **Beam pattern** ``g`` (:func:`beam_gain`): a Gaussian main lobe
  ``exp(-4 ln2 [(Δaz cos el / θaz)² + (Δel / θel)²])`` (the usual approximation of a main beam
  with 3 dB widths θaz, θel, as in the beamshape-loss analysis of Barton 2013) floored at the radar's average
  side-lobe level (catalog ``sidelobe_level``): a self-screening jammer (on the target) enters
  through the main lobe, a stand-off jammer through the side lobes unless it is near the
  target's bearing. Main-lobe J/N applies the instant the beam points at the jammer.
* **Signal**: ``S/(N+J) = S/N / (1 + Σ_i J_i/N)`` over the jammers in flight, alive and in line of
  sight of the radar (smooth effective earth, :func:`iadsim.physics.propagation.line_of_sight`, or over the
  terrain's horizon profiles when the scenario has a DEM, :mod:`iadsim.terrain.horizon`).
  The jammer's antenna is taken as pointed at every radar it jams (its gain is its effective gain
  towards the defended sector); a radar's CFAR keeps its false-alarm rate (false alarms are
  unchanged by jamming); frequency agility and side-lobe cancellers are not modelled.
* **Kinds** (self_screening, escort, stand_off) are labels for the report: the geometry alone
  (where the jammer flies) sets main or side lobe.
* **Jam strobes**: a radar whose main-lobe J/N from a jammer is at least :data:`STROBE_JNR_DB`
  reports a strobe with the jammer's bearing (event ``jammed``); the tracker does not use strobes
  (no angle-only tracking or triangulation): they are recorded for the analyst.

Geometry and J/N per (look, target, jammer) are the same in every run (raider truth is shared);
which jammers are still alive differs per run, so each run sums J over its own alive jammers
(:func:`run_pd_snr`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim import geo
from iadsim.constants import EARTH_MEAN_RADIUS_M, SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import line_of_sight
from iadsim.terrain.horizon import horizon_profiles

JAMMER_KINDS = ("self_screening", "escort", "stand_off")
STROBE_JNR_DB = 0.0  # a strobe is reported while the main-lobe J/N is at least this (J above the noise)
_FOUR_LN2 = 4.0 * np.log(2.0)


@dataclass(frozen=True)
class Jammers:
    """Noise jammers, one row per jamming raider (m,)."""

    threat_idx: np.ndarray  # (m,) int raider row carrying the jammer
    power_w: np.ndarray  # (m,) transmitter power into the antenna, W
    gain: np.ndarray  # (m,) linear antenna gain towards the radars
    bandwidth_hz: np.ndarray  # (m,) noise bandwidth
    centre_hz: np.ndarray  # (m,) centre frequency
    loss: np.ndarray  # (m,) linear jammer losses (>= 1)
    kind: list = field(default_factory=list)  # (m,) JAMMER_KINDS

    def __len__(self) -> int:
        return len(self.threat_idx)

    @property
    def erp_w(self) -> np.ndarray:
        return self.power_w * self.gain


def of(world) -> Jammers | None:
    """The world's jammers, or None when no raider jams."""
    jam = world.extra.get("jammers") if world.extra else None
    return jam if jam is not None and len(jam) else None


def beam_gain(d_az_rad, d_el_rad, el_rad, beamwidth_az_rad, beamwidth_el_rad, sidelobe_level_db) -> np.ndarray:
    """Normalised receive gain g ∈ (0, 1] at an offset (Δaz, Δel) from the beam axis: Gaussian main
    lobe of 3 dB widths (θaz, θel), floored at the average side-lobe level (dB, negative).
    ``d_az_rad`` is wrapped to [-π, π) and scaled by cos(el) (angle on the sky)."""
    d_az = np.mod(np.asarray(d_az_rad, float) + np.pi, 2.0 * np.pi) - np.pi
    u = (d_az * np.cos(el_rad) / beamwidth_az_rad) ** 2 + (np.asarray(d_el_rad, float) / beamwidth_el_rad) ** 2
    return np.maximum(np.exp(-_FOUR_LN2 * u), undb(sidelobe_level_db))


def band_fraction(radar_hz, radar_bw_hz, jammer_hz, jammer_bw_hz) -> np.ndarray:
    """Share of the jamming that :func:`~iadsim.physics.radar.jamming_to_noise` assumes in band
    which actually is: overlap of [fj ± Bj/2] and [fr ± Br/2] divided by min(Br, Bj); 1 when the
    jammer covers the radar's band (or sits inside it), 0 when the bands do not meet."""
    lo = np.maximum(radar_hz - radar_bw_hz / 2.0, jammer_hz - jammer_bw_hz / 2.0)
    hi = np.minimum(radar_hz + radar_bw_hz / 2.0, jammer_hz + jammer_bw_hz / 2.0)
    return np.clip((hi - lo) / np.minimum(radar_bw_hz, jammer_bw_hz), 0.0, 1.0)


@dataclass(frozen=True)
class JamLooks:
    """Jammers as seen by L radar looks: (L, m) arrays in each radar site's own frame."""

    radar_idx: np.ndarray  # (L,) radar row of each look
    az_rad: np.ndarray  # (L, m) bearing of each jammer from the radar, clockwise from the site's north
    el_rad: np.ndarray  # (L, m)
    jnr_main: np.ndarray  # (L, m) J/N with the beam on the jammer (0: off, out of line of sight or band)

    def pairs(self, world, look):
        """``f(az, el) -> (d, m)`` J/N of each jammer at looks ``look`` (d,) whose beam points at
        (az, el) (the target, the site's frame): what :func:`iadsim.sensing.pair_looks` calls."""
        rd = world.radars
        r = self.radar_idx[look]
        sll = sidelobe_db(rd)[r]

        def jnr(az, el):
            g = beam_gain(self.az_rad[look] - az[:, None], self.el_rad[look] - el[:, None], el[:, None],
                          rd.beamwidth_az_rad[r][:, None], rd.beamwidth_el_rad[r][:, None], sll[:, None])
            return self.jnr_main[look] * g

        return jnr

    def grid(self) -> dict:
        """Per-look arrays the scan reads for the strobes (rows like the look grid's)."""
        return {"jam_jnr_main": self.jnr_main, "jam_az_rad": self.az_rad}


def sidelobe_db(radars) -> np.ndarray:
    """Average side-lobe level of every radar row (dB); a clear error if a profile lacks it."""
    sll = getattr(radars, "sidelobe_level_db", None)
    if sll is None or np.isnan(sll).any():
        missing = sorted({n for n, s in zip(radars.name, np.atleast_1d(sll if sll is not None else np.full(len(radars.name), np.nan)))
                          if not s == s})
        raise ValueError(f"radar profile(s) {', '.join(missing)} have no sidelobe_level: jamming needs each radar's "
                         "average side-lobe level (radars.yaml)")
    return sll


def looks(world, r_look, jam_pos_enu_m, jam_on) -> JamLooks | None:
    """The jammers seen by looks of radars ``r_look`` (L,): jammer positions (L, m, 3) and whether
    each is in flight (L, m) at each look. None when the world has no jammers."""
    jam = of(world)
    if jam is None:
        return None
    rd = world.radars
    r = np.asarray(r_look, np.int64)
    los = jam_pos_enu_m - rd.pos_enu_m[r][:, None]
    local = np.einsum("lij,lmj->lmi", rd.rot_local_from_enu[r], los)
    az, el, rng_m = geo.enu_to_aer(local)
    agl = geo.altitude_m(jam_pos_enu_m.reshape(-1, 3), world.origin).reshape(rng_m.shape) - world.ground_alt_m
    ground = geo.ground_distance_m(jam_pos_enu_m.reshape(-1, 3), np.repeat(rd.pos_enu_m[r], jam_on.shape[1], 0),
                                   world.earth_centre_enu_m).reshape(rng_m.shape)
    k = world.effective_radius_m / EARTH_MEAN_RADIUS_M
    profiles = horizon_profiles(world)  # with a DEM the terrain masks jammers as it masks targets (iadsim.terrain)
    if profiles is None:
        seen = jam_on & line_of_sight(rd.height_m[r][:, None], np.maximum(agl, 0.0), ground, k)
    else:
        seen = jam_on & profiles.visible(np.broadcast_to(r[:, None], ground.shape), az, ground, agl + world.ground_alt_m)
    jnr = np.zeros(rng_m.shape)
    if seen.any():
        li, mi = np.nonzero(seen)
        rr = r[li]
        jnr[li, mi] = main_lobe_jnr(rd, rr, jam, mi, rng_m[li, mi])
    return JamLooks(r, az, el, jnr)


def main_lobe_jnr(rd, r_idx, jam: Jammers, j_idx, range_m) -> np.ndarray:
    """J/N (linear) at radars ``r_idx`` from jammers ``j_idx`` at ``range_m`` (paired rows), the
    radar's beam on the jammer: :func:`iadsim.physics.radar.jamming_to_noise` × :func:`band_fraction`."""
    jnr = rp.jamming_to_noise(np.maximum(range_m, 1.0), jam.power_w[j_idx], jam.gain[j_idx], undb(rd.gain_db[r_idx]),
                              SPEED_OF_LIGHT_MPS / rd.frequency_hz[r_idx], rd.bandwidth_hz[r_idx],
                              jam.bandwidth_hz[j_idx], T0_K * undb(rd.noise_figure_db[r_idx]), jam.loss[j_idx])
    return np.atleast_1d(jnr) * band_fraction(rd.frequency_hz[r_idx], rd.bandwidth_hz[r_idx], jam.centre_hz[j_idx],
                                              jam.bandwidth_hz[j_idx])


def run_pd_snr(world, grid, rows, cols, radar_of_row, swerling, alive_jammers):
    """Pd and dwell S/(N+J) of look-grid ``rows`` (radars ``radar_of_row``) × raider columns ``cols``
    (``swerling`` (k,): each column's Swerling case) in a run whose alive jammers are ``alive_jammers``
    (m,) bool: J summed over those only, from the grid's unjammed ``snr_clear`` and per-jammer ``jnr``
    (.., m): the same numbers whether the grid is the look table or the step's own, so a run's result
    does not depend on which one it reads."""
    from iadsim.sensing import detection_probability  # late: sensing imports this module

    rd = world.radars
    sub = np.ix_(rows, cols)
    snr = grid["snr_clear"][sub] / (1.0 + (grid["jnr"][sub] * alive_jammers).sum(-1))
    visible = grid["visible"][sub]
    pd = np.zeros(snr.shape)
    rr = np.broadcast_to(np.asarray(radar_of_row)[:, None], snr.shape)[visible]
    pd[visible] = detection_probability(snr[visible] / rd.n_pulses[rr], rd.pfa[rr], rd.n_pulses[rr],
                                        np.broadcast_to(np.asarray(swerling)[None], snr.shape)[visible])
    return pd, snr


def key_bytes(world) -> bytes:
    """What the look table depends on in the jammers (:func:`iadsim.sensing.look_table` key)."""
    jam = of(world)
    if jam is None:
        return b""
    parts = [np.ascontiguousarray(a).tobytes() for a in (jam.threat_idx, jam.power_w, jam.gain, jam.bandwidth_hz,
                                                          jam.centre_hz, jam.loss)]
    sll = getattr(world.radars, "sidelobe_level_db", None)
    return b"".join(parts) + (b"" if sll is None else np.ascontiguousarray(sll).tobytes())


def burn_through_m(rd, r: int, jam: Jammers, j: int, rcs_m2: float, pd: float = 0.5, swerling: int = 1,
                   jammer_range_m: float | None = None) -> float:
    """Burn-through range (m) of radar row ``r`` against jammer ``j``: where S/J reaches the per-pulse
    SNR that gives ``pd`` in one dwell (J >> N). Self-screening (``jammer_range_m`` None: the jammer on
    the target, main lobe; :func:`~iadsim.physics.radar.ssj_burn_through_range_m`) or stand-off at
    ``jammer_range_m`` through the average side lobe (:func:`~iadsim.physics.radar.soj_burn_through_range_m`).
    The matched filter's noise bandwidth is 1/τ (Br = 1/τ in the closed forms); the jammer's power
    is scaled by its band overlap. 0 when the jammer misses the radar's band."""
    f = float(band_fraction(rd.frequency_hz[r], rd.bandwidth_hz[r], jam.centre_hz[j], jam.bandwidth_hz[j]))
    if f <= 0.0:
        return 0.0
    sj_req = float(undb(rp.required_snr_db(pd, rd.pfa[r], int(rd.n_pulses[r]), swerling)))
    g = float(undb(rd.gain_db[r]))
    common = dict(peak_power_w=rd.peak_power_w[r], gain_tx=g, rcs_m2=rcs_m2, jammer_power_w=jam.power_w[j] * f,
                  jammer_gain=jam.gain[j], bw_radar_hz=1.0 / rd.pulse_width_s[r], bw_jammer_hz=jam.bandwidth_hz[j],
                  loss_radar=float(undb(rd.losses_db[r])), loss_jammer=jam.loss[j])
    if jammer_range_m is None:
        return float(rp.ssj_burn_through_range_m(sj_req, **common))
    return float(rp.soj_burn_through_range_m(sj_req, jammer_range_m, gain_rx=g,
                                             gain_rx_to_jammer=g * float(undb(sidelobe_db(rd)[r])), **common))
