"""Public-source profiles: radars, missiles, air-defence systems and threats.

Each profile is YAML inside this package. Every number is a *quantity*:
``{value, unit, grade, src, note}`` with grade A (two or more independent public sources
agree), B (one source, or several echoing one origin) or C (recalled, estimated or derived, the
note says how), and ``src`` keys listed in ``sources.yaml`` (full references in
``shared/reference/parameters.md`` §7).

:func:`si` turns a profile into plain SI numbers with the unit in the key
(``max_range`` in km becomes ``max_range_m``), which is all the simulation ever sees.
"""

from __future__ import annotations

import copy
import difflib
from functools import cache
from importlib import resources

import numpy as np
import yaml

KINDS = ("systems", "radars", "missiles", "threats")

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


SIGNED_UNITS = ("dB", "deg")  # the only units whose values may be negative


class CatalogError(ValueError):
    """An unknown profile name or a malformed override; ``loc`` is the override's key path."""

    def __init__(self, message: str, loc: tuple = ()):
        super().__init__(message)
        self.loc = loc
        self.message = message


@cache
def _load(kind: str) -> dict:
    text = resources.files(__package__).joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def sources() -> dict[str, str]:
    """Source key -> short reference."""
    return dict(_load("sources"))


def names(kind: str) -> list[str]:
    """Profile names of one kind (``systems``, ``radars``, ``missiles``, ``threats``)."""
    return list(_load(kind))


def suggest(name: str, candidates) -> str:
    """A 'did you mean' phrase for an unknown name, or an empty string."""
    close = difflib.get_close_matches(str(name), list(candidates), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def profile(kind: str, name: str) -> dict:
    """A deep copy of one raw profile (quantities with their grades and sources)."""
    table = _load(kind)
    if name not in table:
        raise CatalogError(
            f"unknown {kind[:-1]} {name!r}{suggest(name, table)}; known: {', '.join(table)}"
        )
    return copy.deepcopy(table[name])


def is_quantity(node) -> bool:
    return isinstance(node, dict) and "value" in node and "unit" in node


def si(node):
    """Convert a profile (or any sub-tree) to SI: quantities become numbers, keys get unit suffixes."""
    if isinstance(node, list):
        return [si(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, val in node.items():
        if is_quantity(val):
            factor, suffix = UNITS[val["unit"]]
            out[f"{key}{suffix}"] = None if val["value"] is None else float(val["value"]) * factor
        else:
            out[key] = si(val)
    return out


def apply_overrides(node: dict, overrides: dict, loc: tuple = ()) -> dict:
    """Return a copy of a raw profile with scenario overrides merged in.

    A leaf of ``overrides`` is a number in the catalog's own unit, or a mapping with ``value``
    (and optionally ``unit``, which must then equal the catalog's). The override is recorded in
    the quantity's ``grade`` as ``"scenario"`` so reports show it is not a public figure.
    Unknown keys raise :class:`CatalogError` naming the path.
    """
    out = copy.deepcopy(node)
    for key, val in overrides.items():
        here = loc + (key,)
        if key not in out:
            raise CatalogError(f"no such catalog field{suggest(key, out)}; fields here: {', '.join(map(str, out))}", here)
        target = out[key]
        if is_quantity(target):
            if isinstance(val, dict):
                if "unit" in val and val["unit"] != target["unit"]:
                    raise CatalogError(f"expected unit {target['unit']!r}, got {val['unit']!r}", here + ("unit",))
                val = val.get("value")
            if isinstance(val, bool) or not isinstance(val, (int, float)):
                raise CatalogError(f"expected a number in {target['unit']}, got {val!r}", here)
            if val < 0 and target["unit"] not in SIGNED_UNITS:
                raise CatalogError(f"expected a non-negative number in {target['unit']}, got {val!r}", here)
            target.update(value=val, grade="scenario", src=["scenario override"], note="set by the scenario")
        elif isinstance(target, dict):
            if not isinstance(val, dict):
                raise CatalogError(f"expected a mapping of fields, got {val!r}", here)
            out[key] = apply_overrides(target, val, here)
        else:
            out[key] = val
    return out


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
