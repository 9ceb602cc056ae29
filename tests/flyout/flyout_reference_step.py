"""Reference copy of the flyout step as it was before the workspace rewrite (commit 8cf86d6),
with the cruise-and-dive midcourse shaping (:func:`iadsim.flyout.guidance.shaped_aim_m`) and
the 15° homing hand-over of the later refits.

Kept only as an oracle: tests/flyout/test_step_equivalence.py checks that the fast step in
:mod:`iadsim.flyout.kinematics` computes the same physics (same equations, same parameters)
to floating-point rounding. Not used by the simulator. The result container and the reason
codes are shared with the fast step; the physics here is the oracle's own.
"""

import numpy as np

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.flyout.endgame import cpa_in_step, p_kill
from iadsim.flyout.kinematics import (
    REASON_CPA, REASON_GROUND, REASON_LOW_SPEED, REASON_NONE, REASON_TIMEOUT, InterceptOutcome,
)
from iadsim.flyout.guidance import (
    add,
    axpy,
    dot,
    limit_lateral,
    midcourse_accel,
    predicted_intercept_point,
    rows,
    scale,
    shaped_aim_m,
    sub,
    true_pn_accel,
    v3,
)
from iadsim.flyout.params import CD_MACH_GRID, CD_MACH_STEP, COL, InterceptorTable
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates
from iadsim.physics.atmosphere import density_fast_with_slope

MIDCOURSE_TAU_MAX_S = 2.0  # longest heading-error time constant in midcourse (turn-over)
TERMINAL_MIN_COS_ERR = np.cos(np.radians(15.0))  # homing only once within 15° of the PIP
_LAST_MACH_IDX = CD_MACH_GRID.size - 2
N_MACH = CD_MACH_GRID.size


def thrust_impulse_ns(t_s, prm):
    """Total impulse delivered from launch to flight time t_s (n,), N·s; prm is (k, n)."""
    tb, tbo = prm[COL["boost_time_s"]], prm[COL["burnout_time_s"]]
    return (prm[COL["boost_thrust_n"]] * np.minimum(t_s, tb)
            + prm[COL["sustain_thrust_n"]] * np.clip(t_s - tb, 0.0, tbo - tb))


def mass_kg(t_s, prm):
    """Missile mass at flight time t_s (n,), kg: constant mass flow in each motor phase."""
    tb, tbo = prm[COL["boost_time_s"]], prm[COL["burnout_time_s"]]
    return (prm[COL["launch_mass_kg"]] - prm[COL["boost_mdot_kgps"]] * np.minimum(t_s, tb)
            - prm[COL["sustain_mdot_kgps"]] * np.clip(t_s - tb, 0.0, tbo - tb))


def _cd0(table, kind_idx, mach):
    """Zero-lift drag coefficient (n,) from the stacked, uniform-Mach tables."""
    x = np.minimum(mach * (1.0 / CD_MACH_STEP), _LAST_MACH_IDX + 1.0)
    i = np.minimum(x.astype(np.intp), _LAST_MACH_IDX)
    flat = table.cd0_grid.ravel()
    j = kind_idx * N_MACH + i
    lo = flat[j]
    return lo + (x - i) * (flat[j + 1] - lo)


def _gravity(pos, env):
    """Point-mass gravity (V3 m/s²) and geocentric distance (n,) m at positions (V3)."""
    c = env.earth_centre_enu_m
    r = (pos[0] - c[0], pos[1] - c[1], pos[2] - c[2])
    rn2 = dot(r, r)
    rn = np.sqrt(rn2)
    return scale(r, -GM_EARTH_M3PS2 / (rn2 * rn)), rn, r


