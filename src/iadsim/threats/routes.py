"""Waypoint routes flown by a simple g-limited autopilot, precomputed at compile time.

Each route is flown once per raid (all raids together, vectorised over routes) in steps of
``KNOT_DT_S``; the positions and velocities at the steps are the knots of the template that
:func:`iadsim.threats.kinematics` interpolates. Within a step the velocity turns at a constant
rate about a fixed axis (a circular arc, integrated exactly), by at most ``turn_g·g0·dt/V``, so
the lateral acceleration of the flown path never exceeds the threat's ``turn_g``.

The autopilot, each step:

* **horizontal**: head for the current goal (next waypoint, then the target) along the great
  circle through it; switch to the next goal at the turn-anticipation distance
  ``R·tan(Δχ/2)`` (R = V²/a_max, Δχ the heading change), so turns are flown by the waypoint;
* **vertical** (terrain following): hold the commanded height above the ground with
  flight-path angle ``atan(Δh / (V·TAU_ALT_S))`` limited to ±``GAMMA_MAX_RAD``; the command
  goes linearly in distance from one waypoint's height to the next. Without a DEM the ground is
  the WGS-84 ellipsoid raised to ``origin.alt_m`` ("constant AGL" is constant height above that
  ellipsoid). With a DEM (:mod:`iadsim.terrain`) the ground is the terrain ahead *smoothed to
  the climb limit*: the highest of ``T(x) − max(x − V·TAU_ALT_S, 0)·tan(GAMMA_MAX_RAD)`` over
  terrain heights T sampled every ``TF_SAMPLE_M`` straight ahead along the current heading out
  to ``V·TAU_ALT_S + TF_LOOKAHEAD_M`` (the first V·τ ahead are held level: the height loop's lag),
  so a climb begins before a rise and the raider descends into a valley whose far side it can
  still climb at the limit. Close ahead (within V·(TAU_ALT_S + TF_LEAD_S)) the flight-path angle
  is also at least the *clearance angle* ``max_x atan((T(x) + h_cmd − h) / max(x − V·TF_LEAD_S,
  TF_SAMPLE_M))`` (h_cmd the commanded height, h the raider's, above the ellipsoid), the classic
  look-ahead law that keeps the raider above the terrain over a crest. Climbs and descents stay
  within the raider's limits: flight-path angle within ±``GAMMA_MAX_RAD``, pull-ups and
  push-overs within its ``turn_g`` (the turn limit below applies to the whole velocity vector).
  Terrain beyond a turn is not seen before the turn. Nothing searches for a path through the
  terrain: the route's
  waypoints are flown as given;
* **terminal** (scenario ``terminal``): pop up to a height within a ground distance of the
  target; diving threats (cruise missiles, drones, ballistic-kind routes) descend on the dive
  line ``h = h_target + d·tan(dive angle)`` and then fly straight at the target; a weave adds a
  sinusoidal heading offset whose peak lateral acceleration is ``weave_g``;
* **speed**: the leg speed, reached at ``LONG_ACC_MPS2``.

This is a kinematic path, not an aircraft model: no energy or thrust limits beyond the above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import geo, memo
from iadsim.constants import G0_MPS2, WGS84_A_M, WGS84_F

KNOT_DT_S = 1.0  # autopilot step = knot spacing of route templates
TAU_ALT_S = 6.0  # height-error time constant of the vertical channel
GAMMA_MAX_RAD = np.radians(30.0)  # steepest climb or descent commanded (except the final dive)
LONG_ACC_MPS2 = 0.3 * G0_MPS2  # speed changes between legs at this rate (modelling choice)
MAX_TIME_FACTOR = 4.0  # a route taking longer than this × its straight-line time is an error
TF_LOOKAHEAD_M = 3000.0  # terrain following: terrain looked at beyond V·TAU_ALT_S (a 1.7 km rise at 30°)
TF_SAMPLE_M = 100.0  # terrain following: spacing of the terrain samples ahead
TF_LEAD_S = 1.0  # terrain following: the clearance angle is aimed from V·TF_LEAD_S ahead (time to pull up)


@dataclass(frozen=True)
class RouteSpec:
    """One route in scenario ENU.

    points_enu_m: (g, 3) waypoints at their commanded heights, then the target (the last
    point, at the last waypoint's height unless the threat dives). agl_m: (g,) commanded
    height above the ground at each point. speed_mps: (g - 1,) speed on the leg ending at
    point i + 1. target_enu_m / target_agl_m: the asset (dive aim point).
    """

    points_enu_m: np.ndarray
    agl_m: np.ndarray
    speed_mps: np.ndarray
    target_enu_m: np.ndarray
    target_agl_m: float
    turn_acc_mps2: float
    diving: bool
    dive_angle_rad: float = np.radians(30.0)
    popup_agl_m: float = np.nan
    popup_range_m: float = np.nan
    weave_acc_mps2: float = 0.0
    weave_period_s: float = 4.0
    weave_range_m: float = np.nan


def _height_m(pos_enu_m, origin: geo.Origin):
    """Height above the WGS-84 ellipsoid (Bowring's formula, sub-mm below 100 km) and the
    ellipsoid normal (local up, unit rows in scenario ENU) at positions (m, 3)."""
    ecef = pos_enu_m @ origin.rot_enu_from_ecef + origin.pos_ecef_m
    a, f = WGS84_A_M, WGS84_F
    b = a * (1.0 - f)
    e2 = f * (2.0 - f)
    ep2 = e2 / (1.0 - e2)
    x, y, z = ecef[:, 0], ecef[:, 1], ecef[:, 2]
    p = np.hypot(x, y)
    th = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(th) ** 3, p - e2 * a * np.cos(th) ** 3)
    n = a / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
    lon = np.arctan2(y, x)
    normal_ecef = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    return p / np.cos(lat) - n, normal_ecef @ origin.rot_enu_from_ecef.T


def _cross(a, b):
    """Row-wise cross product of (m, 3) arrays (np.cross is slow on small arrays)."""
    a0, a1, a2, b0, b1, b2 = a[:, 0], a[:, 1], a[:, 2], b[:, 0], b[:, 1], b[:, 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=1)


def _norm(v):
    return np.sqrt(np.einsum("ij,ij->i", v, v))


def _unit(v):
    return v / np.maximum(_norm(v), 1e-12)[:, None]


def _rotate(v, axis, angle):
    """Rodrigues rotation of rows v about unit rows axis by angle (n,)."""
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + _cross(axis, v) * s + axis * np.sum(axis * v, axis=1, keepdims=True) * (1.0 - c)


def _horizontal(v, up):
    return v - np.sum(v * up, axis=1, keepdims=True) * up


def _pad(rows, width, fill_last=True):
    out = []
    for r in rows:
        r = np.asarray(r, float)
        pad = np.repeat(r[-1:], width - len(r), axis=0) if fill_last else np.full((width - len(r),) + r.shape[1:], np.nan)
        out.append(np.concatenate([r, pad]) if len(r) < width else r)
    return np.array(out)


_CACHE = memo.Memo(0.1)  # flown routes (~0.1 MB a raid) kept between compiles within IADSIM_MEMO_MB (iadsim.memo)


def fly_routes(specs: list[RouteSpec], origin: geo.Origin, ground_alt_m: float, dt_s: float = KNOT_DT_S,
               terrain=None):
    """Fly every route; returns a list of (pos_enu_m (k, 3), vel_enu_mps (k, 3)) knot arrays.

    ``terrain``: a :class:`iadsim.terrain.TerrainModel` to follow (heights above it), or None
    (heights above ``ground_alt_m``). Results are kept by value (a Monte Carlo study compiles the
    same routes once per run), within the memory bound ``IADSIM_MEMO_MB`` (:mod:`iadsim.memo`).
    """
    key = (tuple(_spec_key(s) for s in specs), origin, float(ground_alt_m), float(dt_s),
           None if terrain is None else terrain.digest)
    knots = _CACHE.get(key)
    if knots is None:
        knots = _fly(specs, origin, ground_alt_m, dt_s, terrain)
        _CACHE.put(key, knots, sum(p.nbytes + v.nbytes for p, v in knots))
    return [(p.copy(), v.copy()) for p, v in knots]


def _spec_key(spec: RouteSpec):
    return tuple(np.asarray(v, float).tobytes() if isinstance(v, np.ndarray) else v for v in vars(spec).values())


def _geodetic_latlon(pos_enu_m, origin: geo.Origin):
    """Geodetic latitude and longitude (rad) of scenario-ENU positions (..., 3) (Bowring, as :func:`_height_m`)."""
    ecef = pos_enu_m @ origin.rot_enu_from_ecef + origin.pos_ecef_m
    a, f = WGS84_A_M, WGS84_F
    b = a * (1.0 - f)
    e2 = f * (2.0 - f)
    x, y, z = ecef[..., 0], ecef[..., 1], ecef[..., 2]
    p = np.hypot(x, y)
    th = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + e2 / (1.0 - e2) * b * np.sin(th) ** 3, p - e2 * a * np.cos(th) ** 3)
    return lat, np.arctan2(y, x)


def terrain_ahead_m(terrain, p, v_hat, up, speed, origin: geo.Origin):
    """Terrain heights above the ellipsoid (m, n) at ground distances ``x`` (n,) straight ahead of
    each raider along its heading, every ``TF_SAMPLE_M`` out to V·TAU_ALT_S + ``TF_LOOKAHEAD_M``
    (the farthest raider's), and ``x``."""
    reach = float(speed.max()) * TAU_ALT_S + TF_LOOKAHEAD_M
    x = TF_SAMPLE_M * np.arange(int(np.ceil(reach / TF_SAMPLE_M)) + 1)
    heading = _unit(_horizontal(v_hat, up))
    pts = p[:, None, :] + x[None, :, None] * heading[:, None, :]  # the earth's drop over 5 km (< 2 m) is ignored
    lat, lon = _geodetic_latlon(pts, origin)
    return terrain.height_m(lat, lon), x


def smoothed_ground_m(ahead_m, x_m, speed_mps):
    """The ground a terrain-following raider holds its height above, m (m,): the terrain ahead
    smoothed to the climb limit, max over x of T(x) − max(x − V·TAU_ALT_S, 0)·tan(GAMMA_MAX_RAD)."""
    lead = speed_mps * TAU_ALT_S
    drop = np.maximum(x_m[None, :] - lead[:, None], 0.0) * np.tan(GAMMA_MAX_RAD)
    within = x_m[None, :] <= (lead + TF_LOOKAHEAD_M)[:, None]
    return np.max(np.where(within, ahead_m - drop, -np.inf), axis=1)


def clearance_gamma_rad(ahead_m, x_m, h_hae_m, h_cmd_m, speed_mps):
    """The flight-path angle that clears the terrain close ahead (within V·(TAU_ALT_S + TF_LEAD_S))
    by the commanded height: max over x of atan((T(x) + h_cmd − h) / max(x − V·TF_LEAD_S,
    TF_SAMPLE_M)), rad (m,): the distance to a point less the distance flown while pulling up."""
    rise = ahead_m[:, 1:] + (h_cmd_m - h_hae_m)[:, None]
    run = np.maximum(x_m[None, 1:] - (speed_mps * TF_LEAD_S)[:, None], TF_SAMPLE_M)
    near = x_m[None, 1:] <= (speed_mps * (TAU_ALT_S + TF_LEAD_S))[:, None]
    return np.max(np.where(near, np.arctan2(rise, run), -np.pi / 2), axis=1)


def _fly(specs: list[RouteSpec], origin: geo.Origin, ground_alt_m: float, dt_s: float, terrain=None):
    m = len(specs)
    if m == 0:
        return []
    n_pts = np.array([len(s.points_enu_m) for s in specs])
    width = int(n_pts.max())
    pts = _pad([s.points_enu_m for s in specs], width)
    agl = _pad([s.agl_m for s in specs], width)
    spd = _pad([s.speed_mps for s in specs], width - 1)
    f = {k: np.array([getattr(s, k) for s in specs], float) for k in
         ("turn_acc_mps2", "dive_angle_rad", "popup_agl_m", "popup_range_m", "weave_acc_mps2", "weave_period_s",
          "weave_range_m", "target_agl_m")}
    diving = np.array([s.diving for s in specs])
    target = np.array([s.target_enu_m for s in specs], float)
    centre = origin.earth_centre_enu_m
    rows = np.arange(m)
    leg_len = np.concatenate([np.zeros((m, 1)), np.linalg.norm(np.diff(pts, axis=1), axis=2)], axis=1)
    t_max = MAX_TIME_FACTOR * leg_len.sum(axis=1) / spd.min(axis=1) + 600.0

    p = pts[:, 0].copy()
    _, up = _height_m(p, origin)
    v_hat = _unit(_horizontal(pts[:, 1] - p, up))
    speed = spd[:, 0].copy()
    goal = np.ones(m, int)
    weave_t0 = np.full(m, np.nan)
    done = np.zeros(m, bool)
    knots_p, knots_v, n_knots = [p.copy()], [speed[:, None] * v_hat], np.ones(m, int)
    t = 0.0
    while not done.all():
        h, up = _height_m(p, origin)
        if terrain is None:
            h -= ground_alt_m
        else:
            h_hae = h.copy()
            ahead, x_ahead = terrain_ahead_m(terrain, p, v_hat, up, speed, origin)
            h -= smoothed_ground_m(ahead, x_ahead, speed)
        g_pt = pts[rows, goal]
        d = g_pt - p
        d_h = _horizontal(d, up)
        dist_h = _norm(d_h)
        last = goal == n_pts - 1
        frac = np.clip(1.0 - dist_h / np.maximum(leg_len[rows, goal], 1.0), 0.0, 1.0)
        h_cmd = agl[rows, goal - 1] + frac * (agl[rows, goal] - agl[rows, goal - 1])
        pop = last & (dist_h <= f["popup_range_m"])  # NaN range: never
        h_cmd = np.where(pop, f["popup_agl_m"], h_cmd)
        dive_line = f["target_agl_m"] + dist_h * np.tan(f["dive_angle_rad"])
        dive = diving & last
        h_cmd = np.where(dive, np.minimum(h_cmd, dive_line), h_cmd)
        on_line = dive & (h >= dive_line - 1.0)
        gamma = np.arctan2(h_cmd - h, speed * TAU_ALT_S)
        if terrain is not None:  # climb early enough to clear the terrain ahead
            gamma = np.maximum(gamma, clearance_gamma_rad(ahead, x_ahead, h_hae, h_cmd, speed))
        gamma = np.clip(gamma, -GAMMA_MAX_RAD, GAMMA_MAX_RAD)
        want = np.cos(gamma)[:, None] * _unit(d_h) + np.sin(gamma)[:, None] * up
        want = np.where(on_line[:, None], _unit(target - p), want)
        weave = last & (f["weave_acc_mps2"] > 0) & (dist_h <= f["weave_range_m"])
        weave_t0 = np.where(weave & np.isnan(weave_t0), t, weave_t0)
        if weave.any():
            omega = 2 * np.pi / f["weave_period_s"]
            amp = np.minimum(f["weave_acc_mps2"] / (speed * omega), 1.0)
            psi = np.where(weave, amp * np.sin(omega * (t - np.nan_to_num(weave_t0))), 0.0)
            want = _rotate(want, up, psi)
        # turn toward `want` at up to the g limit: a circular arc over the step
        cos_err = np.clip(np.sum(v_hat * want, axis=1), -1.0, 1.0)
        axis = _cross(v_hat, want)
        axis = np.where((_norm(axis) > 1e-9)[:, None], axis, _cross(v_hat, up) + 1e-12)
        axis = _unit(axis)
        new_speed = speed + np.clip(spd[rows, goal - 1] - speed, -LONG_ACC_MPS2 * dt_s, LONG_ACC_MPS2 * dt_s)
        theta = np.minimum(np.arccos(cos_err), f["turn_acc_mps2"] * dt_s / np.maximum(0.5 * (speed + new_speed), 1.0))
        mid = _rotate(v_hat, axis, 0.5 * theta)
        new_v_hat = _rotate(v_hat, axis, theta)
        new_p = p + (0.5 * (speed + new_speed) * dt_s * np.sinc(theta / (2 * np.pi)))[:, None] * mid
        t += dt_s
        act = ~done
        p = np.where(act[:, None], new_p, p)
        v_hat = np.where(act[:, None], new_v_hat, v_hat)
        speed = np.where(act, new_speed, speed)
        knots_p.append(p.copy())
        knots_v.append(speed[:, None] * v_hat)
        n_knots += act
        # goal switching (turn anticipation) and the end of the route
        to_goal = _horizontal(pts[rows, goal] - p, up)
        dist_h = _norm(to_goal)
        nxt = pts[rows, np.minimum(goal + 1, width - 1)] - pts[rows, goal]
        cos_turn = np.sum(_unit(_horizontal(nxt, up)) * _unit(_horizontal(v_hat, up)), axis=1)
        turn = np.arccos(np.clip(cos_turn, -1.0, 1.0))
        lead = speed**2 / f["turn_acc_mps2"] * np.tan(np.minimum(turn, np.radians(170.0)) / 2)
        switch = act & ~last & (dist_h <= np.maximum(lead, 1.5 * speed * dt_s))
        goal = np.where(switch, goal + 1, goal)
        to_target = np.where(diving[:, None], target - p, to_goal)
        dist_end = _norm(to_target)
        passed = (np.sum(to_target * v_hat, axis=1) < 0) & (dist_end < 3 * speed**2 / f["turn_acc_mps2"])
        done |= act & last & ((dist_end <= 0.75 * speed * dt_s) | passed)
        if np.any(~done & (t > t_max)):
            bad = np.flatnonzero(~done & (t > t_max))
            raise ValueError(f"route(s) {bad.tolist()} did not reach the target within {t_max[bad].round().tolist()} s")
    kp, kv = np.stack(knots_p, axis=1), np.stack(knots_v, axis=1)
    return [(kp[i, : n_knots[i]], kv[i, : n_knots[i]]) for i in range(m)]
