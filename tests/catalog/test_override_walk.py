"""Every override has an effect or is refused (issue #14 item 7, #16 item 2).

The walk visits every leaf of every catalog profile, overrides it from a scenario the way a user
would (systems through ``units[].overrides``, radars through ``overrides: {radar: {NAME: ...}}``,
missiles through ``overrides: {missile: {NAME: ...}}``, threats through the raid's overrides),
and checks that either the compiled World differs from the one without the override, or the
scenario loader refuses it with a file/line/field-path problem.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import yaml

from iadsim import catalog
from iadsim.compile import compile_scenario
from iadsim.scenario.load import ScenarioError, parse_yaml, validate_data

BASE = {
    "schema_version": 1,
    "name": "walk",
    "seed": 1,
    "origin": {"lat_deg": 40.07889, "lon_deg": 32.56556, "alt_m": 843},
    "time": {"duration_s": 600, "step_s": 1.0},
    "assets": [{"name": "base", "lat_deg": 40.07889, "lon_deg": 32.56556, "value": 100, "radius_m": 1500}],
    "units": [
        {"name": "s400", "system": "s400", "lat_deg": 40.10, "lon_deg": 32.60},
        {"name": "patriot", "system": "patriot", "lat_deg": 40.05, "lon_deg": 32.55, "facing_deg": 180},
        # an L-band radar, so that every band factor of a threat meets a radar
        {"name": "s400_l", "system": "s400", "lat_deg": 40.12, "lon_deg": 32.52,
         "overrides": {"radar": {"91N6E": {"frequency": 1.3}}}},
        # VHF and UHF radars (the low-band factors of issue #17)
        {"name": "s400_vhf", "system": "s400", "lat_deg": 40.14, "lon_deg": 32.50,
         "overrides": {"radar": {"91N6E": {"frequency": 0.17}}}},
        {"name": "s400_uhf", "system": "s400", "lat_deg": 40.16, "lon_deg": 32.48,
         "overrides": {"radar": {"91N6E": {"frequency": 0.5}}}},
    ],
    "raids": [],
}
ROUTE = {"target": "base", "start_s": 10,
         "route": [{"lat_deg": 39.0, "lon_deg": 33.2, "alt_agl_m": 300},
                   {"lat_deg": 39.5, "lon_deg": 32.2, "alt_agl_m": 300}],  # a dog-leg: the route turns
         "terminal": {"weave_g": 40, "weave_period_s": 6, "weave_range_m": 20000}}
BALLISTIC = {"target": "base", "start_s": 10,
             "ballistic": {"lat_deg": 38.10, "lon_deg": 34.40, "apogee_alt_m": 90000},
             "terminal": {"weave_g": 40, "weave_period_s": 6, "weave_below_alt_agl_m": 30000}}


def scenario(threat: str, unit_overrides: dict | None = None, raid_overrides: dict | None = None,
             unit: int = 0) -> dict:
    data = copy.deepcopy(BASE)
    raid = copy.deepcopy(BALLISTIC if threat == "srbm" else ROUTE)
    raid.update(name="r", threat=threat)
    if raid_overrides:
        raid["overrides"] = raid_overrides
    data["raids"] = [raid]
    if unit_overrides:
        data["units"][unit]["overrides"] = unit_overrides
    return data


def load(data: dict):
    """Validate as ``iadsim validate`` does (file text with lines), return the Scenario."""
    text = yaml.safe_dump(data, sort_keys=False)
    parsed, lines = parse_yaml(text, "walk.yaml")
    return validate_data(parsed, lines, "walk.yaml")


def same(a, b) -> bool:
    """Structural equality of compiled worlds (arrays compared exactly, NaN equal to NaN)."""
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray):
        if a.dtype == object or b.dtype == object or a.dtype.kind in "US":
            return a.shape == b.shape and a.tolist() == b.tolist()
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def leaves(node: dict, path=()):
    for key, val in node.items():
        if catalog.is_quantity(val) or not isinstance(val, dict):
            yield path + (key,), val
        else:
            yield from leaves(val, path + (key,))


def nest(path: tuple, value) -> dict:
    out = value
    for key in reversed(path):
        out = {key: out}
    return out


OTHER_CHOICE = {"kind": catalog.THREAT_KINDS, "class_engage": catalog.ENGAGE_POLICIES}


def new_value(kind: str, name: str, path: tuple, leaf):
    """A different, valid-looking value for a leaf (the catalog's own unit)."""
    if catalog.is_quantity(leaf):
        v = leaf["value"]
        if isinstance(v, str):
            return "x" + v
        if isinstance(v, list):
            return [x * 1.1 for x in v]
        if path[-1] == "swerling":
            return 3 if v != 3 else 1
        if path[-1] == "pfa":
            return v / 10.0
        if path[-1] in ("el_min", "el_max"):
            return v + 1
        if path[-1] == "az_sector":
            return v / 2.0
        if isinstance(v, int) or float(v).is_integer():
            return int(v) + 1
        return v * 1.25
    for key, choices in OTHER_CHOICE.items():
        if key in path:
            return next(c for c in choices if c != leaf)
    if path == ("radars",):  # drop the surveillance radar, or add one
        return leaf[-1:] if len(leaf) > 1 else leaf + [next(r for r in catalog.names("radars") if r not in leaf)]
    if path == ("engagement_radar",):
        radars = catalog.profile(kind, name)["radars"]
        return next((r for r in radars if r != leaf), "nope")
    if path == ("loadout",):
        out = copy.deepcopy(leaf)
        out[0]["launchers"] += 1
        return out
    return f"{leaf}!"


def cases():
    """(kind, name, leaf path, scenario data without, with the override, the override's dotted path)."""
    unit_of = {"s400": 0, "patriot": 1}
    for name in catalog.names("systems"):
        for path, leaf in leaves(catalog.profile("systems", name)):
            value = new_value("systems", name, path, leaf)
            yield ("systems", name, path, scenario("fighter"),
                   scenario("fighter", nest(path, value), unit=unit_of[name]),
                   f"units.{unit_of[name]}.overrides." + ".".join(path))
    holder = {}
    for system, u in unit_of.items():
        prof = catalog.profile("systems", system)
        for r in prof["radars"]:
            holder.setdefault(("radars", r), u)
        for e in prof["loadout"]:
            holder.setdefault(("missiles", e["missile"]), u)
    for kind, part in (("radars", "radar"), ("missiles", "missile")):
        for name in catalog.names(kind):
            u = holder.get((kind, name), 0)
            for path, leaf in leaves(catalog.profile(kind, name)):
                value = new_value(kind, name, path, leaf)
                yield (kind, name, path, scenario("fighter"), scenario("fighter", nest((part, name) + path, value), unit=u),
                       f"units.{u}.overrides.{part}.{name}." + ".".join(path))
    for name in catalog.names("threats"):
        for path, leaf in leaves(catalog.profile("threats", name)):
            value = new_value("threats", name, path, leaf)
            yield ("threats", name, path, scenario(name), scenario(name, raid_overrides=nest(path, value)),
                   "raids.0.overrides." + ".".join(path))


@pytest.fixture(scope="module")
def base_worlds():
    return {}


def test_every_leaf_override_changes_the_world_or_is_refused(base_worlds):
    ignored, bad_refusals, n_changed, n_refused = [], [], 0, 0
    for kind, name, path, base, over, dotted in cases():
        key = yaml.safe_dump(base)
        if key not in base_worlds:
            base_worlds[key] = compile_scenario(load(base)).world
        try:
            sc = load(over)
        except ScenarioError as exc:
            hit = [p for p in exc.problems if p.path.startswith(dotted) or dotted.startswith(p.path)]
            if not hit or hit[0].line is None or not hit[0].message:
                bad_refusals.append(f"{kind}.{name}.{'.'.join(path)}: {[str(p) for p in exc.problems]}")
            n_refused += 1
            continue
        if same(compile_scenario(sc).world, base_worlds[key]):
            ignored.append(f"{kind}.{name}.{'.'.join(path)}")
        else:
            n_changed += 1
    assert not ignored, f"overrides accepted and without effect: {ignored}"
    assert not bad_refusals, f"refusals that do not name the field and line: {bad_refusals}"
    assert n_changed > 100 and n_refused > 100, (n_changed, n_refused)
