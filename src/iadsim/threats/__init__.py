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


def hermite_coefficients(knot_pos_enu_m, knot_vel_enu_mps, knot_dt_s, route_duration_s):
    """Cubic coefficients (m, K-1, 4, 3) of every knot interval in its normalised time s ∈ [0, 1],
    ``pos = c0 + c1 s + c2 s² + c3 s³``, and each interval's length (m, K-1) s.

    The cubic Hermite form with end tangents ``v·span`` (the last interval may be shorter than
    the knot spacing); precomputed at compile time so that advancing the raiders is one gather.
    """
    k = np.arange(knot_pos_enu_m.shape[1] - 1)
    t0 = k[None] * knot_dt_s[:, None]
    span = np.maximum(np.minimum(t0 + knot_dt_s[:, None], route_duration_s[:, None]) - t0, 1e-9)
    p0, p1 = knot_pos_enu_m[:, :-1], knot_pos_enu_m[:, 1:]
    m0, m1 = knot_vel_enu_mps[:, :-1] * span[..., None], knot_vel_enu_mps[:, 1:] * span[..., None]
    coef = np.stack([p0, m0, 3 * (p1 - p0) - 2 * m0 - m1, 2 * (p0 - p1) + m0 + m1], axis=2)
    return coef, span


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
    tc = np.minimum(np.maximum(tau, 0.0), t_end)  # = np.clip, whose wrapper costs more than the rest here
    k = np.minimum((tc / h).astype(np.intp), threats.n_knots[route] - 2)
    c = threats.knot_coef[route, k]  # (k, 4, 3)
    L = threats.knot_span_s[route, k]
    s = ((tc - k * h) / L)[:, None]
    c1, c2, c3 = c[:, 1], c[:, 2], c[:, 3]
    pos = c[:, 0] + s * (c1 + s * (c2 + s * c3))
    flying = (in_flight / L)[:, None]  # 0 outside the flight: velocity and acceleration vanish there
    vel = (c1 + s * (2.0 * c2 + 3.0 * s * c3)) * flying
    acc = (2.0 * c2 + 6.0 * s * c3) * (flying / L[:, None])
    return pos, vel, acc, in_flight


def advance(threats: Threats, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth position and velocity of every raider at ``t_s``.

    Returns ``(pos_enu_m (n, 3), vel_enu_mps (n, 3), in_flight (n,) bool)``; see :func:`kinematics`.
    """
    pos, vel, _, in_flight = kinematics(threats, t_s)
    return pos, vel, in_flight
