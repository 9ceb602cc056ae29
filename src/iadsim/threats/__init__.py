"""Threat kinematics: every raider follows a trajectory precomputed at compile time.

A trajectory is a *template* sampled at knots (position and velocity, scenario ENU), shared by
the raiders of a raid, which start it at different times. Between knots the truth is the cubic
Hermite interpolant of the knots, so position, velocity and acceleration are continuous inside
an interval and exact at the knots; advancing every raider is one gather and one cubic, for all
raiders at once (:func:`kinematics`).

Templates come from :mod:`iadsim.threats.routes` (waypoint routes flown with g-limited turns,
terrain following at constant height above the scenario ground, pop-up, dive and weave) and
:mod:`iadsim.threats.ballistic` (ballistic arcs from :mod:`iadsim.physics.ballistic`).
"""

from __future__ import annotations

import numpy as np

from iadsim.state import Threats


def kinematics(threats: Threats, t_s: float, idx=None):
    """Truth state of raiders at ``t_s`` (all, or rows ``idx``).

    Returns ``(pos_enu_m (k, 3), vel_enu_mps (k, 3), acc_enu_mps2 (k, 3), in_flight (k,) bool)``.
    ``in_flight`` is False before a raider's start and after the end of its trajectory; there
    the position is the first or last knot and velocity and acceleration are zero.
    """
    route = threats.route_idx if idx is None else threats.route_idx[idx]
    start = threats.t_start_s if idx is None else threats.t_start_s[idx]
    h = threats.knot_dt_s[route]
    t_end = threats.route_duration_s[route]
    tau = t_s - start
    in_flight = (tau >= 0.0) & (tau <= t_end)
    tc = np.clip(tau, 0.0, t_end)
    k = np.minimum((tc / h).astype(np.intp), threats.n_knots[route] - 2)
    t0 = k * h
    span = np.minimum(t0 + h, t_end) - t0
    s = ((tc - t0) / span)[:, None]
    L = span[:, None]
    p0, p1 = threats.knot_pos_enu_m[route, k], threats.knot_pos_enu_m[route, k + 1]
    m0, m1 = threats.knot_vel_enu_mps[route, k] * L, threats.knot_vel_enu_mps[route, k + 1] * L
    s2 = s * s
    s3 = s2 * s
    pos = (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0 + (3 * s2 - 2 * s3) * p1 + (s3 - s2) * m1
    vel = ((6 * s2 - 6 * s) * (p0 - p1) + (3 * s2 - 4 * s + 1) * m0 + (3 * s2 - 2 * s) * m1) / L
    acc = ((12 * s - 6) * (p0 - p1) + (6 * s - 4) * m0 + (6 * s - 2) * m1) / (L * L)
    flying = in_flight[:, None]
    return pos, np.where(flying, vel, 0.0), np.where(flying, acc, 0.0), in_flight


def advance(threats: Threats, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth position and velocity of every raider at ``t_s``.

    Returns ``(pos_enu_m (n, 3), vel_enu_mps (n, 3), in_flight (n,) bool)``; see :func:`kinematics`.
    """
    pos, vel, _, in_flight = kinematics(threats, t_s)
    return pos, vel, in_flight


def ground_distance_m(pos_enu_m: np.ndarray, target_enu_m: np.ndarray, earth_centre_enu_m: np.ndarray) -> np.ndarray:
    """Great-circle distance between the ground points below two sets of positions (sphere)."""
    a = pos_enu_m - earth_centre_enu_m
    b = target_enu_m - earth_centre_enu_m
    r = np.linalg.norm(b, axis=-1)
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * r)
    return r * np.arccos(np.clip(cos, -1.0, 1.0))
