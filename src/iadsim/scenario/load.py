"""Load a scenario file: YAML with line numbers -> validated :class:`Scenario`.

Every problem is reported as ``file:line: field.path: what was expected`` and all problems of a
file are collected before raising one :class:`ScenarioError`, so a user fixes them in one pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from iadsim import catalog
from iadsim.scenario.models import MIN_SPEED_MPS, PathError, Scenario


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(ValueError):
    """One or more problems in a scenario file; ``str()`` lists them one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


MAX_FILE_BYTES = 5_000_000  # a scenario of thousands of raids is well under 1 MB
MAX_DEPTH = 24  # the schema nests at most ~8 levels (units.0.overrides.<quantity>.value); room for catalog overrides
ALLOWED_TAGS = frozenset("tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"  # an unquoted date is read as its text


class _Refused(Exception):
    """A construct the scenario loader refuses (alias, tag, nesting), at a line."""

    def __init__(self, line: int | None, path: str, message: str):
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML composer that refuses aliases and nesting deeper than :data:`MAX_DEPTH`.

    Anchors and aliases (``&a`` / ``*a``) are refused outright: expanding them is how a few hundred
    bytes become gigabytes (the billion-laughs file) and how a node can contain itself, and no
    scenario needs them. The refusal happens while composing, before anything is expanded, so
    every such file is rejected in time proportional to its size.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark.line + 1, "", f"YAML aliases (*{event.anchor}) are not supported in scenario "
                           "files (anchors and aliases are refused to keep loading bounded); write the value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise _Refused(event.start_mark.line + 1, "", f"nested deeper than {MAX_DEPTH} levels; "
                               "no scenario field nests that deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _to_python(node, path: tuple, lines: dict, problems: list, ctor: yaml.constructor.SafeConstructor) -> object:
    """Walk a composed YAML node, returning plain data and recording each path's line.

    Refuses (into ``problems``) explicit tags other than the plain YAML types, non-scalar keys
    and non-finite numbers (``.inf``, ``.nan``): no number in a scenario may be infinite.
    """
    line = node.start_mark.line + 1
    lines[path] = line
    if node.tag == TIMESTAMP_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    if node.tag not in ALLOWED_TAGS:
        problems.append(Problem("", line, _dotted(path), f"YAML tag {node.tag!r} is not allowed; scenario files hold "
                                                        "plain mappings, lists, strings, numbers and booleans"))
        return None
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, val_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in ALLOWED_TAGS:
                problems.append(Problem("", key_node.start_mark.line + 1, _dotted(path),
                                        "a mapping key must be a plain name (not a list, mapping or tagged value)"))
                continue
            key = key_node.value
            if key in out:
                problems.append(Problem("", key_node.start_mark.line + 1, _dotted(path + (key,)), "duplicate key"))
                continue
            out[key] = _to_python(val_node, path + (key,), lines, problems, ctor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, path + (i,), lines, problems, ctor) for i, v in enumerate(node.value)]
    value = ctor.construct_object(node)
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Problem("", line, _dotted(path), f"expected a finite number, got {node.value!r} "
                                                         "(infinite and NaN values are not allowed)"))
    return value


def _dotted(loc) -> str:
    return ".".join(str(p) for p in loc)


def _line(lines: dict, loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)


def parse_yaml(text: str, file: str) -> tuple[dict, dict]:
    """YAML text -> (data, {path tuple: line}). Raises ScenarioError on syntax errors and on what
    :class:`_BoundedLoader` and :func:`_to_python` refuse (aliases, tags, deep nesting, .inf/.nan)."""
    data, lines = _parse_any(text, file)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, 1, "", f"expected a mapping at the top of the file, got {type(data).__name__}")])
    return data, lines


def parse_value(text: str, what: str):
    """A YAML value given on the command line (``--set path=[...]``), read with the same bounds and
    refusals as a scenario file; raises ScenarioError naming ``what``."""
    return _parse_any(text, what)[0]


