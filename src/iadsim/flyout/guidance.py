"""Interceptor guidance laws on (3, n) component arrays: the one implementation the flyout flies.

Midcourse: steer the velocity toward a predicted intercept point (PIP) computed from the
track estimate (:func:`time_to_intercept_s`, :func:`predicted_intercept_point`), along a
shaped trajectory that climbs to a cruise altitude and dives onto the PIP late
(:func:`shaped_aim_m`), with heading-error steering (:func:`midcourse_accel`). Terminal: the
homing loop (seeker noise, first-order lag, true or augmented PN) is written once, in
:func:`iadsim.flyout.kinematics._homing_accel`, and tested against an adjoint model of the
linear loop (tests/flyout/test_endgame_adjoint.py). The commanded acceleration is unlimited;
:func:`limit_lateral` projects it normal to the missile velocity (an aerodynamic lift cannot
act along it) and clips its magnitude. References: Zarchan, *Tactical and Strategic Missile
Guidance*, 6th ed., AIAA 2012, ch. 2 (PN), ch. 8 (APN); Siouris, *Missile Guidance and Control
Systems*, Springer 2004, §4.3 (true PN).

Vectors are (3, n) arrays in scenario ENU, one contiguous row per component
(:mod:`iadsim.flyout.columns`); SI units. For speed (issue 7) every temporary goes into the
scratch ``w`` of the flyout step (:class:`~iadsim.flyout.columns.Scratch`), so a result is a
scratch view, valid until the step reuses that memory. Without ``w`` a function works in fresh
arrays of its own (callers outside the step: launch, tests).
"""

import numpy as np

from iadsim.flyout.columns import Scratch, dot, fresh, norm

MIDCOURSE_TAU_MAX_S = 2.0  # longest heading-error time constant in midcourse (turn-over)


def time_to_intercept_s(rel_pos_m, tgt_vel_mps, speed_mps, w: Scratch | None = None):
    """Time t > 0 (n,) s at which a missile flying straight at *speed_mps* (n,) m/s meets the target.

    Solves |rel_pos + tgt_vel·t| = speed·t for a target at constant velocity, i.e. the quadratic
    (|v_T|² − V²)·t² + 2(r·v_T)·t + |r|² = 0 (rel_pos_m: target − missile (3, n) m; tgt_vel_mps
    (3, n) m/s), taking the smaller positive root, computed stably (Numerical Recipes, 3rd ed.,
    §5.6: q = −(b + sign(b)·√disc)/2, roots q/a and c/q). Where no positive root exists (target
    too fast) it returns |rel_pos| / speed, a chase toward the present position.
    """
    if w is None:
        w = fresh(np.shape(rel_pos_m)[1])
    a = dot(tgt_vel_mps, tgt_vel_mps, w.row())
    a -= np.multiply(speed_mps, speed_mps, out=w.row())
    b = dot(rel_pos_m, tgt_vel_mps, w.row())
    b *= 2.0
    c = dot(rel_pos_m, rel_pos_m, w.row())
    disc = np.multiply(a, 4.0, out=w.row())
    disc *= c
    np.subtract(np.multiply(b, b, out=w.row()), disc, out=disc)
    q = np.maximum(disc, 0.0, out=w.row())
    np.sqrt(q, out=q)
    np.copysign(q, b, out=q)
    q += b
    q *= -0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.divide(q, a, out=a)
        r2 = np.divide(c, q, out=q)
    t = np.minimum(np.where(r1 > 0.0, r1, np.inf), np.where(r2 > 0.0, r2, np.inf), out=r1)
    has_root = np.greater_equal(disc, 0.0, out=w.mask())
    has_root &= np.isfinite(t)
    chase_s = np.sqrt(c, out=c)
    chase_s /= speed_mps
    return np.where(has_root, t, chase_s)


def predicted_intercept_point(pos_enu_m, est_pos_enu_m, est_vel_enu_mps, speed_mps):
    """PIP (n, 3) m ENU and time to go (n,) s of missiles at pos_enu_m (n, 3) flying straight at
    *speed_mps* (n,) toward targets at est_pos_enu_m (n, 3) moving at est_vel_enu_mps (n, 3):
    :func:`time_to_intercept_s` in the (n, 3) layout of the state (used at launch)."""
    pos, est_p, est_v = (np.ascontiguousarray(np.asarray(a, float).T) for a in (pos_enu_m, est_pos_enu_m,
                                                                                    est_vel_enu_mps))
    t_go = time_to_intercept_s(est_p - pos, est_v, np.asarray(speed_mps, float))
    return (t_go * est_v + est_p).T, t_go


