"""Compile a validated Scenario into the engine's structure-of-arrays World.

Here catalog profiles are resolved (with scenario overrides) and turned into SI numbers,
geodetic positions go to scenario ENU, and every raid's trajectory is flown once into a template
of knots (:mod:`iadsim.threats`) so that threats can be advanced for all raiders at once with
one interpolation. Nothing here runs per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from iadsim import catalog, geo
from iadsim.c2.stage import POLICIES
from iadsim.c2.threat_eval import THREAT_CLASSES
from iadsim.constants import G0_MPS2
from iadsim.flyout import params as flyout_params
from iadsim.sensing import band_letter, effective_earth_radius_m
import iadsim.threats as threat_motion
from iadsim.threats import ballistic as threat_ballistic, routes
from iadsim.ea import build as ea_build, releases
from iadsim.network.model import compile_network
from iadsim.scenario.models import Raid, Scenario, Sensor, Unit, Waypoint
from iadsim.state import Assets, Radars, Threats, Units, Weapons, World

DIVING_KINDS = ("cruise_missile", "drone", "ballistic")  # their route ends in a dive on the asset


def unit_profile(unit: Unit) -> dict:
    """A unit's merged profile in SI (:func:`unit_figures` converted by :func:`iadsim.catalog.si`)."""
    return catalog.si(unit_figures(unit))


def unit_figures(unit: Unit) -> dict:
    """A unit's merged raw profile: the system plus its radars and missiles, with overrides.

    The merged tree is ``{..system fields.., radar: {NAME: profile}, missile: {NAME: profile}}``;
    overrides follow the same nesting, e.g. ``{radar: {91N6E: {antenna_height: 30}}}``. The
    system's own overrides are applied first (they may change ``radars`` and ``loadout``, and
    ``launchers.count`` re-divides the loadout, :func:`iadsim.catalog.check_system`), then the
    radar and missile overrides to the radars and missiles the unit then has.
    Raises :class:`iadsim.catalog.CatalogError` with the override's path.
    """
    overrides = dict(unit.overrides)
    nested = {part: overrides.pop(part, {}) for part in ("radar", "missile")}
    prof = catalog.apply_overrides(catalog.profile("systems", unit.system), overrides, kind="systems")
    prof = catalog.check_system(prof, overrides)
    members = {"radar": ("radars", prof["radars"]), "missile": ("missiles", [e["missile"] for e in prof["loadout"]])}
    for part, (kind, have) in members.items():
        over = nested[part]
        if not isinstance(over, dict):
            raise catalog.CatalogError(f"expected a mapping of {kind} names to fields, got {over!r}", (part,))
        for name in over:
            if name not in have:
                raise catalog.CatalogError(f"the unit has no {kind[:-1]} {name!r}{catalog.suggest(name, have)}; "
                                           f"its {kind}: {', '.join(have)}", (part, name))
        prof[part] = {name: catalog.apply_overrides(catalog.profile(kind, name), over.get(name, {}), (part, name), kind=kind)
                      for name in have}
    return prof


# threat figures only one kind of raid flies by: refused as overrides of the other kind
ROUTE_ONLY = ("speed",)  # a ballistic raid's speed follows from its arc
BALLISTIC_ONLY = ("burnout_alt", "ballistic_coefficient_kgpm2")


def threat_profile(raid: Raid) -> dict:
    """A raid's threat profile in SI, with the raid's overrides (CatalogError naming the field)."""
    return catalog.si(threat_figures(raid))


def threat_figures(raid: Raid) -> dict:
    """A raid's raw threat profile with the raid's overrides (figures with grades and sources)."""
    unused = ROUTE_ONLY if raid.ballistic is not None else BALLISTIC_ONLY
    for key in unused:
        if isinstance(raid.overrides, dict) and key in raid.overrides:
            flown = "a ballistic arc" if raid.ballistic is not None else "a route"
            raise catalog.CatalogError(f"cannot be overridden: this raid flies {flown}, which does not use {key}", (key,))
    return catalog.apply_overrides(catalog.profile("threats", raid.threat), raid.overrides, kind="threats")


