"""Interceptor guidance laws, batched over missiles; pure functions.

Midcourse: steer the velocity toward a predicted intercept point (PIP) computed from the
track estimate, raised by a loft that shapes the trajectory into an arc (see
:func:`loft_height_m`). Terminal: the homing loop (seeker noise, first-order lag, true or
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


def loft_height_m(dist_pip_m, t_go_s, t_flight_s, seeker_range_m, loft_ratio, loft_max_m,
                  fade_exponent):
    """Height (n,) m by which the midcourse aim point is raised above the PIP, along local up.

    loft = min(loft_ratio·e, loft_max)·τⁿ, with e = max(distance to PIP − seeker range, 0)
    and τ = t_go / (t_go + t_flight), the fraction of the flight still to go (1 at launch,
    0 at the intercept; t_go is the straight-line time to the PIP at the midcourse speed).

    Trajectory shaping by a moving aim point (Zarchan, *Tactical and Strategic Missile
    Guidance*, trajectory-shaping and lofting chapters; Imado, Kuroda & Miwa, "Optimal
    midcourse guidance for medium-range air-to-air missiles", J. Guidance 13(4), 1990, on
    why a climb to thin air pays and the loft must shrink as the intercept nears): with n = 1
    the offset of the aim direction above the line of sight is proportional to the flight
    fraction to go, the property of a parabolic arc (slope − line-of-sight slope = 4H/D × the
    fraction of range to go, apex H), so every shot starts at the same climb angle,
    atan(loft_ratio), and comes down onto the PIP in proportion to its own length; n > 1
    pulls the arc down earlier, while the air is still dense enough to turn in. A loft
    referred to the distance alone (the earlier law) kept medium shots high until one seeker
    range from the PIP, too late to come down from at altitude: the reach had gaps. No loft
    within a seeker range; loft_max (per missile, may be inf) bounds the longest shots' climb.
    """
    e = np.maximum(dist_pip_m - seeker_range_m, 0.0)
    tau = t_go_s / np.maximum(t_go_s + t_flight_s, 1e-9)
    return np.minimum(loft_ratio * e, loft_max_m) * tau ** fade_exponent


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