def shaped_aim_m(d_pip, up, rn, earth_radius_m, lookahead_m, dive_slope, cruise_alt_m, w: Scratch | None = None):
    """Aim point of the shaped midcourse relative to the missile (3, n) m: cruise and dive.

    d_pip: PIP − missile (3, n) m; up: local up at the missile (3, n) unit; rn: the missile's
    geocentric distance (n,) m; lookahead_m, dive_slope, cruise_alt_m: (n,) or scalars. Altitudes are above the sphere of radius earth_radius_m. The
    trajectory is shaped by a profile of altitude over the remaining ground distance s to the
    PIP (altitude a_p):

        profile(s) = a_p + clip(cruise_alt − a_p, −dive_slope·s, dive_slope·s)

    a cruise at cruise_alt and, from a ground distance |cruise_alt − a_p|/dive_slope, a
    straight dive at atan(dive_slope) onto the PIP (for a target above cruise_alt, a climb
    at that slope up to it). The aim point runs lookahead_m ahead of the missile (ground
    distance s_a = max(x − lookahead, 0), x the missile's) at the altitude

        h = max(min(profile(s_a), line(s_a) + dive_slope·s_a),
                min(line(s_a), max(a_m, profile(s_a))))

    with line the straight line from the missile (altitude a_m) to the PIP: the profile, but
    never more than dive_slope·s_a above that line (a shot at a nearby target climbs on a
    ramp that vanishes at the PIP instead of levelling off first: no tent the missile cannot
    turn out of), and never below the line where the missile is above the profile (a missile
    above the dive line heads straight at the PIP). Within one lookahead of the PIP the aim
    is the PIP itself; the dive starts where the line to the PIP clears the dive line, about
    |cruise_alt − a_p|/dive_slope + lookahead from it.

    Why: drag scales with air density (×0.07 at 20 km), so the reach against a low target
    is made by flying high and coming down late and steeply; a parabolic loft (the former
    law) spent half of every long flight descending through dense air and fell below its
    minimum speed short of low targets (reach ~40 km for 48N6E3 at 100 m). Trajectory
    shaping by a moving aim point: Zarchan, *Tactical and Strategic Missile Guidance*,
    6th ed., trajectory-shaping chapter; Imado, Kuroda & Miwa, "Optimal midcourse guidance
    for medium-range air-to-air missiles", J. Guidance 13(4), 1990 (climb to thin air, dive
    late). The three numbers are fitted per missile (catalog notes). The vertical part is
    corrected for the earth's curvature so that the aim is exactly the PIP at s_a = 0.
    """
    if w is None:
        w = fresh(np.shape(d_pip)[1])
    alt_m = np.subtract(rn, earth_radius_m, out=w.row())
    d_up = dot(d_pip, up, w.row())
    d_h = np.multiply(d_up, up, out=w.vec())
    np.subtract(d_pip, d_h, out=d_h)
    x = norm(d_h, w.row())
    r_pip = np.multiply(rn, up, out=w.vec())
    r_pip += d_pip
    alt_pip = norm(r_pip, w.row())
    alt_pip -= earth_radius_m
    s_a = np.subtract(x, lookahead_m, out=w.row())
    np.maximum(s_a, 0.0, out=s_a)
    ramp = np.multiply(dive_slope, s_a, out=w.row())
    frac = np.divide(s_a, np.maximum(x, 1e-9, out=w.row()), out=s_a)
    line = np.subtract(alt_m, alt_pip, out=w.row())
    line *= frac
    line += alt_pip
    profile = np.subtract(cruise_alt_m, alt_pip, out=w.row())
    np.minimum(np.maximum(profile, np.negative(ramp, out=w.row()), out=profile), ramp, out=profile)  # = np.clip
    profile += alt_pip
    ramp += line
    h = np.minimum(profile, ramp, out=ramp)
    np.maximum(alt_m, profile, out=profile)
    np.minimum(line, profile, out=profile)
    np.maximum(h, profile, out=h)
    np.subtract(1.0, frac, out=frac)
    corr = np.subtract(d_up, alt_pip, out=d_up)
    corr += alt_m
    corr *= frac
    corr *= frac
    h -= alt_m
    h += corr
    aim = np.multiply(d_h, frac, out=d_h)
    aim += np.multiply(h, up, out=w.vec())
    return aim


