"""Weapons released by raiders (issue 18 item 4): stand-off missiles, glide bombs, ARMs, decoys.

Compile time: a release is a *group* of raiders with its own trajectory template. Every carrier of
a raid flies the same template (shifted by its start), so the release point (where the carrier
is ``at_s`` after its start, or where its route passes nearest ``at_waypoint``) is the same for
all carriers, and so is the weapons' route: from the release point, at the carrier's height and
with the weapon's catalog speed, through the release's waypoints to its target (an ARM's to the
radar it homes on). Weapon k of carrier c starts at ``start_c + t_release + k·interval_s``.
Raider truth stays shared by every run of a batch.

Run time (:func:`unreleased`): a carrier killed before its release time releases nothing in that
run; its weapons are marked ``not_released`` (they never fly, are never seen). The carrier can
turn back at the release waypoint (``turn_back``): its route is then its waypoints up to that one
and back to the first. The route autopilot starts a turn before its waypoint (turn anticipation,
:mod:`iadsim.threats.routes`); for a reversal that is several km short of it, so the release is
where the path comes nearest the waypoint: at the turn.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from iadsim import geo


def carrier_route(raid):
    """The route a carrier flies: as given, or, when a release turns it back at waypoint k, its
    waypoints 0..k and back to 0 (the last point, where its trajectory ends)."""
    turn = next((r for r in raid.releases if r.turn_back), None)
    if turn is None:
        return raid, None
    k = turn.at_waypoint
    seq = list(raid.route[: k + 1]) + list(raid.route[:k][::-1])
    home = seq[-1]
    return raid.model_copy(update={"route": seq[:-1]}), SimpleNamespace(lat_deg=home.lat_deg, lon_deg=home.lon_deg,
                                                                       alt_agl_m=home.alt_agl_m)


def release_time_s(rel, carrier_route_raid, knot_pos_enu_m, knot_dt_s, origin, ground_m) -> float:
    """When, after its start, a carrier (template knots) releases: ``at_s``, or the knot time
    nearest ``at_waypoint``'s position (first pass)."""
    if rel.at_s is not None:
        return float(rel.at_s)
    wp = carrier_route_raid.route[rel.at_waypoint]
    p = geo.geodetic_to_enu(np.radians(wp.lat_deg), np.radians(wp.lon_deg), ground_m + wp.alt_agl_m, origin)
    d = np.linalg.norm(knot_pos_enu_m - p, axis=1)
    return float(np.argmin(d) * knot_dt_s)


def at_time(knot_pos_enu_m, knot_vel_enu_mps, knot_dt_s, t_s):
    """Position and velocity of a template at ``t_s`` after its start (linear between knots)."""
    k = np.arange(len(knot_pos_enu_m)) * knot_dt_s
    t = float(np.clip(t_s, 0.0, k[-1]))
    pos = np.array([np.interp(t, k, knot_pos_enu_m[:, i]) for i in range(3)])
    vel = np.array([np.interp(t, k, knot_vel_enu_mps[:, i]) for i in range(3)])
    return pos, vel


def unreleased(th, carrier_idx: np.ndarray, release_t_s: np.ndarray, t_s: float, dt_s: float) -> np.ndarray:
    """Rows of released weapons whose release falls in (t_s - dt, t_s] and whose carrier is no
    longer alive in this run (killed before the release): they are never released."""
    due = (carrier_idx >= 0) & (release_t_s > t_s - dt_s) & (release_t_s <= t_s) & th.alive
    if not due.any():
        return _NONE
    rows = np.flatnonzero(due)
    return rows[~th.alive[carrier_idx[rows]]]


def released_now(th, carrier_idx, release_t_s, t_s: float, dt_s: float) -> np.ndarray:
    """Rows released in (t_s - dt, t_s] in this run (carrier alive, weapon not cancelled)."""
    due = (carrier_idx >= 0) & (release_t_s > t_s - dt_s) & (release_t_s <= t_s) & th.alive
    return np.flatnonzero(due)


_NONE = np.zeros(0, np.int64)