@dataclass(frozen=True)
class Compiled:
    """Everything the engine needs besides the random streams."""

    world: World
    origin: geo.Origin
    ground_alt_m: float
    dt_s: float
    n_steps: int
    unit_profiles: list[dict]
    threat_classes: list[str]
    raid_names: list[str] | None = None  # per raider group: raids, then releases ("<raid>.<release>"); raid_idx indexes it


def _enu(origin: geo.Origin, lat_deg, lon_deg, alt_hae_m) -> np.ndarray:
    return geo.geodetic_to_enu(np.radians(lat_deg), np.radians(lon_deg), alt_hae_m, origin)


def ground_at(terrain, ground_m: float, lat_deg, lon_deg):
    """Ground height above the ellipsoid at points (deg): the terrain's (:mod:`iadsim.terrain`),
    else the scenario ground ``origin.alt_m``, m."""
    if terrain is None:
        return np.full(np.shape(lat_deg), float(ground_m))
    return terrain.height_m(np.radians(np.asarray(lat_deg, float)), np.radians(np.asarray(lon_deg, float)))


def _route_spec(raid: Raid, prof: dict, asset, origin: geo.Origin, ground_m: float, terrain=None) -> routes.RouteSpec:
    """A route raid's waypoints (then its target) in scenario ENU, for the route autopilot."""
    wps = list(raid.route)
    agl = [w.alt_agl_m for w in wps] + [wps[-1].alt_agl_m]  # the last leg holds the last height
    lat = [w.lat_deg for w in wps] + [asset.lat_deg]
    lon = [w.lon_deg for w in wps] + [asset.lon_deg]
    pts = _enu(origin, np.array(lat), np.array(lon), ground_at(terrain, ground_m, lat, lon) + np.array(agl))
    term = raid.terminal
    kw = {}
    if term is not None:
        kw = dict(dive_angle_rad=np.radians(term.dive_angle_deg))
        if term.popup_alt_agl_m is not None:
            kw.update(popup_agl_m=term.popup_alt_agl_m, popup_range_m=term.popup_range_m)
        if term.weave_g is not None and term.weave_range_m is not None:
            kw.update(weave_acc_mps2=min(term.weave_g, prof["turn_g"]) * G0_MPS2, weave_period_s=term.weave_period_s,
                      weave_range_m=term.weave_range_m)
    return routes.RouteSpec(
        points_enu_m=pts, agl_m=np.array(agl, float), speed_mps=np.array([w.speed_mps or prof["speed_mps"] for w in wps]),
        target_enu_m=_enu(origin, asset.lat_deg, asset.lon_deg, ground_at(terrain, ground_m, asset.lat_deg, asset.lon_deg)
                          + asset.alt_agl_m),
        target_agl_m=asset.alt_agl_m, turn_acc_mps2=prof["turn_g"] * G0_MPS2, diving=prof["kind"] in DIVING_KINDS, **kw)


def _ballistic_knots(raid: Raid, prof: dict, asset, origin: geo.Origin, ground_m: float):
    start, aim, centre, radius = threat_ballistic.geometry(origin, ground_m, raid.ballistic, asset.lat_deg, asset.lon_deg,
                                                          asset.alt_agl_m, prof["burnout_alt_m"])
    man = threat_ballistic.terminal_manoeuvre(raid.terminal, prof["turn_g"], ground_m)
    return threat_ballistic.template(start, aim, centre, radius, raid.ballistic, prof["ballistic_coefficient_kgpm2"], man)


