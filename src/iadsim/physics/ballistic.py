"""Ballistic threat trajectories: vacuum Kepler arcs (closed form) and drag-perturbed flight.

Frame: scenario ENU (m); the earth is a sphere of radius ``earth_radius_m`` about
``earth_centre_enu_m`` with point-mass gravity −GM·r/|r|³ toward its centre. The launch
point is the *burnout* point (the boost phase is not modelled): the missile leaves it with
the burnout speed, coasts, and ends on the aim point.

Closed form (Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, §6.2 "the free-flight
range equation"): with ν = v²·r1/GM, flight-path angle γ at burnout and range angle Ψ
between burnout and aim radii r1, r2, the conic through both points needs
``ν = r2 (1 − cos Ψ) / (r1 cos²γ − r2 cos γ cos(γ + Ψ))``. For a given speed the two
roots in γ are the depressed and lofted trajectories; the minimum of ν(γ) is the
minimum-energy (maximum-range) shot. Time of flight from Kepler's equation.

With drag, :func:`ballistic_trajectory` integrates with RK4 in the ISA 1976 atmosphere with
a constant ballistic coefficient β = m/(CD·A) and corrects the aim by shooting until the
impact lands on the aim point. An optional terminal manoeuvre (sinusoidal weave below an
altitude) is flown in the final pass; it is a scenario input, nothing here optimises it.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.physics.atmosphere import density_speed_of_sound

NU_ESCAPE = 2.0 - 1e-9  # ν = v² r / GM; 2 is escape speed


@dataclass(frozen=True, slots=True)
class KeplerArc:
    """A vacuum ballistic arc between two points (closed form). SI units, ENU frame."""

    launch_pos_enu_m: np.ndarray
    aim_pos_enu_m: np.ndarray
    burnout_speed_mps: float
    flight_path_angle_rad: float
    range_angle_rad: float
    ground_range_m: float
    apogee_alt_m: float
    time_of_flight_s: float
    burnout_vel_enu_mps: np.ndarray
    eccentricity: float


@dataclass(frozen=True, slots=True)
class TerminalManoeuvre:
    """Sinusoidal weave normal to the velocity, in the local horizontal plane.

    Starts below ``start_alt_m``: a(t) = accel_mps2 · cos(2π (t − t_start) / period_s), so the
    lateral velocity a/ω·sin(ωt) swings about zero and the lateral offset stays within 2a/ω²
    of the unmanoeuvred path (a sine in acceleration would add a steady a/ω drift, ~2 km of
    miss for a 10 g, 6 s weave over the last 25 s).
    """

    start_alt_m: float
    accel_mps2: float
    period_s: float


@dataclass(frozen=True, slots=True)
class BallisticTrajectory:
    """Sampled trajectory: t_s (k,), pos_enu_m (k, 3), vel_enu_mps (k, 3); the last sample
    is the impact (interpolated to the aim altitude)."""

    t_s: np.ndarray
    pos_enu_m: np.ndarray
    vel_enu_mps: np.ndarray
    arc: KeplerArc
    impact_pos_enu_m: np.ndarray
    impact_error_m: float


def _nu_of_gamma(gamma, r1, r2, psi):
    den = r1 * np.cos(gamma) ** 2 - r2 * np.cos(gamma) * np.cos(gamma + psi)
    return r2 * (1.0 - np.cos(psi)) / den


def _gamma_floor(r1, r2, psi):
    """Lowest γ for which a conic reaches r2 at range angle ψ (denominator > 0)."""
    return np.arctan2(-(r1 - r2 * np.cos(psi)), r2 * np.sin(psi))


def _orbit(nu, gamma, r1):
    """(p, e, θ1): semi-latus rectum, eccentricity, true anomaly at burnout."""
    p = r1 * nu * np.cos(gamma) ** 2
    ec, es = nu * np.cos(gamma) ** 2 - 1.0, nu * np.cos(gamma) * np.sin(gamma)
    return p, np.hypot(ec, es), np.arctan2(es, ec)


def _max_radius_on_arc(nu, gamma, r1, r2, psi):
    p, e, th1 = _orbit(nu, gamma, r1)
    th2 = th1 + psi
    if e >= 1.0:
        return np.inf  # escape: no apogee
    if th1 < np.pi < th2:  # the arc passes apoapsis (θ = π)
        return p / (1.0 - e)
    return max(r1, r2)


def _eccentric_anomaly(theta, e):
    return 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(theta / 2), np.sqrt(1.0 + e) * np.cos(theta / 2))


def _time_of_flight(nu, gamma, r1, psi):
    p, e, th1 = _orbit(nu, gamma, r1)
    if e >= 1.0:
        raise ValueError("burnout_speed_mps: escape speed or above; not a ballistic missile")
    a = p / (1.0 - e * e)
    e1 = _eccentric_anomaly(th1, e)
    e2 = _eccentric_anomaly(th1 + psi, e)
    # unwrap so that E increases with the true anomaly over the arc
    e2 = e2 + 2 * np.pi * np.ceil((e1 - e2) / (2 * np.pi)) if e2 < e1 else e2
    m1, m2 = e1 - e * np.sin(e1), e2 - e * np.sin(e2)
    return (m2 - m1) * np.sqrt(a**3 / GM_EARTH_M3PS2)


def kepler_arc(launch_pos_enu_m, aim_pos_enu_m, earth_centre_enu_m, earth_radius_m, *,
               burnout_speed_mps=None, apogee_alt_m=None, lofted=False,
               max_range_m=None) -> KeplerArc:
    """Vacuum ballistic arc from the burnout point to the aim point (closed form).

    Give exactly one of ``burnout_speed_mps`` (then ``lofted`` picks the high root) or
    ``apogee_alt_m`` (above the sphere). ``max_range_m`` (ground range) is the missile's
    range: an aim point beyond it, or beyond what the burnout speed can reach, raises
    ValueError naming the field and the numbers.
    """
    c = np.asarray(earth_centre_enu_m, float)
    p1 = np.asarray(launch_pos_enu_m, float)
    p2 = np.asarray(aim_pos_enu_m, float)
    if (burnout_speed_mps is None) == (apogee_alt_m is None):
        raise ValueError("give exactly one of burnout_speed_mps or apogee_alt_m")
    v1, v2 = p1 - c, p2 - c
    r1, r2 = float(np.linalg.norm(v1)), float(np.linalg.norm(v2))
    psi = float(np.arccos(np.clip(v1 @ v2 / (r1 * r2), -1.0, 1.0)))
    ground_m = earth_radius_m * psi
    if psi < 1e-7:
        raise ValueError("aim_pos_enu_m: aim point coincides with the launch point")
    if max_range_m is not None and ground_m > max_range_m:
        raise ValueError(f"aim_pos_enu_m: ground range {ground_m / 1e3:.1f} km is beyond the "
                         f"missile's max_range_m = {max_range_m / 1e3:.1f} km")
    g_lo = _gamma_floor(r1, r2, psi) + 1e-7
    g_hi = np.pi / 2 - 1e-7
    opt = minimize_scalar(lambda g: _nu_of_gamma(g, r1, r2, psi), bounds=(g_lo, g_hi),
                          method="bounded", options={"xatol": 1e-12})
    g_opt, nu_min = float(opt.x), float(opt.fun)
    if burnout_speed_mps is not None:
        v = float(burnout_speed_mps)
        if not np.isfinite(v) or v <= 0.0:
            raise ValueError(f"burnout_speed_mps must be > 0, got {burnout_speed_mps}")
        nu = v * v * r1 / GM_EARTH_M3PS2
        if nu < nu_min:
            v_need = np.sqrt(nu_min * GM_EARTH_M3PS2 / r1)
            raise ValueError(
                f"aim_pos_enu_m: ground range {ground_m / 1e3:.1f} km is beyond the reach of "
                f"burnout_speed_mps = {v:.0f} m/s (needs at least {v_need:.0f} m/s)")
        f = lambda g: _nu_of_gamma(g, r1, r2, psi) - nu  # noqa: E731
        gamma = brentq(f, g_opt, g_hi, xtol=1e-14) if lofted else brentq(f, g_lo, g_opt,
                                                                          xtol=1e-14)
    else:
        target_r = earth_radius_m + float(apogee_alt_m)
        if nu_min >= NU_ESCAPE:
            raise ValueError(f"aim_pos_enu_m: {ground_m / 1e3:.1f} km needs escape speed")
        # bracket the elliptic (ν < 2) part of each branch; apogee rises with γ along it
        nu_f = lambda g: _nu_of_gamma(g, r1, r2, psi) - NU_ESCAPE  # noqa: E731
        g_a = brentq(nu_f, g_lo, g_opt, xtol=1e-14) + 1e-9
        g_b = brentq(nu_f, g_opt, g_hi, xtol=1e-14) - 1e-9

        def excess(g):
            return _max_radius_on_arc(_nu_of_gamma(g, r1, r2, psi), g, r1, r2, psi) - target_r
        if excess(g_b) < 0.0:
            raise ValueError(f"apogee_alt_m = {apogee_alt_m:.0f} m is unreachable")
        if excess(g_a) > 0.0:
            raise ValueError(f"apogee_alt_m = {apogee_alt_m:.0f} m is too low for a ballistic "
                             f"arc over {ground_m / 1e3:.1f} km")
        gamma = brentq(excess, g_a, g_b, xtol=1e-14)
        nu = float(_nu_of_gamma(gamma, r1, r2, psi))
        v = float(np.sqrt(nu * GM_EARTH_M3PS2 / r1))
    up = v1 / r1
    horiz = v2 - (v2 @ up) * up
    horiz /= np.linalg.norm(horiz)
    vel = v * (np.cos(gamma) * horiz + np.sin(gamma) * up)
    apo_r = _max_radius_on_arc(nu, gamma, r1, r2, psi)
    _, e, _ = _orbit(nu, gamma, r1)
    return KeplerArc(p1, p2, v, float(gamma), psi, ground_m, apo_r - earth_radius_m,
                     float(_time_of_flight(nu, gamma, r1, psi)), vel, float(e))


def _deriv(pos, vel, t_s, centre, radius_m, beta, manoeuvre, t_start):
    r = pos - centre
    rn = np.linalg.norm(r)
    acc = -GM_EARTH_M3PS2 * r / rn**3
    alt = rn - radius_m
    if beta is not None:
        rho, _ = density_speed_of_sound(alt)
        acc = acc - 0.5 * float(rho) * np.linalg.norm(vel) * vel / beta
    if manoeuvre is not None and t_start is not None:
        up = r / rn
        side = np.cross(vel, up)
        sn = np.linalg.norm(side)
        if sn > 0:
            phase = 2 * np.pi * (t_s - t_start) / manoeuvre.period_s
            acc = acc + manoeuvre.accel_mps2 * np.cos(phase) * side / sn
    return acc


def propagate_ballistic(pos0_enu_m, vel0_enu_mps, earth_centre_enu_m, earth_radius_m, *,
                        stop_alt_m, ballistic_coefficient_kgpm2=None, manoeuvre=None,
                        dt_s=0.5, max_time_s=7200.0):
    """RK4 coast from a burnout state until the altitude falls below ``stop_alt_m``.

    ballistic_coefficient_kgpm2: β = m/(CD·A); None for vacuum. Returns (t_s (k,),
    pos (k, 3), vel (k, 3)); the last sample is interpolated onto ``stop_alt_m``.
    """
    c = np.asarray(earth_centre_enu_m, float)
    pos = np.array(pos0_enu_m, float)
    vel = np.array(vel0_enu_mps, float)
    ts, ps, vs = [0.0], [pos.copy()], [vel.copy()]
    t, t_man = 0.0, None
    beta = ballistic_coefficient_kgpm2
    climbing_done = False
    while t < max_time_s:
        if manoeuvre is not None and t_man is None and climbing_done:
            if np.linalg.norm(pos - c) - earth_radius_m < manoeuvre.start_alt_m:
                t_man = t
        args = (c, earth_radius_m, beta, manoeuvre, t_man)
        k1v = _deriv(pos, vel, t, *args)
        k2v = _deriv(pos + 0.5 * dt_s * vel, vel + 0.5 * dt_s * k1v, t + 0.5 * dt_s, *args)
        k3v = _deriv(pos + 0.5 * dt_s * (vel + 0.5 * dt_s * k1v), vel + 0.5 * dt_s * k2v,
                     t + 0.5 * dt_s, *args)
        k4v = _deriv(pos + dt_s * (vel + 0.5 * dt_s * k2v), vel + dt_s * k3v, t + dt_s, *args)
        new_pos = pos + dt_s * (vel + dt_s / 6.0 * (k1v + k2v + k3v))
        new_vel = vel + dt_s / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
        t += dt_s
        climbing_done = climbing_done or (new_vel @ (new_pos - c) < 0.0)
        alt_new = np.linalg.norm(new_pos - c) - earth_radius_m
        if climbing_done and alt_new < stop_alt_m:
            alt_old = np.linalg.norm(pos - c) - earth_radius_m
            f = (alt_old - stop_alt_m) / (alt_old - alt_new)
            # cubic Hermite interpolation of the crossing (positions accurate to O(dt^4))
            h00, h10 = 2 * f**3 - 3 * f**2 + 1, f**3 - 2 * f**2 + f
            h01, h11 = -2 * f**3 + 3 * f**2, f**3 - f**2
            p_hit = h00 * pos + h10 * dt_s * vel + h01 * new_pos + h11 * dt_s * new_vel
            ts.append(t - dt_s + f * dt_s)
            ps.append(p_hit)
            vs.append(vel + f * (new_vel - vel))
            return np.array(ts), np.array(ps), np.array(vs)
        pos, vel = new_pos, new_vel
        ts.append(t)
        ps.append(pos.copy())
        vs.append(vel.copy())
    raise ValueError(f"max_time_s = {max_time_s} s reached before impact")


def ballistic_trajectory(launch_pos_enu_m, aim_pos_enu_m, earth_centre_enu_m, earth_radius_m,
                         *, burnout_speed_mps=None, apogee_alt_m=None, lofted=False,
                         ballistic_coefficient_kgpm2=None, manoeuvre=None, dt_s=0.5,
                         max_range_m=None, aim_tolerance_m=25.0,
                         max_iterations=12) -> BallisticTrajectory:
    """Trajectory from burnout to the aim point, vacuum or with ISA drag (shooting method).

    Vacuum: the closed-form arc, sampled by RK4. With drag (``ballistic_coefficient_kgpm2``):
    the aim point of the vacuum solution is moved by the impact error until the drag-
    perturbed impact lands within ``aim_tolerance_m`` of the real aim point. A manoeuvre, if
    given, is flown in the final pass only (its impact offset is reported, not corrected).
    """
    c = np.asarray(earth_centre_enu_m, float)
    aim = np.asarray(aim_pos_enu_m, float)
    aim_alt = float(np.linalg.norm(aim - c) - earth_radius_m)
    kw = dict(burnout_speed_mps=burnout_speed_mps, apogee_alt_m=apogee_alt_m, lofted=lofted)
    arc = kepler_arc(launch_pos_enu_m, aim, c, earth_radius_m, max_range_m=max_range_m, **kw)
    virtual = aim.copy()
    err = np.inf
    for _ in range(max_iterations if ballistic_coefficient_kgpm2 is not None else 1):
        arc_v = kepler_arc(launch_pos_enu_m, virtual, c, earth_radius_m, **kw)
        t, p, v = propagate_ballistic(arc_v.launch_pos_enu_m, arc_v.burnout_vel_enu_mps, c,
                                      earth_radius_m, stop_alt_m=aim_alt,
                                      ballistic_coefficient_kgpm2=ballistic_coefficient_kgpm2,
                                      dt_s=dt_s)
        miss = aim - p[-1]
        err = float(np.linalg.norm(miss))
        if err < aim_tolerance_m or ballistic_coefficient_kgpm2 is None:
            break
        # move the virtual aim by the miss, kept on the aim altitude's sphere
        nv = virtual + miss
        virtual = c + (nv - c) * (np.linalg.norm(aim - c) / np.linalg.norm(nv - c))
    else:
        raise ValueError(f"aim_pos_enu_m: drag-perturbed trajectory missed by {err:.0f} m after "
                         f"{max_iterations} corrections; the aim may be beyond reach with drag")
    if manoeuvre is not None:
        t, p, v = propagate_ballistic(arc_v.launch_pos_enu_m, arc_v.burnout_vel_enu_mps, c,
                                      earth_radius_m, stop_alt_m=aim_alt,
                                      ballistic_coefficient_kgpm2=ballistic_coefficient_kgpm2,
                                      manoeuvre=manoeuvre, dt_s=dt_s)
        err = float(np.linalg.norm(aim - p[-1]))
    return BallisticTrajectory(t, p, v, arc_v if ballistic_coefficient_kgpm2 else arc, p[-1],
                               err)
