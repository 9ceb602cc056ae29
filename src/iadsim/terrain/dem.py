"""Elevation data the user already has: SRTM ``.hgt`` tiles and north-up geographic GeoTIFFs.

Read once per scenario, sampled by bilinear interpolation. No download, no new dependency
(GeoTIFFs are decoded by Pillow, which matplotlib already installs).

**SRTM .hgt** (Shuttle Radar Topography Mission, public domain; **NASA JPL 2013**, **Farr et al.
2007**; full citations docs/REFERENCES.md): a file
named like ``N40E032.hgt`` covers 1° × 1° whose south-west corner is 40° N, 32° E. It holds
1201 × 1201 (3 arc-second) or 3601 × 3601 (1 arc-second) big-endian int16 heights in metres above
the EGM96 geoid, rows from north to south, columns from west to east; the samples are *points* on
the integer arc-second grid (the first row is the tile's north edge, the last its south edge, so
neighbouring tiles share an edge row/column). Voids are −32768.

**GeoTIFF** (**OGC GeoTIFF 1.1**, OGC 19-008r4, 2019): one band of int16/int32/float32 heights,
georeferenced by ModelPixelScale (tag 33550) and one ModelTiepoint (33922), in the plain north-up
WGS-84 geographic case: GTModelTypeGeoKey = 2 (geographic) and GeographicTypeGeoKey = 4326 when
the GeoKeyDirectory (34735) is present. RasterPixelIsArea (the default) puts the tiepoint at a
pixel's corner (samples are at pixel centres); RasterPixelIsPoint at its centre. A GDAL_NODATA tag
(42113) marks voids, as do NaN. Not supported (a clear error naming the file): projected
coordinate systems (UTM and others), datums other than WGS 84, a ModelTransformation (34264:
rotated or sheared rasters), several tiepoints, several bands.

**Voids** (−32768 in .hgt, GDAL_NODATA or NaN in GeoTIFF) are filled with the height of the
nearest valid sample of the same file (Euclidean distance in pixels,
``scipy.ndimage.distance_transform_edt``): a flat fill, with no new relief invented. A file
that holds no valid sample is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HGT_VOID = -32768
HGT_SIZES = {1201: 3, 3601: 1}  # samples per side -> arc-seconds
HGT_NAME = re.compile(r"^([NS])(\d{2})([EW])(\d{3})\.hgt$", re.IGNORECASE)
TIFF_SUFFIXES = (".tif", ".tiff")
GEOTIFF_PIXEL_SCALE, GEOTIFF_TIEPOINT, GEOTIFF_TRANSFORM, GEOTIFF_KEYS, GDAL_NODATA = 33550, 33922, 34264, 34735, 42113
GT_MODEL_TYPE, GT_RASTER_TYPE, GEOGRAPHIC_TYPE = 1024, 1025, 2048
MODEL_GEOGRAPHIC, RASTER_PIXEL_IS_POINT, GCS_WGS84 = 2, 2, 4326
MAX_SAMPLES = 200_000_000  # a DEM larger than this (0.8 GB of float32) is refused


class DemError(ValueError):
    """A DEM file or directory that cannot be used; the message names it."""


@dataclass(frozen=True, eq=False)
class Tile:
    """One grid of heights: ``heights_m[i, j]`` at latitude ``lat_north_deg - i·dlat_deg`` and
    longitude ``lon_west_deg + j·dlon_deg`` (sample points, rows north to south), metres above
    the file's vertical datum (mean sea level for SRTM), voids filled."""

    path: str
    lat_north_deg: float
    lon_west_deg: float
    dlat_deg: float
    dlon_deg: float
    heights_m: np.ndarray  # (rows, cols) float32

    @property
    def lat_south_deg(self) -> float:
        return self.lat_north_deg - (self.heights_m.shape[0] - 1) * self.dlat_deg

    @property
    def lon_east_deg(self) -> float:
        return self.lon_west_deg + (self.heights_m.shape[1] - 1) * self.dlon_deg

    def sample(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Bilinear heights at points inside the tile (1-D arrays), m."""
        h = self.heights_m
        fi = np.clip((self.lat_north_deg - lat_deg) / self.dlat_deg, 0.0, h.shape[0] - 1.0)
        fj = np.clip((lon_deg - self.lon_west_deg) / self.dlon_deg, 0.0, h.shape[1] - 1.0)
        i0 = np.minimum(fi.astype(np.intp), h.shape[0] - 2)
        j0 = np.minimum(fj.astype(np.intp), h.shape[1] - 2)
        a, b = fi - i0, fj - j0
        flat = h.reshape(-1)
        n = h.shape[1]
        k = i0 * n + j0
        top = flat[k] * (1.0 - b) + flat[k + 1] * b
        bot = flat[k + n] * (1.0 - b) + flat[k + n + 1] * b
        return top * (1.0 - a) + bot * a

    def inside(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        return ((lat_deg <= self.lat_north_deg) & (lat_deg >= self.lat_south_deg)
                & (lon_deg >= self.lon_west_deg) & (lon_deg <= self.lon_east_deg))


def fill_voids(heights: np.ndarray, void: np.ndarray, path: str) -> np.ndarray:
    """Voids replaced by the nearest valid sample (Euclidean, in pixels); float32."""
    out = np.asarray(heights, np.float32)
    if not void.any():
        return out
    if void.all():
        raise DemError(f"{path}: holds no valid height (every sample is a void)")
    from scipy.ndimage import distance_transform_edt

    idx = distance_transform_edt(void, return_distances=False, return_indices=True)
    return out[tuple(idx)]


def read_hgt(path: str | Path) -> Tile:
    """An SRTM ``.hgt`` tile (1 or 3 arc-second); raises :class:`DemError` naming the file."""
    path = Path(path)
    m = HGT_NAME.match(path.name)
    if m is None:
        raise DemError(f"{path}: an SRTM tile must be named like N40E032.hgt (its south-west corner)")
    lat0 = int(m.group(2)) * (1 if m.group(1).upper() == "N" else -1)
    lon0 = int(m.group(4)) * (1 if m.group(3).upper() == "E" else -1)
    if not (-90 <= lat0 < 90 and -180 <= lon0 < 180):
        raise DemError(f"{path}: the name gives a corner outside the globe ({lat0}, {lon0})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DemError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    side = int(round(np.sqrt(len(raw) // 2)))
    if side not in HGT_SIZES or side * side * 2 != len(raw):
        raise DemError(f"{path}: {len(raw):,} bytes is not an SRTM tile (expected {1201 * 1201 * 2:,} bytes for 3 "
                       f"arc-second or {3601 * 3601 * 2:,} for 1 arc-second: big-endian int16, 1201² or 3601² samples)")
    h = np.frombuffer(raw, ">i2").reshape(side, side)
    step = 1.0 / (side - 1)
    return Tile(str(path), lat0 + 1.0, float(lon0), step, step, fill_voids(h, h == HGT_VOID, str(path)))


def _geokeys(tags: dict, path: Path) -> dict:
    raw = tags.get(GEOTIFF_KEYS)
    if raw is None:
        return {}
    raw = [int(v) for v in raw]
    if len(raw) < 4 or len(raw) < 4 + 4 * raw[3]:
        raise DemError(f"{path}: malformed GeoKeyDirectory (tag 34735)")
    keys = {}
    for n in range(raw[3]):
        key, loc, _count, value = raw[4 + 4 * n: 8 + 4 * n]
        if loc == 0:  # the value is inline (the only kind the keys read here use)
            keys[key] = value
    return keys


def read_geotiff(path: str | Path) -> Tile:
    """A north-up WGS-84 geographic GeoTIFF; raises :class:`DemError` naming the file and what is
    not supported."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as img:
            if getattr(img, "n_frames", 1) > 1:
                raise DemError(f"{path}: holds {img.n_frames} images; expected one band of heights")
            if img.mode not in ("I", "F", "I;16", "I;16B", "I;16S"):
                raise DemError(f"{path}: pixel mode {img.mode!r} is not a band of heights (expected int16, int32 or "
                               "float32 samples, one band)")
            tags = dict(img.tag_v2)
            data = np.asarray(img, dtype=np.float64)
    except DemError:
        raise
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as exc:
        raise DemError(f"{path}: cannot read it as a TIFF ({exc})") from None
    if GEOTIFF_TRANSFORM in tags:
        raise DemError(f"{path}: has a ModelTransformation (tag 34264, a rotated or sheared raster); only north-up "
                       "rasters georeferenced by ModelPixelScale and ModelTiepoint are supported")
    scale, tie = tags.get(GEOTIFF_PIXEL_SCALE), tags.get(GEOTIFF_TIEPOINT)
    if scale is None or tie is None:
        raise DemError(f"{path}: no georeferencing: a GeoTIFF needs ModelPixelScale (tag 33550) and ModelTiepoint "
                       "(tag 33922)")
    if len(tie) != 6:
        raise DemError(f"{path}: {len(tie) // 6} tiepoints; exactly one (ModelTiepoint of 6 numbers) is supported")
    keys = _geokeys(tags, path)
    if keys.get(GT_MODEL_TYPE, MODEL_GEOGRAPHIC) != MODEL_GEOGRAPHIC:
        raise DemError(f"{path}: projected coordinates (GTModelTypeGeoKey = {keys[GT_MODEL_TYPE]}); only geographic "
                       "latitude/longitude (WGS 84, EPSG:4326) rasters are supported: reproject it, e.g. "
                       "gdalwarp -t_srs EPSG:4326")
    if keys.get(GEOGRAPHIC_TYPE, GCS_WGS84) != GCS_WGS84:
        raise DemError(f"{path}: geographic system {keys[GEOGRAPHIC_TYPE]}; only WGS 84 (EPSG:4326) is supported")
    dlon, dlat = float(scale[0]), float(scale[1])
    if not (dlon > 0 and dlat > 0 and np.isfinite(dlon) and np.isfinite(dlat)):
        raise DemError(f"{path}: ModelPixelScale must be positive, got {tuple(scale)!r}")
    i, j, lon_t, lat_t = float(tie[0]), float(tie[1]), float(tie[3]), float(tie[4])
    centre = 0.0 if keys.get(GT_RASTER_TYPE) == RASTER_PIXEL_IS_POINT else 0.5
    lon_w = lon_t + (centre - i) * dlon  # longitude of the first column's samples
    lat_n = lat_t - (centre - j) * dlat
    if data.ndim != 2 or min(data.shape) < 2:
        raise DemError(f"{path}: expected a 2-D band of at least 2 × 2 heights, got shape {data.shape}")
    lat_s, lon_e = lat_n - (data.shape[0] - 1) * dlat, lon_w + (data.shape[1] - 1) * dlon
    if not (-90 <= lat_s <= lat_n <= 90 and -180 <= lon_w <= lon_e <= 180.0 + 1e-9):
        raise DemError(f"{path}: covers latitudes {lat_s:g}..{lat_n:g}, longitudes {lon_w:g}..{lon_e:g}: not a "
                       "geographic WGS-84 raster (degrees)")
    void = ~np.isfinite(data)
    nodata = tags.get(GDAL_NODATA)
    if nodata is not None:
        try:
            void |= data == float(str(nodata).strip().strip("\x00"))
        except ValueError:
            raise DemError(f"{path}: GDAL_NODATA (tag 42113) is not a number: {nodata!r}") from None
    return Tile(str(path), lat_n, lon_w, dlat, dlon, fill_voids(np.where(void, 0.0, data), void, str(path)))


def read_dem(path: str | Path) -> list[Tile]:
    """Every tile of a DEM: a directory of ``.hgt`` and GeoTIFF files (not recursive), or one such
    file. Raises :class:`DemError` naming the path (missing, empty, malformed, unsupported)."""
    path = Path(path)
    if not path.exists():
        raise DemError(f"{path}: no such file or directory")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".hgt",) + TIFF_SUFFIXES)
        if not files:
            raise DemError(f"{path}: holds no .hgt or GeoTIFF (.tif, .tiff) file")
    else:
        files = [path]
    tiles = []
    for f in files:
        suffix = f.suffix.lower()
        if suffix == ".hgt":
            tiles.append(read_hgt(f))
        elif suffix in TIFF_SUFFIXES:
            tiles.append(read_geotiff(f))
        else:
            raise DemError(f"{f}: not a DEM file (expected .hgt, .tif or .tiff)")
        if sum(t.heights_m.size for t in tiles) > MAX_SAMPLES:
            raise DemError(f"{path}: more than {MAX_SAMPLES:,} samples; use a smaller area or a coarser resolution")
    return tiles
