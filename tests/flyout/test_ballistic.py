"""Ballistic arcs: closed form vs numerical integration, drag, manoeuvre, bad inputs."""

import numpy as np
import pytest

from iadsim.constants import GM_EARTH_M3PS2
from iadsim.physics.ballistic import (
    TerminalManoeuvre,
    ballistic_trajectory,
    kepler_arc,
    propagate_ballistic,
)

R_M = 6_371_000.0
CENTRE = np.array([0.0, 0.0, -R_M])


def _surface_point(ground_m, alt_m=0.0, az_rad=0.3):
    ang = ground_m / R_M
    d = np.array([np.sin(ang) * np.sin(az_rad), np.sin(ang) * np.cos(az_rad), np.cos(ang)])
    return CENTRE + (R_M + alt_m) * d


@pytest.mark.parametrize("lofted", [False, True], ids=["depressed", "lofted"])
def test_vacuum_arc_matches_closed_form(lofted):
    aim = _surface_point(300e3)
    arc = kepler_arc(np.zeros(3), aim, CENTRE, R_M, burnout_speed_mps=1800.0, lofted=lofted)
    t, p, v = propagate_ballistic(arc.launch_pos_enu_m, arc.burnout_vel_enu_mps, CENTRE, R_M,
                                  stop_alt_m=0.0, dt_s=0.25)
    alt = np.linalg.norm(p - CENTRE, axis=1) - R_M
    tol_m = 5.0
    assert np.linalg.norm(p[-1] - aim) < tol_m
    assert alt.max() == pytest.approx(arc.apogee_alt_m, abs=tol_m)
    assert t[-1] == pytest.approx(arc.time_of_flight_s, abs=0.01)
    assert arc.ground_range_m == pytest.approx(300e3)


def test_speed_below_minimum_energy_raises_naming_the_field():
    # equal radii: the minimum-energy shot has sin(Ψ/2) = ν/(2 − ν) (Bate, Mueller & White §6.2)
    aim = _surface_point(500e3)
    psi = 500e3 / R_M
    nu = 2 * np.sin(psi / 2) / (1 + np.sin(psi / 2))
    v_min = np.sqrt(nu * GM_EARTH_M3PS2 / R_M)
    kepler_arc(np.zeros(3), aim, CENTRE, R_M, burnout_speed_mps=v_min * 1.0001)
    with pytest.raises(ValueError, match="burnout_speed_mps"):
        kepler_arc(np.zeros(3), aim, CENTRE, R_M, burnout_speed_mps=v_min * 0.999)


def test_aim_beyond_missile_range_raises():
    with pytest.raises(ValueError, match="aim_pos_enu_m.*max_range_m"):
        kepler_arc(np.zeros(3), _surface_point(600e3), CENTRE, R_M, burnout_speed_mps=2500.0,
                   max_range_m=500e3)
    with pytest.raises(ValueError, match="exactly one"):
        kepler_arc(np.zeros(3), _surface_point(100e3), CENTRE, R_M)


def test_apogee_specification_round_trip():
    aim = _surface_point(300e3)
    arc = kepler_arc(np.zeros(3), aim, CENTRE, R_M, apogee_alt_m=90e3)
    assert arc.apogee_alt_m == pytest.approx(90e3, abs=1.0)
    again = kepler_arc(np.zeros(3), aim, CENTRE, R_M, burnout_speed_mps=arc.burnout_speed_mps,
                       lofted=arc.flight_path_angle_rad > 0.7)
    assert again.flight_path_angle_rad == pytest.approx(arc.flight_path_angle_rad, abs=1e-6)
    with pytest.raises(ValueError, match="apogee_alt_m"):
        kepler_arc(np.zeros(3), aim, CENTRE, R_M, apogee_alt_m=-1_000.0)  # below both ends


def test_drag_trajectory_hits_aim_and_is_slower():
    launch = np.array([0.0, 0.0, 30e3])  # burnout point at 30 km
    launch.flags.writeable = False
    aim = _surface_point(300e3)
    aim.flags.writeable = False
    vac = ballistic_trajectory(launch, aim, CENTRE, R_M, apogee_alt_m=80e3)
    drag = ballistic_trajectory(launch, aim, CENTRE, R_M, apogee_alt_m=80e3,
                                ballistic_coefficient_kgpm2=5000.0)
    assert drag.impact_error_m < 25.0
    assert np.linalg.norm(drag.vel_enu_mps[-1]) < np.linalg.norm(vac.vel_enu_mps[-1])
    man = ballistic_trajectory(launch, aim, CENTRE, R_M, apogee_alt_m=80e3,
                               ballistic_coefficient_kgpm2=5000.0,
                               manoeuvre=TerminalManoeuvre(20e3, 30.0, 4.0))
    # a symmetric weave (zero-mean lateral velocity) displaces the impact by at most 2a/ω²
    # (24 m here) on top of the drag aim tolerance
    omega = 2 * np.pi / 4.0
    assert man.impact_error_m < 2 * 30.0 / omega**2 + 25.0 + 5.0
    assert man.t_s.shape[0] == man.pos_enu_m.shape[0]
