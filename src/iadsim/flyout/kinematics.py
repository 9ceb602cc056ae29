"""The interceptor flyout step: 3-DOF point-mass dynamics, guidance, end game, vectorised.

Forces per missile (scenario ENU frame): point-mass gravity toward the earth's centre,
−GM·r/|r|³ with r = pos − earth_centre; thrust along the velocity from a boost/sustain
profile with constant mass flow per phase; drag ½ρV²S·(CD0(M) + k·CN²) from the ISA 1976
atmosphere (:mod:`iadsim.physics.atmosphere`); and a guidance acceleration normal to the
velocity, limited to min(g_limit, max(q·S·CNmax/m, TVC while burning)).

Integration: Heun's method (explicit RK2) for position and velocity with the guidance
command held over the step; thrust enters as its exact average over the step (impulse / dt)
so burnout inside a step costs no accuracy, and the mass is analytic in flight time.

Engine call, once per step (see :func:`advance_interceptors`)::

    state, out = advance_interceptors(state, table, targets, t_s, dt_s, rng, env)
    # out.resolved rows ended this step; out.killed rows killed their target.
"""

from dataclasses import dataclass

import numpy as np

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.flyout.endgame import cpa_in_step, p_kill
from iadsim.flyout.guidance import (
    limit_lateral,
    midcourse_accel,
    predicted_intercept_point,
    true_pn_accel,
)
from iadsim.flyout.params import CD_MACH_GRID, CD_MACH_STEP, COL, InterceptorTable
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates
from iadsim.physics.atmosphere import density_speed_of_sound_fast

REASON_NONE, REASON_CPA, REASON_TIMEOUT, REASON_LOW_SPEED, REASON_GROUND = 0, 1, 2, 3, 4
REASON_NAMES = ("none", "cpa", "timeout", "low_speed", "ground")
MIDCOURSE_TAU_MAX_S = 2.0  # longest heading-error time constant in midcourse (turn-over)
LOFT_FADE_SEEKER_RANGES = 1.0  # loft shrinks to zero at this many seeker ranges from the PIP
TERMINAL_MIN_COS_ERR = np.cos(np.radians(45.0))  # homing only once within 45° of the PIP
_LAST_MACH_IDX = CD_MACH_GRID.size - 2


@dataclass(frozen=True, slots=True)
class InterceptOutcome:
    """What happened to each row during one step; all (n,) except pos_cpa_enu_m (n, 3).

    resolved: the row ended this step (reason != 0). reason: REASON_* code.
    miss_m, t_cpa_s (scenario time), pos_cpa_enu_m: closest approach, NaN unless reason=CPA.
    p_kill: kill probability from the lethality curve (0 unless CPA after arming).
    killed: the kill draw succeeded.
    """

    resolved: np.ndarray
    reason: np.ndarray
    miss_m: np.ndarray
    t_cpa_s: np.ndarray
    pos_cpa_enu_m: np.ndarray
    p_kill: np.ndarray
    killed: np.ndarray


def _dot(a, b):
    return np.einsum("ij,ij->i", a, b)


def thrust_impulse_ns(t_s, prm):
    """Total impulse delivered from launch to flight time t_s (n,), N·s."""
    tb, tbo = prm[:, COL["boost_time_s"]], prm[:, COL["burnout_time_s"]]
    return (prm[:, COL["boost_thrust_n"]] * np.minimum(t_s, tb)
            + prm[:, COL["sustain_thrust_n"]] * np.clip(t_s - tb, 0.0, tbo - tb))


def mass_kg(t_s, prm):
    """Missile mass at flight time t_s (n,), kg: constant mass flow in each motor phase."""
    tb, tbo = prm[:, COL["boost_time_s"]], prm[:, COL["burnout_time_s"]]
    return (prm[:, COL["launch_mass_kg"]] - prm[:, COL["boost_mdot_kgps"]] * np.minimum(t_s, tb)
            - prm[:, COL["sustain_mdot_kgps"]] * np.clip(t_s - tb, 0.0, tbo - tb))


def _cd0(table, kind_idx, mach):
    x = np.minimum(mach * (1.0 / CD_MACH_STEP), _LAST_MACH_IDX + 1.0)
    i = np.minimum(x.astype(np.intp), _LAST_MACH_IDX)
    f = x - i
    lo = table.cd0_grid[kind_idx, i]
    return lo + f * (table.cd0_grid[kind_idx, i + 1] - lo)


