"""Structure-of-arrays state: one dataclass of NumPy arrays per kind of object.

Every vector has its components on the trailing axis, in the scenario ENU frame, SI units.
Sizes are fixed when the scenario is compiled; ``alive``/``active`` masks say which rows count.
Stages return new arrays; the engine builds the next state with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim.tracking.detections import Detections  # noqa: F401  one type: sensing output = tracker input


@dataclass(frozen=True)
class Threats:
    """Raiders. Truth state plus the compiled trajectory each one flies (:mod:`iadsim.threats`)."""

    id: np.ndarray  # (n,) int, stable
    raid_idx: np.ndarray  # (n,) int index into scenario.raids
    target_idx: np.ndarray  # (n,) int index into assets
    kind: np.ndarray  # (n,) str: aircraft, cruise_missile, ballistic, drone
    rcs_front_m2: np.ndarray  # (n,)
    rcs_side_m2: np.ndarray  # (n,)
    rcs_rear_m2: np.ndarray  # (n,)
    swerling: np.ndarray  # (n,) int 0-4
    weight: np.ndarray  # (n,) threat weight for threat evaluation
    vulnerability: np.ndarray  # (n,) the threat's own vulnerability in the kill draw (catalog, overrides applied)
    route_idx: np.ndarray  # (n,) int: the trajectory template the raider flies (raiders of a raid share one)
    t_start_s: np.ndarray  # (n,) when the raider starts its template
    knot_pos_enu_m: np.ndarray  # (m, K, 3) template knots (padded with the last knot)
    knot_vel_enu_mps: np.ndarray  # (m, K, 3) velocity at each knot
    knot_dt_s: np.ndarray  # (m,) knot spacing; knot k is at min(k * knot_dt_s, route_duration_s)
    route_duration_s: np.ndarray  # (m,) time from the template's start to its end (leak or impact)
    n_knots: np.ndarray  # (m,) int knots used by each template (>= 2)
    knot_coef: np.ndarray  # (m, K-1, 4, 3) cubic coefficients of each interval (threats.hermite_coefficients)
    knot_span_s: np.ndarray  # (m, K-1) length of each interval
    pos_enu_m: np.ndarray  # (n, 3)
    vel_enu_mps: np.ndarray  # (n, 3)
    active: np.ndarray  # (n,) bool: launched and not yet finished
    alive: np.ndarray  # (n,) bool: not killed, not leaked
    fate: np.ndarray  # (n,) object: "" | killed | leaked
    fate_t_s: np.ndarray  # (n,) time of the fate, NaN while none

    @property
    def route_t_s(self) -> np.ndarray:
        """(n, 2) start and end time of each raider's trajectory."""
        return np.stack([self.t_start_s, self.t_start_s + self.route_duration_s[self.route_idx]], axis=1)


@dataclass(frozen=True)
class Radars:
    """Every radar of every unit."""

    PARAMS = ("frequency_hz", "peak_power_w", "pulse_width_s", "bandwidth_hz", "gain_db", "noise_figure_db",
              "losses_db", "n_pulses", "pfa", "scan_period_s", "beamwidth_az_rad", "beamwidth_el_rad",
              "az_sector_rad", "el_min_rad", "el_max_rad", "min_range_m", "max_range_m",
              "range_accuracy_floor_m", "angle_accuracy_floor_rad", "dwell_s", "range_rate_accuracy_floor_mps")

    unit_idx: np.ndarray  # (r,) int
    name: list  # (r,) profile names
    is_engagement: np.ndarray  # (r,) bool: the unit's engagement (fire-control) radar
    pos_enu_m: np.ndarray  # (r, 3) antenna phase centre
    height_m: np.ndarray  # (r,) antenna height above the scenario ground
    rot_local_from_enu: np.ndarray  # (r, 3, 3) scenario ENU axes -> the site's own ENU axes
    facing_rad: np.ndarray  # (r,) boresight azimuth of a sector radar
    frequency_hz: np.ndarray
    peak_power_w: np.ndarray
    pulse_width_s: np.ndarray
    bandwidth_hz: np.ndarray
    gain_db: np.ndarray
    noise_figure_db: np.ndarray
    losses_db: np.ndarray
    n_pulses: np.ndarray
    pfa: np.ndarray
    scan_period_s: np.ndarray
    beamwidth_az_rad: np.ndarray
    beamwidth_el_rad: np.ndarray
    az_sector_rad: np.ndarray
    el_min_rad: np.ndarray
    el_max_rad: np.ndarray
    min_range_m: np.ndarray
    max_range_m: np.ndarray
    range_accuracy_floor_m: np.ndarray
    angle_accuracy_floor_rad: np.ndarray
    dwell_s: np.ndarray  # (r,) coherent processing time of a dwell (range-rate accuracy)
    range_rate_accuracy_floor_mps: np.ndarray
    next_scan_t_s: np.ndarray  # (r,) when each radar next looks
    band: list = field(default_factory=list)  # (r,) IEEE band letter of frequency_hz
    rcs_factor_by_raid: np.ndarray = None  # (r, raids) band RCS factor of each raid's threat at this radar's band
    sidelobe_level_db: np.ndarray = None  # (r,) average side-lobe level, dB below the main beam (iadsim.ea.jamming)


