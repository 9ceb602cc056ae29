"""Threat kinematics, first version: every raider flies its compiled route (great-circle legs
densified into short chords, constant speed per leg), advanced for all raiders at once.

Routes come from :mod:`iadsim.compile`. Turns are instantaneous at the chord joints; g-limited
turns, pop-ups and ballistic arcs come with the flyout work (issue 7).
"""

import numpy as np

from iadsim.state import Threats


def advance(threats: Threats, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth position and velocity of every raider at ``t_s``.

    Returns ``(pos_enu_m (n, 3), vel_enu_mps (n, 3), in_flight (n,) bool)``; ``in_flight`` is
    False before a raider's start time and after the end of its route.
    """
    route_t = threats.route_t_s
    n, p = route_t.shape
    seg = np.clip((route_t <= t_s).sum(axis=1) - 1, 0, p - 2)
    rows = np.arange(n)
    t0, t1 = route_t[rows, seg], route_t[rows, seg + 1]
    p0, p1 = threats.route_pos_enu_m[rows, seg], threats.route_pos_enu_m[rows, seg + 1]
    frac = np.clip((t_s - t0) / (t1 - t0), 0.0, 1.0)[:, None]
    pos = p0 + frac * (p1 - p0)
    vel = (p1 - p0) / (t1 - t0)[:, None]
    in_flight = (t_s >= route_t[:, 0]) & (t_s <= route_t[:, -1])
    return pos, np.where(in_flight[:, None], vel, 0.0), in_flight


def ground_distance_m(pos_enu_m: np.ndarray, target_enu_m: np.ndarray, earth_centre_enu_m: np.ndarray) -> np.ndarray:
    """Great-circle distance between the ground points below two sets of positions (sphere)."""
    a = pos_enu_m - earth_centre_enu_m
    b = target_enu_m - earth_centre_enu_m
    r = np.linalg.norm(b, axis=-1)
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * r)
    return r * np.arccos(np.clip(cos, -1.0, 1.0))