def _compile_threats(scenario: Scenario, origin: geo.Origin, ground_m: float, assets: Assets, terrain=None):
    """One trajectory template per raid (routes flown together, ballistic arcs one by one);
    the raiders of a raid fly it ``spacing_s`` apart. Then one template per release of a route
    raid (:mod:`iadsim.ea.releases`): groups m.. after the m raids, their raiders after the raids'.
    Returns (threats, catalog threat name per raider, the groups' :class:`Groups`)."""
    names = [a.name for a in scenario.assets]
    profs = [threat_profile(raid) for raid in scenario.raids]
    specs, knots, dt = {}, {}, {}
    flown = {}  # raid index -> the raid as its carriers fly it (turned back at a release)
    for r_idx, (raid, prof) in enumerate(zip(scenario.raids, profs)):
        asset = _aim(scenario, raid.home_on, scenario.assets[names.index(raid.target)])
        if raid.ballistic is not None:
            knots[r_idx], dt[r_idx] = _ballistic_knots(raid, prof, asset, origin, ground_m), threat_ballistic.KNOT_DT_S
        else:
            flown[r_idx], home = releases.carrier_route(raid)
            specs[r_idx] = _route_spec(flown[r_idx], prof, home or asset, origin, ground_m, terrain)
    for r_idx, (p, v) in zip(specs, routes.fly_routes(list(specs.values()), origin, ground_m, terrain=terrain)):
        knots[r_idx], dt[r_idx] = (p, v, routes.KNOT_DT_S * (len(p) - 1)), routes.KNOT_DT_S
    m = len(scenario.raids)
    rows = [(r, names.index(raid.target), raid.start_s + k * raid.spacing_s, -1, np.nan)
            for r, raid in enumerate(scenario.raids) for k in range(raid.count)]
    groups = Groups(names=[raid.name for raid in scenario.raids], threat=[raid.threat for raid in scenario.raids],
                    profs=list(profs), jammer=[raid.jammer for raid in scenario.raids],
                    home_on=[raid.home_on for raid in scenario.raids])
    rel_specs, rel_rows = [], []
    for r_idx, raid in enumerate(scenario.raids):
        carriers = [i for i, row in enumerate(rows) if row[0] == r_idx]
        for rel in raid.releases:
            g = len(groups.names)
            p, v, _ = knots[r_idx]
            t_rel = releases.release_time_s(rel, flown[r_idx], p, dt[r_idx], origin, ground_m)
            pos, _vel = releases.at_time(p, v, dt[r_idx], t_rel)
            prof = catalog.si(catalog.apply_overrides(catalog.profile("threats", rel.threat), rel.overrides, kind="threats"))
            aim = _aim(scenario, rel.home_on, scenario.assets[names.index(rel.target)])
            if rel.ballistic is not None:
                knots[g], dt[g] = _release_arc(rel, prof, pos, aim, origin, ground_m, (r_idx, raid.releases.index(rel)))
            else:
                rel_specs.append((g, _release_spec(rel, prof, pos, aim, origin, ground_m, terrain)))
            groups.add(f"{raid.name}.{rel.name}", rel.threat, prof, None, rel.home_on)
            for c in carriers:
                for k in range(rel.count):
                    t = rows[c][2] + t_rel + k * rel.interval_s
                    rel_rows.append((g, names.index(rel.target), t, c, t))
    for (g, _), (p, v) in zip(rel_specs, routes.fly_routes([s for _, s in rel_specs], origin, ground_m, terrain=terrain)):
        knots[g], dt[g] = (p, v, routes.KNOT_DT_S * (len(p) - 1)), routes.KNOT_DT_S
    rows += rel_rows
    m = len(groups.names)
    n_knots = np.array([len(knots[r][0]) for r in range(m)])
    k_max = int(n_knots.max())
    knot_pos, knot_vel = np.empty((m, k_max, 3)), np.zeros((m, k_max, 3))
    for r in range(m):
        p, v, _ = knots[r]
        knot_pos[r, : len(p)], knot_pos[r, len(p):] = p, p[-1]
        knot_vel[r, : len(v)], knot_vel[r, len(v):] = v, v[-1]
    knot_dt = np.array([dt[r] for r in range(m)])
    duration = np.array([knots[r][2] for r in range(m)])
    raid_idx = np.array([r[0] for r in rows])
    col = lambda key: np.array([groups.profs[r][key] for r in raid_idx])  # noqa: E731
    n = len(rows)
    threats = Threats(
        id=np.arange(n), raid_idx=raid_idx, target_idx=np.array([r[1] for r in rows]),
        kind=col("kind"), rcs_front_m2=col("rcs_front_m2"), rcs_side_m2=col("rcs_side_m2"), rcs_rear_m2=col("rcs_rear_m2"),
        swerling=col("swerling").astype(int), weight=col("weight"), vulnerability=col("vulnerability"),
        route_idx=raid_idx.copy(), t_start_s=np.array([r[2] for r in rows], float),
        knot_pos_enu_m=knot_pos, knot_vel_enu_mps=knot_vel, knot_dt_s=knot_dt, route_duration_s=duration, n_knots=n_knots,
        **dict(zip(("knot_coef", "knot_span_s"), threat_motion.hermite_coefficients(knot_pos, knot_vel, knot_dt, duration))),
        pos_enu_m=knot_pos[raid_idx, 0].copy(), vel_enu_mps=np.zeros((n, 3)),
        active=np.zeros(n, bool), alive=np.ones(n, bool), fate=np.full(n, "", dtype=object),
        fate_t_s=np.full(n, np.nan),
    )
    groups.carrier_idx = np.array([r[3] for r in rows], np.int64)
    groups.release_t_s = np.array([r[4] for r in rows], float)
    return threats, [groups.threat[r] for r in raid_idx], groups


