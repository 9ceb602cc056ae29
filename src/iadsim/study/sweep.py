"""Parameter sweeps: ``--set path=[v1, v2, ...]`` over one or two scenario parameters.

A path indexes the scenario mapping as written in the file, dotted, with numbers for list
indices (``units.0.overrides.launchers.count``); values are YAML. Missing mapping keys are
created (catalog overrides and optional blocks are usually absent from the file), so a misspelt
key is caught by the schema; every point is validated before anything runs, and any problem is
reported with the ``--set`` path that caused it. All points share the study seed: common random
numbers across the sweep.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import yaml

from iadsim.scenario.load import ScenarioError, parse_value, validate_data


class SweepError(ValueError):
    """A ``--set`` option that cannot be applied, or that makes the scenario invalid."""


@dataclass(frozen=True)
class Axis:
    path: tuple
    values: list

    @property
    def name(self) -> str:
        return ".".join(str(p) for p in self.path)


@dataclass(frozen=True)
class Point:
    label: str
    values: tuple
    scenario: object
    yaml_text: str


def parse_set(text: str) -> Axis:
    """``a.0.b=[1, 2]`` -> Axis(('a', 0, 'b'), [1, 2]); a single value is a one-point axis."""
    path_text, sep, values_text = text.partition("=")
    path_text = path_text.strip()
    if not sep or not path_text:
        raise SweepError(f"--set {text!r}: expected PATH=[VALUES], e.g. units.0.overrides.launchers.count=[6,8,12]")
    if any(not part for part in path_text.split(".")):
        raise SweepError(f"--set {path_text}: empty part in the path")
    path = tuple(int(p) if p.isdigit() else p for p in path_text.split("."))
    if not values_text.strip():
        raise SweepError(f"--set {path_text}: no values given")
    try:
        values = parse_value(values_text, f"--set {path_text}")
    except ScenarioError as exc:
        raise SweepError(f"the values are not valid: {exc}") from None
    values = values if isinstance(values, list) else [values]
    if not values:
        raise SweepError(f"--set {path_text}: no values given")
    return Axis(path, values)


def set_path(data: dict, path: tuple, value) -> None:
    """Set ``value`` at ``path`` inside ``data`` (in place), creating missing mappings on the way."""
    node = data
    for k, key in enumerate(path):
        where = ".".join(str(p) for p in path[: k + 1])
        last = k == len(path) - 1
        if isinstance(node, list):
            if not isinstance(key, int):
                raise SweepError(f"--set {_dotted(path)}: {where!r} needs a list index (a number); "
                                 f"{_dotted(path[:k]) or 'the top level'} is a list of {len(node)}")
            if key >= len(node):
                raise SweepError(f"--set {_dotted(path)}: index {key} out of range at {where} "
                                 f"({_dotted(path[:k])} has {len(node)} item(s))")
        elif isinstance(node, dict):
            key = str(key)
            if not last and key not in node:
                node[key] = {}
        else:
            raise SweepError(f"--set {_dotted(path)}: {_dotted(path[:k])} is a value ({node!r}), not a mapping or a list")
        if last:
            node[key] = value
        else:
            node = node[key]


def points(data: dict, lines: dict, file: str, axes: list[Axis]) -> list[Point]:
    """Every combination of the axes' values as a validated scenario; raises SweepError naming the path."""
    if not 1 <= len(axes) <= 2:
        raise SweepError(f"a sweep takes one or two --set options, got {len(axes)}")
    out = []
    for values in itertools.product(*(a.values for a in axes)):
        d = copy.deepcopy(data)
        for axis, v in zip(axes, values):
            set_path(d, axis.path, v)
        label = ", ".join(f"{a.name}={v!r}" for a, v in zip(axes, values))
        try:
            sc = validate_data(d, lines, file)
        except ScenarioError as exc:
            raise SweepError(f"--set {label} makes the scenario invalid:\n  " +
                             "\n  ".join(str(p) for p in exc.problems)) from None
        out.append(Point(label, tuple(values), sc, yaml.safe_dump(d, sort_keys=False)))
    return out


def _dotted(path) -> str:
    return ".".join(str(p) for p in path)