def midcourse_accel(los, vel, speed, gain, grav, w: Scratch | None = None):
    """Heading-error steering toward a stationary aim point, plus gravity compensation (3, n) m/s².

    los: aim point − missile (3, n) m (overwritten when w is given); vel: missile velocity
    (3, n) m/s and speed = |vel| (n,) m/s; gain: navigation gain (n,); grav: gravity (3, n) m/s².

        a = (V / τ)·(û_aim)⊥v − g⊥v,   τ = min(R / (gain·V), MIDCOURSE_TAU_MAX_S)

    with R = |los| and (û_aim)⊥v of magnitude sin ε (ε the heading error). While
    R < gain·V·MIDCOURSE_TAU_MAX_S this is PN against a stationary point, a = gain·V²·sin ε / R
    (Zarchan, ch. 2); farther out τ is capped, so that a vertically launched missile turns over
    promptly (a = V·sin ε / τ_max). If the aim is behind the missile (cos ε < 0) the turn is a
    full-rate one, |a + g⊥v| = V/τ. Returned unlimited (see :func:`limit_lateral`).
    """
    if w is None:
        w = fresh(np.shape(los)[1])
        los = np.array(los, float)
    inv_speed = np.maximum(speed, 1e-9, out=w.row())
    u_v = np.multiply(vel, np.divide(1.0, inv_speed, out=inv_speed), out=w.vec())
    rng_m = norm(los, w.row())
    inv_rng = np.maximum(rng_m, 1e-9, out=w.row())
    u_aim = np.multiply(los, np.divide(1.0, inv_rng, out=inv_rng), out=los)
    cos_err = dot(u_aim, u_v, w.row())
    perp = np.subtract(u_aim, np.multiply(cos_err, u_v, out=w.vec()), out=u_aim)
    turn = norm(perp, w.row())
    np.maximum(turn, 1e-12, out=turn)
    np.divide(1.0, turn, out=turn)
    turn = np.where(cos_err < 0.0, turn, 1.0)  # aim behind: a full-rate turn
    tau_s = np.maximum(speed, 1.0, out=w.row())
    tau_s *= gain
    np.divide(rng_m, tau_s, out=tau_s)
    np.minimum(tau_s, MIDCOURSE_TAU_MAX_S, out=tau_s)
    k = np.multiply(speed, turn, out=turn)
    k /= np.maximum(tau_s, 1e-3, out=tau_s)
    g_perp = np.multiply(dot(grav, u_v, w.row()), u_v, out=u_v)
    np.subtract(grav, g_perp, out=g_perp)
    acc = np.multiply(k, perp, out=perp)
    acc -= g_perp
    return acc


def limit_lateral(acc_cmd, vel, speed2, a_max, w: Scratch | None = None):
    """Lateral acceleration the airframe flies: (a_lat (3, n) m/s², |a_lat| (n,) m/s²).

    The component of the command acc_cmd (3, n) normal to the velocity vel (3, n) (speed2 =
    |vel|² (n,)), its magnitude clipped to a_max (n,) m/s²: a_lat ⟂ v and |a_lat| ≤ a_max.
    |a_lat| is returned as |a_perp| times the clip factor, equal to the norm of a_lat to rounding.
    """
    if w is None:
        w = fresh(np.shape(acc_cmd)[1])
    s = np.maximum(speed2, 1e-12, out=w.row())
    np.divide(dot(acc_cmd, vel, w.row()), s, out=s)
    np.negative(s, out=s)
    a_perp = np.multiply(s, vel, out=w.vec())
    a_perp += acc_cmd
    mag = norm(a_perp, w.row())
    scale = np.maximum(mag, 1e-12, out=w.row())
    np.divide(a_max, scale, out=scale)
    np.minimum(scale, 1.0, out=scale)
    a_perp *= scale
    return a_perp, np.multiply(mag, scale, out=mag)  # |a_perp|·scale, no second norm
