"""Interceptor guidance laws, batched over missiles; pure functions of (n, 3) ENU arrays.

Midcourse: steer the velocity toward a predicted intercept point (PIP) computed from the
track estimate, raised by a loft that shrinks with the distance to go. Terminal: true
proportional navigation (TPN), optionally augmented (APN) with N'/2 times the target's
acceleration normal to the line of sight. Both add gravity compensation. References:
Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed., ch. 2 (PN), ch. 8 (APN);
Siouris, *Missile Guidance and Control Systems*, §4.3 (true PN).

The commanded acceleration is returned unlimited; :func:`limit_lateral` projects it normal
to the missile velocity (an aerodynamic lift cannot act along it) and clips its magnitude.
"""

import numpy as np


def _dot(a, b):
    return np.einsum("ij,ij->i", a, b)


def _cross(a, b):
    """Row-wise cross product of (n, 3) arrays (faster than np.cross for small n)."""
    ax, ay, az = a[:, 0], a[:, 1], a[:, 2]
    bx, by, bz = b[:, 0], b[:, 1], b[:, 2]
    return np.stack([ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx], axis=1)


def time_to_intercept_s(rel_pos_m, tgt_vel_mps, speed_mps):
    """Time t > 0 at which a missile flying straight at *speed_mps* meets the target.

    Solves |rel_pos + tgt_vel·t| = speed·t (target at constant velocity, relative position
    target − missile). Where no positive root exists (target too fast) returns
    |rel_pos| / speed, i.e. a chase toward the present position. Shapes (n, 3), (n, 3), (n,).
    """
    a = _dot(tgt_vel_mps, tgt_vel_mps) - speed_mps**2
    b = 2.0 * _dot(rel_pos_m, tgt_vel_mps)
    c = _dot(rel_pos_m, rel_pos_m)
    fallback = np.sqrt(c) / speed_mps
    disc = b * b - 4.0 * a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    small_a = np.abs(a) < 1e-9 * speed_mps**2
    safe_a = np.where(small_a, 1.0, a)
    t1 = (-b - sq) / (2.0 * safe_a)
    t2 = (-b + sq) / (2.0 * safe_a)
    lin = np.where(b < 0.0, -c / np.where(b < 0.0, b, -1.0), np.inf)
    big = np.where(t1 > 0.0, np.where(t2 > 0.0, np.minimum(t1, t2), t1),
                   np.where(t2 > 0.0, t2, np.inf))
    t = np.where(small_a, lin, np.where(disc >= 0.0, big, np.inf))
    return np.where(np.isfinite(t), t, fallback)


def predicted_intercept_point(pos_enu_m, est_pos_enu_m, est_vel_enu_mps, speed_mps):
    """PIP (n, 3) m ENU and time to go (n,) s for missiles at *pos_enu_m* (straight-line model)."""
    t_go = time_to_intercept_s(est_pos_enu_m - pos_enu_m, est_vel_enu_mps, speed_mps)
    return est_pos_enu_m + est_vel_enu_mps * t_go[:, None], t_go


def midcourse_accel(pos_enu_m, vel_enu_mps, aim_enu_m, gain, tau_max_s, grav_enu_mps2):
    """Heading-error steering toward a stationary aim point, plus gravity compensation.

    a = (V / τ)·(û_aim)⊥v − g⊥v with τ = min(R / (gain·V), tau_max_s): for large R this is
    PN against a stationary point (a = gain·V²·sin ε / R, Zarchan ch. 2); τ ≤ tau_max_s makes
    a vertically launched missile turn over promptly. If the aim is behind the missile the
    turn direction is normalised to a full-rate turn. Returns (n, 3) m/s², unlimited.
    """
    speed = np.sqrt(_dot(vel_enu_mps, vel_enu_mps))
    u_v = vel_enu_mps / np.maximum(speed, 1e-9)[:, None]
    los = aim_enu_m - pos_enu_m
    rng_m = np.sqrt(_dot(los, los))
    u_aim = los / np.maximum(rng_m, 1e-9)[:, None]
    cos_err = _dot(u_aim, u_v)
    perp = u_aim - cos_err[:, None] * u_v
    pn = np.sqrt(_dot(perp, perp))
    perp = np.where((cos_err < 0.0)[:, None], perp / np.maximum(pn, 1e-12)[:, None], perp)
    tau_s = np.minimum(rng_m / (gain * np.maximum(speed, 1.0)), tau_max_s)
    g_perp = grav_enu_mps2 - _dot(grav_enu_mps2, u_v)[:, None] * u_v
    return (speed / np.maximum(tau_s, 1e-3))[:, None] * perp - g_perp


def true_pn_accel(rel_pos_m, rel_vel_mps, nav_constant, tgt_acc_mps2=None, grav_enu_mps2=None):
    """True proportional navigation, optionally augmented, with gravity compensation.

    rel_pos_m, rel_vel_mps: (n, 3) target minus missile. a = N'·Vc·(Ω × û_los), with the
    line-of-sight rate Ω = (r × ṙ)/|r|² and closing speed Vc = −ṙ·û_los. APN adds
    (N'/2)·a_T⊥los (Zarchan eq. 8.1); gravity compensation subtracts g⊥los. (n, 3) m/s².
    """
    r2 = np.maximum(_dot(rel_pos_m, rel_pos_m), 1e-12)
    r = np.sqrt(r2)
    u_los = rel_pos_m / r[:, None]
    omega = _cross(rel_pos_m, rel_vel_mps) / r2[:, None]
    vc = -_dot(rel_vel_mps, u_los)
    acc = (nav_constant * vc)[:, None] * _cross(omega, u_los)
    if tgt_acc_mps2 is not None:
        at_perp = tgt_acc_mps2 - _dot(tgt_acc_mps2, u_los)[:, None] * u_los
        acc = acc + (0.5 * nav_constant)[:, None] * at_perp
    if grav_enu_mps2 is not None:
        acc = acc - (grav_enu_mps2 - _dot(grav_enu_mps2, u_los)[:, None] * u_los)
    return acc


def limit_lateral(acc_cmd_mps2, vel_enu_mps, a_max_mps2):
    """Component of the command normal to the velocity, magnitude clipped to a_max (n,) m/s²."""
    speed2 = np.maximum(_dot(vel_enu_mps, vel_enu_mps), 1e-12)
    a_perp = acc_cmd_mps2 - (_dot(acc_cmd_mps2, vel_enu_mps) / speed2)[:, None] * vel_enu_mps
    mag = np.sqrt(_dot(a_perp, a_perp))
    scale = np.minimum(1.0, a_max_mps2 / np.maximum(mag, 1e-12))
    return a_perp * scale[:, None]
