"""The run report's figure table shows the figures in force: the scenario's overrides marked
'scenario', flyout figures included, and full citations with links."""

from __future__ import annotations

from types import SimpleNamespace

from iadsim import catalog
from iadsim.report.run_report import _citations, _sources_rows, _table
from iadsim.scenario.load import parse_yaml, validate_data

TEXT = """schema_version: 1
name: report
origin: {lat_deg: 40.07889, lon_deg: 32.56556, alt_m: 843}
time: {duration_s: 60, step_s: 1.0}
assets:
  - {name: base, lat_deg: 40.07889, lon_deg: 32.56556, value: 100, radius_m: 1500}
units:
  - {name: a, system: s400, lat_deg: 40.1, lon_deg: 32.6, overrides: {radar: {91N6E: {antenna_height: 30}}, launchers: {count: 2}}}
  - {name: b, system: s400, lat_deg: 40.0, lon_deg: 32.6}
raids:
  - {name: r, threat: drone, target: base, overrides: {rcs_front: 0.02}, route: [{lat_deg: 40.6, lon_deg: 32.6, alt_agl_m: 300}]}
"""


def rows():
    data, lines = parse_yaml(TEXT, "r.yaml")
    return _sources_rows(SimpleNamespace(scenario=validate_data(data, lines, "r.yaml")))


def test_figure_table_shows_overrides_in_force():
    got = {(r[0], r[1]): r for r in rows()}
    assert got[("91N6E (unit a)", "antenna_height")][2:5] == [30, "m", "scenario"]
    assert got[("91N6E", "antenna_height")][2:5] == [8, "m", "C"]  # unit b flies the catalog figure
    assert got[("s400 (unit a)", "launchers.count")][2] == 2
    assert got[("drone (raid r)", "rcs_front")][2:5] == [0.02, "m2", "scenario"]
    assert ("48N6E3", "flyout.pk_max") in got
    labels = [r[0] for r in rows()]
    n = len(list(catalog.figures(catalog.profile("radars", "92N6E"))))
    assert labels.count("92N6E") == n and "92N6E (unit a)" not in labels  # an untouched profile once, unlabelled


def test_citations_have_title_publisher_date_and_link():
    cites = {c[0]: c for c in _citations(rows())}
    key, title, publisher, date, link = cites["N16"]
    assert publisher == "Sputnik Brasil" and "2018" in date and title
    html = _table([cites["N16"]], ["key", "title", "publisher", "date", "link"])
    assert '<a href="https://noticiabrasil.net.br/' in html
