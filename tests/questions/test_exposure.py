"""iadsim exposure: aspect angles on hand-computed geometry, dwells against the scan period over a
hand-computed time in coverage, consistency with the run's detections, and the CLI end to end."""

import json
from math import atan2, ceil, degrees, floor, sqrt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

import iadsim
from iadsim import exposure as ex
from iadsim import sensing
from iadsim.cli import app

EARTH_R_M = 6_371_000.0
SPEED_MPS = 250.0
ALT_M = 10_000.0
MAX_RANGE_KM = 100.0
PERIOD_S = {"91N6E": 10.0, "92N6E": 3.0}


def test_aspect_angles_on_hand_computed_geometry():
    up = np.array([[0.0, 0.0, 1.0]])
    cases = [  # (radar -> target line of sight, velocity, expected az, el) in degrees
        ((0, 50e3, 10e3), (250, 0, 0), 90.0, -degrees(atan2(10e3, 50e3))),  # flying east, radar south and below: right
        ((0, 50e3, 10e3), (-250, 0, 0), -90.0, -degrees(atan2(10e3, 50e3))),  # flying west: the radar is on the left
        ((0, 50e3, 0), (0, -250, 0), 0.0, 0.0),  # flying at the radar: nose-on
        ((0, 50e3, 0), (0, 250, 0), 180.0, 0.0),  # flying away: tail-on
        ((0, -50e3, 0), (0, 250 * np.cos(np.radians(30)), 250 * np.sin(np.radians(30))), 0.0, -30.0),  # climbing 30° at it
        ((0, 0, 20e3), (0, 300, 0), 0.0, -90.0),  # straight above the radar: it looks at the belly
    ]
    for los, vel, az_ref, el_ref in cases:
        az, el = ex.aspect_angles_deg(np.array([los], float), np.array([vel], float), up)
        assert abs((az[0] - az_ref + 180.0) % 360.0 - 180.0) < 1e-9, (los, vel, az)
        assert el[0] == pytest.approx(el_ref, abs=1e-9), (los, vel, el)


def test_grouped_percentiles_match_numpy():
    rng = np.random.default_rng(1)
    values, group = rng.normal(size=1000), rng.integers(0, 7, 1000)
    group[group == 3] = 4  # group 3 empty, and group 7 beyond the data
    got = ex._grouped_percentiles(values, group, 8, (0, 10, 50, 90, 100))
    for k in range(8):
        sel = group == k
        ref = np.percentile(values[sel], [0, 10, 50, 90, 100]) if sel.any() else np.full(5, np.nan)
        np.testing.assert_allclose(got[:, k], ref, rtol=0, atol=1e-12)
    assert np.isnan(got[:, 3]).all() and np.isnan(got[:, 7]).all()


def test_aspect_sector_is_the_one_the_rcs_model_uses():
    rng = np.random.default_rng(7)
    los = rng.normal(size=(5000, 3)) * [1e5, 1e5, 1e4]
    vel = rng.normal(size=(5000, 3)) * [250, 250, 30]
    az, el = ex.aspect_angles_deg(los, vel, np.tile([0.0, 0.0, 1.0], (5000, 1)))
    ones = np.ones(5000)
    rcs = sensing.aspect_rcs_m2(los, vel, 1.0 * ones, 2.0 * ones, 3.0 * ones)
    want = np.array(["front", "side", "rear"], object)[rcs.astype(int) - 1]
    assert (ex.aspect_sector(az, el) == want).all()
    assert set(want) == {"front", "side", "rear"}