def sensor_profile(sensor: Sensor) -> dict:
    """A standalone sensor's radar profile in SI, with the sensor's overrides (CatalogError naming the field)."""
    return catalog.si(catalog.apply_overrides(catalog.profile("radars", sensor.radar), sensor.overrides, kind="radars"))


def _sensor_radar_rows(scenario: Scenario, origin: geo.Origin, site_ground) -> list[dict]:
    """One radar row per standalone sensor; its site is the Units row after the fire units."""
    rows = []
    for s_idx, sensor in enumerate(scenario.sensors):
        rp = sensor_profile(sensor)
        lat, lon = np.radians(sensor.lat_deg), np.radians(sensor.lon_deg)
        ant = rp["antenna_height_m"] if sensor.antenna_height_m is None else sensor.antenna_height_m
        h = sensor.alt_agl_m + ant
        rows.append(dict(unit_idx=len(scenario.units) + s_idx, name=sensor.radar,
                         pos=_enu(origin, sensor.lat_deg, sensor.lon_deg, site_ground[s_idx] + h), height_m=h,
                         rot=geo.local_rot_enu_from_origin_enu(lat, lon, origin), facing=np.radians(sensor.facing_deg),
                         p=rp, engagement=False))
    return rows


@dataclass
class Groups:
    """Raider groups: the scenario's raids, then their releases (:mod:`iadsim.ea.releases`)."""

    names: list  # raid name, or "<raid>.<release>"
    threat: list  # catalog threat name
    profs: list  # SI threat profile
    jammer: list  # scenario Jammer spec or None
    home_on: list  # RadarRef or None (anti-radiation)
    carrier_idx: np.ndarray = None  # (n,) raider row of each released weapon's carrier, -1 for a raid's raiders
    release_t_s: np.ndarray = None  # (n,) release time of each released weapon, NaN otherwise

    def add(self, name, threat, prof, jammer, home_on):
        for lst, v in ((self.names, name), (self.threat, threat), (self.profs, prof), (self.jammer, jammer),
                       (self.home_on, home_on)):
            lst.append(v)


def _aim(scenario: Scenario, home_on, asset):
    """Where a raid or release flies: its target asset, or for an anti-radiation weapon the site of
    the radar it homes on (the unit's ground position)."""
    if home_on is None:
        return asset
    unit = next(u for u in scenario.units if u.name == home_on.unit)
    return SimpleNamespace(lat_deg=unit.lat_deg, lon_deg=unit.lon_deg, alt_agl_m=unit.alt_agl_m)


class ReleaseError(ValueError):
    """A release that cannot fly (no ballistic arc from its release point); ``loc`` is its scenario path."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc, self.message = loc, message


def _release_arc(rel, prof: dict, pos_enu_m, aim, origin: geo.Origin, ground_m: float, where: tuple):
    """Knots of a release's ballistic arc from the release point (the weapon at burnout there) onto its aim."""
    site = SimpleNamespace(lat_deg=aim.lat_deg, lon_deg=aim.lon_deg)  # geometry's launch site: unused, the start is the release point
    _, aim_enu, centre, radius = threat_ballistic.geometry(origin, ground_m, site, aim.lat_deg, aim.lon_deg, aim.alt_agl_m, 0.0)
    start = np.asarray(pos_enu_m, float)
    for loc, msg in threat_ballistic.check(rel.ballistic, prof, start, aim_enu, centre, radius):
        raise ReleaseError(("raids", where[0], "releases", where[1]) + loc, msg.replace("(ballistic.lat_deg/lon_deg)", "(the release point)"))
    p, v, duration = threat_ballistic.template(start, aim_enu, centre, radius, rel.ballistic,
                                               prof["ballistic_coefficient_kgpm2"], None)
    return (p, v, duration), threat_ballistic.KNOT_DT_S


