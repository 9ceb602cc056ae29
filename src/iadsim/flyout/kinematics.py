"""The interceptor flyout step: 3-DOF point-mass dynamics, guidance, end game, vectorised.

Forces per missile (scenario ENU frame): point-mass gravity toward the earth's centre,
−GM·r/|r|³ with r = pos − earth_centre; thrust along the velocity from a boost/sustain
profile with constant mass flow per phase; drag ½ρV²S·(CD0(M) + k·CN²) from the ISA 1976
atmosphere (:mod:`iadsim.physics.atmosphere`); and a guidance acceleration normal to the
velocity, limited to min(g_limit, max(q·S·CNmax/m, TVC while burning)).

Integration: Heun's method (explicit RK2) for position and velocity with the guidance
command held over the step; thrust enters as its exact average over the step (impulse / dt)
so burnout inside a step costs no accuracy, and the mass is analytic in flight time. For
speed the second RK stage reuses the first stage's drag coefficient (Mach moves little in
a step) and extrapolates density with the table's local log-slope instead of a second
look-up; gravity is re-evaluated exactly, so a thrust- and drag-free arc is plain RK2.

Guidance is the midcourse law of :mod:`iadsim.flyout.guidance` and the terminal homing loop
of :func:`_homing_accel` (seeker angle noise, a first-order guidance lag, PN), each row flying
its own law's command (each law evaluated on its own rows, or on every row of a step of a few
rows, where gathering them costs more: see :func:`_guidance_command`). For speed (issue 7:
10,000 interceptors in under 2 ms a step) the step is
written out on (3, n) component arrays, and every temporary goes into scratch memory
reused between calls (:class:`~iadsim.flyout.columns.Scratch`): fresh 80 kB temporaries cost page faults and
cache misses that took longer than the arithmetic. The homing loop is validated against an
adjoint model of the linear loop (``tests/flyout/test_endgame_adjoint.py``).

Engine call, once per step (see :func:`advance_interceptors`)::

    state, out = advance_interceptors(state, table, targets, t_s, dt_s, rng, env)
    # out.resolved rows ended this step; out.killed rows killed their target.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.flyout.columns import components, dot, dot_rows, norm, scratch
from iadsim.flyout.endgame import p_kill
from iadsim.flyout.guidance import limit_lateral, midcourse_accel, shaped_aim_m, time_to_intercept_s
from iadsim.flyout.params import CD_MACH_GRID, CD_MACH_STEP, COL, InterceptorTable
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates
from iadsim.physics import atmosphere

REASON_NONE, REASON_CPA, REASON_TIMEOUT, REASON_LOW_SPEED, REASON_GROUND = 0, 1, 2, 3, 4
REASON_NAMES = ("none", "cpa", "timeout", "low_speed", "ground")
TERMINAL_MIN_COS_ERR = np.cos(np.radians(15.0))  # homing only once within 15° of the PIP
_LAST_MACH_IDX = CD_MACH_GRID.size - 2
N_MACH = CD_MACH_GRID.size

# ISA: the 50 m table of physics.atmosphere (the one density_fast_with_slope reads), laid out
# per cell, with the speed of sound's change per cell stored too (one gather fewer): ln(density)
# and its slope per metre, speed of sound and its change per cell, indexed by cell.
_ATM_STEP_M, _ATM_ALT0_M = atmosphere.FAST_STEP_M, atmosphere.FAST_ALT0_M
_ATM_LNRHO = atmosphere.FAST_LNRHO[:-1].copy()
_ATM_DLNRHO_PER_M = atmosphere.FAST_DLNRHO_PER_M
_ATM_DA_MPS = np.diff(atmosphere.FAST_A_MPS)
_ATM_A_MPS = atmosphere.FAST_A_MPS[:-1].copy()
_ATM_LAST = _ATM_LNRHO.size - 1


@dataclass(frozen=True, slots=True)
class InterceptOutcome:
    """What happened to each row during one step; all (n,) except pos_cpa_enu_m (n, 3).

    resolved: the row ended this step (reason != 0). reason: REASON_* code.
    miss_m, t_cpa_s (scenario time), pos_cpa_enu_m: closest approach, NaN unless reason=CPA.
    p_kill: kill probability from the lethality curve (0 unless CPA after arming).
    killed: the kill draw succeeded.
    closing_speed_mps: relative speed at the closest approach (NaN unless CPA), m/s.
    """

    resolved: np.ndarray
    reason: np.ndarray
    miss_m: np.ndarray
    t_cpa_s: np.ndarray
    pos_cpa_enu_m: np.ndarray
    p_kill: np.ndarray
    killed: np.ndarray
    closing_speed_mps: np.ndarray


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


def _gravity(pos, env, w):
    """Point-mass gravity (3, n) m/s², geocentric distance (n,) m and r = pos − centre."""
    r = np.subtract(pos, env.earth_centre_enu_m[:, None], out=w.vec())
    rn2 = dot(r, r, w.row())
    rn = np.sqrt(rn2, out=w.row())
    k = np.multiply(rn2, rn, out=w.row())
    np.divide(-GM_EARTH_M3PS2, k, out=k)
    return np.multiply(r, k, out=w.vec()), rn, r


def _atmosphere(alt_m, w):
    """(density kg/m³, speed of sound m/s, d ln(density)/d altitude 1/m), tabulated."""
    x = np.subtract(alt_m, _ATM_ALT0_M, out=w.row())
    x *= 1.0 / _ATM_STEP_M
    np.minimum(np.maximum(x, 0.0, out=x), _ATM_LAST + 1.0, out=x)  # = np.clip
    i = np.minimum(x.astype(np.intp), _ATM_LAST)
    f = np.subtract(x, i, out=w.row())
    slope = _ATM_DLNRHO_PER_M.take(i)
    rho = np.multiply(f, _ATM_STEP_M, out=w.row())
    rho *= slope
    rho += _ATM_LNRHO.take(i)
    np.exp(rho, out=rho)
    a = np.multiply(f, _ATM_DA_MPS.take(i), out=x)
    a += _ATM_A_MPS.take(i)
    return rho, a, slope


def _cd0(table, kind_idx, mach, w):
    """Zero-lift drag coefficient (n,) from the stacked, uniform-Mach tables."""
    x = np.multiply(mach, 1.0 / CD_MACH_STEP, out=w.row())
    np.minimum(x, _LAST_MACH_IDX + 1.0, out=x)
    i = np.minimum(x.astype(np.intp), _LAST_MACH_IDX)
    flat = table.cd0_grid.ravel()
    j = kind_idx * N_MACH
    j += i
    lo = flat.take(j)
    hi = flat.take(j + 1)
    hi -= lo
    x -= i
    x *= hi
    x += lo
    return x


class _Motor(NamedTuple):
    """What the motor gives over one step, (n,) each (scratch memory)."""

    mass0_kg: np.ndarray  # at the step start
    inv_mass_mid_per_kg: np.ndarray  # 1 / mass at mid-step
    thrust_acc_mps2: np.ndarray  # impulse over the step / (mid-step mass · dt)
    mass1_kg: np.ndarray  # at the step end


class _Cpa(NamedTuple):
    """Closest approach inside one step, (n,) each (see :func:`_cpa_in_step`)."""

    tau_s: np.ndarray  # time after the step start, in [0, dt]
    miss_m: np.ndarray  # distance at the closest approach
    closing0: np.ndarray  # bool: the range was closing at the step start
    rel_speed_mps: np.ndarray  # |relative velocity| over the step (a new array)


def _motor(prm, tf0_s, tf1_s, dt_s, w) -> _Motor:
    """Mass at the step start and end, 1/mass at mid-step, thrust acceleration over the step.

    Same sums as :func:`mass_kg` and :func:`thrust_impulse_ns`, sharing the phase times; the
    three times (step start, end, middle) are the rows of one (3, n) array, so each sum is one
    operation for all three (elementwise: the same floats as three separate sums).
    """
    mass, thrust_acc = w.vec(), w.row()  # mass rows: start, end, middle (then 1 / mass)
    top = w.mark()
    t = w.vec()
    t[0], t[1] = tf0_s, tf1_s
    np.add(tf0_s, 0.5 * dt_s, out=t[2])
    tb = prm[COL["boost_time_s"]]
    t_sus = np.subtract(prm[COL["burnout_time_s"]], tb, out=w.row())
    in_boost = np.minimum(t, tb, out=w.vec())
    in_sus = np.subtract(t, tb, out=t)
    np.minimum(np.maximum(in_sus, 0.0, out=in_sus), t_sus, out=in_sus)  # = np.clip
    tmp = w.vec()
    np.multiply(prm[COL["boost_mdot_kgps"]], in_boost, out=mass)
    np.subtract(prm[COL["launch_mass_kg"]], mass, out=mass)
    mass -= np.multiply(prm[COL["sustain_mdot_kgps"]], in_sus, out=tmp)
    impulse = np.multiply(prm[COL["boost_thrust_n"]], in_boost[:2], out=tmp[:2])  # start, end
    impulse += np.multiply(prm[COL["sustain_thrust_n"]], in_sus[:2], out=in_boost[:2])
    inv_m_mid = np.divide(1.0, mass[2], out=mass[2])
    np.subtract(impulse[1], impulse[0], out=thrust_acc)  # impulse over the step ...
    thrust_acc *= np.divide(inv_m_mid, dt_s, out=t_sus)  # ... per mass and time
    w.release(top)
    return _Motor(mass[0], inv_m_mid, thrust_acc, mass[1])


def _homing_accel(rel, rel_vel, nav_constant, tau_s, glint_m, thermal_rad, sample_s,
                  seeker_range_m, los_filt, noise, dt_s, tgt_acc, grav):
    """Terminal homing command (3, m) m/s² and the loop's new filtered line of sight (3, m).

    The homing loop is Zarchan's single-lag guidance system (*Tactical and Strategic Missile
    Guidance*, 6th ed., AIAA 2012, ch. 3 "method of adjoints", ch. 4 "noise analysis", ch. 6
    "closed-form solutions"): the seeker measures the line of sight (LOS) with angle noise,
    and one first-order lag of time constant T (noise filter and autopilot lumped) stands
    between the measured LOS rate and the achieved acceleration, nL = N'·Vc·λ̇*/(1 + sT).
    It is flown here in its filter form: a first-order filter of the measured LOS direction,
    û_f' = (û* − û_f)/T, whose derivative estimate (û* − û_f)/T is the lagged LOS rate, so

        a = N'·Vc·(û* − û_f)⊥/T  (T > 0),        a = N'·Vc·ṙ⊥/|r|  (T = 0, ideal true PN)

    — the same transfer function for constant N'·Vc, with no derivative of the noise taken.
    û_f starts on the true LOS when homing starts (the loop starts from rest, its filter
    settled on the acquired LOS: the adjoint's zero initial conditions; starting it on one
    noisy sample would turn that sample into a heading error of N'·Vc·noise/V_M). Seeker angle noise, per axis normal to the LOS, is white
    of spectral density Φ = σ²·Ts (σ the 1-sigma angle error of one sample every Ts):

        σ(R)² = (glint / R)² + σ_th² · (R / R_seeker)⁴

    glint: the target's apparent centre wanders by glint metres (1σ), an angle ∝ 1/R;
    thermal: receiver noise on a SNR ∝ R⁻⁴ (active seeker; a semi-active seeker's SNR falls
    as R⁻² only, so this is conservative at long range), σ_th at acquisition (R_seeker). A step
    of length h holds one draw of variance Φ/h. ``noise``: (3, m) standard normals, or None
    (no noise). APN (tgt_acc not None) adds (N'/2)·a_T⊥; gravity compensation subtracts g⊥.
    rel, rel_vel: target − missile (3, m); dt_s: scalar or (m,) s.
    """
    _dot3 = dot_rows
    r = np.sqrt(_dot3(rel, rel))
    r_safe = np.maximum(r, 1e-9)
    u = rel / r_safe
    vc = -_dot3(rel_vel, u)
    if noise is not None:
        g = glint_m / r_safe
        q = r / seeker_range_m
        q *= q
        sigma2 = g * g + thermal_rad * thermal_rad * (q * q)
        n_perp = noise - _dot3(noise, u) * u
        u_meas = u + np.sqrt(sigma2 * sample_s / dt_s) * n_perp
    else:
        u_meas = u
    fresh = _dot3(los_filt, los_filt) < 0.25  # loop not started: from rest, on the acquired LOS
    u_f = np.where(fresh, u, los_filt)
    d = u_meas - u_f
    d -= _dot3(d, u_meas) * u_meas
    lagged = tau_s > 0.0
    all_lagged = bool(lagged.all())  # (every catalog seeker has a lag: the where()s without their other branch)
    if all_lagged:
        rate_perp = d / tau_s
    else:
        t_safe = np.where(lagged, tau_s, 1.0)
        rate_perp = np.where(lagged, d / t_safe, (rel_vel + vc * u) / r_safe)
    acc = (nav_constant * vc) * rate_perp
    if tgt_acc is not None:
        acc += 0.5 * nav_constant * (tgt_acc - _dot3(tgt_acc, u) * u)
    acc -= grav - _dot3(grav, u) * u
    alpha = -np.expm1(-dt_s / tau_s) if all_lagged else np.where(lagged, -np.expm1(-dt_s / t_safe), 1.0)
    return acc, u_f + alpha * (u_meas - u_f)


def _target_components(targets: TargetStates, w):
    """(3, n) views of the target rows; 'acc' is None when no acceleration is given."""
    tp, tv = components(targets.pos_enu_m, w), components(targets.vel_enu_mps, w)
    ta = None if targets.acc_enu_mps2 is None else components(targets.acc_enu_mps2, w)
    ep = tp if targets.est_pos_enu_m is None else components(targets.est_pos_enu_m, w)
    ev = tv if targets.est_vel_enu_mps is None else components(targets.est_vel_enu_mps, w)
    return {"pos": tp, "vel": tv, "acc": ta, "est_pos": ep, "est_vel": ev,
            "vulnerability": targets.vulnerability}


def _guidance_command(vel, speed, prm, tgt, rel, rel_est, rel_vel, grav, up, terminal_prev,
                      augmented, los_filt, alive, dt_s, rng, w, rn, earth_radius_m):
    """Unlimited commanded acceleration (3, n) m/s², the latched terminal flag (n,) and the
    homing loop's filtered line of sight (3, n) (new array).

    rel, rel_est, rel_vel: target (truth, track estimate) minus missile position and the
    target − missile velocity (3, n).

    rn: geocentric distance of the missiles (n,) m. Rows not yet homing fly the shaped
    midcourse (cruise and dive) toward the predicted intercept point of the track estimate, and
    start homing inside seeker range once within 15° of it; homing rows fly the homing loop of
    :func:`_homing_accel` (seeker noise, first-order lag, true or augmented PN) on the truth. See
    :mod:`iadsim.flyout.guidance`. Each law is evaluated on its own rows only (gathered into
    scratch of their size when not all), or, up to ``EVERY_ROW_MAX`` rows, on every row with the
    command then taken per row from the law of that row (elementwise: the same floats; on a few
    rows the gathers cost more than the arithmetic). Seeker noise is drawn for the live homing
    rows of noisy missiles, three standard normals each, in row order, from *rng* (see
    :func:`_normals`), before any kill draw of the step.
    """
    a_cmd, terminal = w.vec(), w.mask()
    np.copyto(terminal, terminal_prev)
    rows = _law_rows(~terminal_prev, w)
    if rows is not False:
        cols, top = _column_gatherer(rows, w), w.mark(w.n if rows is None else rows.size)
        a_mid, now_homing = _midcourse_phase(
            cols(vel), cols(speed), cols(up), cols(grav), cols(rel), cols(rel_est),
            cols(tgt["est_vel"]),
            *(cols(prm[COL[k]]) for k in ("seeker_range_m", "midcourse_speed_mps",
                                          "dive_slope", "cruise_altitude_m",
                                          "shaping_lookahead_s", "midcourse_nav_constant")),
            cols(rn), earth_radius_m, w)
        if rows is None:  # every row: homing rows stay homing (their midcourse command is replaced below)
            np.copyto(a_cmd, a_mid)
            terminal |= now_homing
        else:
            _put_columns(a_cmd, rows, a_mid)
            terminal[rows] = now_homing
        w.release(top)
    rows = _law_rows(terminal, w)
    if rows is False:
        return a_cmd, terminal, los_filt.copy()
    sel = slice(None) if rows is None else rows
    cols, top = _column_gatherer(rows, w), w.mark(w.n if rows is None else rows.size)
    tgt_acc = cols(tgt["acc"]) if augmented and tgt["acc"] is not None else None
    p = {k: prm[COL[k]][sel] for k in ("nav_constant", "guidance_time_constant_s",
                                        "seeker_glint_m", "seeker_thermal_noise_rad",
                                        "seeker_noise_sample_s", "seeker_range_m")}
    noisy = ((p["seeker_glint_m"] > 0.0) | (p["seeker_thermal_noise_rad"] > 0.0)) & alive[sel]
    if rows is None:
        noisy &= terminal
    noise = None
    if noisy.any():
        noise = np.zeros((3, noisy.size))
        noise[:, noisy] = _normals(rng, np.flatnonzero(noisy) if rows is None else rows[noisy]).T
    a_term, los_rows = _homing_accel(
        cols(rel), cols(rel_vel), p["nav_constant"], p["guidance_time_constant_s"],
        p["seeker_glint_m"], p["seeker_thermal_noise_rad"], p["seeker_noise_sample_s"],
        p["seeker_range_m"], los_filt[:, sel], noise, dt_s if rows is None else _rows_of(dt_s, rows), tgt_acc,
        cols(grav))
    if rows is None:
        np.copyto(a_cmd, a_term, where=terminal)
        los_new = np.where(terminal, los_rows, los_filt)
    else:
        _put_columns(a_cmd, rows, a_term)
        los_new = los_filt.copy()
        los_new[:, rows] = los_rows
    w.release(top)
    return a_cmd, terminal, los_new


EVERY_ROW_MAX = 32  # up to this many rows, a guidance law runs on every row (see _guidance_command)


def _law_rows(mask, w):
    """The rows a guidance law is evaluated on: False (no row needs it), None (every row: all
    need it, or there are at most ``EVERY_ROW_MAX``), else the rows of *mask* (n,)."""
    if w.n <= EVERY_ROW_MAX:
        return None if mask.any() else False
    rows = np.flatnonzero(mask)
    return False if rows.size == 0 else None if rows.size == w.n else rows


def _column_gatherer(rows, w):
    """Function gathering columns *rows* of (3, n) or (n,) arrays into w (once per array).

    When *rows* is None (all the rows), it returns the arrays themselves (no copy).
    """
    if rows is None:
        return lambda a: a
    done = {}  # id -> (array, gathered); holding the array keeps its id unique

    def cols(a):
        key = id(a)
        if key not in done:
            out = w.vec() if a.ndim == 2 else w.row()
            done[key] = a, a.take(rows, axis=-1, out=out, mode="clip")  # rows are valid
        return done[key][1]

    return cols


def _put_columns(dst, rows, src):
    """dst[:, rows] = src for (3, n) dst and (3, m) src (per component: 3× faster)."""
    if rows.size == dst.shape[1]:
        np.copyto(dst, src)
        return
    for d, s in zip(dst, src):
        d[rows] = s


def _midcourse_phase(vel, speed, up, grav, rel, rel_est, est_vel, seeker_m,
                     midcourse_speed_mps, dive_slope, cruise_alt_m, lookahead_s,
                     midcourse_gain, rn, earth_radius_m, w):
    """Midcourse command (3, m) toward the shaped aim point and the rows that start homing (m,).

    rel, rel_est: target and track estimate minus missile (3, m) m; the PIP and the aim
    point are formed relative to the missile. rn: geocentric distance of the missiles (m,) m.
    """
    t_go = time_to_intercept_s(rel_est, est_vel, midcourse_speed_mps, w)
    d_pip = np.multiply(t_go, est_vel, out=w.vec())
    d_pip += rel_est
    dist_pip = norm(d_pip, w.row())
    # cruise-and-dive trajectory shaping
    los = shaped_aim_m(d_pip, up, rn, earth_radius_m,
                      np.multiply(midcourse_speed_mps, lookahead_s, out=w.row()), dive_slope,
                      cruise_alt_m, w)
    a_mid = midcourse_accel(los, vel, speed, midcourse_gain, grav, w)
    # Homing starts inside seeker range once the turn-over is done (velocity within
    # 15° of the PIP): PN handed a large heading error right after a vertical launch
    # misses targets that the midcourse turn toward the PIP reaches.
    cos_err = dot(d_pip, vel, w.row())
    cos_err /= np.maximum(np.multiply(dist_pip, speed, out=dist_pip), 1e-9, out=dist_pip)
    homing = np.less_equal(dot(rel, rel, w.row()), np.multiply(seeker_m, seeker_m, out=w.row()),
                           out=w.mask())
    homing &= np.greater_equal(cos_err, TERMINAL_MIN_COS_ERR, out=w.mask())
    return a_mid, homing


def advance_interceptors(state: Interceptors, table: InterceptorTable, targets: TargetStates,
                         t_s: float, dt_s: float, rng: np.random.Generator, env: FlyoutEnv,
                         augmented: bool = True):
    """Advance every interceptor by one step of dt_s and resolve intercepts inside the step.

    state: rows at scenario time t_s (built by ``launch_interceptors``). targets: one row
    per interceptor (true state at t_s, optional acceleration and track estimate). rng: the
    kill-draw stream (one uniform per row whose closest approach falls in this step, in row
    order), or a callable rows -> uniforms (rows: (k,) indices of those rows, ascending).
    t_s and dt_s are scalars, or (n,) arrays giving each row its own (batched runs on their
    own sub-step clocks: every operation on them is elementwise, so a row's result is the
    same as with its scalars).
    Returns (new Interceptors at t_s + dt_s, InterceptOutcome). Dead rows are carried
    unchanged. Inputs are not mutated. The new state's (n, 3) arrays are transposes of
    (3, n) memory (Fortran order), which the next step reads without a copy.
    """
    w = scratch(state.n)
    tgt = _target_components(targets, w)
    prm = state.prm_kn
    pos0, vel0 = components(state.pos_enu_m, w), components(state.vel_enu_mps, w)
    tf0 = state.t_flight_s
    tf1 = tf0 + dt_s
    grav0, rn0, r0 = _gravity(pos0, env, w)
    rho0, a_snd0, dlnrho = _atmosphere(np.subtract(rn0, env.earth_radius_m, out=w.row()), w)
    speed0_sq = dot(vel0, vel0, w.row())
    speed0 = np.sqrt(speed0_sq, out=w.row())
    motor = _motor(prm, tf0, tf1, dt_s, w)
    m0 = motor.mass0_kg
    area = prm[COL["reference_area_m2"]]
    q_s = np.multiply(rho0, 0.5, out=w.row())  # dynamic pressure × reference area, N
    q_s *= area
    q_s *= speed0
    q_s *= speed0
    up = np.multiply(r0, np.divide(1.0, rn0, out=w.row()), out=r0)

    rel = np.subtract(tgt["pos"], pos0, out=w.vec())  # target − missile
    rel_est = (rel if tgt["est_pos"] is tgt["pos"] else
               np.subtract(tgt["est_pos"], pos0, out=w.vec()))
    a_cmd, terminal, los_filt = _guidance_command(
        vel0, speed0, prm, tgt, rel, rel_est, np.subtract(tgt["vel"], vel0, out=w.vec()), grav0,
        up, state.is_terminal, augmented, np.asarray(state.seeker_los_enu, float).T,
        state.alive, dt_s, rng, w, rn0, env.earth_radius_m)
    a_tvc = np.multiply(prm[COL["tvc_lateral_mps2"]], tf0 < prm[COL["burnout_time_s"]],
                        out=w.row())  # TVC while the motor burns
    a_avail = np.multiply(q_s, prm[COL["cn_max"]], out=w.row())  # aerodynamic limit first
    a_avail /= m0
    np.maximum(a_avail, a_tvc, out=a_avail)
    np.minimum(prm[COL["g_limit_mps2"]], a_avail, out=a_avail)
    a_lat, a_lat_mag = limit_lateral(a_cmd, vel0, speed0_sq, a_avail, w)
    cn = np.subtract(a_lat_mag, a_tvc, out=a_lat_mag)
    np.maximum(cn, 0.0, out=cn)
    cn *= m0
    cn /= np.maximum(q_s, 1e-9, out=w.row())
    np.minimum(cn, prm[COL["cn_max"]], out=cn)
    cd = _cd0(table, state.kind_idx, np.divide(speed0, a_snd0, out=a_snd0), w)
    cd += np.multiply(np.multiply(prm[COL["induced_drag_k"]], cn, out=w.row()), cn, out=cn)
    pos1, vel1 = _heun(pos0, vel0, speed0, grav0, up, a_lat, rho0, dlnrho, cd, area,
                       motor.inv_mass_mid_per_kg, motor.thrust_acc_mps2, dt_s, env, w)
    return _resolve(state, prm, tgt, rel, pos1, vel1, tf1, motor.mass1_kg, terminal, los_filt, t_s, dt_s,
                    rng, env, w)


def _along_velocity_acc(thrust_acc, half_cd_s_over_m, rho, speed, w):
    """(thrust − drag)/(m·speed) (n,): times the velocity, the along-track acceleration."""
    acc = np.multiply(half_cd_s_over_m, rho, out=w.row())
    acc *= speed
    acc *= speed
    np.subtract(thrust_acc, acc, out=acc)
    acc /= np.maximum(speed, 1e-9, out=w.row())
    return acc


def _heun(pos0, vel0, speed0, grav0, up, a_lat, rho0, dlnrho, cd, area, inv_m,
          thrust_acc, dt_s, env, w):
    """One Heun (RK2) step; returns new (3, n) arrays pos1, vel1 (not scratch memory)."""
    top = w.mark()
    half_cd_s_over_m = np.multiply(cd, 0.5, out=cd)
    half_cd_s_over_m *= area
    half_cd_s_over_m *= inv_m
    # stage 1
    along0 = _along_velocity_acc(thrust_acc, half_cd_s_over_m, rho0, speed0, w)
    k1 = np.multiply(vel0, along0, out=w.vec())
    k1 += grav0
    k1 += a_lat
    pos_p = np.multiply(dt_s, vel0, out=w.vec())
    pos_p += pos0
    vel_p = np.multiply(dt_s, k1, out=w.vec())
    vel_p += vel0
    # stage 2 (drag coefficient held; density extrapolated along the climb)
    grav_p, _, _ = _gravity(pos_p, env, w)
    rho_p = dot(vel0, up, w.row())
    rho_p *= dt_s
    rho_p *= dlnrho
    np.exp(rho_p, out=rho_p)
    rho_p *= rho0
    along_p = _along_velocity_acc(thrust_acc, half_cd_s_over_m, rho_p, norm(vel_p, w.row()), w)
    h = 0.5 * dt_s
    pos1 = np.add(vel0, vel_p, out=np.empty_like(pos0))
    pos1 *= h
    pos1 += pos0
    vel1 = np.add(k1, grav_p, out=np.empty_like(vel0))
    vel1 += np.multiply(vel_p, along_p, out=vel_p)
    vel1 += a_lat
    vel1 *= h
    vel1 += vel0
    w.release(top)
    return pos1, vel1


def _cpa_in_step(rel0, rel1, dt_s, w) -> _Cpa:
    """endgame.cpa_in_step on (3, n) arrays: the closest approach of the straight chord rel0 -> rel1."""
    vr = np.subtract(rel1, rel0, out=rel1)
    vr *= 1.0 / dt_s
    vr2 = dot(vr, vr, w.row())
    rel_speed = np.sqrt(vr2)  # new array: |relative velocity| over the step, m/s
    rv = dot(rel0, vr, w.row())
    np.maximum(vr2, 1e-300, out=vr2)
    tau = np.divide(np.negative(rv, out=w.row()), vr2, out=vr2)
    np.minimum(np.maximum(tau, 0.0, out=tau), dt_s, out=tau)  # = np.clip
    at_cpa = np.multiply(vr, tau, out=vr)
    at_cpa += rel0
    np.square(at_cpa, out=at_cpa)
    d2 = np.add(at_cpa[0], at_cpa[1], out=w.row())
    d2 += at_cpa[2]
    return _Cpa(tau, np.sqrt(d2, out=d2), np.less(rv, 0.0, out=w.mask()), rel_speed)


def _resolve(state, prm, tgt, rel0, pos1, vel1, tf1, m1, terminal, los_filt, t_s, dt_s, rng, env,
             w):
    """Closest approach inside the step, self-destruct rules, kill draws; new state.

    rel0: target − missile at the step start (3, n). The closest approach is sign-blind,
    so target − missile gives exactly endgame.cpa_in_step's result for missile − target.
    """
    alive = state.alive
    tgt_pos1 = np.multiply(dt_s, tgt["vel"], out=w.vec())
    tgt_pos1 += tgt["pos"]
    if tgt["acc"] is not None:
        tgt_pos1 += np.multiply(0.5 * dt_s * dt_s, tgt["acc"], out=w.vec())
    cpa = _cpa_in_step(rel0, np.subtract(tgt_pos1, pos1, out=tgt_pos1), dt_s, w)
    tau, miss, closing0 = cpa.tau_s, cpa.miss_m, cpa.closing0
    is_cpa = np.less(tau, dt_s, out=w.mask())
    is_cpa &= closing0
    # A homing row already past its closest approach at the step start (the previous step's
    # chord put the CPA at its very end, and curved motion made the range open by now): its
    # CPA is the step start, the closest point seen (min_range_m is the distance there).
    range0 = np.sqrt(dot_rows(rel0, rel0))
    passed = state.is_terminal & ~closing0 & (range0 <= state.min_range_m * (1.0 + 1e-9) + 1e-6)
    if passed.any():
        tau = np.where(passed, 0.0, tau)
        miss = np.where(passed, range0, miss)
        is_cpa |= passed
    is_cpa &= alive
    # a range minimum in midcourse farther than seeker range is not the end of the flight (a
    # crossing target right after launch, while the round is still slow, makes one)
    is_cpa &= terminal | np.less_equal(miss, prm[COL["seeker_range_m"]], out=w.mask())
    # altitude < ground and speed < min_speed, compared as squares (no square roots)
    r1 = np.subtract(pos1, env.earth_centre_enu_m[:, None], out=w.vec())
    ground = np.less(dot(r1, r1, w.row()), (env.earth_radius_m + env.ground_alt_m) ** 2,
                     out=w.mask())
    min_speed = prm[COL["min_speed_mps"]]
    low_speed = np.less(dot(vel1, vel1, w.row()),
                        np.multiply(min_speed, min_speed, out=w.row()), out=w.mask())
    low_speed &= np.greater(tf1, prm[COL["burnout_time_s"]], out=w.mask())
    timeout = np.greater_equal(tf1, prm[COL["max_flight_time_s"]], out=w.mask())
    reason = np.zeros(state.n, np.int8)
    ended = ground | low_speed
    ended |= timeout
    ended &= alive
    if ended.any():  # (most steps end no row: the codes below are all REASON_NONE)
        for code, hit in ((REASON_GROUND, ground), (REASON_LOW_SPEED, low_speed),
                          (REASON_TIMEOUT, timeout)):  # later rules override earlier ones
            hit &= alive
            np.putmask(reason, hit, code)
    np.putmask(reason, is_cpa, REASON_CPA)
    resolved = reason != REASON_NONE

    idx = is_cpa.nonzero()[0]
    n = state.n
    pk = np.zeros(n)
    killed = np.zeros(n, bool)
    miss_out, t_cpa, pos_cpa = np.empty(n), np.empty(n), np.empty((n, 3))
    miss_out.fill(np.nan)  # (np.full costs three times as much on a few rows)
    t_cpa.fill(np.nan)
    pos_cpa.fill(np.nan)
    if idx.size:
        sel_tau = tau[idx]
        armed = state.t_flight_s[idx] + sel_tau >= prm[COL["arm_time_s"], idx]
        vul = 1.0 if tgt["vulnerability"] is None else tgt["vulnerability"][idx]
        pk[idx] = np.where(armed, p_kill(miss[idx], prm[COL["lethal_radius_m"], idx],
                                         prm[COL["pk_max"], idx],
                                         prm[COL["is_hit_to_kill"], idx] > 0.5, vul), 0.0)
        killed[idx] = _uniforms(rng, idx) < pk[idx]
        miss_out[idx] = miss[idx]
        t_cpa[idx] = _rows_of(t_s, idx) + sel_tau
        frac = (sel_tau / _rows_of(dt_s, idx))[:, None]
        p0 = state.pos_enu_m[idx]
        pos_cpa[idx] = p0 + frac * (pos1[:, idx].T - p0)
    vc_out = np.where(is_cpa, cpa.rel_speed_mps, np.nan)
    out = InterceptOutcome(resolved, reason, miss_out, t_cpa, pos_cpa, pk, killed, vc_out)
    pos_new, vel_new = pos1.T, vel1.T
    mass_new, tf_new = m1.copy(), tf1
    min_range = np.minimum(state.min_range_m, miss)
    los_new = los_filt.T.copy()
    if not alive.all():
        dead = ~alive
        pos_new[dead] = state.pos_enu_m[dead]
        vel_new[dead] = state.vel_enu_mps[dead]
        mass_new[dead] = state.mass_kg[dead]
        tf_new[dead] = state.t_flight_s[dead]
        min_range[dead] = state.min_range_m[dead]
        los_new[dead] = state.seeker_los_enu[dead]
    new = Interceptors(state.id, state.kind_idx, alive & ~resolved, pos_new, vel_new, mass_new,
                       tf_new, (terminal & alive) | state.is_terminal, min_range, prm, los_new)
    return new, out


def _rows_of(x, rows):
    """x at *rows*: a scalar as is, a per-row (n,) array gathered."""
    return x if np.ndim(x) == 0 else x[rows]


def _normals(rng, rows):
    """Seeker-noise standard normals (k, 3) for *rows*: from a Generator, or ``rng(rows, True)``
    from a callable (batched runs: each row's draws from its own run's stream)."""
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal((rows.size, 3))
    return rng(rows, True)


def _uniforms(rng, rows):
    """Kill-draw uniforms [0, 1) for *rows*: ``rng.random(rows.size)`` from a Generator, or
    ``rng(rows)`` from a callable (batched runs: each row's draw from its own run's stream)."""
    return rng.random(rows.size) if isinstance(rng, np.random.Generator) else rng(rows)