def _transit_yaml(tmp_path: Path, weapons_free: bool) -> Path:
    """One S-400 battalion at the origin (both radars cut at 100 km, scan periods 10 s and 3 s), a
    Patriot battery there facing south (its sector never holds the aircraft), and a stealth fighter at
    10 km flying east along 40.45° N, 0.45° (~50 km) north of them, 3.5° of longitude."""
    doc = dict(schema_version=1, name="transit_test", seed=3, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
               time=dict(duration_s=1300.0, step_s=1.0),
               assets=[dict(name="base", lat_deg=40.0, lon_deg=32.5, value=1.0),
                       dict(name="exit", lat_deg=40.45, lon_deg=34.25, value=1.0, radius_m=1000.0)],
               units=[dict(name="s400", system="s400", lat_deg=40.0, lon_deg=32.5,
                           doctrine=dict(weapons_free=weapons_free),
                           overrides=dict(radar={r: dict(max_range=MAX_RANGE_KM, scan_period=p) for r, p in PERIOD_S.items()})),
                      dict(name="patriot_south", system="patriot", lat_deg=40.0, lon_deg=32.5, facing_deg=180.0,
                           doctrine=dict(weapons_free=weapons_free))],
               raids=[dict(name="f35", threat="stealth_fighter", count=1, target="exit",
                           route=[dict(lat_deg=40.45, lon_deg=30.75, alt_agl_m=ALT_M, speed_mps=SPEED_MPS)])])
    path = tmp_path / f"transit_{weapons_free}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _hand_time_in_coverage_s() -> float:
    """Chord of the 100 km slant-range sphere cut by the route (flat triangle, corrected for curvature).

    Closest ground distance: 0.45° of latitude (50.04 km) plus the great circle's poleward bulge
    between two points 3.5° of longitude apart on one parallel, L² tan(φ) / (8 R) with L = 297.9 km
    (1.47 km); at the edge of coverage the ground range g satisfies R² = g² + (h + g²/2Re)²."""
    d_m = np.radians(0.45) * EARTH_R_M + (np.radians(3.5) * np.cos(np.radians(40.45)) * EARTH_R_M) ** 2 \
        * np.tan(np.radians(40.45)) / (8 * EARTH_R_M)
    r_m = MAX_RANGE_KM * 1e3
    g_m = r_m
    for _ in range(20):  # fixed point of g² = R² − (h + g²/2Re)²
        g_m = sqrt(r_m ** 2 - (ALT_M + g_m ** 2 / (2 * EARTH_R_M)) ** 2)
    return 2.0 * sqrt(g_m ** 2 - d_m ** 2) / SPEED_MPS


@pytest.fixture(scope="module")
def transit(tmp_path_factory):
    path = _transit_yaml(tmp_path_factory.mktemp("transit"), weapons_free=False)
    result = iadsim.simulate(iadsim.load_scenario(path), seed=3)
    return result, ex.measure(result)


def test_dwells_follow_the_scan_period_over_a_hand_computed_time_in_coverage(transit):
    result, measured = transit
    rows = measured.summary.to_pylist()
    assert [(r["radar"], r["band"]) for r in rows] == [("91N6E", "S"), ("92N6E", "X"), ("MPQ-65", "C")]
    never = rows.pop()  # the south-facing sector radar: no coverage, no dwell, nulls where there is no value
    assert (never["time_in_coverage_s"], never["dwells"], never["detections"], never["unit_track_time_s"]) == (0.0, 0, 0, 0.0)
    assert never["expected_detections"] == 0.0
    assert all(never[k] is None for k in ("first_in_coverage_s", "last_in_coverage_s", "snr_db_min", "snr_db_median",
                                          "snr_db_max", "closest_range_km", "unit_first_track_s"))
    t_hand = _hand_time_in_coverage_s()  # ~680 s
    assert 600 < t_hand < 760
    for r in rows:
        t_cov = r["time_in_coverage_s"]
        assert t_cov == pytest.approx(t_hand, abs=4.0)  # 1 s steps at both ends, plus the route's turn-free geometry
        assert r["last_in_coverage_s"] - r["first_in_coverage_s"] + 1.0 == t_cov  # one contiguous pass
        period = PERIOD_S[r["radar"]]
        assert floor(t_cov / period) <= r["dwells"] <= ceil(t_cov / period)
        assert r["closest_range_km"] == pytest.approx(sqrt(51.5 ** 2 + 10.2 ** 2), abs=0.5)
        assert r["dwells_front"] + r["dwells_side"] + r["dwells_rear"] == r["dwells"]
        assert r["dwells_front"] > 0 and r["dwells_side"] > 0 and r["dwells_rear"] > 0  # it flies past
        assert 0 <= r["detections"] <= r["dwells"] and 0 < r["expected_detections"] < r["dwells"]
        assert r["unit_track_time_s"] <= t_cov + 30.0
    looks = measured.looks.to_pydict()
    t = np.array(looks["t_s"])
    for name, period in PERIOD_S.items():
        times = t[np.array(looks["radar"]) == name]
        assert np.allclose(np.diff(times), period)  # one dwell per scan, every scan while in coverage
    # the aircraft heading east, the radar south of it: on its right and below
    right = np.array(looks["aspect_az_deg"])
    assert ((right > 0) & (right < 180)).all() and (np.array(looks["aspect_el_deg"]) < 0).all()


