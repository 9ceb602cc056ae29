"""Ballistic raids: trajectory templates from :mod:`iadsim.physics.ballistic`, and their checks.

The boost phase is not modelled: a raider appears at burnout, ``burnout_alt_m`` (catalog) above
the launch point, and coasts on a ballistic arc (closed form in vacuum, or ISA drag with the
catalog ballistic coefficient, aim corrected by shooting) onto the target asset, with the
optional terminal weave of the raid. The sphere of the arc is centred on the earth's centre
with the geocentric radius of the ellipsoid at the aim point, so heights near the target (where
drag matters) are the WGS-84 heights.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from iadsim import geo
from iadsim.constants import G0_MPS2
from iadsim.physics.ballistic import TerminalManoeuvre, ballistic_trajectory, kepler_arc

KNOT_DT_S = 0.5  # RK4 step of the arc = knot spacing of ballistic templates


def geometry(origin: geo.Origin, ground_alt_m: float, launch, aim_lat_deg, aim_lon_deg, aim_agl_m, burnout_alt_m):
    """(burnout point, aim point, earth centre, sphere radius) in scenario ENU, m."""
    start = geo.geodetic_to_enu(np.radians(launch.lat_deg), np.radians(launch.lon_deg), ground_alt_m + burnout_alt_m, origin)
    aim = geo.geodetic_to_enu(np.radians(aim_lat_deg), np.radians(aim_lon_deg), ground_alt_m + aim_agl_m, origin)
    centre = np.asarray(origin.earth_centre_enu_m, float)
    radius = float(np.linalg.norm(aim - centre)) - (ground_alt_m + aim_agl_m)
    return start, aim, centre, radius


def check(launch, prof: dict, start, aim, centre, radius) -> list[tuple[tuple, str]]:
    """Problems of one ballistic raid as (field path inside the raid, message); empty if it can fly."""
    ground_m = radius * np.arccos(np.clip((start - centre) @ (aim - centre) /
                                          (np.linalg.norm(start - centre) * np.linalg.norm(aim - centre)), -1, 1))
    max_m, min_m = prof["max_range_m"], prof.get("min_range_m", 0.0)
    if ground_m > max_m:
        return [(("target",), f"the target is {ground_m / 1e3:.0f} km from the launch point (ballistic.lat_deg/lon_deg), "
                              f"beyond the {max_m / 1e3:.0f} km maximum range of this threat (catalog max_range)")]
    if ground_m < min_m:
        return [(("target",), f"the target is {ground_m / 1e3:.0f} km from the launch point, inside the "
                              f"{min_m / 1e3:.0f} km minimum range of this threat (catalog min_range)")]
    field = "burnout_speed_mps" if launch.burnout_speed_mps is not None else "apogee_alt_m"
    try:
        kepler_arc(start, aim, centre, radius, burnout_speed_mps=launch.burnout_speed_mps,
                   apogee_alt_m=launch.apogee_alt_m, lofted=launch.lofted)
    except ValueError as exc:
        msg = str(exc).removeprefix("aim_pos_enu_m: ")
        return [(("ballistic", field), f"no ballistic arc to the target: {msg}")]
    return []


def terminal_manoeuvre(terminal, turn_g: float, ground_alt_m: float) -> TerminalManoeuvre | None:
    """The raid's weave for the arc (start height above the sphere), capped at the threat's turn_g."""
    if terminal is None or terminal.weave_g is None or terminal.weave_below_alt_agl_m is None:
        return None
    return TerminalManoeuvre(ground_alt_m + terminal.weave_below_alt_agl_m, min(terminal.weave_g, turn_g) * G0_MPS2,
                             terminal.weave_period_s)


def template(start, aim, centre, radius, launch, beta_kgpm2, manoeuvre):
    """Knots (pos_enu_m (k, 3), vel_enu_mps (k, 3), duration_s) of a ballistic raid; cached (pure).

    Knot k is at k·KNOT_DT_S, the last one (impact on the aim height) at duration_s.
    """
    man = None if manoeuvre is None else (manoeuvre.start_alt_m, manoeuvre.accel_mps2, manoeuvre.period_s)
    return _template(tuple(map(float, start)), tuple(map(float, aim)), tuple(map(float, centre)), float(radius),
                     launch.burnout_speed_mps, launch.apogee_alt_m, bool(launch.lofted),
                     float(beta_kgpm2) if launch.drag else None, man)


@lru_cache(maxsize=64)
def _template(start, aim, centre, radius, burnout_speed, apogee, lofted, beta, man):
    traj = ballistic_trajectory(np.array(start), np.array(aim), np.array(centre), radius,
                                burnout_speed_mps=burnout_speed, apogee_alt_m=apogee, lofted=lofted,
                                ballistic_coefficient_kgpm2=beta,
                                manoeuvre=None if man is None else TerminalManoeuvre(*man), dt_s=KNOT_DT_S)
    return traj.pos_enu_m, traj.vel_enu_mps, float(traj.t_s[-1])