def _parse_any(text: str, file: str) -> tuple[object, dict]:
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, None, "", f"the file has {len(text):,} characters; scenario files are "
                                                     f"limited to {MAX_FILE_BYTES:,}")])
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        raise ScenarioError([Problem(file, exc.line, exc.path, exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        msg = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(file, mark.line + 1 if mark else None, "", f"malformed YAML: {msg}")]) from None
    if node is None:
        raise ScenarioError([Problem(file, 1, "", "the file is empty; expected a scenario mapping")])
    lines: dict = {}
    problems: list[Problem] = []
    data = _to_python(node, (), lines, problems, yaml.constructor.SafeConstructor())
    if problems:
        raise ScenarioError([Problem(file, p.line, p.path, p.message) for p in problems])
    return data, lines


def _pydantic_message(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the scenario schema; check the spelling)"
    if kind == "missing":
        return "required field is missing"
    got = err.get("input")
    if isinstance(got, (dict, list)):
        return msg
    return f"{msg} (got {got!r})"


def validate_data(data: dict, lines: dict, file: str) -> Scenario:
    """Validate parsed data against the schema and the catalog; raise ScenarioError with every problem."""
    data = resolve_dem_path(data, file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(file, _line(lines, err["loc"]), _dotted(err["loc"]), _pydantic_message(err))
                    for err in exc.errors()]
        raise ScenarioError(problems) from None
    errors = check_references(scenario) + terrain_problems(scenario)
    if not errors:
        errors = compile_problems(scenario)
    problems = [Problem(file, _line(lines, e.loc), _dotted(e.loc), e.message) for e in errors]
    if problems:
        raise ScenarioError(problems)
    return scenario


def resolve_dem_path(data: dict, file: str) -> dict:
    """``terrain.dem`` relative to the scenario file's directory (when ``file`` is a file), made
    absolute in a copy of ``data``; anything else is left to the schema."""
    terrain = data.get("terrain")
    if not isinstance(terrain, dict) or not isinstance(terrain.get("dem"), str) or not terrain["dem"].strip():
        return data
    dem = Path(terrain["dem"]).expanduser()
    base = Path(file).parent if Path(file).is_file() else Path.cwd()
    return {**data, "terrain": {**terrain, "dem": str(dem if dem.is_absolute() else (base / dem).resolve())}}


def terrain_problems(scenario: Scenario) -> list[PathError]:
    """A DEM that cannot be read (missing, malformed, unsupported), at ``terrain.dem``."""
    if scenario.terrain is None:
        return []
    from iadsim.terrain import DemError, load_terrain

    try:
        load_terrain(scenario.terrain.dem, scenario.terrain.geoid_undulation_m, scenario.origin.alt_m)
    except DemError as exc:
        return [PathError(("terrain", "dem"), str(exc))]
    return []


def compile_problems(scenario: Scenario) -> list[PathError]:
    """Compile a scenario that has catalog overrides, as the engine will: what the overrides break
    there (a field of the wrong type, say) is reported at the overrides, not raised at run time.
    Scenarios without overrides are not compiled here (the schema and the catalog cover them)."""
    holders = [(("units", i, "overrides"), u) for i, u in enumerate(scenario.units) if u.overrides]
    holders += [(("raids", i, "overrides"), r) for i, r in enumerate(scenario.raids) if r.overrides]
    if not holders:
        return []
    from iadsim.compile import compile_scenario  # late import: compile imports scenario

    try:
        compile_scenario(scenario)
    except catalog.CatalogError as exc:
        return [PathError(loc + exc.loc, exc.message) for loc, _ in holders[:1]]
    except UNUSABLE as exc:
        return [_unusable(loc, exc) for loc, _ in holders]
    return []


# What a profile broken by overrides of the wrong shape raises in the code that reads it (a list
# replaced by a number, an empty list, a missing field): reported as a problem of those overrides.
# The catalog's own checks (iadsim.catalog.apply_overrides) give the precise messages; this is the net.
UNUSABLE = (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError)


def _unusable(loc: tuple, exc: Exception) -> PathError:
    return PathError(loc, f"these overrides leave a catalog profile that cannot be used ({type(exc).__name__}: {exc}); "
                          "compare their shape with `iadsim catalog <name>`")


def check_references(scenario: Scenario) -> list[PathError]:
    """Names that must resolve: assets, catalog systems and threats, overrides, doctrine."""
    from iadsim.compile import unit_profile, threat_profile  # late import: compile imports scenario

    errors: list[PathError] = []
    for label, items in (("assets", scenario.assets), ("units", scenario.units), ("raids", scenario.raids)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                errors.append(PathError((label, i, "name"), f"duplicate name {item.name!r}"))
            seen.add(item.name)
    asset_names = [a.name for a in scenario.assets]
    for i, raid in enumerate(scenario.raids):
        if raid.target not in asset_names:
            errors.append(PathError(("raids", i, "target"),
                                    f"no asset named {raid.target!r}{catalog.suggest(raid.target, asset_names)}; "
                                    f"assets: {', '.join(asset_names)}"))
        if raid.threat not in catalog.names("threats"):
            errors.append(PathError(("raids", i, "threat"),
                                    f"unknown threat {raid.threat!r}{catalog.suggest(raid.threat, catalog.names('threats'))}; "
                                    f"known: {', '.join(catalog.names('threats'))}"))
        else:
            try:
                prof = threat_profile(raid)
            except catalog.CatalogError as exc:
                errors.append(PathError(("raids", i, "overrides") + exc.loc, exc.message))
            except UNUSABLE as exc:
                errors.append(_unusable(("raids", i, "overrides"), exc))
            else:
                speed = prof.get("speed_mps")
                if raid.route and speed is not None and not speed >= MIN_SPEED_MPS:
                    errors.append(PathError(("raids", i, "overrides", "speed") if "speed" in raid.overrides
                                            else ("raids", i, "threat"),
                                            f"the threat's speed is {speed:g} m/s; route raids fly at "
                                            f"{MIN_SPEED_MPS:g} m/s or faster"))
        errors += route_problems(raid, i)
        if raid.start_s >= scenario.time.duration_s:
            errors.append(PathError(("raids", i, "start_s"),
                                    f"the raid starts at {raid.start_s:g} s, at or after the end of the run "
                                    f"(duration_s {scenario.time.duration_s:g} s): it would never fly"))
    for i, unit in enumerate(scenario.units):
        if unit.system not in catalog.names("systems"):
            errors.append(PathError(("units", i, "system"),
                                    f"unknown system {unit.system!r}{catalog.suggest(unit.system, catalog.names('systems'))}; "
                                    f"known: {', '.join(catalog.names('systems'))}"))
            continue
        try:
            prof = unit_profile(unit)
            errors += [PathError(("units", i) + loc, msg) for loc, msg in doctrine_problems(unit, prof)]
        except catalog.CatalogError as exc:
            errors.append(PathError(("units", i, "overrides") + exc.loc, exc.message))
        except UNUSABLE as exc:
            errors.append(_unusable(("units", i, "overrides") if unit.overrides else ("units", i), exc))
    errors += network_problems(scenario)
    if not errors:
        errors += ballistic_problems(scenario)
    if not errors:
        from iadsim.ea.build import problems as ea_problems  # late import: it compiles profiles

        errors += ea_problems(scenario)
    return errors


def network_problems(scenario: Scenario) -> list[PathError]:
    """Sensors, command posts and links that must resolve (:mod:`iadsim.network`): catalog radars and
    command-post profiles with their overrides, names unique across units, sensors and command posts,
    every subordinate under one command post with one link to it, links only from a subordinate to
    its command post."""
    from iadsim.compile import sensor_profile  # late import: compile imports scenario
    from iadsim.network.model import cp_profile

    errors: list[PathError] = []
    seen: dict[str, str] = {}
    for label, items in (("units", scenario.units), ("sensors", scenario.sensors), ("command_posts", scenario.command_posts)):
        for i, item in enumerate(items):
            if item.name in seen and (label != "units" or seen[item.name] != "units"):  # units' own duplicates: above
                errors.append(PathError((label, i, "name"), f"duplicate name {item.name!r} (also a {seen[item.name][:-1]}); "
                                                            "units, sensors and command posts need distinct names"))
            seen.setdefault(item.name, label)
    radars = catalog.names("radars")
    for i, sensor in enumerate(scenario.sensors):
        if sensor.radar not in radars:
            errors.append(PathError(("sensors", i, "radar"), f"unknown radar {sensor.radar!r}"
                                    f"{catalog.suggest(sensor.radar, radars)}; known: {', '.join(radars)}"))
            continue
        try:
            sensor_profile(sensor)
        except catalog.CatalogError as exc:
            errors.append(PathError(("sensors", i, "overrides") + exc.loc, exc.message))
    profiles = catalog.names("command_posts")
    for i, cp in enumerate(scenario.command_posts):
        if cp.profile not in profiles:
            errors.append(PathError(("command_posts", i, "profile"), f"unknown command post {cp.profile!r}"
                                    f"{catalog.suggest(cp.profile, profiles)}; known: {', '.join(profiles)}"))
        else:
            try:
                cp_profile(cp.profile, cp.overrides)
            except catalog.CatalogError as exc:
                errors.append(PathError(("command_posts", i, "overrides") + exc.loc, exc.message))
    cps = [c.name for c in scenario.command_posts]
    sites = [u.name for u in scenario.units] + [s.name for s in scenario.sensors]
    boss: dict[str, str] = {}  # subordinate -> command post
    for label, items in (("units", scenario.units), ("sensors", scenario.sensors)):
        for i, item in enumerate(items):
            if item.command_post is None:
                continue
            if item.command_post not in cps:
                errors.append(PathError((label, i, "command_post"), f"no command post named {item.command_post!r}"
                                        f"{catalog.suggest(item.command_post, cps)}; command posts: {', '.join(cps) or 'none'}"))
            else:
                boss[item.name] = item.command_post
    for i, cp in enumerate(scenario.command_posts):
        for j, name in enumerate(cp.subordinates):
            loc = ("command_posts", i, "subordinates", j)
            if name not in sites:
                errors.append(PathError(loc, f"no unit or sensor named {name!r}{catalog.suggest(name, sites)}"))
            elif boss.get(name, cp.name) != cp.name:
                errors.append(PathError(loc, f"{name!r} is already under command post {boss[name]!r}; a unit or sensor "
                                             "reports to one command post"))
            else:
                boss[name] = cp.name
        if not any(c == cp.name for c in boss.values()):
            errors.append(PathError(("command_posts", i, "subordinates"), "a command post needs at least one unit or "
                                    "sensor under it (list them here, or give them command_post: " + repr(cp.name) + ")"))
    linked: dict[str, int] = {}
    for i, ln in enumerate(scenario.links):
        if ln.source not in sites:
            errors.append(PathError(("links", i, "from"), f"no unit or sensor named {ln.source!r}"
                                    f"{catalog.suggest(ln.source, sites)}; a link runs from a unit or sensor to its "
                                    "command post"))
        elif ln.to not in cps:
            errors.append(PathError(("links", i, "to"), f"no command post named {ln.to!r}{catalog.suggest(ln.to, cps)}; "
                                                        f"command posts: {', '.join(cps) or 'none'}"))
        elif boss.get(ln.source) != ln.to:
            how = (f" (it reports to {boss[ln.source]!r})" if ln.source in boss else
                   f"; name it in the command post's subordinates or give {ln.source!r} command_post: {ln.to!r}")
            errors.append(PathError(("links", i, "to"), f"{ln.source!r} is not under command post {ln.to!r}{how}"))
        elif ln.source in linked:
            errors.append(PathError(("links", i, "from"), f"{ln.source!r} already has a link (links.{linked[ln.source]}); "
                                                          "one link per unit or sensor"))
        else:
            linked[ln.source] = i
    for name, cp in boss.items():
        if name not in linked and cp in cps:
            unit_names = [u.name for u in scenario.units]
            label, items = ("units", scenario.units) if name in unit_names else ("sensors", scenario.sensors)
            i = [x.name for x in items].index(name)
            errors.append(PathError((label, i, "name"), f"{name!r} is under command post {cp!r} but has no link to it; "
                                                        f"add links: [{{from: {name}, to: {cp}}}]"))
    for i, sensor in enumerate(scenario.sensors):
        if sensor.name not in boss:
            errors.append(PathError(("sensors", i, "command_post"), "a sensor reports its tracks to a command post; give "
                                    "command_post: NAME (or list it in a command post's subordinates)"))
    return errors


def route_problems(raid, i: int) -> list[PathError]:
    """A waypoint that repeats the one before it (the same point: a leg of zero length), or that
    lies on the target (the last leg would have zero length), cannot be flown."""
    errors = []
    for j in range(1, len(raid.route)):
        a, b = raid.route[j - 1], raid.route[j]
        if (a.lat_deg, a.lon_deg) == (b.lat_deg, b.lon_deg):
            errors.append(PathError(("raids", i, "route", j),
                                    f"waypoint {j} repeats waypoint {j - 1} ({b.lat_deg}, {b.lon_deg}): "
                                    "a leg of zero length; remove one of them"))
    return errors


def ballistic_problems(scenario: Scenario) -> list[PathError]:
    """Ballistic raids that cannot fly: target beyond the threat's range, or no arc for the given
    apogee or burnout speed (closed-form check, :mod:`iadsim.threats.ballistic`)."""
    from iadsim import geo
    from iadsim.compile import threat_profile
    from iadsim.threats import ballistic

    origin = geo.Origin.from_deg(scenario.origin.lat_deg, scenario.origin.lon_deg, scenario.origin.alt_m)
    assets = {a.name: a for a in scenario.assets}
    errors = []
    for i, raid in enumerate(scenario.raids):
        if raid.ballistic is None:
            continue
        prof = threat_profile(raid)
        if "max_range_m" not in prof or "burnout_alt_m" not in prof:
            errors.append(PathError(("raids", i, "ballistic"), f"threat {raid.threat!r} is not a ballistic missile "
                                                               "(its catalog profile has no max_range / burnout_alt)"))
            continue
        a = assets[raid.target]
        geom = ballistic.geometry(origin, scenario.origin.alt_m, raid.ballistic, a.lat_deg, a.lon_deg, a.alt_agl_m,
                                  prof["burnout_alt_m"])
        errors += [PathError(("raids", i) + loc, msg) for loc, msg in ballistic.check(raid.ballistic, prof, *geom)]
    return errors


def doctrine_problems(unit, prof: dict) -> list[tuple[tuple, str]]:
    """Doctrine that cannot be executed with this unit's launchers, channels and inventory.

    Returns (loc inside the unit, message) pairs; the caller prefixes ``("units", i)`` so the
    error names the file line of the offending doctrine field.
    """
    out = []
    d = unit.doctrine
    rails = [int(entry.get("rails", prof["launchers"]["rails"])) for entry in prof["loadout"]]
    rounds = [r * int(entry["launchers"]) for r, entry in zip(rails, prof["loadout"])]
    reload_s = prof["launchers"].get("reload_time_s") if d.reload else 0.0
    missiles = int(prof["channels"]["missiles"])
    salvo = d.salvo or (2 if d.mode == "salvo" else int(prof["salvo"]))
    checks = [(("doctrine", "salvo"), salvo)]
    checks += [(("doctrine", "class_rules", c, "salvo"), r.salvo) for c, r in d.class_rules.items() if r.salvo]
    for loc, n in checks:
        if n > max(rails) and not reload_s:
            out.append((loc, f"a salvo of {n} needs launchers of at least {n} rails or a reload; "
                             f"this unit has at most {max(rails)} rails and no reload"))
        if n > missiles:
            out.append((loc, f"a salvo of {n} exceeds the {missiles} missile-guidance channels"))
    if d.reserve_rounds and d.reserve_rounds >= max(rounds):
        out.append((("doctrine", "reserve_rounds"),
                    f"a reserve of {d.reserve_rounds} keeps back every round (the largest load is {max(rounds)} rounds)"))
    if d.class_rules and all(r.engage == "none" for r in d.class_rules.values()) and len(d.class_rules) == 4 and d.weapons_free:
        out.append((("doctrine", "class_rules"), "every threat class has engage: none; use weapons_free: false to hold fire"))
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file. Raises :class:`ScenarioError` naming file and line."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise ScenarioError([Problem(file, None, "", "no such file")])
    if path.is_dir():
        raise ScenarioError([Problem(file, None, "", "is a directory; expected a scenario YAML file")])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read the file: {exc}")]) from None
    data, lines = parse_yaml(text, file)
    return validate_data(data, lines, file)
