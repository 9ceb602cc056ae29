"""The run report's electronic-attack section: strobes and burn-through rings drawn, per-radar table;
absent from a run without anything of issue 18."""

from __future__ import annotations

import numpy as np

from iadsim import engine
from iadsim.ea import jamming
from iadsim.report import ea_section
from iadsim.report.run_report import render_run_report

EAST = [{"lat_deg": 40.0, "lon_deg": 33.6, "alt_agl_m": 8000}]
NORTH_ORBIT = [{"lat_deg": 42.2, "lon_deg": 32.45, "alt_agl_m": 9000}, {"lat_deg": 42.2, "lon_deg": 32.55, "alt_agl_m": 9000}]
SOJ = {"kind": "stand_off", "power_w": 1000.0, "gain_db": 20.0, "bandwidth_mhz": 1000.0, "centre_ghz": 10.0}


def test_section_draws_strobes_and_rings(make_scenario):
    sc = make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST},
                        {"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT, "jammer": SOJ}],
                       duration_s=120.0)
    res = engine.simulate(sc, seed=1)
    rings = ea_section.burn_through_rings(res)
    w = res.compiled.world
    r92 = w.radars.name.index("92N6E")
    ring = next(b for b in rings if b["radar"] == r92)
    assert ring["ssj_m"] == jamming.burn_through_m(w.radars, r92, jamming.of(w), 0, ea_section.RING_RCS_M2)
    assert 0 < ring["soj_m"] and ring["closest_m"] > 200e3
    assert next(b for b in rings if b["radar"] != r92)["ssj_m"] == 0.0  # the S-band radar is out of the X-band jammer's band
    names = [t.name for t in ea_section.figure(res).data]
    assert any(n.startswith("jam strobes") for n in names) and any("burn-through" in n for n in names)
    page = render_run_report(res)
    assert "Electronic attack and emission control" in page and "ea_map" in page


def test_no_section_without_ea(make_scenario):
    res = engine.simulate(make_scenario([{"name": "f", "threat": "fighter", "target": "base", "route": EAST}],
                                        duration_s=60.0), seed=1)
    assert ea_section.html(res) == "" and "Electronic attack" not in render_run_report(res)


def test_coverage_prints_burn_through(tmp_path):
    from pathlib import Path

    from typer.testing import CliRunner

    from iadsim.cli import app
    from iadsim.compile import compile_scenario
    from iadsim.scenario.load import load_scenario

    example = Path(__file__).resolve().parents[2] / "examples" / "sead_strike.yaml"
    res = CliRunner().invoke(app, ["coverage", str(example), "--rcs", "2", "--alt", "8000", "--pd", "0.5",
                                   "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    rows = ea_section.coverage_rows(compile_scenario(load_scenario(example)).world, [2.0], 0.5)
    assert len(rows) == 2 and "burn-through range (km)" in res.output
    for b in rows:  # side lobe: far out; main lobe: about 10 km
        assert f"{b['ssj_m'] / 1e3:.1f}" in res.output and f"{b['soj_m'] / 1e3:.1f}" in res.output
        assert 5e3 < b["ssj_m"] < 20e3 < 300e3 < b["soj_m"] < b["start_m"]
    # and draws them: the burn-through map, each radar's stand-off ring at its computed radius
    png = tmp_path / "jammed_coverage.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "jammed_coverage.png" in res.output


def test_burn_through_rings_are_drawn_at_their_radius(tmp_path, monkeypatch):
    """The rings of the coverage map are the burn-through ranges of coverage_rows (ground circles)."""
    from pathlib import Path

    import matplotlib.axes

    from iadsim.compile import compile_scenario
    from iadsim.scenario.load import load_scenario

    example = Path(__file__).resolve().parents[2] / "examples" / "sead_strike.yaml"
    w = compile_scenario(load_scenario(example)).world
    rows = ea_section.coverage_rows(w, [2.0], 0.5)
    drawn = []
    real_plot = matplotlib.axes.Axes.plot
    monkeypatch.setattr(matplotlib.axes.Axes, "plot", lambda self, *a, **k: (drawn.append(a), real_plot(self, *a, **k))[1])
    ea_section.jammed_map_png(w, tmp_path / "j.png", rows, 2.0, 0.5, "t")
    rings = [a for a in drawn if len(a) >= 2 and np.size(a[0]) == 120]
    assert len(rings) == 2 * len(rows)  # stand-off and self-screening per radar and jammer
    for b in rows:
        r = w.radars.name.index(b["radar"])
        for radius in (b["soj_m"], b["ssj_m"]):
            # ground radius within 1 % (the flat ENU circle read back at zero height); the rings differ by 3 % or more
            assert sum(abs(_mean_radius_m(w, r, a[0], a[1]) - radius) < 1e-2 * radius for a in rings) == 1


def _mean_radius_m(w, r, lon_deg, lat_deg):
    from iadsim import geo

    pts = geo.geodetic_to_enu(np.radians(np.asarray(lat_deg)), np.radians(np.asarray(lon_deg)), np.zeros(len(lat_deg)),
                              w.origin)
    d = np.hypot(pts[:, 0] - w.radars.pos_enu_m[r, 0], pts[:, 1] - w.radars.pos_enu_m[r, 1])
    return float(np.mean(d))
