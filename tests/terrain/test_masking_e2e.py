"""End to end: a cruise missile behind a ridge (generated .hgt and GeoTIFF terrain), the scenario
key's errors, and runs with terrain equal across batches and worker counts."""

import numpy as np
import pytest
from typer.testing import CliRunner

import iadsim
from iadsim import engine, geo, threats as motion
from iadsim.cli import app
from iadsim.compile import compile_scenario
from terrain_helpers import CREST_LAT, make_scenario, ridge_heights, scenario_data

KM_PER_DEG_LAT = 111.195


def first_detection_lat(scenario, seed=1):
    """Latitude (deg) of the cruise missile at its first true detection, and the compiled world."""
    comp = compile_scenario(scenario)
    ev = engine.run_compiled(scenario, comp, seed).events
    t = min(t for k, t, tid in zip(ev["kind"], ev["t_s"], ev["threat_id"]) if k == "detect" and tid is not None and tid >= 0)
    pos = motion.kinematics(comp.world.threats, t)[0]
    return float(np.degrees(geo.enu_to_geodetic(pos, comp.origin)[0])[0]), comp


@pytest.mark.parametrize("dem", ["ridge_hgt_dir", "ridge_tif_dir"])
def test_cruise_missile_behind_the_ridge_is_seen_only_once_it_crosses_it(dem, request):
    with_dem, comp = first_detection_lat(make_scenario(dem=request.getfixturevalue(dem)))
    without, _ = first_detection_lat(make_scenario())
    crest_km, with_km, without_km = ((lat - 40.05) * KM_PER_DEG_LAT for lat in (CREST_LAT, with_dem, without))
    # behind the ridge (north of it) the missile is masked: first seen as it climbs over it, on the
    # ridge's north slope (half-width 1.5 km) at the latest, where it rises above the crest's line
    assert with_km <= crest_km + 1.5
    # without the DEM the smooth-earth horizon alone limits it: seen ~40 km out, well before the ridge
    assert without_km > crest_km + 10.0
    # and it follows the terrain over the crest: never below half its 50 m
    th = comp.world.threats
    t = np.arange(0.0, float(th.route_duration_s[0]), 1.0)
    pos = np.concatenate([motion.kinematics(th, x)[0] for x in t])
    lat, lon, hae = geo.enu_to_geodetic(pos, comp.origin)
    agl = hae - ridge_heights(np.degrees(lat), np.degrees(lon))
    over = np.abs(np.degrees(lat) - CREST_LAT) < 0.01
    assert agl.min() > 25.0 and over.any() and hae[over].max() > 900.0 + 600.0


def test_runs_with_terrain_are_the_same_in_any_batch(ridge_hgt_dir):
    sc = make_scenario(dem=ridge_hgt_dir, weapons_free=True, count=3)
    comp = compile_scenario(sc)
    seeds = [3, 4, 5]
    batch = engine.run_batch(sc, comp, seeds)
    for seed, res in zip(seeds, batch):
        alone = engine.run_compiled(sc, comp, seed)
        assert res.summary == alone.summary
        for col in res.events:
            assert np.array_equal(np.asarray(res.events[col]), np.asarray(alone.events[col]),
                                  equal_nan=np.asarray(res.events[col]).dtype.kind == "f"), col
    assert sum(r.summary["totals"]["rounds_fired"] for r in batch) > 0


def test_a_study_with_terrain_is_the_same_on_one_and_two_workers(ridge_hgt_dir, tmp_path):
    sc = make_scenario(dem=ridge_hgt_dir, weapons_free=True, count=2)
    one = iadsim.monte_carlo(sc, 4, workers=1, seed=7)
    two = iadsim.monte_carlo(sc, 4, workers=2, seed=7)
    assert one.runs.to_pylist() and [
        {k: v for k, v in r.items() if k != "wall_s"} for r in one.runs.sort_by("run_index").to_pylist()] == [
        {k: v for k, v in r.items() if k != "wall_s"} for r in two.runs.sort_by("run_index").to_pylist()]


