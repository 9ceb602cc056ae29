"""The scenario's terrain: heights above the WGS-84 ellipsoid anywhere, from the DEM tiles.

``height_m(lat_rad, lon_rad)`` (the :class:`iadsim.physics.propagation.Terrain` protocol) is the
DEM height (above mean sea level) plus the scenario's stated geoid undulation
``terrain.geoid_undulation_m`` (N, one constant for the scenario: h_ellipsoid = H_msl + N; N varies smoothly, by metres over
hundreds of km, which a scenario of one region can take as constant next to SRTM's absolute height
error of 5-9 m at 90 %, Farr et al. 2007), and, where no tile covers the point, the
scenario's ground ``origin.alt_m`` (which is already above the ellipsoid); that fallback is
announced once per terrain with a :class:`TerrainWarning`.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from iadsim import memo
from iadsim.terrain.dem import DemError, Tile, read_dem


class TerrainWarning(UserWarning):
    """Something about the terrain the user should know (not an error): e.g. points outside every tile."""


@dataclass(frozen=True, eq=False)
class TerrainModel:
    """Heights above the WGS-84 ellipsoid from DEM tiles; see the module docstring."""

    tiles: tuple
    geoid_undulation_m: float
    fallback_hae_m: float  # origin.alt_m: the ground where no tile covers a point
    source: str  # the DEM path, for messages
    digest: str  # content digest (tiles, undulation, fallback): memo keys of what is computed from it
    _warned: list = field(default_factory=list, repr=False)

    def height_m(self, lat_rad, lon_rad) -> np.ndarray:
        """Terrain height above the ellipsoid at geodetic points (rad, broadcast), m."""
        lat_deg, lon_deg = np.broadcast_arrays(np.degrees(np.asarray(lat_rad, float)),
                                               np.degrees(np.asarray(lon_rad, float)))
        shape = lat_deg.shape
        lat_deg, lon_deg = lat_deg.reshape(-1), lon_deg.reshape(-1)
        out = np.full(lat_deg.shape, np.nan)
        todo = np.ones(lat_deg.shape, bool)
        for tile in self.tiles:
            inside = todo & tile.inside(lat_deg, lon_deg)
            if inside.all():  # one tile holds every point: no gather
                out = tile.sample(lat_deg, lon_deg) + self.geoid_undulation_m
                todo[:] = False
                break
            sel = np.flatnonzero(inside)
            if sel.size:
                out[sel] = tile.sample(lat_deg[sel], lon_deg[sel]) + self.geoid_undulation_m
                todo[sel] = False
        if todo.any():
            out[todo] = self.fallback_hae_m
            self._warn_uncovered(lat_deg[todo], lon_deg[todo])
        return out.reshape(shape)

    def covered(self, lat_rad, lon_rad) -> np.ndarray:
        """True where a tile covers the point."""
        lat_deg, lon_deg = np.degrees(np.asarray(lat_rad, float)), np.degrees(np.asarray(lon_rad, float))
        out = np.zeros(np.broadcast_shapes(lat_deg.shape, lon_deg.shape), bool)
        for tile in self.tiles:
            out |= tile.inside(lat_deg, lon_deg)
        return out

    def _warn_uncovered(self, lat_deg, lon_deg) -> None:
        if self._warned:
            return
        self._warned.append(True)
        warnings.warn(f"terrain: {lat_deg.size:,} point(s) asked of the DEM {self.source} lie outside every tile "
                      f"(e.g. {lat_deg[0]:.4f}° N, {lon_deg[0]:.4f}° E); the ground there is origin.alt_m = "
                      f"{self.fallback_hae_m:g} m", TerrainWarning, stacklevel=3)

    @property
    def bounds_deg(self) -> tuple[float, float, float, float]:
        """(south, north, west, east) of all tiles together, degrees."""
        return (min(t.lat_south_deg for t in self.tiles), max(t.lat_north_deg for t in self.tiles),
                min(t.lon_west_deg for t in self.tiles), max(t.lon_east_deg for t in self.tiles))

    @property
    def spacing_m(self) -> float:
        """The finest sample spacing of the tiles along a meridian, m (1° ≈ 111.2 km)."""
        return min(t.dlat_deg for t in self.tiles) * 111_195.0


_MODELS = memo.Memo(0.05)  # read DEMs (5.8 MB a 3" tile) kept between compiles within IADSIM_MEMO_MB (iadsim.memo)


def _stat_key(path: Path) -> tuple:
    """Names, sizes and modification times of the DEM files: a changed file is read again."""
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return tuple((f.name, *(lambda s: (s.st_size, s.st_mtime_ns))(os.stat(f))) for f in files if f.is_file())


def load_terrain(dem_path: str | Path, geoid_undulation_m: float, fallback_hae_m: float) -> TerrainModel:
    """The :class:`TerrainModel` of a DEM path (directory or file), read once and kept (by path,
    file sizes and times) within ``IADSIM_MEMO_MB``. Raises :class:`DemError` naming the path."""
    path = Path(dem_path)
    if not path.exists():
        raise DemError(f"{path}: no such file or directory")
    try:
        key = (str(path.resolve()), _stat_key(path), float(geoid_undulation_m), float(fallback_hae_m))
    except OSError as exc:
        raise DemError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    model = _MODELS.get(key)
    if model is None:
        tiles = read_dem(path)
        h = hashlib.blake2b(digest_size=16)
        for t in tiles:
            h.update(np.array([t.lat_north_deg, t.lon_west_deg, t.dlat_deg, t.dlon_deg, *t.heights_m.shape]).tobytes())
            h.update(np.ascontiguousarray(t.heights_m).tobytes())
        h.update(np.array([geoid_undulation_m, fallback_hae_m], float).tobytes())
        model = TerrainModel(tuple(tiles), float(geoid_undulation_m), float(fallback_hae_m), str(path), h.hexdigest())
        _MODELS.put(key, model, sum(t.heights_m.nbytes for t in tiles))
    return model


__all__ = ["DemError", "Tile", "TerrainModel", "TerrainWarning", "load_terrain"]
