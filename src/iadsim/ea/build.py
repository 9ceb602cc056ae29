"""Compile-time resolution of the raid entities of issue 18: jammer parameters (scenario over
catalog), released-weapon groups and anti-radiation targets, and the checks that name the
scenario field when something does not resolve (:func:`problems`)."""

from __future__ import annotations

import numpy as np

from iadsim import catalog
from iadsim.constants import undb
from iadsim.ea.jamming import JAMMER_KINDS, Jammers

JAMMER_FIELDS = ("kind", "power_w", "gain_db", "bandwidth_hz", "frequency_hz", "loss_db")


def jammer_params(spec, prof: dict) -> dict | None:
    """One jammer's SI parameters: the scenario's ``jammer`` over the threat's catalog ``jammer``
    (either may be absent), or None when neither exists. Raises ValueError naming a missing field."""
    cat = dict(prof.get("jammer") or {})
    if spec is None and not cat:
        return None
    out = {k: cat.get(k) for k in JAMMER_FIELDS}
    if spec is not None:
        if spec.erp_dbw is not None:
            out.update(power_w=float(undb(spec.erp_dbw)), gain_db=0.0)
        if spec.power_w is not None:
            out["power_w"] = spec.power_w
        if spec.gain_db is not None:
            out["gain_db"] = spec.gain_db
        for key, val in (("kind", spec.kind), ("bandwidth_hz", None if spec.bandwidth_mhz is None else spec.bandwidth_mhz * 1e6),
                         ("frequency_hz", None if spec.centre_ghz is None else spec.centre_ghz * 1e9),
                         ("loss_db", spec.loss_db)):
            if val is not None:
                out[key] = val
    if out["loss_db"] is None:
        out["loss_db"] = 0.0
    missing = [k for k in JAMMER_FIELDS if out[k] is None]
    if missing:
        names = {"power_w": "erp_dbw or power_w", "gain_db": "gain_db", "bandwidth_hz": "bandwidth_mhz",
                 "frequency_hz": "centre_ghz", "kind": "kind"}
        raise ValueError(f"the jammer needs {', '.join(names.get(k, k) for k in missing)} (not in the scenario, "
                         "nor in the threat's catalog jammer)")
    if out["kind"] not in JAMMER_KINDS:
        raise ValueError(f"jammer kind {out['kind']!r}: expected one of {', '.join(JAMMER_KINDS)}")
    return out


def jammers(rows_params: list) -> Jammers:
    """Jammers of the raider rows whose group carries one: ``rows_params[i]`` is raider i's jammer
    parameters (:func:`jammer_params`) or None."""
    idx = [i for i, p in enumerate(rows_params) if p is not None]
    ps = [rows_params[i] for i in idx]
    col = lambda k: np.array([p[k] for p in ps], float)  # noqa: E731
    return Jammers(threat_idx=np.array(idx, np.int64), power_w=col("power_w"), gain=undb(col("gain_db")),
                   bandwidth_hz=col("bandwidth_hz"), centre_hz=col("frequency_hz"), loss=undb(col("loss_db")),
                   kind=[p["kind"] for p in ps])


def radar_row(scenario, ref, radar_names: list, radar_units: np.ndarray) -> int:
    """Row in ``world.radars`` of a :class:`~iadsim.scenario.models.RadarRef` (ValueError if none)."""
    units = [u.name for u in scenario.units]
    if ref.unit not in units:
        raise ValueError(f"no unit named {ref.unit!r}{catalog.suggest(ref.unit, units)}; units: {', '.join(units)}")
    u = units.index(ref.unit)
    have = [n for n, uu in zip(radar_names, radar_units) if uu == u]
    if ref.radar not in have:
        raise ValueError(f"unit {ref.unit!r} has no radar {ref.radar!r}; its radars: {', '.join(have)}")
    return int(next(i for i, (n, uu) in enumerate(zip(radar_names, radar_units)) if uu == u and n == ref.radar))