def _environment(pos, vel, env):
    """Gravity (n,3), air density (n,), speed of sound (n,), speed (n,), altitude (n,)."""
    r = pos - env.earth_centre_enu_m
    rn2 = _dot(r, r)
    rn = np.sqrt(rn2)
    grav = r * (-GM_EARTH_M3PS2 / (rn2 * rn))[:, None]
    alt = rn - env.earth_radius_m
    rho, a_snd = density_speed_of_sound_fast(alt)
    return grav, rho, a_snd, np.sqrt(_dot(vel, vel)), alt


def _accel(vel, grav, rho, a_snd, speed, thrust_acc, inv_mass, cd_extra, a_lat, prm, table,
           kind_idx):
    """Total acceleration (n, 3) m/s² given the environment at a state."""
    cd = _cd0(table, kind_idx, speed / a_snd) + cd_extra
    drag_acc = 0.5 * rho * speed * speed * prm[:, COL["reference_area_m2"]] * cd * inv_mass
    along = (thrust_acc - drag_acc) / np.maximum(speed, 1e-9)
    return grav + along[:, None] * vel + a_lat


def guidance_command(state, prm, tgt: TargetStates, grav, up, augmented=True):
    """Unlimited commanded acceleration (n, 3) m/s² and the latched terminal flag (n,)."""
    pos, vel = state.pos_enu_m, state.vel_enu_mps
    rel = tgt.pos_enu_m - pos
    seeker_m = prm[:, COL["seeker_range_m"]]
    pip, _ = predicted_intercept_point(pos, tgt.est_pos_enu_m, tgt.est_vel_enu_mps,
                                       prm[:, COL["midcourse_speed_mps"]])
    d_pip = pip - pos
    dist_pip = np.sqrt(_dot(d_pip, d_pip))
    loft_m = prm[:, COL["loft_ratio"]] * np.maximum(dist_pip - LOFT_FADE_SEEKER_RANGES * seeker_m,
                                                    0.0)
    aim = pip + up * loft_m[:, None]
    a_mid = midcourse_accel(pos, vel, aim, prm[:, COL["midcourse_nav_constant"]],
                            MIDCOURSE_TAU_MAX_S, grav)
    # Homing starts inside seeker range once the turn-over is done (velocity within
    # TERMINAL_MAX_HEADING_ERR of the PIP): PN cannot pull a 90° heading error.
    cos_err = _dot(d_pip, vel) / np.maximum(dist_pip * np.sqrt(_dot(vel, vel)), 1e-9)
    terminal = state.is_terminal | ((_dot(rel, rel) <= seeker_m**2)
                                    & (cos_err >= TERMINAL_MIN_COS_ERR))
    a_term = true_pn_accel(rel, tgt.vel_enu_mps - vel, prm[:, COL["nav_constant"]],
                           tgt.acc_enu_mps2 if augmented else None, grav)
    return np.where(terminal[:, None], a_term, a_mid), terminal


