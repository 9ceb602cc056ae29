"""DEM readers (SRTM .hgt, GeoTIFF) and the terrain model, on files the tests write."""

import struct
import warnings

import numpy as np
import pytest

from iadsim.terrain import DemError, TerrainWarning, load_terrain, read_dem, read_geotiff, read_hgt, synth


def plane(lat, lon):
    """A tilted plane, m: bilinear interpolation reproduces it exactly (up to the int16 rounding)."""
    return 500.0 + 800.0 * (lat - 40.0) - 300.0 * (lon - 32.0)


def test_hgt_3_arcsec_heights_and_layout(tmp_path):
    path = synth.write_hgt(tmp_path, 40, 32, plane)
    assert path.name == "N40E032.hgt" and path.stat().st_size == 1201 * 1201 * 2
    tile = read_hgt(path)
    assert (tile.lat_north_deg, tile.lat_south_deg, tile.lon_west_deg, tile.lon_east_deg) == (41.0, 40.0, 32.0, 33.0)
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(40.0, 41.0, 500), rng.uniform(32.0, 33.0, 500)
    assert np.max(np.abs(tile.sample(lat, lon) - plane(lat, lon))) <= 0.5  # int16 rounding
    # big-endian int16, north row first: the first two bytes are the NW corner (41 N, 32 E)
    assert struct.unpack(">h", path.read_bytes()[:2])[0] == round(plane(41.0, 32.0))


def test_hgt_1_arcsec_and_southern_western_names(tmp_path):
    tile = read_hgt(synth.write_hgt(tmp_path, -13, -72, lambda la, lo: 100.0 + 0 * la, arcsec=1))
    assert tile.heights_m.shape == (3601, 3601)
    assert (tile.lat_south_deg, tile.lon_west_deg) == (-13.0, -72.0)
    assert tile.dlat_deg == pytest.approx(1.0 / 3600)


def test_hgt_voids_filled_with_nearest_valid_sample(tmp_path):
    voids = np.zeros((1201, 1201), bool)
    voids[100:110, 200:205] = True  # a 10 × 5 hole
    tile = read_hgt(synth.write_hgt(tmp_path, 40, 32, lambda la, lo: 100.0 * np.floor(lo * 1200), voids=voids))
    h = tile.heights_m
    # heights vary only along a row (by column): the nearest valid sample of a void at column j is at
    # column j (above or below the hole) for the inner columns, so the value is the column's own
    for j in range(201, 204):
        assert np.all(h[100:110, j] == h[99, j])
    assert not np.any(h == synth.HGT_VOID)


def test_geotiff_int16_and_float32_match_the_hgt(tmp_path):
    step = 1.0 / 1200
    lat, lon = synth.grid_deg(40.5, 32.25, 121, 181, step, step)
    for dtype, point in ((np.int16, True), (np.float32, False)):
        path = synth.write_geotiff(tmp_path / f"t_{np.dtype(dtype).name}.tif", np.rint(plane(lat, lon)).astype(dtype),
                                   40.5, 32.25, step, step, pixel_is_point=point)
        tile = read_geotiff(path)
        assert tile.lat_north_deg == pytest.approx(40.5) and tile.lon_west_deg == pytest.approx(32.25)
        q_lat, q_lon = np.array([40.41, 40.47, 40.43]), np.array([32.26, 32.33, 32.39])
        assert np.abs(tile.sample(q_lat, q_lon) - plane(q_lat, q_lon)).max() <= 0.5


def test_geotiff_nodata_is_filled(tmp_path):
    h = np.full((20, 20), 700, np.int16)
    h[5, 5] = -9999
    h[5, 6] = 710
    tile = read_geotiff(synth.write_geotiff(tmp_path / "n.tif", h, 40.1, 32.1, 0.001, 0.001, nodata=-9999))
    assert tile.heights_m[5, 5] in (700.0, 710.0) and tile.heights_m.min() == 700.0


@pytest.mark.parametrize("kw, expected", [
    (dict(geokeys={1024: 1}), "projected coordinates"),
    (dict(geokeys={2048: 4230}), "only WGS 84"),
    (dict(extra_tags={34264: (12, [0.001, 0.0001, 0, 32, 0, -0.001, 0, 40, 0, 0, 0, 0, 0, 0, 0, 1])}), "ModelTransformation"),
])
def test_geotiff_unsupported_is_refused_by_name(tmp_path, kw, expected):
    path = synth.write_geotiff(tmp_path / "bad.tif", np.zeros((4, 4), np.float32), 40.1, 32.1, 0.01, 0.01, **kw)
    with pytest.raises(DemError, match=expected) as exc:
        read_geotiff(path)
    assert "bad.tif" in str(exc.value)


def test_malformed_files_are_refused_by_name(tmp_path):
    (tmp_path / "N40E032.hgt").write_bytes(b"\0" * 1000)
    with pytest.raises(DemError, match="N40E032.hgt: 1,000 bytes is not an SRTM tile"):
        read_dem(tmp_path)
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "x.tif").write_bytes(b"not a tiff")
    with pytest.raises(DemError, match="x.tif: cannot read it as a TIFF"):
        read_dem(bad)
    (tmp_path / "elevation.hgt").write_bytes(b"\0" * (1201 * 1201 * 2))
    with pytest.raises(DemError, match="named like N40E032.hgt"):
        read_hgt(tmp_path / "elevation.hgt")
    with pytest.raises(DemError, match="no such file or directory"):
        read_dem(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DemError, match="holds no .hgt or GeoTIFF"):
        read_dem(empty)
    voids = tmp_path / "v"
    voids.mkdir()
    synth.write_hgt(voids, 40, 32, plane, voids=np.ones((1201, 1201), bool))
    with pytest.raises(DemError, match="no valid height"):
        read_dem(voids)


def test_terrain_model_adds_the_geoid_undulation_and_falls_back_to_origin_with_one_warning(tmp_path):
    synth.write_hgt(tmp_path, 40, 32, plane)
    model = load_terrain(tmp_path, 36.5, 843.0)
    lat, lon = np.radians([40.3, 40.6]), np.radians([32.4, 32.9])
    assert np.allclose(model.height_m(lat, lon), plane(np.degrees(lat), np.degrees(lon)) + 36.5, atol=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = model.height_m(np.radians([39.5, 40.5, 42.0]), np.radians([32.5, 32.5, 32.5]))
        model.height_m(np.radians([39.0]), np.radians([30.0]))
    assert out[0] == out[2] == 843.0 and out[1] == pytest.approx(plane(40.5, 32.5) + 36.5, abs=0.5)
    assert [w.category for w in caught] == [TerrainWarning]  # once per terrain
    assert "origin.alt_m" in str(caught[0].message)
