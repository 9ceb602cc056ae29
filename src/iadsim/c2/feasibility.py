"""Engagement feasibility of every (weapon type, track) pair of one unit, vectorised.

Predicted intercept point (PIP). The track flies straight: p(t) = p + v·t. A round launched after
the reaction time T_r, flying τ, meets it when the fly-out table says the round needs no more
than τ to reach p(T_r + τ):

    g(τ) = τ − tof(ground_range(p(T_r + τ)), altitude(p(T_r + τ))),   τ* = first root of g

found on a grid of τ in [0, max flight time] and refined by linear interpolation in the
bracket (:mod:`iadsim.c2.flyout_table`). Feasible when, at the PIP,

    min_range ≤ ground range ≤ max_range   (max_range_ballistic for ballistic-class tracks)
    min_altitude ≤ altitude ≤ max_altitude,  |v| ≤ max_target_speed,  τ* ≤ max_flight_time

(catalog missile figures) and the unit's engagement radar has line of sight (smooth
effective earth, k = 4/3-class, :func:`iadsim.physics.propagation.line_of_sight`) to the track
now and to the PIP. Single-shot Pk is the catalog pk, degraded linearly near the range edge:

    Pk = pk · (1 − PK_EDGE_LOSS · clip((r/r_max − PK_EDGE_START) / (1 − PK_EDGE_START), 0, 1))

(a round arriving at the end of its reach has little energy left to manoeuvre; a modelling
choice, Pk at max range = pk/2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import geo
from iadsim.c2 import flyout_table
from iadsim.c2.threat_eval import BALLISTIC
from iadsim.physics.propagation import line_of_sight

FEASIBLE, NO_LOS, OUT_OF_ENVELOPE = 0, 1, 2
REASONS = ("feasible", "no line of sight", "out of envelope")
N_TAU = 64  # flight-time grid of the PIP search
PK_EDGE_START = 0.8
PK_EDGE_LOSS = 0.5


@dataclass(frozen=True)
class Feasibility:
    """Per (weapon type, track): pk (w, k), tof_s (w, k), pip_enu_m (w, k, 3), code (w, k)."""

    pk: np.ndarray
    tof_s: np.ndarray
    pip_enu_m: np.ndarray
    code: np.ndarray


def ground_range_m(pos_enu_m, ref_enu_m, earth_centre_enu_m):
    """Great-circle distance on the sphere through ``ref`` (central angle × |ref − centre|), m."""
    a, b = pos_enu_m - earth_centre_enu_m, ref_enu_m - earth_centre_enu_m
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    return np.linalg.norm(b, axis=-1) * np.arctan2(cross, np.sum(a * b, axis=-1))


def assess(world, u: int, w_idx, pos_enu_m, vel_enu_mps, threat_class, reaction_time_s) -> Feasibility:
    """Feasibility of unit ``u``'s weapon rows ``w_idx`` (w,) against k tracks."""
    wp, units, rd = world.weapons, world.units, world.radars
    k, nw = len(pos_enu_m), len(w_idx)
    centre, origin, ground = world.earth_centre_enu_m, world.origin, world.ground_alt_m
    base = units.pos_enu_m[u]
    eng = np.flatnonzero((rd.unit_idx == u) & rd.is_engagement)
    r_i = eng[0] if eng.size else np.flatnonzero(rd.unit_idx == u)[0]
    h_radar = float(rd.height_m[r_i])
    speed = np.linalg.norm(vel_enu_mps, axis=-1)
    agl_now = geo.altitude_m(pos_enu_m, origin) - ground
    los_now = line_of_sight(h_radar, np.maximum(agl_now, 0.0), ground_range_m(pos_enu_m, base, centre))
    pk = np.zeros((nw, k))
    tof = np.full((nw, k), np.nan)
    pip = np.full((nw, k, 3), np.nan)
    code = np.full((nw, k), OUT_OF_ENVELOPE)
    if k == 0:
        return Feasibility(pk, tof, pip, code)
    ballistic = threat_class == BALLISTIC
    for a, w in enumerate(w_idx):
        table = flyout_table.load_table(wp.name[w])
        tau = np.linspace(0.0, wp.max_flight_time_s[w], N_TAU)  # (n,)
        p = pos_enu_m[:, None] + vel_enu_mps[:, None] * (reaction_time_s + tau)[None, :, None]  # (k, n, 3)
        rng_m = ground_range_m(p, base, centre)
        alt = geo.altitude_m(p, origin) - ground
        g = tau[None] - flyout_table.time_of_flight_s(table, rng_m, alt)  # (k, n), NaN unreachable
        hit = np.nan_to_num(g, nan=-np.inf) >= 0.0
        found = hit.any(axis=1)
        n1 = np.argmax(hit, axis=1)
        n0 = np.maximum(n1 - 1, 0)
        rows = np.arange(k)
        g0, g1 = g[rows, n0], g[rows, n1]
        frac = np.where(np.isfinite(g0) & (g0 < 0) & (n1 > 0), -g0 / np.where(g1 - g0 > 0, g1 - g0, 1.0), 1.0)
        t_star = tau[n0] + frac * (tau[n1] - tau[n0])
        pip_w = pos_enu_m + vel_enu_mps * (reaction_time_s + t_star)[:, None]
        r_pip = ground_range_m(pip_w, base, centre)
        h_pip = geo.altitude_m(pip_w, origin) - ground
        r_max = np.where(ballistic, wp.max_range_ballistic_m[w], wp.max_range_m[w])
        ok_env = (found & (r_pip <= r_max) & (r_pip >= wp.min_range_m[w]) & (h_pip <= wp.max_altitude_m[w])
                  & (h_pip >= wp.min_altitude_m[w] - 5.0) & (speed <= wp.max_target_speed_mps[w])
                  & (t_star <= wp.max_flight_time_s[w]))
        los = los_now & line_of_sight(h_radar, np.maximum(h_pip, 0.0), r_pip)
        edge = np.clip((r_pip / r_max - PK_EDGE_START) / (1.0 - PK_EDGE_START), 0.0, 1.0)
        code[a] = np.where(~los, NO_LOS, np.where(ok_env, FEASIBLE, OUT_OF_ENVELOPE))
        pk[a] = np.where(code[a] == FEASIBLE, wp.pk[w] * (1.0 - PK_EDGE_LOSS * edge), 0.0)
        tof[a] = np.where(found, t_star, np.nan)
        pip[a] = pip_w
    return Feasibility(pk, tof, pip, code)