def guidance_command(pos, vel, prm, tgt, grav, up, rn, env, terminal_prev, t_flight_s,
                     augmented=True):
    """Unlimited commanded acceleration (V3 m/s²) and the latched terminal flag (n,).

    pos, vel, grav, up: V3 of the missiles; rn: their geocentric distance (n,) m; tgt: dict of V3 target arrays ('pos', 'vel',
    'acc', 'est_pos', 'est_vel'); prm: (k, n) per-row parameters; t_flight_s: (n,) s.
    """
    rel = sub(tgt["pos"], pos)
    seeker_m = prm[COL["seeker_range_m"]]
    pip, _ = predicted_intercept_point(pos, tgt["est_pos"], tgt["est_vel"],
                                          prm[COL["midcourse_speed_mps"]])
    d_pip = sub(pip, pos)
    dist_pip = np.sqrt(dot(d_pip, d_pip))
    aim = add(pos, shaped_aim_m(d_pip, up, rn, env.earth_radius_m,
                                prm[COL["midcourse_speed_mps"]] * prm[COL["shaping_lookahead_s"]],
                                prm[COL["dive_slope"]], prm[COL["cruise_altitude_m"]]))
    a_mid = midcourse_accel(pos, vel, aim, prm[COL["midcourse_nav_constant"]],
                            MIDCOURSE_TAU_MAX_S, grav)
    # Homing starts inside seeker range once the turn-over is done (velocity within
    # 15° of the PIP).
    cos_err = dot(d_pip, vel) / np.maximum(dist_pip * np.sqrt(dot(vel, vel)), 1e-9)
    terminal = terminal_prev | ((dot(rel, rel) <= seeker_m * seeker_m)
                                & (cos_err >= TERMINAL_MIN_COS_ERR))
    a_term = true_pn_accel(rel, sub(tgt["vel"], vel), prm[COL["nav_constant"]],
                           tgt["acc"] if augmented else None, grav)
    return tuple(np.where(terminal, t, m) for t, m in zip(a_term, a_mid)), terminal


def _target_v3(targets: TargetStates):
    t = targets.filled()
    return {"pos": v3(t.pos_enu_m), "vel": v3(t.vel_enu_mps), "acc": v3(t.acc_enu_mps2),
            "est_pos": v3(t.est_pos_enu_m), "est_vel": v3(t.est_vel_enu_mps)}


def advance_interceptors(state: Interceptors, table: InterceptorTable, targets: TargetStates,
                         t_s: float, dt_s: float, rng: np.random.Generator, env: FlyoutEnv,
                         augmented: bool = True):
    """Advance every interceptor by one step of dt_s and resolve intercepts inside the step.

    state: rows at scenario time t_s (built by ``launch_interceptors``). targets: one row
    per interceptor (true state at t_s, optional acceleration and track estimate). rng: the
    kill-draw stream (one uniform per row whose closest approach falls in this step).
    Returns (new Interceptors at t_s + dt_s, InterceptOutcome). Dead rows are carried
    unchanged. Inputs are not mutated.
    """
    tgt = _target_v3(targets)
    prm = state.prm_kn
    pos0, vel0 = v3(state.pos_enu_m), v3(state.vel_enu_mps)
    tf0 = state.t_flight_s
    tf1 = tf0 + dt_s
    grav0, rn0, r0 = _gravity(pos0, env)
    alt0 = rn0 - env.earth_radius_m
    rho0, a_snd0, dlnrho = density_fast_with_slope(alt0)
    speed0 = np.sqrt(dot(vel0, vel0))
    m0 = mass_kg(tf0, prm)
    area = prm[COL["reference_area_m2"]]
    q_s = (0.5 * rho0 * area) * speed0 * speed0  # dynamic pressure × reference area, N
    up = scale(r0, 1.0 / rn0)

    a_cmd, terminal = guidance_command(pos0, vel0, prm, tgt, grav0, up, rn0, env, state.is_terminal, tf0,
                                       augmented)
    a_tvc = np.where(tf0 < prm[COL["burnout_time_s"]], prm[COL["tvc_lateral_mps2"]], 0.0)
    a_aero_max = q_s * prm[COL["cn_max"]] / m0
    a_avail = np.minimum(prm[COL["g_limit_mps2"]], np.maximum(a_aero_max, a_tvc))
    a_lat = limit_lateral(a_cmd, vel0, a_avail)
    a_lat_mag = np.sqrt(dot(a_lat, a_lat))
    cn = np.minimum(m0 * np.maximum(a_lat_mag - a_tvc, 0.0) / np.maximum(q_s, 1e-9),
                    prm[COL["cn_max"]])
    cd = _cd0(table, state.kind_idx, speed0 / a_snd0) + prm[COL["induced_drag_k"]] * cn * cn

    inv_m = 1.0 / mass_kg(tf0 + 0.5 * dt_s, prm)
    thrust_acc = (thrust_impulse_ns(tf1, prm) - thrust_impulse_ns(tf0, prm)) * (inv_m / dt_s)
    half_cd_s_over_m = 0.5 * cd * area * inv_m
    # stage 1
    along0 = (thrust_acc - half_cd_s_over_m * rho0 * speed0 * speed0) / np.maximum(speed0, 1e-9)
    k1 = tuple(g + v * along0 + al for g, v, al in zip(grav0, vel0, a_lat))
    pos_p = axpy(dt_s, vel0, pos0)
    vel_p = axpy(dt_s, k1, vel0)
    # stage 2 (drag coefficient held; density extrapolated along the climb)
    grav_p, _, _ = _gravity(pos_p, env)
    rho_p = rho0 * np.exp(dlnrho * (dt_s * dot(vel0, up)))
    speed_p = np.sqrt(dot(vel_p, vel_p))
    along_p = (thrust_acc - half_cd_s_over_m * rho_p * speed_p * speed_p) / np.maximum(speed_p,
                                                                                      1e-9)
    h = 0.5 * dt_s
    pos1 = tuple(p + h * (v + vp) for p, v, vp in zip(pos0, vel0, vel_p))
    vel1 = tuple(v + h * (a1 + g + vp * along_p + al)
                 for v, a1, g, vp, al in zip(vel0, k1, grav_p, vel_p, a_lat))
    return _resolve(state, prm, tgt, pos0, pos1, vel1, tf1, terminal, t_s, dt_s, rng, env)


