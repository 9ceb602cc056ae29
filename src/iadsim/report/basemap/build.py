"""Rebuild ``natural_earth.npz`` from the Natural Earth redistributions named in ``README.md``.

Not imported by iadsim; run by hand (numpy only):

    python src/iadsim/report/basemap/build.py COUNTRIES_50M_JSON CITIES_SHP CITIES_DBF OUT_NPZ

``COUNTRIES_50M_JSON`` is ``countries-50m.json`` of the npm package world-atlas 2.0.2 (Natural
Earth 4.1.0 Admin 0 countries, 1:50m, as TopoJSON). Its arcs are split in two layers the way
topojson's ``mesh`` does: an arc used by one country only is a coastline, an arc shared by two
countries is a land border. ``CITIES_SHP``/``CITIES_DBF`` are ``naturalearth_cities.shp``/``.dbf``
of the PyPI wheel geopandas 0.12.2 (Natural Earth 1:110m populated places, name and point).
Coordinates are kept in the TopoJSON quantization (integers times ``scale`` plus ``translate``,
about 400 m by 190 m), which is finer than the 1:50m source, and stored as int32 per point.
"""

from __future__ import annotations

import json
import struct
import sys
from collections import Counter

import numpy as np


NAME_FIXES = {"Chi?in?u": "Chişinău"}  # the source's own text has '?' for the two letters outside ISO-8859-1


def _arc_ids(geom) -> list[int]:
    rings = geom["arcs"] if geom["type"] == "Polygon" else [r for poly in geom["arcs"] for r in poly]
    return [a if a >= 0 else ~a for ring in rings for a in ring]


def topology_layers(path: str):
    topo = json.load(open(path, encoding="utf-8"))
    arcs = [np.cumsum(np.asarray(a, np.int64), axis=0) for a in topo["arcs"]]  # delta-decoded, quantized
    uses = Counter()
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("type") in ("Polygon", "MultiPolygon"):
            uses.update(set(_arc_ids(g)))  # a country's arc counts once for that country
    layers = {"coast": [i for i in range(len(arcs)) if uses[i] == 1],
              "border": [i for i in range(len(arcs)) if uses[i] >= 2]}
    out = {"scale": np.asarray(topo["transform"]["scale"], float), "translate": np.asarray(topo["transform"]["translate"], float)}
    for name, ids in layers.items():
        pts = [arcs[i] for i in ids]
        out[f"{name}_q"] = np.concatenate(pts).astype(np.int32)
        out[f"{name}_ends"] = np.cumsum([len(p) for p in pts]).astype(np.int32)
    return out


def cities(shp_path: str, dbf_path: str):
    shp = open(shp_path, "rb").read()
    lon, lat, pos = [], [], 100
    while pos < len(shp):
        length = struct.unpack(">i", shp[pos + 4:pos + 8])[0] * 2
        kind, x, y = struct.unpack("<idd", shp[pos + 8:pos + 28])
        assert kind == 1, "point records expected"
        lon.append(x), lat.append(y)
        pos += 8 + length
    dbf = open(dbf_path, "rb").read()
    n, header, rec = struct.unpack("<IHH", dbf[4:12])
    width = dbf[32 + 16]  # the one field: name (code page in the .cpg: ISO-8859-1)
    names = [dbf[header + k * rec + 1: header + k * rec + 1 + width].decode("latin-1").strip() for k in range(n)]
    assert len(names) == len(lon)
    names = [NAME_FIXES.get(x, x) for x in names]
    return np.asarray(names), np.asarray(lon), np.asarray(lat)


def main(countries_json, shp, dbf, out_npz):
    layers = topology_layers(countries_json)
    names, lon, lat = cities(shp, dbf)
    np.savez_compressed(out_npz, **layers, city_name=names, city_lon_deg=lon, city_lat_deg=lat)


if __name__ == "__main__":
    main(*sys.argv[1:5])
