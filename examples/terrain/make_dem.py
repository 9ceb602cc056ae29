"""Write the *synthetic* DEM of the terrain example: dem/murted_synthetic.tif.

Not real relief: a generated landscape around Mürted (flat ground at 843 m with Gaussian ridges
and a valley), so that the example runs without downloading anything. For the real relief, fetch
the SRTM tiles of the area (README, "Terrain") and point ``terrain.dem`` at them.

    python examples/terrain/make_dem.py      # rewrites dem/murted_synthetic.tif (bit-identical)
"""

from pathlib import Path

import numpy as np

from iadsim.terrain import synth

NORTH, WEST, SOUTH, EAST = 40.80, 31.80, 39.40, 33.40
STEP_DEG = 0.005  # 18 arc-seconds (~550 m): enough for relief this smooth
GROUND_M = 843.0
# (lat0, lon0, lat1, lon1, crest above the ground m, half-width m): an east-west range 20 km north of
# the base, a hill mass to the south-west, a ridge east of Ankara; a valley (negative) to the north-west
FEATURES = [(40.27, 32.20, 40.30, 32.95, 550.0, 2500.0), (39.78, 32.05, 39.70, 32.30, 450.0, 4000.0),
            (39.80, 33.05, 40.10, 33.10, 400.0, 3000.0), (40.45, 31.95, 40.20, 32.25, -200.0, 3000.0)]


def heights(lat, lon):
    h = np.full(np.shape(lat), GROUND_M)
    for lat0, lon0, lat1, lon1, top, width in FEATURES:
        h = h + synth.ridge(lat0, lon0, lat1, lon1, top, width)(lat, lon)
    return h


def main(path=Path(__file__).resolve().parent / "dem" / "murted_synthetic.tif"):
    rows, cols = int(round((NORTH - SOUTH) / STEP_DEG)) + 1, int(round((EAST - WEST) / STEP_DEG)) + 1
    lat, lon = synth.grid_deg(NORTH, WEST, rows, cols, STEP_DEG, STEP_DEG)
    return synth.write_geotiff(path, np.rint(heights(lat, lon)).astype(np.int16), NORTH, WEST, STEP_DEG, STEP_DEG)


if __name__ == "__main__":
    print(main())