def _release_spec(rel, prof: dict, pos_enu_m, aim, origin: geo.Origin, ground_m: float, terrain=None) -> routes.RouteSpec:
    """A release's route: from the release point (the carrier's height there) through its waypoints to its aim."""
    lat, lon, alt = geo.enu_to_geodetic(np.asarray(pos_enu_m, float)[None], origin)
    agl0 = float(np.asarray(alt).ravel()[0]) - float(ground_at(terrain, ground_m, np.degrees(np.asarray(lat).ravel()[:1]),
                                                               np.degrees(np.asarray(lon).ravel()[:1]))[0])
    start = Waypoint(lat_deg=float(np.degrees(np.asarray(lat).ravel()[0])), lon_deg=float(np.degrees(np.asarray(lon).ravel()[0])),
                     alt_agl_m=min(max(agl0, 0.0), 200_000.0))
    fake = SimpleNamespace(route=[start, *rel.route], terminal=None)
    return _route_spec(fake, prof, aim, origin, ground_m, terrain)


def _compile_units(scenario: Scenario, origin: geo.Origin, ground_m: float, group_profs: list | None = None,
                   terrain=None):
    """Fire units, then the standalone sensors as sites with a radar and a tracker but no weapons
    (zero channels; ``Units.is_sensor``), and every radar of both (sensing treats them alike)."""
    profiles = [unit_profile(u) for u in scenario.units]
    sites = list(scenario.units) + list(scenario.sensors)  # the sensors' sites are the Units rows after the fire units
    site_ground = ground_at(terrain, ground_m, [u.lat_deg for u in sites], [u.lon_deg for u in sites])
    radar_rows, weapon_rows = [], []
    for u_idx, (unit, prof) in enumerate(zip(scenario.units, profiles)):
        lat, lon = np.radians(unit.lat_deg), np.radians(unit.lon_deg)
        rot = geo.local_rot_enu_from_origin_enu(lat, lon, origin)
        for name, rp in prof["radar"].items():
            h = unit.alt_agl_m + rp["antenna_height_m"]
            radar_rows.append(dict(unit_idx=u_idx, name=name, pos=_enu(origin, unit.lat_deg, unit.lon_deg, site_ground[u_idx] + h),
                                   height_m=h, rot=rot, facing=np.radians(unit.facing_deg), p=rp,
                                   engagement=(name == prof["engagement_radar"])))
        reload_s = _reload_time_s(unit, prof)
        sets = prof["launchers"].get("reload_sets", 0.0) if reload_s > 0 else 0.0
        for entry in prof["loadout"]:
            mp = prof["missile"][entry["missile"]]
            flown = flyout_params.params_from_mapping(entry["missile"], flyout_params.flyout_mapping(mp))
            rails = int(entry.get("rails", prof["launchers"]["rails"]))
            n_l = int(entry["launchers"])
            stock = int(round(sets * rails * n_l))
            weapon_rows.append(dict(unit_idx=u_idx, name=entry["missile"], rounds=rails * n_l + stock, p=mp, flown=flown,
                                    n_launchers=n_l, rails=rails, reload_rounds=stock))
    radar_rows += _sensor_radar_rows(scenario, origin, site_ground[len(scenario.units):])
    bands = [band_letter(r["p"]["frequency_hz"]) for r in radar_rows]
    group_profs = [threat_profile(raid) for raid in scenario.raids] if group_profs is None else group_profs
    factors = [p.get("rcs_band_factor", {}) for p in group_profs]  # X band = 1 reference (per raid, then release)
    radars = Radars(
        unit_idx=np.array([r["unit_idx"] for r in radar_rows], int),
        name=[r["name"] for r in radar_rows],
        is_engagement=np.array([r["engagement"] for r in radar_rows], bool),
        pos_enu_m=np.array([r["pos"] for r in radar_rows]).reshape(-1, 3),
        height_m=np.array([r["height_m"] for r in radar_rows]),
        rot_local_from_enu=np.array([r["rot"] for r in radar_rows]).reshape(-1, 3, 3),
        facing_rad=np.array([r["facing"] for r in radar_rows]),
        **{key: np.array([r["p"][key] for r in radar_rows], float) for key in Radars.PARAMS},
        next_scan_t_s=np.zeros(len(radar_rows)),
        band=bands,
        rcs_factor_by_raid=np.array([[f.get(b, 1.0) for f in factors] for b in bands]).reshape(
            len(radar_rows), len(factors)),
        sidelobe_level_db=np.array([r["p"].get("sidelobe_level_db", np.nan) for r in radar_rows], float),
    )
    weapons = Weapons(
        unit_idx=np.array([w["unit_idx"] for w in weapon_rows], int),
        name=[w["name"] for w in weapon_rows],
        rounds=np.array([w["rounds"] for w in weapon_rows], int),
        **{key: np.array([w["p"][key] for w in weapon_rows], float) for key in Weapons.PARAMS},
        max_flight_time_s=np.array([longest_flight_s(w["name"]) for w in weapon_rows], float),
        pk=np.array([w["flown"].pk_max for w in weapon_rows], float),
        n_launchers=np.array([w["n_launchers"] for w in weapon_rows], int),
        rails=np.array([w["rails"] for w in weapon_rows], int),
        reload_rounds=np.array([w["reload_rounds"] for w in weapon_rows], int),
        launch_on_remote=np.array([bool(w["p"].get("launch_on_remote", 0.0)) for w in weapon_rows], bool),
    )
    docs = [_doctrine(u, p) for u, p in zip(scenario.units, profiles)]
    sensors = scenario.sensors
    m = len(sensors)  # sensor sites: no weapons, no channels, no C2 (iadsim.c2.stage skips them)
    nc = len(THREAT_CLASSES)
    units = Units(
        name=[u.name for u in scenario.units] + [s.name for s in sensors],
        system=[u.system for u in scenario.units] + [s.radar for s in sensors],
        pos_enu_m=np.array([_enu(origin, u.lat_deg, u.lon_deg, g + u.alt_agl_m) for u, g in zip(sites, site_ground)]).reshape(-1, 3),
        channels_targets=np.array([int(p["channels"]["targets"]) for p in profiles] + [0] * m, int),
        channels_missiles=np.array([int(p["channels"]["missiles"]) for p in profiles] + [0] * m, int),
        reaction_time_s=np.array([p["reaction_time_s"] for p in profiles] + [0.0] * m, float),
        c2_cycle_s=np.array([u.doctrine.c2_cycle_s or p["c2_cycle_s"] for u, p in zip(scenario.units, profiles)]
                            + [np.inf] * m, float),
        salvo=np.array([d["salvo"] for d in docs] + [0] * m, int),
        weapons_free=np.array([u.doctrine.weapons_free for u in scenario.units] + [False] * m, bool),
        reserve_rounds=np.array([u.doctrine.reserve_rounds for u in scenario.units] + [0] * m, int),
        mode=[u.doctrine.mode for u in scenario.units] + ["none"] * m,
        salvo_spacing_s=np.array([d["salvo_spacing_s"] for d in docs] + [0.0] * m, float),
        wta_method=[u.doctrine.wta for u in scenario.units] + ["none"] * m,
        assessment_looks=np.array([d["assessment_looks"] for d in docs] + [0] * m, int),
        reload_time_s=np.array([_reload_time_s(u, p) for u, p in zip(scenario.units, profiles)] + [0.0] * m, float),
        reload_vehicles=np.array([int(p["launchers"].get("reload_vehicles", 1)) for p in profiles] + [0] * m, int),
        class_weight=np.array([d["class_weight"] for d in docs] + [[0.0] * nc] * m, float).reshape(-1, nc),
        class_salvo=np.array([d["class_salvo"] for d in docs] + [[0] * nc] * m, int).reshape(-1, nc),
        class_policy=np.array([d["class_policy"] for d in docs] + [[POLICIES.index("none")] * nc] * m, int).reshape(-1, nc),
        is_sensor=np.array([False] * len(scenario.units) + [True] * m, bool),
    )
    return units, radars, weapons, profiles


