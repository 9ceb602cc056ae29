"""Generated elevation files for tests and examples: SRTM ``.hgt`` tiles and GeoTIFFs written from
height functions (no real data is shipped or downloaded). The files follow the formats
:mod:`iadsim.terrain.dem` reads (and real SRTM/GDAL files follow), so tests exercise the readers.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from iadsim.terrain.dem import HGT_VOID


def hgt_name(lat0: int, lon0: int) -> str:
    """SRTM tile name of the 1° cell whose south-west corner is (lat0, lon0): e.g. N40E032.hgt."""
    return f"{'N' if lat0 >= 0 else 'S'}{abs(lat0):02d}{'E' if lon0 >= 0 else 'W'}{abs(lon0):03d}.hgt"


def grid_deg(lat_north: float, lon_west: float, rows: int, cols: int, dlat: float, dlon: float):
    """Latitudes and longitudes (deg) of a north-up grid's samples, (rows, cols) each."""
    lat = lat_north - dlat * np.arange(rows)
    lon = lon_west + dlon * np.arange(cols)
    return np.meshgrid(lat, lon, indexing="ij")


def write_hgt(directory: str | Path, lat0: int, lon0: int, height_fn, arcsec: int = 3, voids=None) -> Path:
    """Write the SRTM tile of cell (lat0, lon0) with heights ``height_fn(lat_deg, lon_deg)`` (m above
    MSL, rounded to int16); ``voids``: optional bool mask (rows, cols) written as −32768."""
    side = {3: 1201, 1: 3601}[arcsec]
    step = 1.0 / (side - 1)
    lat, lon = grid_deg(lat0 + 1.0, float(lon0), side, side, step, step)
    h = np.clip(np.rint(height_fn(lat, lon)), -32767, 32767).astype(">i2")
    if voids is not None:
        h[voids] = HGT_VOID
    path = Path(directory) / hgt_name(lat0, lon0)
    path.write_bytes(h.tobytes())
    return path


def write_geotiff(path: str | Path, heights: np.ndarray, lat_north: float, lon_west: float, dlat: float, dlon: float,
                  pixel_is_point: bool = True, geokeys: dict | None = None, nodata: float | None = None,
                  extra_tags: dict | None = None) -> Path:
    """A minimal little-endian, uncompressed, single-strip GeoTIFF of one band (int16 or float32)
    whose first sample is at (lat_north, lon_west) (pixel-is-point; with ``pixel_is_point=False``
    the tiepoint is the pixel's corner, half a pixel north-west). ``geokeys``: GeoKey overrides
    (by key id); ``extra_tags``: {tag: (TIFF type, values)} (for tests of what is refused)."""
    arr = np.ascontiguousarray(heights)
    kind = {np.dtype("int16"): (16, 2), np.dtype("float32"): (32, 3)}[arr.dtype]
    data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    rows, cols = arr.shape
    keys = {1024: 2, 1025: 2 if pixel_is_point else 1, 2048: 4326}
    keys.update(geokeys or {})
    directory = [1, 1, 0, len(keys)] + [v for k in sorted(keys) for v in (k, 0, 1, keys[k])]
    corner = 0.0 if pixel_is_point else 0.5
    tags = {256: (3, [cols]), 257: (3, [rows]), 258: (3, [kind[0]]), 259: (3, [1]), 262: (3, [1]), 273: (4, [0]),
            277: (3, [1]), 278: (3, [rows]), 279: (4, [len(data)]), 339: (3, [kind[1]]),
            33550: (12, [dlon, dlat, 0.0]), 33922: (12, [0.0, 0.0, 0.0, lon_west - corner * dlon, lat_north + corner * dlat, 0.0]),
            34735: (3, directory)}
    if nodata is not None:
        tags[42113] = (2, f"{nodata:g}")
    tags.update(extra_tags or {})
    fmt = {3: "H", 4: "I", 12: "d"}
    entries, extra = [], b""
    base = 8 + 2 + 12 * len(tags) + 4
    for tag in sorted(tags):
        typ, vals = tags[tag]
        payload = (vals.encode() + b"\0") if typ == 2 else struct.pack("<" + fmt[typ] * len(vals), *vals)
        count = len(payload) if typ == 2 else len(vals)
        if len(payload) <= 4:
            entries.append((tag, typ, count, payload.ljust(4, b"\0"), None))
        else:
            entries.append((tag, typ, count, None, base + len(extra)))
            extra += payload + (b"\0" if len(payload) % 2 else b"")
    data_off = base + len(extra)
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, inline, off in entries:
        if tag == 273:
            inline = struct.pack("<I", data_off)
        ifd += struct.pack("<HHI", tag, typ, count) + (inline if inline is not None else struct.pack("<I", off))
    path = Path(path)
    path.write_bytes(b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + extra + data)
    return path


def ridge(lat0: float, lon0: float, lat1: float, lon1: float, height_m: float, half_width_m: float):
    """A height function: a Gaussian ridge of crest ``height_m`` along the segment (lat0, lon0) →
    (lat1, lon1) (deg), falling with ground distance d from it as exp(−d²/(2 w²)), w = half_width_m
    (local flat-earth distances, enough for a generated landscape)."""
    k_lat = 111_195.0

    def fn(lat, lon):
        c = np.cos(np.radians(0.5 * (lat0 + lat1)))
        px, py = (lon - lon0) * k_lat * c, (lat - lat0) * k_lat
        ax, ay = (lon1 - lon0) * k_lat * c, (lat1 - lat0) * k_lat
        t = np.clip((px * ax + py * ay) / (ax * ax + ay * ay), 0.0, 1.0)
        d2 = (px - t * ax) ** 2 + (py - t * ay) ** 2
        return height_m * np.exp(-d2 / (2.0 * half_width_m**2))
    return fn
