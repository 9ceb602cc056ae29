"""Fixtures of the terrain tests: generated DEM directories (see terrain_helpers)."""

from pathlib import Path

import numpy as np
import pytest

from iadsim.terrain import synth
from terrain_helpers import ridge_heights

@pytest.fixture(scope="session")
def ridge_hgt_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("dem_hgt")
    synth.write_hgt(d, 40, 32, ridge_heights)
    return d


@pytest.fixture(scope="session")
def ridge_tif_dir(tmp_path_factory) -> Path:
    """The same landscape as a float32 GeoTIFF at 3 arc-seconds over 40.0-40.6° N, 32.2-32.8° E."""
    d = tmp_path_factory.mktemp("dem_tif")
    step = 1.0 / 1200
    n = int(round(0.6 / step)) + 1
    lat, lon = synth.grid_deg(40.6, 32.2, n, n, step, step)
    synth.write_geotiff(d / "ridge.tif", ridge_heights(lat, lon).astype(np.float32), 40.6, 32.2, step, step,
                        pixel_is_point=False)
    return d