def longest_flight_s(missile: str) -> float:
    """The C2's flight-time limit of a missile: the longest time of flight of its flyout model to a
    point it reaches (its fly-out table, :mod:`iadsim.c2.flyout_table`), not a second catalog figure."""
    from iadsim.c2 import flyout_table

    return float(np.nanmax(flyout_table.load_table(missile).tof_s))


def _reload_time_s(unit: Unit, prof: dict) -> float:
    """A unit's launcher reload time, 0 when it does not reload (no figure, 0, or doctrine reload: false)."""
    return float(prof["launchers"].get("reload_time_s") or 0.0) if unit.doctrine.reload else 0.0


def _doctrine(unit: Unit, prof: dict) -> dict:
    """Scenario doctrine over the catalog's defaults, one value per threat class where per class."""
    cat = prof.get("doctrine", {})
    d = unit.doctrine
    salvo = d.salvo or (2 if d.mode == "salvo" else int(prof["salvo"]))
    rules = [d.class_rules.get(c) for c in THREAT_CLASSES]
    weight = [r.weight if r and r.weight is not None else cat.get("class_weight", {}).get(c, 1.0)
              for c, r in zip(THREAT_CLASSES, rules)]
    c_salvo = [r.salvo if r and r.salvo else (0 if d.salvo else int(cat.get("class_salvo", {}).get(c, 0)))
               for c, r in zip(THREAT_CLASSES, rules)]
    engage = [r.engage if r and r.engage else cat.get("class_engage", {}).get(c, "any")
              for c, r in zip(THREAT_CLASSES, rules)]
    return dict(salvo=salvo, class_weight=weight, class_salvo=c_salvo,
                class_policy=[POLICIES.index(e) for e in engage],
                salvo_spacing_s=d.salvo_spacing_s if d.salvo_spacing_s is not None else cat.get("salvo_spacing_s", 0.0),
                assessment_looks=d.assessment_looks or int(cat.get("assessment_looks", 1)))


