"""Interceptor guidance laws, batched over missiles; pure functions.

Midcourse: steer the velocity toward a predicted intercept point (PIP) computed from the
track estimate, along a shaped trajectory that climbs to a cruise altitude and dives onto the
PIP late (see :func:`shaped_aim_m`). Terminal: the homing loop (seeker noise, first-order lag, true or
augmented PN) is written once, in :func:`iadsim.flyout.kinematics._homing_accel`, and tested
against an adjoint model of the linear loop (tests/flyout/test_endgame_adjoint.py). References:
Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., ch. 2 (PN), ch. 8 (APN);
Siouris, *Missile Guidance and Control Systems*, §4.3 (true PN).

Vectors are ``V3`` tuples ``(x, y, z)`` of (n,) arrays in scenario ENU: contiguous
components are 2–3× faster in NumPy than (n, 3) rows. Use :func:`v3` / :func:`rows` to
convert from and to the (n, 3) layout of the state. These functions are the readable
reference; the flyout step (:mod:`iadsim.flyout.kinematics`) writes the same laws out on
(3, n) arrays in reused scratch memory.
The commanded acceleration is returned unlimited; :func:`limit_lateral` projects it normal
to the missile velocity (an aerodynamic lift cannot act along it) and clips its magnitude.
"""

import numpy as np


def v3(a):
    """(n, 3) array -> V3 tuple of contiguous (n,) components."""
    c = np.ascontiguousarray(np.asarray(a, float).T)
    return c[0], c[1], c[2]


def rows(v):
    """V3 tuple -> new (n, 3) array."""
    return np.stack(v, axis=1)


def dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def sub(a, b):
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def add(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def scale(a, s):
    return (a[0] * s, a[1] * s, a[2] * s)


def axpy(s, x, y):
    """s·x + y."""
    return (s * x[0] + y[0], s * x[1] + y[1], s * x[2] + y[2])


def time_to_intercept_s(rel_pos_m, tgt_vel_mps, speed_mps):
    """Time t > 0 at which a missile flying straight at *speed_mps* meets the target.

    Solves |rel_pos + tgt_vel·t| = speed·t (target at constant velocity; relative position
    target − missile, V3). Where no positive root exists (target too fast) returns
    |rel_pos| / speed, a chase toward the present position. Returns (n,) s.
    """
    a = dot(tgt_vel_mps, tgt_vel_mps) - speed_mps * speed_mps
    b = 2.0 * dot(rel_pos_m, tgt_vel_mps)
    c = dot(rel_pos_m, rel_pos_m)
    disc = b * b - 4.0 * a * c
    # Stable root (Numerical Recipes §5.6): q = -(b + sign(b)·√disc)/2, roots q/a and c/q.
    q = -0.5 * (b + np.copysign(np.sqrt(np.maximum(disc, 0.0)), b))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = q / a
        r2 = c / q
    r1 = np.where(r1 > 0.0, r1, np.inf)
    r2 = np.where(r2 > 0.0, r2, np.inf)
    t = np.where(disc >= 0.0, np.minimum(r1, r2), np.inf)
    return np.where(np.isfinite(t), t, np.sqrt(c) / speed_mps)


def predicted_intercept_point(pos_enu_m, est_pos_enu_m, est_vel_enu_mps, speed_mps):
    """PIP (V3, m ENU) and time to go (n,) s, straight-line missile at *speed_mps*."""
    t_go = time_to_intercept_s(sub(est_pos_enu_m, pos_enu_m), est_vel_enu_mps, speed_mps)
    return axpy(t_go, est_vel_enu_mps, est_pos_enu_m), t_go


def shaped_aim_m(d_pip_m, up, r_m, earth_radius_m, lookahead_m, dive_slope, cruise_alt_m):
    """Aim point of the shaped midcourse relative to the missile (V3, m): cruise and dive.

    d_pip_m: PIP − missile (V3, m); up: local up at the missile (V3, unit); r_m: the
    missile's geocentric distance (n,) m. Altitudes are above the sphere of radius
    earth_radius_m. The trajectory is shaped by a profile of altitude over the remaining
    ground distance s to the PIP (altitude a_p):

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
    alt_m = r_m - earth_radius_m
    d_up = dot(d_pip_m, up)
    d_h = axpy(-d_up, up, d_pip_m)  # horizontal (at the missile) part, toward the PIP
    x = np.sqrt(dot(d_h, d_h))
    r_pip = axpy(r_m, up, d_pip_m)
    alt_pip = np.sqrt(dot(r_pip, r_pip)) - earth_radius_m
    s_a = np.maximum(x - lookahead_m, 0.0)
    ramp = dive_slope * s_a
    frac = s_a / np.maximum(x, 1e-9)  # share of the horizontal distance left at the aim point
    line = (alt_m - alt_pip) * frac + alt_pip  # straight line missile -> PIP at s_a
    profile = np.clip(cruise_alt_m - alt_pip, -ramp, ramp) + alt_pip
    h = np.maximum(np.minimum(profile, ramp + line), np.minimum(line, np.maximum(alt_m, profile)))
    done = 1.0 - frac
    corr = (d_up - alt_pip + alt_m) * done * done  # curvature drop, exact at the PIP
    return axpy(h - alt_m + corr, up, scale(d_h, done))


def midcourse_accel(pos_enu_m, vel_enu_mps, aim_enu_m, gain, tau_max_s, grav_enu_mps2):
    """Heading-error steering toward a stationary aim point, plus gravity compensation.

    a = (V / τ)·(û_aim)⊥v − g⊥v with τ = min(R / (gain·V), tau_max_s): for large R this is
    PN against a stationary point (a = gain·V²·sin ε / R, Zarchan ch. 2); τ ≤ tau_max_s makes
    a vertically launched missile turn over promptly. If the aim is behind the missile the
    turn direction is normalised to a full-rate turn. V3 in, V3 out (m/s², unlimited).
    """
    speed = np.sqrt(dot(vel_enu_mps, vel_enu_mps))
    u_v = scale(vel_enu_mps, 1.0 / np.maximum(speed, 1e-9))
    los = sub(aim_enu_m, pos_enu_m)
    rng_m = np.sqrt(dot(los, los))
    u_aim = scale(los, 1.0 / np.maximum(rng_m, 1e-9))
    cos_err = dot(u_aim, u_v)
    perp = axpy(-cos_err, u_v, u_aim)
    behind = cos_err < 0.0
    norm = np.where(behind, 1.0 / np.maximum(np.sqrt(dot(perp, perp)), 1e-12), 1.0)
    tau_s = np.minimum(rng_m / (gain * np.maximum(speed, 1.0)), tau_max_s)
    k = speed * norm / np.maximum(tau_s, 1e-3)
    g_along = dot(grav_enu_mps2, u_v)
    return tuple(k * p - (g - g_along * u) for p, g, u in zip(perp, grav_enu_mps2, u_v))


def limit_lateral(acc_cmd_mps2, vel_enu_mps, a_max_mps2):
    """Component of the command normal to the velocity, magnitude clipped to a_max (n,) m/s²."""
    speed2 = np.maximum(dot(vel_enu_mps, vel_enu_mps), 1e-12)
    a_perp = axpy(-dot(acc_cmd_mps2, vel_enu_mps) / speed2, vel_enu_mps, acc_cmd_mps2)
    mag = np.sqrt(dot(a_perp, a_perp))
    return scale(a_perp, np.minimum(1.0, a_max_mps2 / np.maximum(mag, 1e-12)))
