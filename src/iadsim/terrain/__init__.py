"""Terrain (issue 19): elevation data, horizon profiles (masking), terrain-aware heights.

- :mod:`iadsim.terrain.dem`: SRTM ``.hgt`` and GeoTIFF readers (no download, no new dependency);
- :mod:`iadsim.terrain.model`: :class:`TerrainModel`, heights above the WGS-84 ellipsoid from the
  tiles, the scenario's geoid undulation and ``origin.alt_m`` where no tile covers a point;
- :mod:`iadsim.terrain.horizon`: each radar's masking angle per azimuth and range, computed once
  per scenario, so that a look's terrain line of sight is a table lookup
  (:func:`horizon_profiles`, :meth:`HorizonProfiles.masked`, :func:`los_clear`).

A compiled world carries its terrain in ``world.extra['terrain']`` (absent without a DEM).
"""

from iadsim.terrain.dem import DemError, Tile, read_dem, read_geotiff, read_hgt
from iadsim.terrain.horizon import HorizonProfiles, horizon_profiles, los_clear
from iadsim.terrain.model import TerrainModel, TerrainWarning, load_terrain

__all__ = ["DemError", "HorizonProfiles", "TerrainModel", "TerrainWarning", "Tile", "horizon_profiles",
           "load_terrain", "los_clear", "read_dem", "read_geotiff", "read_hgt"]
