"""The basemap (Natural Earth, shipped), the run report's map (view fitted to the action, overview
inset, palette, labels that do not collide) and the channel/inventory chart scaled to use."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from iadsim.report import basemap, labels, palette
from iadsim.report.run_map import fit_box, map_figure

ROOT = Path(__file__).resolve().parents[2]
TURKEY = (25.0, 45.0, 35.0, 43.0)


def test_basemap_data_is_shipped_as_package_data():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = cfg["tool"]["setuptools"]["package-data"]["iadsim"]
    pkg = ROOT / "src" / "iadsim"
    shipped = {p.relative_to(pkg).as_posix() for pat in patterns for p in pkg.glob(pat)}
    assert "report/basemap/natural_earth.npz" in shipped and "report/basemap/README.md" in shipped
    assert basemap.DATA.stat().st_size < 1_000_000  # a compact file


def test_coastlines_borders_and_cities_are_where_they_are():
    lon, lat = basemap.lines("coast", TURKEY)
    pts = np.column_stack([lon, lat])[np.isfinite(lon)]
    # the Bosphorus at Istanbul (29.0 E, 41.1 N) and the Black Sea coast at Sinop (35.15 E, 42.03 N): within 10 km
    for lo, la in ((29.02, 41.1), (35.15, 42.03)):
        d_km = np.hypot((pts[:, 0] - lo) * 111.2 * np.cos(np.radians(la)), (pts[:, 1] - la) * 111.2)
        assert d_km.min() < 10.0, (lo, la, d_km.min())
    blon, blat = basemap.lines("border", (26.0, 27.0, 41.0, 42.0))  # Turkey-Greece (Evros) and Turkey-Bulgaria
    assert np.isfinite(blon).sum() > 5
    names, clon, clat = basemap.cities(TURKEY)
    ankara = list(names).index("Ankara")
    assert abs(clon[ankara] - 32.86) < 0.1 and abs(clat[ankara] - 39.93) < 0.1
    assert "Istanbul" in names and "Cairo" not in names


def test_lines_are_cropped_to_the_box_with_one_point_beyond_each_run():
    box = (30.0, 34.0, 40.5, 42.5)
    lon, lat = basemap.lines("coast", box)
    inside = (lon >= box[0]) & (lon <= box[1]) & (lat >= box[2]) & (lat <= box[3])
    ok = np.isfinite(lon)
    # every kept point is inside or next to an inside point of the same polyline
    nxt = np.r_[inside[1:], False] & np.r_[ok[1:], False]
    prv = np.r_[False, inside[:-1]] & np.r_[False, ok[:-1]]
    assert np.all(inside[ok] | nxt[ok] | prv[ok])
    full_lon, _ = basemap.lines("coast", (-180, 180, -90, 90))
    assert 0 < ok.sum() < np.isfinite(full_lon).sum() / 50
    with pytest.raises(ValueError, match="layer"):
        basemap.lines("rivers", box)


def test_fit_box_contains_the_points_and_fills_the_plot_area():
    lon, lat = np.array([31.0, 33.5, 32.0]), np.array([39.5, 40.0, 41.2])
    lat0 = np.radians(40.0)
    b = fit_box(lon, lat, lat0, (800, 500))
    assert b[0] < lon.min() and b[1] > lon.max() and b[2] < lat.min() and b[3] > lat.max()
    assert (b[1] - b[0]) * np.cos(lat0) / (b[3] - b[2]) == pytest.approx(800 / 500, rel=1e-12)


def test_labels_of_colocated_sites_take_different_places_and_do_not_overlap():
    names = ["s400_murted", "murted_ab", "ankara", "Ankara"]
    x, y = np.array([32.58, 32.5656, 32.854, 32.86]), np.array([40.09, 40.0789, 39.9208, 39.93])
    xr, yr, size = (31.0, 34.0), (39.0, 41.0), (900.0, 600.0)
    pos = labels.place(names, x, y, [0, 0, 0, 1], np.column_stack([x, y]), xr, yr, size)
    sx, sy = size[0] / (xr[1] - xr[0]), size[1] / (yr[1] - yr[0])
    boxes = [labels.label_box(p, (xi - xr[0]) * sx, (yr[1] - yi) * sy, 0.6 * 11 * len(n) + 2, 14)
             for n, p, xi, yi in zip(names, pos, x, y) if p]
    assert all(pos[:3])  # sites are always labelled
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not labels._overlap(boxes[i], boxes[j]), (names, pos)


def test_a_crowded_site_gets_its_label_on_a_leader_line():
    """Markers all round a site (24, 8 px away): no place beside it is free, so the label goes out on
    a leader line, clear of every marker."""
    ring = np.radians(np.arange(0, 360, 15))
    x0, y0 = 32.0, 40.0
    obstacles = np.column_stack([x0 + 0.02 * np.cos(ring), y0 + 0.02 * np.sin(ring)])  # 8 px around it
    xr, yr, size = (31.0, 33.0), (39.0, 41.0), (800.0, 800.0)
    pos = labels.place(["site"], [x0], [y0], [0], obstacles, xr, yr, size)
    assert isinstance(pos[0], tuple) and np.hypot(*pos[0]) == pytest.approx(labels.LEADER_PX)
    sx = size[0] / (xr[1] - xr[0])
    b = labels.label_box(pos[0], (x0 - xr[0]) * sx, (yr[1] - y0) * sx, 0.6 * 11 * 4 + 2, 14)
    ox, oy = (obstacles[:, 0] - xr[0]) * sx, (yr[1] - obstacles[:, 1]) * sx
    assert not np.any((ox > b[0]) & (ox < b[2]) & (oy > b[1]) & (oy < b[3]))


def _main(fig):
    return [t for t in fig.data if t.xaxis in (None, "x")]


def test_map_view_fits_the_action_and_the_overview_holds_the_rings(small_run):
    result, _ = small_run
    fig = map_figure(result)
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    named = {t.name: t for t in _main(fig)}
    for name in ["air-defence units", "defended assets"] + [n for n in named if n.startswith("route:")]:
        x, y = np.asarray(named[name].x, float), np.asarray(named[name].y, float)
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        assert xr[0] < x.min() and x.max() < xr[1] and yr[0] < y.min() and y.max() < yr[1], name
    w = result.compiled.world
    # the 600 km radar ring does not set the zoom: the main view is far smaller than the ring
    span_km = (xr[1] - xr[0]) * 111.2 * np.cos(result.compiled.origin.lat_rad)
    assert span_km < w.radars.max_range_m.max() / 1e3
    x2, y2 = fig.layout.xaxis2.range, fig.layout.yaxis2.range
    for t in fig.data:
        if t.xaxis == "x2" and "max range" in (t.name or ""):
            assert x2[0] <= min(t.x) and max(t.x) <= x2[1] and y2[0] <= min(t.y) and max(t.y) <= y2[1]
    assert any(t.name == "coastline" and t.xaxis == "x2" for t in fig.data)  # the Black Sea in the overview
    units = named["air-defence units"]
    leader = {a.text for a in fig.layout.annotations if a.showarrow}
    assert all(t or n in leader for t, n in zip(units.text, units.hovertext))  # every unit labelled


def test_one_palette_tells_missiles_radars_and_threats_apart(small_run):
    result, _ = small_run
    fig = map_figure(result)
    missiles = {t.line.color for t in _main(fig) if "max range" in (t.name or "")}
    radars = {t.line.color for t in _main(fig) if (t.name or "").startswith("radar ")}
    routes = {t.line.color for t in _main(fig) if (t.name or "").startswith("route:")}
    n_types = len(set(result.compiled.world.weapons.name))
    assert len(missiles) == n_types and radars == {palette.RADAR_COLOUR}
    assert len(routes) == len(set(result.compiled.threat_classes))
    assert not (missiles & routes) and not (missiles & radars) and not (routes & radars)
    assert set(palette.MISSILE_COLOURS).isdisjoint(palette.THREAT_COLOURS.values())


def test_channel_chart_is_scaled_to_use_with_limits_stated(small_run):
    from iadsim.report.run_report import resources_figure

    result, _ = small_run
    u = result.summary["units"][0]
    fig = resources_figure(result)
    top = fig.layout.yaxis.range[1]
    peak = max(u["targets_engaged_peak"], u["missiles_guided_peak"])
    from iadsim.report.run_report import LIMIT_IN_VIEW

    limits = (u["channels"]["targets"], u["channels"]["missiles"])
    in_view = [lim for lim in limits if lim <= LIMIT_IN_VIEW * max(peak, 1)]
    assert peak <= top <= max(1.25 * peak, 1.0, 1.1 * max(in_view, default=0)) + 1e-9  # not scaled to an off-view limit
    assert top < max(limits)  # the 72-channel limit does not flatten the use
    title = fig.layout.annotations[0].text
    assert f"{u['channels']['targets']} target" in title and f"{u['channels']['missiles']} missile" in title
    # rounds: each type's loaded count is drawn as a line and the axis reaches it
    loaded = [int(r) for r in result.compiled.world.weapons.rounds]
    lines = sorted(s.y0 for s in fig.layout.shapes if s.yref.startswith("y2"))
    assert lines == sorted(loaded) and fig.layout.yaxis2.range[1] >= max(loaded)


def test_units_table_is_for_people(small_run):
    from iadsim.report.run_report import section_units

    html = section_units(small_run[0])
    assert "{" not in html and "'" not in html
    for k, v in small_run[0].summary["units"][0]["rounds_fired"].items():
        assert f"{k}: {v}" in html


def test_report_sections_are_a_list_a_helper_can_extend(small_run):
    from iadsim.report import run_report

    extra = lambda result: '<h2 id="extra">extra section</h2>'  # noqa: E731
    html = run_report.render_run_report(small_run[0], sections=[run_report.section_overview, extra])
    assert 'id="extra"' in html and 'id="map"' not in html


def test_a_channel_limit_near_the_use_is_a_line_and_a_far_one_is_not():
    from plotly.subplots import make_subplots

    from iadsim.report.run_report import LIMIT_IN_VIEW, _scaled_limit

    fig = make_subplots(rows=1, cols=1)
    fig.add_scatter(x=[0, 1], y=[0, 4], row=1, col=1)  # Plotly draws a line only on a subplot with data
    assert _scaled_limit(fig, 4, 9, 1, 1, "target channel", "#000", "left") == 9  # Patriot: 9 channels, 4 in use
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].y0 == 9
    assert _scaled_limit(fig, 8, 72, 1, 1, "missile channel", "#000", "right") == 0  # S-400: 72, 8 in use
    assert len(fig.layout.shapes) == 1
    assert _scaled_limit(fig, 0, LIMIT_IN_VIEW, 1, 1, "x", "#000", "left") == LIMIT_IN_VIEW  # no use yet: scale of 1


def test_catalog_values_and_missing_titles_read_as_text(small_run):
    from iadsim.report.run_report import _unit, _value, section_sources

    assert (_unit("m2"), _unit("1"), _unit("us"), _unit("m/s")) == ("m²", "–", "µs", "m/s")
    assert _value([0.3, 0.32, 0.55]) == "0.3, 0.32, 0.55"
    assert _value({"S": 5.0, "X": 1.0}) == "S: 5, X: 1"
    assert _value(30) == "30" and _value(1.5e-06) == "1.5e-06"
    html = section_sources(small_run[0])
    assert "<td>[" not in html and "<td>{" not in html
    assert "<td>title not recorded</td>" not in html  # shown greyed as a note, not as if it were a title


def test_every_catalog_threat_has_its_own_colour():
    """Each threat profile of the catalog has a fixed colour of its own (routes of a SEAD raid with
    ten classes stay apart), none shared with a missile, the radars, units or events."""
    from iadsim import catalog

    threats = catalog.names("threats")
    assert len(threats) >= 11
    colours = [palette.THREAT_COLOURS.get(t) for t in threats]
    assert None not in colours, dict(zip(threats, colours))
    assert len(set(colours)) == len(colours)
    others = set(palette.MISSILE_COLOURS) | {palette.RADAR_COLOUR, palette.UNIT_COLOUR, palette.ASSET_COLOUR}
    others |= {c for _, _, c in palette.EVENTS.values()}
    assert others.isdisjoint(colours)
