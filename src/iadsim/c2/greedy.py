"""First command-and-control stage: rank by time to go, greedy assignment within limits.

A simple stand-in that the WTA-based C2 of issue 6 replaces. Each C2 cycle a unit takes its
confirmed tracks that are not already engaged, ranks them by time to go to the asset each one
closes on fastest, and for each in turn picks the first weapon type (loadout order) that has
rounds above the reserve and a feasible predicted intercept point, until the unit's target and
missile-guidance channels are full. Everything is computed for all (track, weapon) pairs at once;
only the sequential allocation of limited channels loops over the ranked candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import geo

BALLISTIC_SPEED_MPS = 1000.0  # a track faster than this is treated as a ballistic threat


@dataclass(frozen=True)
class Orders:
    """Engagement decisions of one unit in one C2 cycle (parallel arrays)."""

    track_id: np.ndarray
    truth_id: np.ndarray
    weapon_idx: np.ndarray
    n_rounds: np.ndarray
    pip_enu_m: np.ndarray
    time_to_go_s: np.ndarray
    hold_track_id: np.ndarray
    hold_reason: list


def time_to_go_s(pos_enu_m, vel_enu_mps, asset_pos_enu_m):
    """Time for each track to reach each asset at its current closing speed; (k, a) s, inf if opening."""
    d = asset_pos_enu_m[None] - pos_enu_m[:, None]
    dist = np.linalg.norm(d, axis=-1)
    closing = np.einsum("kai,ki->ka", d, vel_enu_mps) / np.maximum(dist, 1e-9)
    return np.where(closing > 1e-3, dist / np.maximum(closing, 1e-3), np.inf)


def intercept_time_s(rel_pos_m, vel_mps, speed_mps):
    """Earliest t > 0 with |rel + vel·t| = speed·t (constant-speed interceptor, constant-velocity target).

    rel_pos_m: (..., 3) target minus launcher; vel_mps: (..., 3); speed_mps broadcastable. NaN if none.
    """
    a = np.sum(vel_mps * vel_mps, axis=-1) - speed_mps**2
    b = 2.0 * np.sum(rel_pos_m * vel_mps, axis=-1)
    c = np.sum(rel_pos_m * rel_pos_m, axis=-1)
    disc = b * b - 4 * a * c
    sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (-b - sq) / (2 * a), (-b + sq) / (2 * a)
        lin = np.where(np.abs(a) < 1e-9, -c / np.where(np.abs(b) > 0, b, np.nan), np.nan)
    cand = np.stack([t1, t2, lin], axis=-1)
    cand = np.where(cand > 0, cand, np.inf)
    t = cand.min(axis=-1)
    return np.where(np.isfinite(t), t, np.nan)


def decide(world, u: int, track_id, truth_id, pos_enu_m, vel_enu_mps, engaged_ids, n_in_flight: int, rounds) -> Orders:
    """Greedy engagement orders for unit ``u`` from its confirmed tracks (arrays of length k)."""
    units, weapons, assets = world.units, world.weapons, world.assets
    k = len(track_id)
    empty = Orders(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros((0, 3)),
                   np.zeros(0), np.zeros(0, int), [])
    if k == 0 or not units.weapons_free[u]:
        return empty
    ttg = time_to_go_s(pos_enu_m, vel_enu_mps, assets.pos_enu_m).min(axis=1)
    w_idx = np.flatnonzero(weapons.unit_idx == u)
    react = units.reaction_time_s[u]
    pos_launch = pos_enu_m + vel_enu_mps * react
    rel = pos_launch[:, None] - units.pos_enu_m[u]
    speed = np.linalg.norm(vel_enu_mps, axis=1)
    tof = intercept_time_s(rel, vel_enu_mps[:, None], weapons.mean_speed_mps[w_idx][None])  # (k, w)
    pip = pos_launch[:, None] + vel_enu_mps[:, None] * np.nan_to_num(tof, nan=0.0)[..., None]
    pip_range = np.linalg.norm(pip - units.pos_enu_m[u], axis=-1)
    pip_agl = geo.altitude_m(pip, world.origin) - world.ground_alt_m
    ballistic = speed > BALLISTIC_SPEED_MPS
    max_rng = np.where(ballistic[:, None], weapons.max_range_ballistic_m[w_idx][None], weapons.max_range_m[w_idx][None])
    feasible = (
        np.isfinite(tof) & (tof <= weapons.max_flight_time_s[w_idx][None])
        & (pip_range <= max_rng) & (pip_range >= weapons.min_range_m[w_idx][None])
        & (pip_agl <= weapons.max_altitude_m[w_idx][None]) & (pip_agl >= weapons.min_altitude_m[w_idx][None] - 5.0)
        & (speed[:, None] <= weapons.max_target_speed_mps[w_idx][None])
    )
    salvo = int(units.salvo[u])
    free_targets = int(units.channels_targets[u]) - len(engaged_ids)
    free_missiles = int(units.channels_missiles[u]) - n_in_flight
    left = rounds[w_idx] - units.reserve_rounds[u]
    out_t, out_truth, out_w, out_n, out_pip, out_ttg, hold_t, hold_r = [], [], [], [], [], [], [], []
    engaged = set(int(e) for e in engaged_ids)
    for i in np.argsort(ttg, kind="stable"):
        if int(track_id[i]) in engaged:
            continue
        usable = feasible[i] & (left > 0)
        if not feasible[i].any():
            hold_t.append(track_id[i]), hold_r.append("out of envelope")
            continue
        if not usable.any():
            hold_t.append(track_id[i]), hold_r.append("no round")
            continue
        if free_targets <= 0 or free_missiles <= 0:
            hold_t.append(track_id[i]), hold_r.append("no channel")
            continue
        j = int(np.argmax(usable))
        n = int(min(salvo, left[j], free_missiles))
        left[j] -= n
        free_targets -= 1
        free_missiles -= n
        out_t.append(track_id[i]), out_truth.append(truth_id[i]), out_w.append(w_idx[j]), out_n.append(n)
        out_pip.append(pip[i, j]), out_ttg.append(ttg[i])
    return Orders(np.array(out_t, int), np.array(out_truth, int), np.array(out_w, int), np.array(out_n, int),
                  np.array(out_pip).reshape(-1, 3), np.array(out_ttg), np.array(hold_t, int), hold_r)
