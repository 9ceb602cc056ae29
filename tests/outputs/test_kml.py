"""KML: well-formed XML with the sites, assets, one route per threat and the intercepts."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from iadsim.export.replay import Replay

NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture(scope="module")
def kml(small_run):
    _, run_dir = small_run
    return ET.parse(run_dir / "replay.kml").getroot(), Replay.load(run_dir)


def _folder(root, name):
    return next(f for f in root.iterfind(".//k:Folder", NS) if f.findtext("k:name", namespaces=NS) == name)


def _names(folder):
    return [p.findtext("k:name", namespaces=NS) for p in folder.iterfind("k:Placemark", NS)]


def test_units_and_assets_are_point_placemarks(kml):
    root, rep = kml
    assert _names(_folder(root, "air-defence units")) == [u["name"] for u in rep.info["units"]]
    assert _names(_folder(root, "defended assets")) == [a["name"] for a in rep.info["assets"]]
    for p in _folder(root, "defended assets").iterfind("k:Placemark", NS):
        assert p.find("k:Point/k:coordinates", NS) is not None


def test_one_route_linestring_per_flown_threat(kml):
    root, rep = kml
    routes = list(_folder(root, "threat routes").iterfind("k:Placemark", NS))
    flown = [i for i, s in enumerate(rep.threat_spans()) if s is not None]
    assert len(routes) == len(flown) == len(rep.info["threats"])
    for p, i in zip(routes, flown):
        coords = np.array([c.split(",") for c in p.findtext("k:LineString/k:coordinates", namespaces=NS).split()], float)
        lon, lat, _ = rep.to_geodetic_deg(rep.threat_pos_enu_m[rep.threat_spans()[i][0], i])
        assert coords.shape[1] == 3 and coords.shape[0] >= 2
        assert coords[0, 0] == pytest.approx(lon, abs=1e-6) and coords[0, 1] == pytest.approx(lat, abs=1e-6)


def test_intercepts_and_leaks_are_placemarks(kml):
    root, rep = kml
    expected = [e for e in rep.info["engagements"] if e["kind"] != "launch"]
    names = _names(_folder(root, "intercepts and leaks"))
    assert len(names) == len(expected) and expected
    assert {n.split()[0] for n in names} <= {"intercept_hit", "intercept_miss", "leak"}
