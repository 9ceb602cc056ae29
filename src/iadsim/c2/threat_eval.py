"""Threat evaluation on confirmed tracks, vectorised over tracks × assets.

For a track at p with velocity v (scenario ENU, straight-line prediction) and an asset at a:

* time to go (to reach the asset at the current closing speed)
      d = a − p,   closing = d·v / |d|,   T_go = |d| / closing   (inf if closing ≤ 0)
* closest point of approach (CPA)
      t_cpa = max(0, d·v / |v|²),   d_cpa = |p + v·t_cpa − a|
* threat class from kinematics (speed s = |v|, horizontal speed s_h = s·cos γ, altitude h above
  the scenario ground, flight-path angle γ = asin(v·up / s)), thresholds in the constants below:
      ballistic       s ≥ 1000 m/s and (γ ≤ −10° or h ≥ 25 km)     (steep, fast descent)
      drone           s_h ≤ 80 m/s and h ≤ 3 km                     (slow and low)
      cruise_missile  s_h ≤ 350 m/s and h ≤ 500 m                   (low, subsonic)
      aircraft        everything else
  The aerodynamic classes are told apart by the horizontal speed: a young track's vertical
  velocity is its noisiest part (elevation noise at long range; 40-100 m/s were seen on 50 m/s
  drones at 75 km), and it made slow, low drones into "aircraft".
* value of a track (what WTA protects):
      relevance_a = 1 if d_cpa ≤ R_a + CPA_MARGIN_M else (R_a + CPA_MARGIN_M) / d_cpa
      urgency_a   = URGENCY_TIME_S / (URGENCY_TIME_S + t_cpa)
      V = w_class · max_a (value_a · relevance_a · urgency_a)
  with w_class the doctrine's class weight. A raider heading straight at an asset, about to
  arrive, carries the asset's full value times its class weight; one passing wide, or far off,
  carries a fraction. (A "time-to-go weighted" value, cf. Roux & van Vuuren, "Threat evaluation
  and weapon assignment decision support: a review", ORiON 23 (2007).)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THREAT_CLASSES = ("aircraft", "cruise_missile", "ballistic", "drone")
AIRCRAFT, CRUISE_MISSILE, BALLISTIC, DRONE = range(4)
BALLISTIC_MIN_SPEED_MPS = 1000.0
BALLISTIC_MAX_GAMMA_RAD = np.radians(-10.0)  # descending at least this steeply
BALLISTIC_MIN_ALT_M = 25_000.0  # or this high (above any aerodynamic flyer here)
DRONE_MAX_SPEED_MPS = 80.0
DRONE_MAX_ALT_M = 3_000.0
CRUISE_MAX_SPEED_MPS = 350.0
CRUISE_MAX_ALT_M = 500.0
CPA_MARGIN_M = 2_000.0
URGENCY_TIME_S = 120.0


@dataclass(frozen=True)
class ThreatAssessment:
    """Per track (k,) unless noted; assets on the second axis."""

    threat_class: np.ndarray  # (k,) int index into THREAT_CLASSES
    time_to_go_s: np.ndarray  # (k, a) s, inf if opening
    t_cpa_s: np.ndarray  # (k, a) s, ≥ 0
    d_cpa_m: np.ndarray  # (k, a) m
    value: np.ndarray  # (k,) WTA target value
    asset_idx: np.ndarray  # (k,) the asset that sets the value
    min_time_to_go_s: np.ndarray  # (k,) over assets


def time_to_go_s(pos_enu_m, vel_enu_mps, asset_pos_enu_m):
    """T_go = |d| / (d·v/|d|), d = asset − track; (k, a) s, inf if not closing."""
    d = asset_pos_enu_m[None] - pos_enu_m[:, None]
    dist = np.linalg.norm(d, axis=-1)
    closing = np.einsum("kai,ki->ka", d, vel_enu_mps) / np.maximum(dist, 1e-9)
    return np.where(closing > 1e-3, dist / np.maximum(closing, 1e-3), np.inf)


def closest_approach(pos_enu_m, vel_enu_mps, asset_pos_enu_m):
    """(t_cpa_s, d_cpa_m), each (k, a): t_cpa = max(0, d·v/|v|²), d_cpa = |p + v t_cpa − a|."""
    d = asset_pos_enu_m[None] - pos_enu_m[:, None]
    v2 = np.sum(vel_enu_mps**2, axis=-1)[:, None]
    t = np.maximum(np.einsum("kai,ki->ka", d, vel_enu_mps) / np.maximum(v2, 1e-12), 0.0)
    miss = vel_enu_mps[:, None] * t[..., None] - d
    return t, np.linalg.norm(miss, axis=-1)


def classify(speed_mps, alt_m, gamma_rad):
    """Threat class index (k,) from speed, altitude above ground and flight-path angle (module
    doc; the aerodynamic classes by the horizontal speed speed·cos γ)."""
    speed_mps, alt_m, gamma_rad = (np.asarray(x, float) for x in (speed_mps, alt_m, gamma_rad))
    out = np.full(np.broadcast(speed_mps, alt_m, gamma_rad).shape, AIRCRAFT, int)
    horizontal = speed_mps * np.cos(gamma_rad)
    out[(horizontal <= CRUISE_MAX_SPEED_MPS) & (alt_m <= CRUISE_MAX_ALT_M)] = CRUISE_MISSILE
    out[(horizontal <= DRONE_MAX_SPEED_MPS) & (alt_m <= DRONE_MAX_ALT_M)] = DRONE
    fast = speed_mps >= BALLISTIC_MIN_SPEED_MPS
    out[fast & ((gamma_rad <= BALLISTIC_MAX_GAMMA_RAD) | (alt_m >= BALLISTIC_MIN_ALT_M))] = BALLISTIC
    return out


def altitude_and_gamma(pos_enu_m, vel_enu_mps, earth_centre_enu_m, ground_radius_m):
    """Spherical altitude above the ground (|p − c| − R_ground) and flight-path angle, (k,) each."""
    r = pos_enu_m - earth_centre_enu_m
    rn = np.linalg.norm(r, axis=-1)
    up = r / np.maximum(rn, 1.0)[:, None]
    speed = np.linalg.norm(vel_enu_mps, axis=-1)
    gamma = np.arcsin(np.clip(np.sum(vel_enu_mps * up, axis=-1) / np.maximum(speed, 1e-9), -1, 1))
    return rn - ground_radius_m, gamma


def evaluate(pos_enu_m, vel_enu_mps, alt_m, gamma_rad, asset_pos_enu_m, asset_value, asset_radius_m,
             class_weight) -> ThreatAssessment:
    """Class, time to go, CPA and value of k tracks against a assets; ``class_weight`` (4,)."""
    cls = classify(np.linalg.norm(vel_enu_mps, axis=-1), alt_m, gamma_rad)
    ttg = time_to_go_s(pos_enu_m, vel_enu_mps, asset_pos_enu_m)
    t_cpa, d_cpa = closest_approach(pos_enu_m, vel_enu_mps, asset_pos_enu_m)
    reach_m = asset_radius_m[None] + CPA_MARGIN_M
    relevance = np.where(d_cpa <= reach_m, 1.0, reach_m / np.maximum(d_cpa, 1.0))
    urgency = URGENCY_TIME_S / (URGENCY_TIME_S + t_cpa)
    per_asset = asset_value[None] * relevance * urgency
    best = np.argmax(per_asset, axis=1) if per_asset.size else np.zeros(len(cls), int)
    value = np.asarray(class_weight, float)[cls] * (per_asset.max(axis=1) if per_asset.size else np.zeros(len(cls)))
    return ThreatAssessment(cls, ttg, t_cpa, d_cpa, value, best,
                            ttg.min(axis=1) if ttg.size else np.full(len(cls), np.inf))