def _resolve(state, prm, tgt, pos0, pos1, vel1, tf1, terminal, t_s, dt_s, rng, env):
    """Closest approach inside the step, self-destruct rules, kill draws; new state."""
    alive = state.alive
    hdt2 = 0.5 * dt_s * dt_s
    tp, tv, ta = tgt["pos"], tgt["vel"], tgt["acc"]
    rel0 = sub(pos0, tp)
    rel1 = tuple(p1 - (p + dt_s * v + hdt2 * a) for p1, p, v, a in zip(pos1, tp, tv, ta))
    tau, miss, closing0 = cpa_in_step(rel0, rel1, dt_s)
    is_cpa = alive & closing0 & (tau < dt_s) & (terminal | (miss <= prm[COL["seeker_range_m"]]))
    speed1 = np.sqrt(dot(vel1, vel1))
    _, rn1, _ = _gravity(pos1, env)
    alt1 = rn1 - env.earth_radius_m
    reason = np.zeros(state.n, np.int8)
    reason[alive & (alt1 < env.ground_alt_m)] = REASON_GROUND
    reason[alive & (tf1 > prm[COL["burnout_time_s"]])
           & (speed1 < prm[COL["min_speed_mps"]])] = REASON_LOW_SPEED
    reason[alive & (tf1 >= prm[COL["max_flight_time_s"]])] = REASON_TIMEOUT
    reason[is_cpa] = REASON_CPA
    resolved = reason != REASON_NONE

    idx = np.flatnonzero(is_cpa)
    pk = np.zeros(state.n)
    killed = np.zeros(state.n, bool)
    miss_out = np.full(state.n, np.nan)
    t_cpa = np.full(state.n, np.nan)
    pos_cpa = np.full((state.n, 3), np.nan)
    if idx.size:
        sel_tau = tau[idx]
        armed = state.t_flight_s[idx] + sel_tau >= prm[COL["arm_time_s"], idx]
        pk[idx] = np.where(armed, p_kill(miss[idx], prm[COL["lethal_radius_m"], idx],
                                         prm[COL["pk_max"], idx],
                                         prm[COL["is_hit_to_kill"], idx] > 0.5), 0.0)
        killed[idx] = rng.random(idx.size) < pk[idx]
        miss_out[idx] = miss[idx]
        t_cpa[idx] = t_s + sel_tau
        frac = (sel_tau / dt_s)[:, None]
        p0 = state.pos_enu_m[idx]
        pos_cpa[idx] = p0 + frac * (rows(tuple(c[idx] for c in pos1)) - p0)
    out = InterceptOutcome(resolved, reason, miss_out, t_cpa, pos_cpa, pk, killed)
    pos_new, vel_new = rows(pos1), rows(vel1)
    dead = ~alive
    if dead.any():
        pos_new[dead] = state.pos_enu_m[dead]
        vel_new[dead] = state.vel_enu_mps[dead]
    new = Interceptors(
        state.id, state.kind_idx, alive & ~resolved, pos_new, vel_new,
        np.where(alive, mass_kg(tf1, prm), state.mass_kg), np.where(alive, tf1, state.t_flight_s),
        (terminal & alive) | state.is_terminal,
        np.where(alive, np.minimum(state.min_range_m, miss), state.min_range_m), prm,
    )
    return new, out
