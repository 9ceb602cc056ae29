"""Public-source profiles: radars, missiles, air-defence systems and threats — one catalog.

Each profile is YAML inside this package, one profile per system, radar, missile and threat,
holding every figure the engine uses (a missile's 3-DOF flyout figures sit under its ``flyout``
key). Every number is a *figure*: ``{value, unit, grade, src, method}`` with grade

* A — two or more independent public sources agree (distinct ``origin`` in ``sources.yaml``),
* B — one source, or several echoing one origin,
* C — an estimate, a fit or a modelling choice;

``src`` lists keys of ``sources.yaml`` (full citations: title, publisher, date, address) and
``method`` says how the value was chosen from the sources or, with no source, how it was fitted
or estimated. Every figure has sources or a method; A and B figures have sources.

:func:`si` turns a profile into plain SI numbers with the unit in the key (``max_range`` in km
becomes ``max_range_m``), which is all the simulation ever sees; the ``flyout`` sub-tree is left
as it is (its keys already carry the SI unit; :mod:`iadsim.flyout.params` converts it).

Scenario overrides (:func:`apply_overrides`) either change a figure the engine reads or are
refused with a :class:`CatalogError` naming the field: documentation (titles, summaries), figures
the engine does not read, the flyout figures (the flyout stage and the C2's fly-out tables are
built from the catalog), and values outside a field's physical range.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from functools import cache
from importlib import resources

import numpy as np
import yaml

KINDS = ("systems", "radars", "missiles", "threats", "command_posts")
GRADES = ("A", "B", "C")
FLYOUT = "flyout"  # a missile's flyout figures (iadsim.flyout.params), SI unit in the key
THREAT_KINDS = ("aircraft", "cruise_missile", "ballistic", "drone")  # = iadsim.c2.threat_eval.THREAT_CLASSES
ENGAGE_POLICIES = ("any", "cheapest", "none")  # = iadsim.c2.stage.POLICIES

# unit -> (factor to SI, suffix of the SI key)
UNITS: dict[str, tuple[float, str]] = {
    "km": (1e3, "_m"),
    "m": (1.0, "_m"),
    "m2": (1.0, "_m2"),
    "m/s": (1.0, "_mps"),
    "s": (1.0, "_s"),
    "us": (1e-6, "_s"),
    "GHz": (1e9, "_hz"),
    "MHz": (1e6, "_hz"),
    "kW": (1e3, "_w"),
    "W": (1.0, "_w"),
    "dB": (1.0, "_db"),
    "deg": (np.pi / 180.0, "_rad"),
    "1": (1.0, ""),
}
FLYOUT_UNITS = ("kg", "kN", "g", "mrad", "")  # further edge units of the flyout figures ("" for a label)

SIGNED_UNITS = ("dB", "deg")  # the only units whose values may be negative
KEY_REF = re.compile(r"\[([A-Z][A-Z0-9-]*(?:, [A-Z][A-Z0-9-]*)*)\]")  # "[N8, N21]" cited in a method


class CatalogError(ValueError):
    """An unknown profile name or a refused override; ``loc`` is the override's key path."""

    def __init__(self, message: str, loc: tuple = ()):
        super().__init__(message)
        self.loc = loc
        self.message = message


@cache
def _load(kind: str) -> dict:
    text = resources.files(__package__).joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def sources() -> dict[str, dict]:
    """Source key -> citation ``{title, publisher, date, url, origin?, note?}``."""
    return copy.deepcopy(_load("sources"))


def names(kind: str) -> list[str]:
    """Profile names of one kind (``systems``, ``radars``, ``missiles``, ``threats``)."""
    return list(_load(kind))


def suggest(name: str, candidates) -> str:
    """A 'did you mean' phrase for an unknown name, or an empty string."""
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def profile(kind: str, name: str) -> dict:
    """A deep copy of one raw profile (figures with their grades and sources)."""
    table = _load(kind)
    if name not in table:
        raise CatalogError(
            f"unknown {kind[:-1]} {name!r}{suggest(name, table)}; known: {', '.join(table)}"
        )
    return copy.deepcopy(table[name])