def compile_scenario(scenario: Scenario) -> Compiled:
    """Scenario -> Compiled world (SI, scenario ENU)."""
    o = scenario.origin
    origin = geo.Origin.from_deg(o.lat_deg, o.lon_deg, o.alt_m)
    ground = o.alt_m
    terrain = None
    if scenario.terrain is not None:  # elevation data (iadsim.terrain): heights above it, masking
        from iadsim.terrain import load_terrain

        terrain = load_terrain(scenario.terrain.dem, scenario.terrain.geoid_undulation_m, ground)
    asset_ground = ground_at(terrain, ground, [a.lat_deg for a in scenario.assets], [a.lon_deg for a in scenario.assets])
    assets = Assets(
        name=[a.name for a in scenario.assets],
        pos_enu_m=np.array([_enu(origin, a.lat_deg, a.lon_deg, g + a.alt_agl_m) for a, g in zip(scenario.assets, asset_ground)]),
        value=np.array([a.value for a in scenario.assets]),
        radius_m=np.array([a.radius_m for a in scenario.assets]),
    )
    threats, classes, groups = _compile_threats(scenario, origin, ground, assets, terrain)
    units, radars, weapons, profiles = _compile_units(scenario, origin, ground, groups.profs, terrain)
    extra = ea_build.extra(scenario, threats, groups, radars)
    if terrain is not None:
        extra["terrain"] = terrain
    world = World(threats=threats, units=units, radars=radars, weapons=weapons, assets=assets,
                  earth_centre_enu_m=origin.earth_centre_enu_m, effective_radius_m=effective_earth_radius_m(),
                  origin=origin, ground_alt_m=ground, extra=extra, network=compile_network(scenario, origin, ground))
    n_steps = int(np.ceil(scenario.time.duration_s / scenario.time.step_s - 1e-9))
    return Compiled(world=world, origin=origin, ground_alt_m=ground, dt_s=scenario.time.step_s,
                    n_steps=n_steps, unit_profiles=profiles, threat_classes=classes, raid_names=groups.names)
