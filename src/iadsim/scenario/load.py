"""Load a scenario file: YAML with line numbers -> validated :class:`Scenario`.

Every problem is reported as ``file:line: field.path: what was expected`` and all problems of a
file are collected before raising one :class:`ScenarioError`, so a user fixes them in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from iadsim import catalog
from iadsim.scenario.models import PathError, Scenario


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


def _to_python(node, path: tuple, lines: dict) -> object:
    """Walk a composed YAML node, returning plain data and recording each path's line."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, val_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node)) if not isinstance(key_node, yaml.ScalarNode) else key_node.value
            if key in out:
                raise ScenarioError([Problem("", key_node.start_mark.line + 1, _dotted(path + (key,)), "duplicate key")])
            out[key] = _to_python(val_node, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, path + (i,), lines) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _dotted(loc) -> str:
    return ".".join(str(p) for p in loc)


def _line(lines: dict, loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)


def parse_yaml(text: str, file: str) -> tuple[dict, dict]:
    """YAML text -> (data, {path tuple: line}). Raises ScenarioError on syntax errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        msg = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(file, mark.line + 1 if mark else None, "", f"malformed YAML: {msg}")]) from None
    if node is None:
        raise ScenarioError([Problem(file, 1, "", "the file is empty; expected a scenario mapping")])
    lines: dict = {}
    try:
        data = _to_python(node, (), lines)
    except ScenarioError as exc:
        raise ScenarioError([Problem(file, p.line, p.path, p.message) for p in exc.problems]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, 1, "", f"expected a mapping at the top of the file, got {type(data).__name__}")])
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
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(file, _line(lines, err["loc"]), _dotted(err["loc"]), _pydantic_message(err))
                    for err in exc.errors()]
        raise ScenarioError(problems) from None
    problems = [Problem(file, _line(lines, e.loc), _dotted(e.loc), e.message) for e in check_references(scenario)]
    if problems:
        raise ScenarioError(problems)
    return scenario


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
                threat_profile(raid)
            except catalog.CatalogError as exc:
                errors.append(PathError(("raids", i, "overrides") + exc.loc, exc.message))
    for i, unit in enumerate(scenario.units):
        if unit.system not in catalog.names("systems"):
            errors.append(PathError(("units", i, "system"),
                                    f"unknown system {unit.system!r}{catalog.suggest(unit.system, catalog.names('systems'))}; "
                                    f"known: {', '.join(catalog.names('systems'))}"))
            continue
        try:
            prof = unit_profile(unit)
        except catalog.CatalogError as exc:
            errors.append(PathError(("units", i, "overrides") + exc.loc, exc.message))
            continue
        errors += [PathError(("units", i) + loc, msg) for loc, msg in doctrine_problems(unit, prof)]
    if not errors:
        errors += ballistic_problems(scenario)
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