@dataclass(frozen=True)
class Weapons:
    """Weapon types: one row per (unit, missile) pair of the loadout."""

    # figures copied from the missile profile (SI keys of iadsim.catalog.si)
    PARAMS = ("max_range_m", "max_range_ballistic_m", "min_range_m", "max_altitude_m", "min_altitude_m",
              "max_target_speed_mps", "unit_cost")

    unit_idx: np.ndarray  # (w,) int
    name: list  # (w,) missile names
    rounds: np.ndarray  # (w,) int inventory at the start: loaded (n_launchers × rails) + reload stock
    max_range_m: np.ndarray
    max_range_ballistic_m: np.ndarray
    min_range_m: np.ndarray
    max_altitude_m: np.ndarray
    min_altitude_m: np.ndarray
    max_flight_time_s: np.ndarray  # (w,) longest flyout time of flight to a reachable point (compile.longest_flight_s)
    max_target_speed_mps: np.ndarray
    pk: np.ndarray  # (w,) single-shot Pk at zero miss, the warhead model's flyout.pk_max (one Pk, one place)
    unit_cost: np.ndarray  # (w,) notional relative cost of one round (cheapest-interceptor rules)
    n_launchers: np.ndarray  # (w,) int launchers carrying this missile
    rails: np.ndarray  # (w,) int rounds per launcher
    reload_rounds: np.ndarray  # (w,) int reload stock (rounds on the reload vehicles)
    launch_on_remote: np.ndarray = None  # (w,) bool: may be launched on a command post's fused track (missile catalog)


@dataclass(frozen=True)
class Units:
    """Air-defence units (fire units: battalion / battery)."""

    name: list
    system: list
    pos_enu_m: np.ndarray  # (u, 3) ground position of the unit
    channels_targets: np.ndarray  # (u,) targets engaged at once
    channels_missiles: np.ndarray  # (u,) missiles guided at once
    reaction_time_s: np.ndarray  # (u,) decision to launch
    c2_cycle_s: np.ndarray  # (u,)
    salvo: np.ndarray  # (u,) rounds per engagement
    weapons_free: np.ndarray  # (u,) bool
    reserve_rounds: np.ndarray  # (u,) rounds kept back per weapon type
    mode: list  # (u,) "shoot_look_shoot" | "salvo"
    salvo_spacing_s: np.ndarray  # (u,) time between the rounds of one salvo
    wta_method: list  # (u,) "heuristic" | "mmr" | "exact"
    assessment_looks: np.ndarray  # (u,) int engagement-radar looks before the kill assessment
    reload_time_s: np.ndarray  # (u,) one launcher reloaded by one vehicle; 0 = no reload
    reload_vehicles: np.ndarray  # (u,) int launchers reloaded at once
    class_weight: np.ndarray  # (u, 4) threat weight per class (iadsim.c2.threat_eval.THREAT_CLASSES)
    class_salvo: np.ndarray  # (u, 4) int rounds per engagement per class, 0 = the unit's salvo
    class_policy: np.ndarray  # (u, 4) int 0 any interceptor, 1 the cheapest only, 2 none
    is_sensor: np.ndarray = None  # (u,) bool: a standalone sensor site (scenario ``sensors``, after the fire
    # units): radars and a tracker, no weapons, no C2 (iadsim.network); None = no sensor rows


@dataclass(frozen=True)
class Assets:
    name: list
    pos_enu_m: np.ndarray  # (a, 3)
    value: np.ndarray  # (a,)
    radius_m: np.ndarray  # (a,)


@dataclass(frozen=True)
class World:
    threats: Threats
    units: Units
    radars: Radars
    weapons: Weapons
    assets: Assets
    earth_centre_enu_m: np.ndarray  # (3,) gravity points here
    effective_radius_m: float  # effective earth radius for the radar horizon
    origin: object  # geo.Origin of the scenario ENU frame
    ground_alt_m: float  # scenario ground level above the ellipsoid
    extra: dict = field(default_factory=dict)
    network: object = None  # iadsim.network.model.Network: command posts and links; None = every unit autonomous
