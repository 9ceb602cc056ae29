"""Offline basemap from Natural Earth (public domain): coastlines, land borders, major cities.

The data (``natural_earth.npz``, provenance and licences in ``README.md`` beside this file) is
Admin 0 countries at 1:50m (release 4.1.0) split into coastline and border arcs, and the 1:110m
populated places. Lines come back as lon/lat degree arrays with NaN between polylines (a gap in
a Plotly or matplotlib line), cropped to a box so a page carries only what it shows.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).with_name("natural_earth.npz")
LAYERS = ("coast", "border")
ATTRIBUTION = "Basemap: Natural Earth 1:50m countries (4.1.0) and 1:110m populated places, public domain"


@lru_cache(maxsize=1)
def _load() -> dict:
    with np.load(DATA) as d:
        data = {k: d[k] for k in d.files}
    out = {}
    for layer in LAYERS:
        deg = data[f"{layer}_q"] * data["scale"] + data["translate"]
        out[layer] = (deg[:, 0], deg[:, 1], data[f"{layer}_ends"])
    out["cities"] = (data["city_name"].astype(str), data["city_lon_deg"], data["city_lat_deg"])
    return out


def lines(layer: str, box_deg: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The ``layer`` ('coast' or 'border') inside ``box_deg`` = (lon_min, lon_max, lat_min, lat_max):
    (lon_deg, lat_deg) with NaN between polylines. Each run of points inside the box is kept with
    one point either side, so lines run to the edge of the box."""
    if layer not in LAYERS:
        raise ValueError(f"unknown basemap layer {layer!r}; expected one of {LAYERS}")
    lon, lat, ends = _load()[layer]
    lo0, lo1, la0, la1 = box_deg
    inside = (lon >= lo0) & (lon <= lo1) & (lat >= la0) & (lat <= la1)
    arc = np.zeros(lon.size, int)
    arc[ends[:-1]] = 1
    arc = np.cumsum(arc)  # arc index of every point
    same_prev = np.r_[False, arc[1:] == arc[:-1]]
    same_next = np.r_[arc[:-1] == arc[1:], False]
    keep = inside | (np.r_[False, inside[:-1]] & same_prev) | (np.r_[inside[1:], False] & same_next)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return np.zeros(0), np.zeros(0)
    # a gap after a kept point whose successor is not kept or belongs to another arc
    brk = np.flatnonzero((np.diff(idx) > 1) | (arc[idx[1:]] != arc[idx[:-1]])) + 1
    return np.insert(lon[idx], brk, np.nan), np.insert(lat[idx], brk, np.nan)


def cities(box_deg: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(name, lon_deg, lat_deg) of the Natural Earth 1:110m populated places inside ``box_deg``."""
    name, lon, lat = _load()["cities"]
    lo0, lo1, la0, la1 = box_deg
    sel = (lon >= lo0) & (lon <= lo1) & (lat >= la0) & (lat <= la1)
    return name[sel], lon[sel], lat[sel]
