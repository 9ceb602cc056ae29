"""Engagement feasibility of every (weapon type, track) pair of one unit, vectorised.

Predicted intercept point (PIP). The track flies straight: p(t) = p + v·t, where for an
aerodynamic track (every class but ballistic) v is the horizontal part of its velocity and the
point is kept at the track's own altitude (a straight line in ENU would climb off the curved
earth, and a track's vertical-velocity noise would lift a 200 m drone's PIP by kilometres over a
few minutes); a ballistic track keeps its full velocity and falls under gravity,
p(t) = p + v·t − ½·g0·t²·up (up at the track; without it a diving SRBM met its round up to 17 %
earlier than predicted). A round launched after the reaction
time T_r, flying τ, meets it when the fly-out table says the round needs no more than τ to reach
p(T_r + τ):

    g(τ) = τ − tof(ground_range(p(T_r + τ)), altitude(p(T_r + τ))),   τ* = first root of g

found on a grid of τ from 0 to the longest flight in the weapon's table and refined by linear
interpolation in the bracket (:mod:`iadsim.c2.flyout_table`). The table is the 3-DOF flyout's
own: NaN (unreachable) where the round falls below its minimum speed, hits the ground or times
out before the point, so such a shot is infeasible; no catalog speed or flight-time figure
enters. Feasible when, at the PIP,

    min_range ≤ ground range ≤ max_range   (max_range_ballistic for ballistic-class tracks)
    min_altitude ≤ altitude ≤ max_altitude,  |v| ≤ max_target_speed

(catalog missile figures) and the unit's engagement radar has line of sight (smooth
effective earth, k = 4/3-class, :func:`iadsim.physics.propagation.line_of_sight`; and, with a
DEM, clear of the terrain: :func:`iadsim.terrain.horizon.los_clear`) to the track now and to the PIP. Single-shot Pk is the kill draw's own model, the expected Pk of the missile
against the track's class (:func:`iadsim.flyout.lethality.expected_pk`), degraded linearly
near the range edge:

    Pk = E[Pk] · (1 − PK_EDGE_LOSS · clip((r/r_max − PK_EDGE_START) / (1 − PK_EDGE_START), 0, 1))

(a round arriving at the end of its reach has little energy left to manoeuvre; a modelling
choice, Pk at max range = pk/2).

Every value is computed row-wise in the tracks (elementwise operations, reductions over the
three components only, one matrix product per point): a track's feasibility is the same bit for
bit whichever tracks are assessed with it, which lets the C2 of many runs share one call
(:func:`iadsim.c2.stage.decide_runs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from iadsim import geo
from iadsim.c2 import flyout_table
from iadsim.c2.threat_eval import BALLISTIC
from iadsim.constants import G0_MPS2
from iadsim.flyout.lethality import expected_pk_table
from iadsim.geo import ground_distance_m as ground_range_m, ground_distance_xyz_m as _ground_range_xyz_m
from iadsim.physics.propagation import line_of_sight
from iadsim.terrain.horizon import los_clear

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


@dataclass(frozen=True)
class _Tables:
    """The fly-out tables of a weapon list stacked on a first axis (one altitude grid), flat
    for gathers: range_m[a * n_range + j], tof_s[(a * n_alt + i) * n_range + j]; the cell
    widths alt_step_m[i] = alt_m[i + 1] − alt_m[i] and range_step_m likewise (the differences
    ``flyout_table.time_of_flight_s`` takes, taken once)."""

    alt_m: np.ndarray  # (n_alt,)
    alt_step_m: np.ndarray  # (n_alt - 1,)
    range_m: np.ndarray  # (nw * n_range,)
    range_step_m: np.ndarray  # (nw * n_range,), the last of each table unused
    tof_s: np.ndarray  # (nw * n_alt * n_range,)
    range_lo_m: np.ndarray  # (nw,) first and last range of each table
    range_hi_m: np.ndarray
    sorted_range_m: list  # (n_range,) of each table


@cache
def _tables(names: tuple) -> _Tables | None:
    """Stacked tables of ``names``; None when their grids differ in altitude or range count."""
    tabs = [flyout_table.load_table(n) for n in names]
    if any(t.alt_m.shape != tabs[0].alt_m.shape or not np.array_equal(t.alt_m, tabs[0].alt_m)
           or t.range_m.shape != tabs[0].range_m.shape for t in tabs):
        return None
    alt = tabs[0].alt_m
    rng = np.stack([t.range_m for t in tabs])
    step = np.zeros_like(rng)
    step[:, :-1] = rng[:, 1:] - rng[:, :-1]
    return _Tables(alt, alt[1:] - alt[:-1], rng.ravel(), step.ravel(), np.stack([t.tof_s for t in tabs]).ravel(),
                   rng[:, 0].copy(), rng[:, -1].copy(), [t.range_m for t in tabs])


def _time_of_flight_s(names: tuple, rng_m, alt_m):
    """``flyout_table.time_of_flight_s`` of weapon a's table on row a of (nw, ...) ranges and
    altitudes, in one pass (the same operations element by element; gathers from flat tables)."""
    tab = _tables(names)
    if tab is None:
        return np.stack([flyout_table.time_of_flight_s(flyout_table.load_table(n), r, h)
                         for n, r, h in zip(names, rng_m, alt_m)])
    nw = len(names)
    shape = (nw,) + (1,) * (rng_m.ndim - 1)
    a_m = tab.alt_m
    r_hi = tab.range_hi_m.reshape(shape)
    h = np.maximum(alt_m, a_m[0])
    rc = np.minimum(np.maximum(rng_m, tab.range_lo_m.reshape(shape)), r_hi)
    na, nr = a_m.size, tab.sorted_range_m[0].size
    i = np.searchsorted(a_m, h)  # clip(i - 1, 0, na - 2) (integer clips in place: ufuncs, cheaper than np.clip)
    i -= 1
    np.minimum(np.maximum(i, 0, out=i), na - 2, out=i)
    j = np.empty(rng_m.shape, np.intp)
    for a in range(nw):
        j[a] = np.searchsorted(tab.sorted_range_m[a], rc[a])
    np.minimum(np.maximum(j - 1, 0, out=j), nr - 2, out=j)
    j += (np.arange(nw) * nr).reshape(shape)  # index into the flat range table
    fa = np.clip((h - a_m.take(i)) / tab.alt_step_m.take(i), 0.0, 1.0)
    fr = (rc - tab.range_m.take(j)) / tab.range_step_m.take(j)
    ij = j + (i + (np.arange(nw) * (na - 1)).reshape(shape)) * nr  # (a·na + i)·nr + j
    t = tab.tof_s
    gr = 1 - fr
    out = ((1 - fa) * (gr * t.take(ij) + fr * t.take(ij + 1)) + fa * (gr * t.take(ij + nr) + fr * t.take(ij + nr + 1)))
    return np.where((rng_m <= r_hi) & (h <= a_m[-1]), out, np.nan)


@cache
def _tau_grid_s(names: tuple) -> np.ndarray:
    """Flight-time grid of the PIP search of each weapon, (nw, N_TAU) s: from 0 to the longest
    flight in its fly-out table (the flyout's own reach; no catalog flight-time figure)."""
    return np.stack([np.linspace(0.0, float(np.nanmax(flyout_table.load_table(n).tof_s)), N_TAU)
                     for n in names])


def assess(world, u: int, w_idx, pos_enu_m, vel_enu_mps, threat_class, reaction_time_s) -> Feasibility:
    """Feasibility of unit ``u``'s weapon rows ``w_idx`` (w,) against k tracks.

    All weapons at once: the tracks now and every weapon's flight-time grid are one array of
    points, held by component (3, k + w·k·n), and the PIPs of every weapon another. Row-wise in
    the tracks: a track's values do not depend on the other tracks passed with it.
    """
    wp, units, rd = world.weapons, world.units, world.radars
    k, nw = len(pos_enu_m), len(w_idx)
    if k == 0 or nw == 0:
        return Feasibility(np.zeros((nw, k)), np.full((nw, k), np.nan), np.full((nw, k, 3), np.nan),
                           np.full((nw, k), OUT_OF_ENVELOPE))
    centre, origin, ground = world.earth_centre_enu_m, world.origin, world.ground_alt_m
    base = units.pos_enu_m[u]
    eng = np.flatnonzero((rd.unit_idx == u) & rd.is_engagement)
    r_i = eng[0] if eng.size else np.flatnonzero(rd.unit_idx == u)[0]
    h_radar = float(rd.height_m[r_i])
    w_idx = np.asarray(w_idx)
    names = tuple(str(wp.name[w]) for w in w_idx)
    col = (nw, 1)
    tau = _tau_grid_s(names)  # (w, n)
    lead_s = reaction_time_s + tau
    # Aerodynamic tracks are predicted on their own altitude: the horizontal part of the
    # velocity only (a straight line in ENU would climb off the curved earth, and a track's
    # vertical-velocity noise, e.g. 10 m/s, would lift a 200 m drone's PIP by kilometres over
    # a few minutes of lead). Ballistic tracks keep their full velocity.
    ballistic = np.asarray(threat_class) == BALLISTIC
    radial = pos_enu_m - centre
    r_track = np.linalg.norm(radial, axis=-1)
    up = radial / r_track[:, None]
    v_pred = np.where(ballistic[:, None], vel_enu_mps,
                      vel_enu_mps - np.sum(vel_enu_mps * up, axis=-1)[:, None] * up)
    # the tracks now, then every weapon's grid of predicted points p + v·t (+ ½·g·t² for a
    # ballistic track, which falls under gravity along its local down), t = T_r + τ: (3, k + w·k·n)
    a_pred = np.where(ballistic[:, None], -G0_MPS2 * up, 0.0)
    xyz = np.empty((3, k + nw * k * N_TAU))
    xyz[:, :k] = pos_enu_m.T
    for c in range(3):
        grid = xyz[c, k:].reshape(nw, k, N_TAU)
        np.multiply(v_pred[:, c][None, :, None], lead_s[:, None, :], out=grid)
        grid += (0.5 * a_pred[:, c])[None, :, None] * (lead_s * lead_s)[:, None, :]
        grid += pos_enu_m[:, c][None, :, None]
    rng_all = _ground_range_xyz_m(xyz[0], xyz[1], xyz[2], base, centre)
    # altitudes: of the tracks now, and on the grid of the ballistic tracks only (an aerodynamic
    # track's grid is at its own altitude); one call, points held by component as above
    grid_shape = (nw, k, N_TAU)
    bal = np.flatnonzero(ballistic)
    pts = np.empty((3, k + nw * bal.size * N_TAU))
    pts[:, :k] = xyz[:, :k]
    pts[:, k:] = xyz[:, k:].reshape(3, nw, k, N_TAU)[:, :, bal].reshape(3, -1)
    alt_pts = geo.altitude_m(pts.T, origin) - ground
    alt_now = alt_pts[:k]
    alt_grid = np.empty(grid_shape)
    alt_grid[...] = alt_now[None, :, None]
    alt_grid[:, bal] = alt_pts[k:].reshape(nw, bal.size, N_TAU)
    g = tau[:, None] - _time_of_flight_s(names, rng_all[k:].reshape(grid_shape), alt_grid)
    hit = g >= 0.0  # (w, k, n); NaN (unreachable) is no hit
    found = hit.any(axis=-1)
    n1 = np.argmax(hit, axis=-1)
    n0 = np.maximum(n1 - 1, 0)
    g0 = np.take_along_axis(g, n0[..., None], axis=-1)[..., 0]
    g1 = np.take_along_axis(g, n1[..., None], axis=-1)[..., 0]
    frac = np.where(np.isfinite(g0) & (g0 < 0) & (n1 > 0), -g0 / np.where(g1 - g0 > 0, g1 - g0, 1.0), 1.0)
    tau0, tau1 = np.take_along_axis(tau, n0, axis=-1), np.take_along_axis(tau, n1, axis=-1)
    t_star = tau0 + frac * (tau1 - tau0)  # (w, k)
    t_lead = (reaction_time_s + t_star)[..., None]
    pip = pos_enu_m + v_pred * t_lead + 0.5 * a_pred * t_lead * t_lead  # (w, k, 3)
    # an aerodynamic track's PIP at its own distance from the earth's centre (own altitude)
    to_pip = pip - centre
    scale = np.linalg.norm(to_pip, axis=-1) / r_track
    pip = np.where(ballistic[:, None], pip, centre + to_pip / np.where(np.isfinite(scale), scale, 1.0)[..., None])
    pip_pts = pip.reshape(-1, 3)
    r_pip = ground_range_m(pip_pts, base, centre).reshape(nw, k)
    h_pip = np.empty((nw, k))  # an aerodynamic track's PIP is at its own altitude
    h_pip[...] = alt_now
    if bal.size:
        h_pip[:, bal] = geo.altitude_m(pip[:, bal].reshape(-1, 3), origin).reshape(nw, bal.size) - ground
    # line of sight to the tracks now (k) and to every PIP (w·k), one call
    los = line_of_sight(h_radar, np.maximum(np.concatenate([alt_now, h_pip.reshape(-1)]), 0.0),
                        np.concatenate([rng_all[:k], r_pip.reshape(-1)]))
    los = los[:k] & los[k:].reshape(nw, k)
    if world.extra.get("terrain") is not None:  # terrain masking of the same lines (iadsim.terrain.horizon)
        clear = los_clear(world, r_i, np.concatenate([pos_enu_m, pip.reshape(-1, 3)]))
        los &= clear[:k] & clear[k:].reshape(nw, k)
    speed = np.linalg.norm(vel_enu_mps, axis=-1)
    r_max = np.where(threat_class == BALLISTIC, wp.max_range_ballistic_m[w_idx].reshape(col),
                     wp.max_range_m[w_idx].reshape(col))
    ok_env = (found & (r_pip <= r_max) & (r_pip >= wp.min_range_m[w_idx].reshape(col))
              & (h_pip <= wp.max_altitude_m[w_idx].reshape(col))
              & (h_pip >= (wp.min_altitude_m[w_idx] - 5.0).reshape(col))
              & (speed <= wp.max_target_speed_mps[w_idx].reshape(col)))
    edge = np.clip((r_pip / r_max - PK_EDGE_START) / (1.0 - PK_EDGE_START), 0.0, 1.0)
    code = np.where(~los, NO_LOS, np.where(ok_env, FEASIBLE, OUT_OF_ENVELOPE))
    pk_class = expected_pk_table(names)  # (w, classes): the kill draw's model (flyout.lethality)
    pk_model = np.take_along_axis(pk_class, np.broadcast_to(np.asarray(threat_class, np.int64), (nw, k)), axis=1)
    pk = np.where(code == FEASIBLE, pk_model * (1.0 - PK_EDGE_LOSS * edge), 0.0)
    tof = np.where(found, t_star, np.nan)
    return Feasibility(pk, tof, pip, code)
