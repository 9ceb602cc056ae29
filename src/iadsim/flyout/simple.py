"""First interceptor model: constant speed straight at the predicted intercept point.

Every step each interceptor re-aims at the intercept point computed from its target's current
true state (a stand-in for perfect guidance, replaced by the 3-DOF proportional-navigation model
of issue 7). The closest point of approach is found inside the step, assuming straight relative
motion during the step, so the result does not depend on the step size; within the lethal
radius a Bernoulli draw with the missile's single-shot Pk decides the kill.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim.c2.greedy import intercept_time_s

LETHAL_RADIUS_M = 30.0  # CPA inside which the warhead can kill


@dataclass
class Interceptors:
    id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    unit_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    weapon_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    track_id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    truth_id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    pos_enu_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    vel_enu_mps: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    speed_mps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    t_launch_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    max_flight_time_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pk: np.ndarray = field(default_factory=lambda: np.zeros(0))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    FIELDS = ("id", "unit_idx", "weapon_idx", "track_id", "truth_id", "pos_enu_m", "vel_enu_mps", "speed_mps",
              "t_launch_s", "max_flight_time_s", "pk", "alive")

    def add(self, **cols) -> np.ndarray:
        """Append interceptors (every field given as an array); return their ids."""
        n = len(cols["unit_idx"])
        cols["id"] = len(self.id) + np.arange(n)
        cols["alive"] = np.ones(n, bool)
        for name in self.FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(cols[name]).reshape((n,) + getattr(self, name).shape[1:])]))
        return cols["id"]


@dataclass(frozen=True)
class Outcomes:
    """What happened to interceptors during one step (indices into Interceptors)."""

    hit: np.ndarray
    miss: np.ndarray
    miss_distance_m: np.ndarray  # for hit and miss together, aligned with np.concatenate([hit, miss])
    t_cpa_s: np.ndarray
    reached: np.ndarray  # per miss: True if it passed within the lethal radius, False if it self-destructed


def advance(icpt: Interceptors, threat_pos_enu_m, threat_vel_enu_mps, threat_alive, t_s: float, dt_s: float,
            rng: np.random.Generator) -> Outcomes:
    """Advance live interceptors from ``t_s`` to ``t_s + dt_s`` in place; resolve intercepts inside the step."""
    live = np.flatnonzero(icpt.alive)
    none = np.zeros(0, int)
    if live.size == 0:
        return Outcomes(none, none, np.zeros(0), np.zeros(0), np.zeros(0, bool))
    tgt = icpt.truth_id[live]
    p_t, v_t = threat_pos_enu_m[tgt], threat_vel_enu_mps[tgt]
    p_m = icpt.pos_enu_m[live]
    rel = p_t - p_m
    tof = intercept_time_s(rel, v_t, icpt.speed_mps[live])
    aim = np.where(np.isfinite(tof)[:, None], p_t + v_t * np.nan_to_num(tof)[:, None], p_t)
    d = aim - p_m
    v_m = icpt.speed_mps[live][:, None] * d / np.maximum(np.linalg.norm(d, axis=1), 1e-9)[:, None]
    # closest point of approach inside the step, relative motion straight
    v_rel = v_m - v_t
    t_cpa = np.clip(np.sum(rel * v_rel, axis=1) / np.maximum(np.sum(v_rel * v_rel, axis=1), 1e-12), 0.0, dt_s)
    miss_m = np.linalg.norm(rel - v_rel * t_cpa[:, None], axis=1)
    reached = (miss_m <= LETHAL_RADIUS_M) & threat_alive[tgt]
    kill = reached & (rng.random(live.size) < icpt.pk[live])
    expired = (t_s + dt_s - icpt.t_launch_s[live] > icpt.max_flight_time_s[live]) | ~threat_alive[tgt]
    icpt.pos_enu_m[live] = p_m + v_m * dt_s
    icpt.vel_enu_mps[live] = v_m
    done_miss = (reached & ~kill) | (expired & ~reached)
    icpt.alive[live[kill | done_miss]] = False
    order = np.concatenate([np.flatnonzero(kill), np.flatnonzero(done_miss)])
    return Outcomes(live[kill], live[done_miss], miss_m[order], t_s + t_cpa[order], reached[done_miss])