def test_every_detection_of_the_run_is_at_a_dwell(transit):
    """The schedule reproduces the engine's scans: each detect event of the raider is one detected dwell."""
    result, measured = transit
    ev = result.events
    real = (ev.array("kind") == "detect") & (ev.array("threat_id") >= 0)
    assert real.sum() > 20
    assert sum(measured.summary.column("detections").to_pylist()) == int(real.sum())
    assert set(ev.array("radar")[real]) == {"91N6E", "92N6E"}
    assert sum(measured.looks.column("detected").to_pylist()) == int(real.sum())
    assert result.summary["totals"]["rounds_fired"] == 0  # weapons held
    track_s = result.track_samples
    held = np.unique(np.asarray(track_s["t_s"])[(np.asarray(track_s["truth_id"]) == 0) & (np.asarray(track_s["unit"]) == 0)]).size
    assert measured.summary.column("unit_track_time_s").to_pylist() == [float(held)] * 2 + [0.0]
    assert held > 100


def test_the_report_section_appears_only_when_every_unit_held_fire(transit):
    result, _ = transit
    assert ex.held_fire(result)
    units = [u.model_copy(update={"doctrine": u.doctrine.model_copy(update={"weapons_free": True})})
             for u in result.scenario.units]
    assert not ex.held_fire(SimpleNamespace(scenario=result.scenario.model_copy(update={"units": units})))
    assert not ex.held_fire(SimpleNamespace(scenario=result.scenario.model_copy(update={"units": []})))
    from iadsim.report.exposure_section import exposure_html

    section = exposure_html(result)
    assert 'id="exposure"' in section and "data:image/png;base64," in section and "92N6E" in section


def test_exposure_cli_end_to_end(tmp_path):
    path = _transit_yaml(tmp_path, weapons_free=True)
    out = tmp_path / "exp"
    res = CliRunner().invoke(app, ["exposure", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "weapons held for s400, patriot_south" in res.output and "91N6E" in res.output
    summary = pq.read_table(out / "exposure.parquet")
    assert summary.schema == ex.SUMMARY_SCHEMA and summary.num_rows == 3
    assert pq.read_table(out / "exposure_looks.parquet").schema == ex.LOOKS_SCHEMA
    csv = pcsv.read_csv(out / "exposure.csv")
    assert csv.num_rows == 3 and csv.column("dwells").to_pylist() == summary.column("dwells").to_pylist()
    png = (out / "exposure_aspect.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text()
    assert 'id="exposure"' in html
    run = json.loads((out / "summary.json").read_text())
    assert run["totals"]["rounds_fired"] == 0 and run["totals"]["leaked"] == 1  # flown to the end of its route


def test_exposure_cli_bad_input(tmp_path):
    res = CliRunner().invoke(app, ["exposure", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    doc = yaml.safe_load(_transit_yaml(tmp_path, weapons_free=True).read_text())
    doc["units"] = []
    empty = tmp_path / "no_units.yaml"
    empty.write_text(yaml.safe_dump(doc))
    res = CliRunner().invoke(app, ["exposure", str(empty)])
    assert res.exit_code == 2 and "at least one unit" in res.output


def test_the_bundled_exposure_example_holds_fire_and_flies_the_catalog_stealth_fighter():
    root = Path(__file__).resolve().parents[2]
    sc = iadsim.load_scenario(root / "examples" / "exposure" / "f35_transit.yaml")
    assert {r.threat for r in sc.raids} == {"stealth_fighter"}
    assert sc.units and not any(u.doctrine.weapons_free for u in sc.units)
    from iadsim import catalog

    assert catalog.profile("threats", "stealth_fighter")["rcs_front"]["value"] == 0.001  # the profile the README quotes