def test_scenario_file_with_a_relative_dem(tmp_path, ridge_hgt_dir):
    """``terrain.dem`` is relative to the scenario file; a missing or malformed DEM is a problem at
    the key's line, exit 2, no traceback."""
    import yaml

    (tmp_path / "dem").mkdir()
    (tmp_path / "dem" / "N40E032.hgt").write_bytes((ridge_hgt_dir / "N40E032.hgt").read_bytes())
    data = scenario_data(dem="dem")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert iadsim.load_scenario(path).terrain.dem == str((tmp_path / "dem").resolve())
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if t.strip().startswith("dem:"))
    for broken, expected in (("nowhere", "no such file or directory"), ("bad", "is not an SRTM tile")):
        (tmp_path / "bad").mkdir(exist_ok=True)
        (tmp_path / "bad" / "N40E032.hgt").write_bytes(b"\1" * 10)
        data["terrain"]["dem"] = broken
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        res = runner.invoke(app, ["validate", str(path)])
        assert res.exit_code == 2 and "Traceback" not in res.output
        text = " ".join(res.output.split())
        assert f"s.yaml:{line}: terrain.dem:" in text and expected in text and broken in text
    data["terrain"] = {"dem": "dem"}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 2 and "terrain.geoid_undulation_m: required field is missing" in " ".join(res.output.split())


def test_heights_above_the_terrain_place_sites_and_raids_on_it(ridge_hgt_dir):
    """With a DEM, alt_agl_m is above the terrain: the radar's antenna is its height above the
    DEM's ground plus the geoid undulation; waypoints too."""
    comp = compile_scenario(make_scenario(dem=ridge_hgt_dir, geoid_undulation_m=36.0))
    w = comp.world
    hae = geo.enu_to_geodetic(w.radars.pos_enu_m, comp.origin)[2]
    assert np.allclose(hae, ridge_heights(40.05, 32.5) + 36.0 + w.radars.height_m, atol=0.6)
    start = geo.enu_to_geodetic(w.threats.knot_pos_enu_m[0, 0], comp.origin)[2]
    assert start == pytest.approx(ridge_heights(40.9, 32.5) + 36.0 + 50.0, abs=0.6)


def test_looks_computed_each_step_equal_the_look_table_with_terrain(ridge_hgt_dir, monkeypatch):
    """Masking lives in pair_looks: the look table and the per-step looks (large raids) agree."""
    from iadsim import memo, sensing

    sc = make_scenario(dem=ridge_hgt_dir, weapons_free=True, count=2)
    comp = compile_scenario(sc)
    with_table = engine.run_compiled(sc, comp, 9)
    monkeypatch.setattr(sensing, "LOOK_TABLE_MAX_PAIRS", 0)
    monkeypatch.setattr(sensing, "LOOK_TABLE_MAX_PAIRS_ONE_RUN", 0)
    monkeypatch.setattr(sensing, "_LOOK_TABLES", memo.Memo(0.75))
    assert sensing.look_table(comp.world, comp.dt_s, comp.n_steps) is None
    direct = engine.run_compiled(sc, comp, 9)
    assert direct.summary == with_table.summary
    assert direct.events["t_s"] == with_table.events["t_s"] and direct.events["kind"] == with_table.events["kind"]


def test_engagement_line_of_sight_is_masked_by_the_ridge(ridge_hgt_dir):
    """C2 feasibility: a track 30 km north at 50 m above the ground, behind the ridge (22 km), is
    NO_LOS with the DEM and in line of sight over the smooth earth (horizon ~40 km) without it."""
    from iadsim.c2 import feasibility

    codes = []
    for dem in (ridge_hgt_dir, None):
        comp = compile_scenario(make_scenario(dem=dem))
        w = comp.world
        pos = geo.geodetic_to_enu(np.radians(40.05 + 30.0 / 111.2), np.radians(32.5), 900.0 + 50.0, comp.origin)[None]
        f = feasibility.assess(w, 0, np.arange(len(w.weapons.name)), pos, np.array([[0.0, -245.0, 0.0]]),
                               np.array([1]), 10.0)
        codes.append(f.code[:, 0])
    assert np.all(codes[0] == feasibility.NO_LOS) and not np.any(codes[1] == feasibility.NO_LOS)
