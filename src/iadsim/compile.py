"""Compile a validated Scenario into the engine's structure-of-arrays World.

Here catalog profiles are resolved (with scenario overrides) and turned into SI numbers,
geodetic positions go to scenario ENU, and routes become dense polylines so that threats can be
advanced for all raiders at once with one interpolation. Nothing here runs per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import catalog, geo
from iadsim.c2.stage import POLICIES
from iadsim.c2.threat_eval import THREAT_CLASSES
from iadsim.sensing import band_letter, effective_earth_radius_m
from iadsim.scenario.models import Raid, Scenario, Unit
from iadsim.state import Assets, Radars, Threats, Units, Weapons, World

ROUTE_SEGMENT_M = 5_000.0  # great-circle legs are cut into chords no longer than this
DIVING_KINDS = ("cruise_missile", "drone", "ballistic")  # their last leg ends on the asset


def unit_profile(unit: Unit) -> dict:
    """A unit's merged raw profile: the system plus its radars and missiles, with overrides.

    The merged tree is ``{..system fields.., radar: {NAME: profile}, missile: {NAME: profile}}``;
    overrides follow the same nesting, e.g. ``{radar: {91N6E: {antenna_height: 30}}}``.
    """
    prof = catalog.profile("systems", unit.system)
    prof["radar"] = {name: catalog.profile("radars", name) for name in prof["radars"]}
    prof["missile"] = {e["missile"]: catalog.profile("missiles", e["missile"]) for e in prof["loadout"]}
    return catalog.si(catalog.apply_overrides(prof, unit.overrides))


def threat_profile(raid: Raid) -> dict:
    """A raid's threat profile in SI, with the raid's overrides."""
    return catalog.si(catalog.apply_overrides(catalog.profile("threats", raid.threat), raid.overrides))


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


def _enu(origin: geo.Origin, lat_deg, lon_deg, alt_hae_m) -> np.ndarray:
    return geo.geodetic_to_enu(np.radians(lat_deg), np.radians(lon_deg), alt_hae_m, origin)


def _great_circle_points(lat_deg, lon_deg, alt_m, segment_m):
    """Densify a geodetic polyline along great circles; altitude linear in distance."""
    lat = np.radians(np.asarray(lat_deg, float))
    lon = np.radians(np.asarray(lon_deg, float))
    xyz = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    out_lat, out_lon, out_alt = [lat[:1]], [lon[:1]], [np.asarray(alt_m[:1], float)]
    for i in range(len(lat) - 1):
        dist_m = geo.great_circle_distance_m(lat[i], lon[i], lat[i + 1], lon[i + 1])
        n = max(1, int(np.ceil(dist_m / segment_m)))
        f = np.arange(1, n + 1) / n
        omega = np.arccos(np.clip(xyz[i] @ xyz[i + 1], -1.0, 1.0))
        if omega < 1e-12:
            p = np.repeat(xyz[i][None], n, axis=0)
        else:
            p = (np.sin((1 - f) * omega)[:, None] * xyz[i] + np.sin(f * omega)[:, None] * xyz[i + 1]) / np.sin(omega)
        out_lat.append(np.arcsin(np.clip(p[:, 2], -1, 1)))
        out_lon.append(np.arctan2(p[:, 1], p[:, 0]))
        out_alt.append(alt_m[i] + f * (alt_m[i + 1] - alt_m[i]))
    return np.concatenate(out_lat), np.concatenate(out_lon), np.concatenate(out_alt)


def _compile_threats(scenario: Scenario, origin: geo.Origin, ground_m: float, assets: Assets):
    routes, times, rows = [], [], []
    classes: list[str] = []
    for r_idx, raid in enumerate(scenario.raids):
        prof = threat_profile(raid)
        a_idx = [a.name for a in scenario.assets].index(raid.target)
        asset = scenario.assets[a_idx]
        wps = list(raid.route)
        lat = [w.lat_deg for w in wps] + [asset.lat_deg]
        lon = [w.lon_deg for w in wps] + [asset.lon_deg]
        alt = [w.alt_agl_m for w in wps] + [wps[-1].alt_agl_m]  # the last leg holds the last altitude
        speeds = [w.speed_mps or prof["speed_mps"] for w in wps]
        # dense polyline, and the time at each point from the leg speeds
        pts_lat, pts_lon, pts_alt, pts_t = [], [], [], []
        t0 = 0.0
        for leg in range(len(wps)):
            la, lo, al = _great_circle_points(lat[leg:leg + 2], lon[leg:leg + 2], np.array(alt[leg:leg + 2]), ROUTE_SEGMENT_M)
            if leg == len(wps) - 1 and prof["kind"] in DIVING_KINDS:
                al[-1] = asset.alt_agl_m  # terminal dive over the last chord (at most ROUTE_SEGMENT_M)
            pos = _enu(origin, np.degrees(la), np.degrees(lo), al + ground_m)
            seg_m = np.linalg.norm(np.diff(pos, axis=0), axis=1)
            t = t0 + np.concatenate([[0.0], np.cumsum(seg_m) / speeds[leg]])
            if leg:
                pos, t = pos[1:], t[1:]
            pts_lat.append(pos), pts_t.append(t)
            t0 = t[-1]
        route = np.concatenate(pts_lat)
        t_route = np.concatenate(pts_t)
        for k in range(raid.count):
            start = raid.start_s + k * raid.spacing_s
            routes.append(route)
            times.append(t_route + start)
            classes.append(raid.threat)
            rows.append((r_idx, a_idx, prof["kind"], prof["rcs_front_m2"], prof["rcs_side_m2"], prof["rcs_rear_m2"],
                         prof["swerling"], prof["weight"]))
    n, p_max = len(routes), max(len(r) for r in routes)
    route_pos = np.empty((n, p_max, 3))
    route_t = np.empty((n, p_max))
    for i, (r, t) in enumerate(zip(routes, times)):
        route_pos[i, : len(r)], route_pos[i, len(r):] = r, r[-1]
        route_t[i, : len(t)], route_t[i, len(t):] = t, t[-1] + 1e-3 * np.arange(1, p_max - len(t) + 1)
    cols = list(zip(*rows))
    kinds = np.array(cols[2])
    threats = Threats(
        id=np.arange(n), raid_idx=np.array(cols[0]), target_idx=np.array(cols[1]),
        kind=kinds, rcs_front_m2=np.array(cols[3]), rcs_side_m2=np.array(cols[4]), rcs_rear_m2=np.array(cols[5]),
        swerling=np.array(cols[6], int), weight=np.array(cols[7]),
        route_pos_enu_m=route_pos, route_t_s=route_t,
        pos_enu_m=route_pos[:, 0].copy(), vel_enu_mps=np.zeros((n, 3)),
        active=np.zeros(n, bool), alive=np.ones(n, bool), fate=np.full(n, "", dtype=object),
        fate_t_s=np.full(n, np.nan),
    )
    return threats, classes


def _compile_units(scenario: Scenario, origin: geo.Origin, ground_m: float):
    profiles = [unit_profile(u) for u in scenario.units]
    radar_rows, weapon_rows = [], []
    for u_idx, (unit, prof) in enumerate(zip(scenario.units, profiles)):
        lat, lon = np.radians(unit.lat_deg), np.radians(unit.lon_deg)
        rot = geo.local_rot_enu_from_origin_enu(lat, lon, origin)
        for name, rp in prof["radar"].items():
            h = unit.alt_agl_m + rp["antenna_height_m"]
            radar_rows.append(dict(unit_idx=u_idx, name=name, pos=_enu(origin, unit.lat_deg, unit.lon_deg, ground_m + h),
                                   height_m=h, rot=rot, facing=np.radians(unit.facing_deg), p=rp,
                                   engagement=(name == prof["engagement_radar"])))
        reload_s = _reload_time_s(unit, prof)
        sets = prof["launchers"].get("reload_sets", 0.0) if reload_s > 0 else 0.0
        for entry in prof["loadout"]:
            mp = prof["missile"][entry["missile"]]
            rails = int(entry.get("rails", prof["launchers"]["rails"]))
            n_l = int(entry["launchers"])
            stock = int(round(sets * rails * n_l))
            weapon_rows.append(dict(unit_idx=u_idx, name=entry["missile"], rounds=rails * n_l + stock, p=mp,
                                    n_launchers=n_l, rails=rails, reload_rounds=stock))
    bands = [band_letter(r["p"]["frequency_hz"]) for r in radar_rows]
    factors = [threat_profile(raid).get("rcs_band_factor", {}) for raid in scenario.raids]  # X band = 1 reference
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
        rcs_factor_by_raid=np.array([[factors[r].get(b, 1.0) for r in range(len(scenario.raids))] for b in bands]).reshape(
            len(radar_rows), len(scenario.raids)),
    )
    weapons = Weapons(
        unit_idx=np.array([w["unit_idx"] for w in weapon_rows], int),
        name=[w["name"] for w in weapon_rows],
        rounds=np.array([w["rounds"] for w in weapon_rows], int),
        **{key: np.array([w["p"].get(key, 1.0) if key == "unit_cost" else w["p"][key] for w in weapon_rows], float)
           for key in Weapons.PARAMS},
        n_launchers=np.array([w["n_launchers"] for w in weapon_rows], int),
        rails=np.array([w["rails"] for w in weapon_rows], int),
        reload_rounds=np.array([w["reload_rounds"] for w in weapon_rows], int),
    )
    docs = [_doctrine(u, p) for u, p in zip(scenario.units, profiles)]
    units = Units(
        name=[u.name for u in scenario.units],
        system=[u.system for u in scenario.units],
        pos_enu_m=np.array([_enu(origin, u.lat_deg, u.lon_deg, ground_m + u.alt_agl_m) for u in scenario.units]).reshape(-1, 3),
        channels_targets=np.array([int(p["channels"]["targets"]) for p in profiles], int),
        channels_missiles=np.array([int(p["channels"]["missiles"]) for p in profiles], int),
        reaction_time_s=np.array([p["reaction_time_s"] for p in profiles]),
        c2_cycle_s=np.array([u.doctrine.c2_cycle_s or p["c2_cycle_s"] for u, p in zip(scenario.units, profiles)]),
        salvo=np.array([d["salvo"] for d in docs], int),
        weapons_free=np.array([u.doctrine.weapons_free for u in scenario.units], bool),
        reserve_rounds=np.array([u.doctrine.reserve_rounds for u in scenario.units], int),
        mode=[u.doctrine.mode for u in scenario.units],
        salvo_spacing_s=np.array([d["salvo_spacing_s"] for d in docs], float),
        wta_method=[u.doctrine.wta for u in scenario.units],
        assessment_looks=np.array([d["assessment_looks"] for d in docs], int),
        reload_time_s=np.array([_reload_time_s(u, p) for u, p in zip(scenario.units, profiles)], float),
        reload_vehicles=np.array([int(p["launchers"].get("reload_vehicles", 1)) for p in profiles], int),
        class_weight=np.array([d["class_weight"] for d in docs], float).reshape(-1, len(THREAT_CLASSES)),
        class_salvo=np.array([d["class_salvo"] for d in docs], int).reshape(-1, len(THREAT_CLASSES)),
        class_policy=np.array([d["class_policy"] for d in docs], int).reshape(-1, len(THREAT_CLASSES)),
    )
    return units, radars, weapons, profiles


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
    assets = Assets(
        name=[a.name for a in scenario.assets],
        pos_enu_m=np.array([_enu(origin, a.lat_deg, a.lon_deg, ground + a.alt_agl_m) for a in scenario.assets]),
        value=np.array([a.value for a in scenario.assets]),
        radius_m=np.array([a.radius_m for a in scenario.assets]),
    )
    threats, classes = _compile_threats(scenario, origin, ground, assets)
    units, radars, weapons, profiles = _compile_units(scenario, origin, ground)
    world = World(threats=threats, units=units, radars=radars, weapons=weapons, assets=assets,
                  earth_centre_enu_m=origin.earth_centre_enu_m, effective_radius_m=effective_earth_radius_m(),
                  origin=origin, ground_alt_m=ground)
    n_steps = int(np.ceil(scenario.time.duration_s / scenario.time.step_s - 1e-9))
    return Compiled(world=world, origin=origin, ground_alt_m=ground, dt_s=scenario.time.step_s,
                    n_steps=n_steps, unit_profiles=profiles, threat_classes=classes)
