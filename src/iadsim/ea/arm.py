"""Anti-radiation missiles (issue 18 item 3): homing on an emitting radar, guidance loss, the kill draw.

Trajectory: an ARM flies to the site of the radar it homes on (``home_on``), compiled like any raid
(:mod:`iadsim.compile`): the site does not move, so its path is the same whether the radar emits
or not, and raider truth stays shared by every run. It can be tracked and engaged like any missile.

End game, per run, when the ARM reaches the site (the end of its trajectory) alive:

* the radar still radiating then: guided to the end, radial miss scale σ = ``guided_miss`` (seeker
  and fuze errors);
* the radar fell silent at t_loss (or never radiated after the ARM's launch: t_loss = launch): the
  ARM flies to the last position its passive seeker measured. Angle-only location from a passive
  seeker is uncertain across the line of sight by about R·σθ (R the range at t_loss, σθ the
  seeker's angle accuracy; passive angle-of-arrival location: Wiley 2006; Adamy 2001),
  so σ = sqrt(guided_miss² + (R_loss σθ)²).

The miss is circular normal with that σ per axis: its distance is Rayleigh, drawn as
``σ √(-2 ln(1-u))`` from one uniform u of the run's ``ea`` stream, and the radar is killed when
it is within the warhead's ``lethal_radius`` against radar equipment, so P(kill) =
1 - exp(-R_L²/(2σ²)) (:func:`p_kill`; the circular-normal delivery-error model of Driels 2004;
full citations in docs/REFERENCES.md). A killed
radar stops (:mod:`iadsim.emission`); a unit whose engagement radar is dead or silent engages
nothing (the C2 holds with reason ``no engagement radar``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Arms:
    """Anti-radiation raiders (a,)."""

    threat_idx: np.ndarray  # (a,) raider rows
    radar_idx: np.ndarray  # (a,) radar row each homes on
    guided_miss_m: np.ndarray  # (a,) miss scale with guidance to the end
    angle_sigma_rad: np.ndarray  # (a,) passive seeker angle accuracy
    lethal_radius_m: np.ndarray  # (a,) against radar equipment

    def __len__(self) -> int:
        return len(self.threat_idx)


def miss_sigma_m(guided_miss_m, angle_sigma_rad, range_at_loss_m):
    """Radial miss scale σ (per axis), m: guided miss in quadrature with R_loss·σθ (R_loss = 0 when guided)."""
    return np.hypot(guided_miss_m, np.asarray(range_at_loss_m, float) * angle_sigma_rad)


def p_kill(lethal_radius_m, sigma_m):
    """Probability that a circular-normal miss of scale σ falls within the lethal radius: 1 - exp(-R²/(2σ²))."""
    return -np.expm1(-np.square(lethal_radius_m) / (2.0 * np.square(sigma_m)))


def miss_distance_m(sigma_m, u):
    """Rayleigh miss distance from a uniform u ∈ [0, 1): σ √(-2 ln(1-u)) (so miss <= R_L iff u <= p_kill)."""
    return np.asarray(sigma_m, float) * np.sqrt(-2.0 * np.log1p(-np.asarray(u, float)))


def range_at_loss_m(world, arms: Arms, k, t_loss_s) -> float:
    """Range from ARM ``k`` (index into ``arms``) to its radar at ``t_loss_s`` (truth template)."""
    from iadsim import threats as motion

    row = arms.threat_idx[k]
    pos = motion.kinematics(world.threats, float(t_loss_s), np.array([row]))[0][0]
    return float(np.linalg.norm(pos - world.radars.pos_enu_m[arms.radar_idx[k]]))