def is_quantity(node) -> bool:
    return isinstance(node, dict) and "value" in node and "unit" in node


def figures(node: dict, prefix: str = ""):
    """Every figure of a (sub-)profile as ``(dotted path, figure)``, in file order."""
    for key, val in node.items():
        if is_quantity(val):
            yield f"{prefix}{key}", val
        elif isinstance(val, dict):
            yield from figures(val, f"{prefix}{key}.")


def si(node):
    """Convert a profile (or any sub-tree) to SI: figures become numbers, keys get unit suffixes.

    The ``flyout`` sub-tree is copied as it is (:func:`iadsim.flyout.params.params_from_mapping`).
    """
    if isinstance(node, list):
        return [si(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, val in node.items():
        if key == FLYOUT:
            out[key] = copy.deepcopy(val)
        elif is_quantity(val):
            factor, suffix = UNITS[val["unit"]]
            out[f"{key}{suffix}"] = None if val["value"] is None else float(val["value"]) * factor
        else:
            out[key] = si(val)
    return out


# --- overrides ---------------------------------------------------------------------------------

_FLYOUT_WHY = ("the flyout figures cannot be set from a scenario: the flyout stage and the C2's fly-out "
               "tables are built from the catalog profile (edit the catalog to change them)")


def _doc(why):
    return ("refuse", why)


def _num(lo=None, hi=None, lo_open=False, hi_open=False, integer=False):
    return ("number", lo, hi, lo_open, hi_open, integer)


_POS = _num(0.0, lo_open=True)
MIN_SPEED_MPS = 10.0  # slowest raid speed (a threat's speed, a waypoint's speed_mps): slower hangs a route, m/s
_NONNEG = _num(0.0)
_COUNT1 = _num(1, integer=True)
_COUNT0 = _num(0, integer=True)

# Override rules by kind and path inside the profile ("*" matches any key). A path without a rule
# is, for a figure, a finite number (non-negative unless its unit is signed); anything else that
# has no rule is documentation and refused.
RULES: dict[str, dict[tuple, tuple]] = {
    "systems": {
        ("title",): _doc("documentation only"),
        ("summary",): _doc("documentation only"),
        ("tracks_max",): _doc("documentation only: the tracker does not limit the number of tracks (not modelled)"),
        ("radars",): ("radars",),
        ("engagement_radar",): ("engagement_radar",),
        ("loadout",): ("loadout",),
        ("launchers", "count"): _COUNT1,
        ("launchers", "rails"): _COUNT1,
        ("launchers", "reload_vehicles"): _COUNT1,
        ("launchers", "reload_sets"): _COUNT0,
        ("channels", "targets"): _COUNT1,
        ("channels", "missiles"): _COUNT1,
        ("c2_cycle",): _POS,
        ("salvo",): _COUNT1,
        ("doctrine", "assessment_looks"): _COUNT1,
        ("doctrine", "class_salvo", "*"): _COUNT0,
        ("doctrine", "class_engage", "*"): ("choice", ENGAGE_POLICIES),
    },
    "radars": {
        ("title",): _doc("documentation only"),
        ("role",): _doc("documentation only (the unit's engagement_radar says which radar guides)"),
        ("band",): _doc("documentation only: the band follows from frequency"),
        ("reference_range",): _doc("documentation only: the range peak_power was derived for; "
                                   "override peak_power or max_range instead"),
        ("n_pulses",): _COUNT1,
        ("pfa",): _num(0.0, 1.0, lo_open=True, hi_open=True),
        ("az_sector",): _num(0.0, 360.0, lo_open=True),
        ("el_min",): _num(-90.0, 90.0),
        ("el_max",): _num(-90.0, 90.0),
        ("sidelobe_level",): _num(-80.0, 0.0),
        **{(k,): _POS for k in ("frequency", "peak_power", "pulse_width", "bandwidth", "scan_period", "beamwidth_az",
                                 "beamwidth_el", "max_range", "dwell")},
    },
    "missiles": {
        ("title",): _doc("documentation only"),
        ("guidance",): _doc("documentation only"),
        ("max_speed",): _doc("documentation only: the public speed the flyout figures were fitted to"),
        (FLYOUT,): _doc(_FLYOUT_WHY),
        **{(k,): _POS for k in ("max_range", "max_range_ballistic", "max_altitude", "max_target_speed", "unit_cost")},
        ("launch_on_remote",): _num(0, 1, integer=True),
    },
    "command_posts": {
        ("title",): _doc("documentation only"),
        ("summary",): _doc("documentation only"),
        ("c2_cycle",): _POS,
    },
    "threats": {
        ("title",): _doc("documentation only"),
        ("kind",): ("choice", THREAT_KINDS),
        ("swerling",): _num(0, 4, integer=True),
        ("max_speed",): _doc("documentation only: a route's speed is `speed` or the waypoints' speed_mps"),
        ("altitude",): _doc("documentation only: a route's height is given by its waypoints"),
        ("max_range",): _doc("documentation only: the threat's range band, used to check ballistic raids at load"),
        ("min_range",): _doc("documentation only: the threat's range band, used to check ballistic raids at load"),
        ("speed",): _num(MIN_SPEED_MPS),
        **{(k,): _POS for k in ("rcs_front", "rcs_side", "rcs_rear", "turn_g", "burnout_alt",
                                 "ballistic_coefficient_kgpm2")},
        ("rcs_band_factor", "*"): _POS,
        ("decoy",): _doc("documentation only: a decoy is a different profile (the summary's decoy flag)"),
        ("class_reference",): _doc("documentation only: whether the profile is a planning reference of its class"),
        ("jammer", "kind"): ("choice", ("self_screening", "escort", "stand_off")),  # = iadsim.ea.jamming.JAMMER_KINDS
        ("jammer", "gain"): _num(-20.0, 60.0),
        ("jammer", "loss"): _num(0.0, 30.0),
        **{("jammer", k): _POS for k in ("power", "bandwidth", "frequency")},
        **{("arm", k): _POS for k in ("guided_miss", "angle_sigma", "lethal_radius")},
    },
}


def _rule(kind, rel: tuple):
    for pattern, rule in RULES.get(kind, {}).items():
        if len(pattern) == len(rel) and all(p in ("*", r) for p, r in zip(pattern, rel)):
            return rule
    return None


def _check_number(val, rule, unit, loc):
    """A finite real number inside the rule's bounds, else CatalogError."""
    if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
        raise CatalogError(f"expected a finite number in {unit}, got {val!r}", loc)
    in_unit = "" if unit in ("1", "") else f" {unit}"
    if val < 0 and unit not in SIGNED_UNITS:
        raise CatalogError(f"expected a non-negative number{' in' + in_unit if in_unit else ''}, got {val!r}", loc)
    if rule is None:
        rule = _num() if unit in SIGNED_UNITS else _NONNEG
    _, lo, hi, lo_open, hi_open, integer = rule
    if integer and float(val) != int(val):
        raise CatalogError(f"expected a whole number, got {val!r}", loc)
    if lo is not None and (val <= lo if lo_open else val < lo):
        raise CatalogError(f"expected a number {'>' if lo_open else '>='} {lo:g}{in_unit}, got {val!r}", loc)
    if hi is not None and (val >= hi if hi_open else val > hi):
        raise CatalogError(f"expected a number {'<' if hi_open else '<='} {hi:g}{in_unit}, got {val!r}", loc)


def apply_overrides(node: dict, overrides, loc: tuple = (), kind: str | None = None, rel: tuple = ()) -> dict:
    """Return a copy of a raw profile of ``kind`` with scenario overrides merged in.

    A figure's override is a number in the catalog's own unit, or a mapping with ``value`` (and
    optionally ``unit``, which must then equal the catalog's); the figure is marked grade
    ``"scenario"`` with method ``"set by the scenario"`` so reports show it is not a public
    figure. Non-figure settings (``radars``, ``loadout``, ``kind`` ...) are checked by their rule.
    Unknown keys, documentation, unread figures and out-of-range values raise
    :class:`CatalogError` with ``loc`` = the override's key path.
    """
    if not isinstance(overrides, dict):
        raise CatalogError(f"expected a mapping of fields, got {overrides!r}", loc)
    out = copy.deepcopy(node)
    for key, val in overrides.items():
        here, path = loc + (key,), rel + (key,)
        if key not in out:
            raise CatalogError(f"no such catalog field{suggest(key, out)}; fields here: {', '.join(map(str, out))}", here)
        target, rule = out[key], _rule(kind, path)
        if rule is not None and rule[0] == "refuse":
            raise CatalogError(f"cannot be overridden: {rule[1]}", here)
        if is_quantity(target):
            if isinstance(val, dict):
                if set(val) - {"value", "unit"}:
                    raise CatalogError(f"expected a number or {{value, unit}}, got keys {', '.join(map(str, val))}", here)
                if "unit" in val and val["unit"] != target["unit"]:
                    raise CatalogError(f"expected unit {target['unit']!r}, got {val['unit']!r}", here + ("unit",))
                val = val.get("value")
            _check_number(val, rule, target["unit"], here)
            target.clear()
            target.update(value=val, unit=node[key]["unit"], grade="scenario", src=[], method="set by the scenario")
        elif isinstance(target, dict):
            out[key] = apply_overrides(target, val, here, kind, path)
        elif rule is not None and rule[0] == "choice":
            if val not in rule[1]:
                raise CatalogError(f"expected one of {', '.join(rule[1])}, got {val!r}", here)
            out[key] = val
        elif rule is not None and rule[0] in ("radars", "engagement_radar", "loadout"):
            out[key] = val  # checked with the whole unit by check_system
        else:
            raise CatalogError("cannot be overridden: documentation only", here)
    return out


def _whole(entry, field, loc, lo):
    val = entry[field]
    if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) or val != int(val) or val < lo:
        raise CatalogError(f"expected a whole number >= {lo}, got {val!r}", loc + (field,))
    return int(val)


def check_loadout(loadout, loc=("loadout",)) -> list[dict]:
    """A loadout: a non-empty list of ``{missile, launchers[, rails]}`` naming loadout-ready missiles."""
    if not isinstance(loadout, list) or not loadout:
        raise CatalogError(f"expected a non-empty list of {{missile: NAME, launchers: N[, rails: N]}}, got {loadout!r}", loc)
    known = [n for n in names("missiles") if "max_range" in _load("missiles")[n] and "min_range" in _load("missiles")[n]]
    out = []
    for i, entry in enumerate(loadout):
        here = loc + (i,)
        if not isinstance(entry, dict):
            raise CatalogError(f"expected {{missile: NAME, launchers: N[, rails: N]}}, got {entry!r}", here)
        extra = set(entry) - {"missile", "launchers", "rails"}
        if extra or "missile" not in entry or "launchers" not in entry:
            raise CatalogError("expected the keys missile, launchers and optionally rails"
                               + (f"; unknown: {', '.join(map(str, extra))}" if extra else ""), here)
        name = entry["missile"]
        if name not in known:
            why = (f"missile {name!r} has flyout figures only (no C2 envelope figures), so it cannot be in a loadout"
                   if name in names("missiles") else f"unknown missile {name!r}{suggest(name, known)}")
            raise CatalogError(f"{why}; loadout missiles: {', '.join(known)}", here + ("missile",))
        e = {"missile": name, "launchers": _whole(entry, "launchers", here, 0)}
        if "rails" in entry:
            e["rails"] = _whole(entry, "rails", here, 1)
        out.append(e)
    if len({e["missile"] for e in out}) != len(out):
        raise CatalogError("a missile appears twice; give each missile one entry", loc)
    if sum(e["launchers"] for e in out) == 0:
        raise CatalogError("no launchers: at least one entry needs launchers >= 1", loc)
    return out


def scale_loadout(loadout: list[dict], count: int) -> list[dict]:
    """Re-divide ``count`` launchers over the loadout's entries in proportion to their launchers.

    Largest remainder, ties to the earlier entry: the S-400's 6 × 48N6E3 + 2 × 40N6 becomes
    2 + 0 for 2 launchers, 5 + 1 for 6 and 9 + 3 for 12.
    """
    total = sum(e["launchers"] for e in loadout)
    share = [count * e["launchers"] / total for e in loadout]
    n = [int(math.floor(s)) for s in share]
    order = sorted(range(len(loadout)), key=lambda i: (-(share[i] - n[i]), i))
    for i in order[: count - sum(n)]:
        n[i] += 1
    return [dict(e, launchers=k) for e, k in zip(loadout, n)]


def check_system(prof: dict, overrides: dict) -> dict:
    """Check a system profile after its overrides, and apply ``launchers.count`` to the loadout.

    ``radars`` must name known radars, ``engagement_radar`` one of them; the loadout is checked by
    :func:`check_loadout`. ``launchers.count`` is the number of launchers the unit has: when a
    scenario sets it, the loadout's launchers are re-divided in proportion (:func:`scale_loadout`);
    a scenario that sets both must make them agree.
    """
    radars = prof["radars"]
    known = names("radars")
    if not isinstance(radars, list) or not radars:
        raise CatalogError(f"expected a non-empty list of radar names, got {radars!r}", ("radars",))
    for i, r in enumerate(radars):
        if r not in known:
            raise CatalogError(f"unknown radar {r!r}{suggest(r, known)}; known: {', '.join(known)}", ("radars", i))
    if len(set(radars)) != len(radars):
        raise CatalogError("a radar appears twice", ("radars",))
    if prof["engagement_radar"] not in radars:
        raise CatalogError(f"{prof['engagement_radar']!r} is not one of the unit's radars "
                           f"({', '.join(radars)}){suggest(prof['engagement_radar'], radars)}", ("engagement_radar",))
    prof["loadout"] = check_loadout(prof["loadout"])
    total = sum(e["launchers"] for e in prof["loadout"])
    count_set = "count" in overrides.get("launchers", {}) if isinstance(overrides.get("launchers"), dict) else False
    count = int(prof["launchers"]["count"]["value"])
    if count_set and "loadout" in overrides:
        if count != total:
            raise CatalogError(f"{count} launchers disagree with the {total} launchers of loadout[].launchers; "
                               "set one or the other", ("launchers", "count"))
    elif count_set:
        prof["loadout"] = scale_loadout(prof["loadout"], count)
    elif "loadout" in overrides:
        prof["launchers"]["count"].update(value=total, grade="scenario", src=[], method="the scenario's loadout")
    return prof


# --- listing ---------------------------------------------------------------------------------

def catalog_table() -> list[tuple[str, str, str]]:
    """(kind, name, title) of every profile, for ``iadsim catalog``."""
    return [(kind, name, prof.get("title", "")) for kind in KINDS for name, prof in _load(kind).items()]


def find(name: str) -> tuple[str, dict]:
    """Look a profile up by name in every kind; ``(kind, raw profile)``."""
    for kind in KINDS:
        if name in _load(kind):
            return kind, profile(kind, name)
    every = [n for k in KINDS for n in _load(k)]
    raise CatalogError(f"no catalog profile named {name!r}{suggest(name, every)}")


def citation(key: str) -> dict:
    """``{title, publisher, date, url}`` of a source key (CatalogError if unknown)."""
    table = _load("sources")
    if key not in table:
        raise CatalogError(f"unknown source key {key!r}")
    s = table[key]
    return {k: s.get(k) for k in ("title", "publisher", "date", "url")}


def cited_keys(text) -> list[str]:
    """Source keys cited in brackets in a method text, e.g. ``[N8, N21]``."""
    return [k for group in KEY_REF.findall(text or "") for k in group.split(", ")]


def describe(name: str, kind: str | None = None, prof: dict | None = None) -> dict:
    """One profile as plain data: ``{name, kind, figures: [{path, value, unit, grade, sources,
    method}], sources: {KEY: {title, publisher, date, url}}}`` (``iadsim catalog NAME --json``)."""
    if prof is None:
        kind, prof = (kind, profile(kind, name)) if kind else find(name)
    figs = [{"path": path, "value": q["value"], "unit": q["unit"], "grade": q["grade"],
             "sources": list(q.get("src") or []), "method": q.get("method")} for path, q in figures(prof)]
    keys = sorted({k for f in figs for k in f["sources"] + cited_keys(f["method"])})
    return {"name": name, "kind": kind[:-1], "figures": figs, "sources": {k: citation(k) for k in keys}}