def problems(scenario) -> list:
    """What the issue-18 entities of a scenario get wrong, as PathErrors (file:line at the loader):
    jammers that do not resolve, releases (threat, target, waypoint, turn back), ``home_on``
    radars, and emission entries naming radars a unit does not have."""
    from iadsim.compile import threat_profile, unit_profile  # late: compile imports scenario
    from iadsim.scenario.models import PathError

    errors = []
    assets = [a.name for a in scenario.assets]
    units = {u.name: u for u in scenario.units}

    def radar_ok(ref, loc):
        if ref.unit not in units:
            errors.append(PathError(loc + ("unit",), f"no unit named {ref.unit!r}{catalog.suggest(ref.unit, list(units))}; "
                                                     f"units: {', '.join(units) or 'none'}"))
            return
        try:
            have = list(unit_profile(units[ref.unit])["radar"])
        except (catalog.CatalogError, KeyError, ValueError):
            return  # the unit's own problem is reported at the unit
        if ref.radar not in have:
            errors.append(PathError(loc + ("radar",), f"unit {ref.unit!r} has no radar {ref.radar!r}; its radars: {', '.join(have)}"))

    def seeker(threat, loc):
        if threat in catalog.names("threats") and "arm" not in catalog.profile("threats", threat):
            errors.append(PathError(loc, f"threat {threat!r} has no anti-radiation seeker (no `arm` figures in the catalog); "
                                         "use an ARM profile such as 'arm'"))

    for i, raid in enumerate(scenario.raids):
        if raid.threat in catalog.names("threats"):
            try:
                jammer_params(raid.jammer, threat_profile(raid))
            except ValueError as exc:
                errors.append(PathError(("raids", i, "jammer"), str(exc)))
            except catalog.CatalogError:
                pass  # reported at the overrides
        if raid.home_on is not None:
            radar_ok(raid.home_on, ("raids", i, "home_on"))
            seeker(raid.threat, ("raids", i, "home_on"))
        elif isinstance(raid.overrides, dict) and "arm" in raid.overrides:
            errors.append(PathError(("raids", i, "overrides", "arm"), "the arm figures apply to a raid that homes on a "
                                                                      "radar (home_on); this raid does not"))
        if raid.releases and not raid.route:
            errors.append(PathError(("raids", i, "releases"), "releases are made by route raids (aircraft); this raid flies a ballistic arc"))
        names, turns = set(), 0
        for j, rel in enumerate(raid.releases):
            loc = ("raids", i, "releases", j)
            if rel.name in names:
                errors.append(PathError(loc + ("name",), f"duplicate release name {rel.name!r}"))
            names.add(rel.name)
            turns += rel.turn_back
            if rel.threat not in catalog.names("threats"):
                errors.append(PathError(loc + ("threat",), f"unknown threat {rel.threat!r}"
                                        f"{catalog.suggest(rel.threat, catalog.names('threats'))}; known: {', '.join(catalog.names('threats'))}"))
            elif ("burnout_alt" in catalog.profile("threats", rel.threat)) != (rel.ballistic is not None):
                errors.append(PathError(loc + ("threat",), f"{rel.threat!r} is a ballistic missile: give the release a ballistic arc"
                                        if rel.ballistic is None else f"{rel.threat!r} flies a route, not a ballistic arc "
                                        "(a ballistic release needs a ballistic threat)"))
            if rel.target not in assets:
                errors.append(PathError(loc + ("target",), f"no asset named {rel.target!r}{catalog.suggest(rel.target, assets)}; "
                                                           f"assets: {', '.join(assets)}"))
            if rel.at_waypoint is not None and rel.at_waypoint >= len(raid.route):
                errors.append(PathError(loc + ("at_waypoint",), f"the raid has {len(raid.route)} waypoints (0 to {len(raid.route) - 1}); "
                                                                f"got {rel.at_waypoint}"))
            if rel.turn_back and rel.at_waypoint == 0:
                errors.append(PathError(loc + ("turn_back",), "a carrier cannot turn back at its first waypoint"))
            if rel.home_on is not None:
                radar_ok(rel.home_on, loc + ("home_on",))
                seeker(rel.threat, loc + ("home_on",))
        if turns > 1:
            errors.append(PathError(("raids", i, "releases"), "at most one release may turn the carrier back"))
    if not errors and any(rel.ballistic is not None for raid in scenario.raids for rel in raid.releases):
        from iadsim.compile import ReleaseError, compile_scenario

        try:  # a ballistic release's arc starts where the carrier is: known once the carrier's route is flown
            compile_scenario(scenario)
        except ReleaseError as exc:
            errors.append(PathError(exc.loc, exc.message))
    for i, unit in enumerate(scenario.units):
        if not unit.emission:
            continue
        try:
            have = list(unit_profile(unit)["radar"])
        except (catalog.CatalogError, KeyError, ValueError):
            continue
        for name in unit.emission:
            if name not in have:
                errors.append(PathError(("units", i, "emission", name),
                                        f"the unit has no radar {name!r}{catalog.suggest(name, have)}; its radars: {', '.join(have)}"))
    return errors


def extra(scenario, threats, groups, radars) -> dict:
    """The compiled issue-18 state of a world (``world.extra``): jammers, ARMs, releases, decoys
    and the radars' emission policies. Raises ValueError for an ARM threat without ``arm`` figures."""
    from iadsim import emission
    from iadsim.ea.arm import Arms

    g_of = threats.raid_idx
    per_group = [jammer_params(spec, prof) for spec, prof in zip(groups.jammer, groups.profs)]
    jam = jammers([per_group[g] for g in g_of])
    arm_rows, arm_radar, arm_fig = [], [], []
    for i, g in enumerate(g_of):
        ref = groups.home_on[g]
        if ref is None:
            continue
        fig = groups.profs[g].get("arm")
        if not fig:
            raise ValueError(f"{groups.names[g]}: threat {groups.threat[g]!r} has no `arm` figures (guided_miss, "
                             "angle_sigma, lethal_radius): it cannot home on a radar")
        arm_rows.append(i)
        arm_radar.append(radar_row(scenario, ref, radars.name, radars.unit_idx))
        arm_fig.append(fig)
    col = lambda k: np.array([f[k] for f in arm_fig], float)  # noqa: E731
    arms = Arms(threat_idx=np.array(arm_rows, np.int64), radar_idx=np.array(arm_radar, np.int64),
                guided_miss_m=col("guided_miss_m"), angle_sigma_rad=col("angle_sigma_rad"),
                lethal_radius_m=col("lethal_radius_m"))
    decoy = np.array([bool(groups.profs[g].get("decoy", False)) for g in g_of], bool)
    n_units = len(scenario.units)  # standalone sensor sites are the Units rows after the fire units
    sensor_specs = {i: scenario.sensors[u - n_units].emission for i, u in enumerate(radars.unit_idx)
                    if u >= n_units and scenario.sensors[u - n_units].emission is not None}
    return {"jammers": jam, "arms": arms, "emission": emission.policy(scenario, radars, sensor_specs), "decoy": decoy,
            "carrier_idx": groups.carrier_idx, "release_t_s": groups.release_t_s}