def advance_interceptors(state: Interceptors, table: InterceptorTable, targets: TargetStates,
                         t_s: float, dt_s: float, rng: np.random.Generator, env: FlyoutEnv,
                         augmented: bool = True):
    """Advance every interceptor by one step of dt_s and resolve intercepts inside the step.

    state: rows at scenario time t_s. targets: one row per interceptor (true state at t_s,
    optional acceleration and track estimate). rng: the kill-draw stream (one uniform per
    row whose closest approach falls in this step). Returns (new Interceptors at
    t_s + dt_s, InterceptOutcome). Dead rows are carried unchanged. Inputs are not mutated.
    """
    tgt = targets.filled()
    prm = table.scalars[state.kind_idx]
    kind = state.kind_idx
    pos0, vel0, tf0 = state.pos_enu_m, state.vel_enu_mps, state.t_flight_s
    tf1 = tf0 + dt_s
    grav0, rho0, a0, speed0, alt0 = _environment(pos0, vel0, env)
    m0 = mass_kg(tf0, prm)
    area = prm[:, COL["reference_area_m2"]]
    q_s = 0.5 * rho0 * speed0 * speed0 * area  # dynamic pressure × reference area, N
    up = (pos0 - env.earth_centre_enu_m) / (alt0 + env.earth_radius_m)[:, None]

    a_cmd, terminal = guidance_command(state, prm, tgt, grav0, up, augmented)
    a_tvc = np.where(tf0 < prm[:, COL["burnout_time_s"]], prm[:, COL["tvc_lateral_mps2"]], 0.0)
    a_aero_max = q_s * prm[:, COL["cn_max"]] / m0
    a_avail = np.minimum(prm[:, COL["g_limit_mps2"]], np.maximum(a_aero_max, a_tvc))
    a_lat = limit_lateral(a_cmd, vel0, a_avail)
    a_lat_mag = np.sqrt(_dot(a_lat, a_lat))
    cn = np.minimum(m0 * np.maximum(a_lat_mag - a_tvc, 0.0) / np.maximum(q_s, 1e-9),
                    prm[:, COL["cn_max"]])
    cd_extra = prm[:, COL["induced_drag_k"]] * cn * cn

    m_mid = mass_kg(tf0 + 0.5 * dt_s, prm)
    inv_m = 1.0 / m_mid
    thrust_acc = (thrust_impulse_ns(tf1, prm) - thrust_impulse_ns(tf0, prm)) / dt_s * inv_m
    k1 = _accel(vel0, grav0, rho0, a0, speed0, thrust_acc, inv_m, cd_extra, a_lat, prm,
                table, kind)
    pos_p = pos0 + dt_s * vel0
    vel_p = vel0 + dt_s * k1
    grav_p, rho_p, a_p, speed_p, _ = _environment(pos_p, vel_p, env)
    k2 = _accel(vel_p, grav_p, rho_p, a_p, speed_p, thrust_acc, inv_m, cd_extra, a_lat, prm,
                table, kind)
    pos1 = pos0 + (0.5 * dt_s) * (vel0 + vel_p)
    vel1 = vel0 + (0.5 * dt_s) * (k1 + k2)

    new, out = _resolve(state, prm, tgt, pos1, vel1, tf1, terminal, t_s, dt_s, rng, env)
    return new, out


def _resolve(state, prm, tgt, pos1, vel1, tf1, terminal, t_s, dt_s, rng, env):
    """Closest approach inside the step, self-destruct rules, kill draws; new state."""
    alive = state.alive
    tgt1 = tgt.pos_enu_m + dt_s * tgt.vel_enu_mps + (0.5 * dt_s * dt_s) * tgt.acc_enu_mps2
    rel0 = state.pos_enu_m - tgt.pos_enu_m
    tau, miss, closing0 = cpa_in_step(rel0, pos1 - tgt1, dt_s)
    is_cpa = alive & closing0 & (tau < dt_s)
    speed1 = np.sqrt(_dot(vel1, vel1))
    alt1 = env.altitude_m(pos1)
    reason = np.full(state.n, REASON_NONE, np.int8)
    reason[alive & (alt1 < env.ground_alt_m)] = REASON_GROUND
    reason[alive & (tf1 > prm[:, COL["burnout_time_s"]])
           & (speed1 < prm[:, COL["min_speed_mps"]])] = REASON_LOW_SPEED
    reason[alive & (tf1 >= prm[:, COL["max_flight_time_s"]])] = REASON_TIMEOUT
    reason[is_cpa] = REASON_CPA
    resolved = reason != REASON_NONE

    armed = state.t_flight_s + tau >= prm[:, COL["arm_time_s"]]
    pk = np.where(is_cpa & armed, p_kill(miss, prm[:, COL["lethal_radius_m"]],
                                         prm[:, COL["pk_max"]],
                                         prm[:, COL["is_hit_to_kill"]] > 0.5), 0.0)
    u = np.ones(state.n)
    idx = np.flatnonzero(is_cpa)
    u[idx] = rng.random(idx.size)
    frac = (tau / dt_s)[:, None]
    pos_cpa = np.where(is_cpa[:, None], state.pos_enu_m + frac * (pos1 - state.pos_enu_m),
                       np.nan)
    out = InterceptOutcome(resolved, reason, np.where(is_cpa, miss, np.nan),
                           np.where(is_cpa, t_s + tau, np.nan), pos_cpa, pk, u < pk)
    keep = alive[:, None]
    new = Interceptors(
        state.id, state.kind_idx, alive & ~resolved,
        np.where(keep, pos1, state.pos_enu_m), np.where(keep, vel1, state.vel_enu_mps),
        np.where(alive, mass_kg(tf1, prm), state.mass_kg), np.where(alive, tf1, state.t_flight_s),
        terminal & alive | state.is_terminal,
        np.where(alive, np.minimum(state.min_range_m, miss), state.min_range_m),
    )
    return new, out
