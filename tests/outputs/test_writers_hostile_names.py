"""Hostile names fed straight to the writers (names are refused at load, but writers must be safe on
their own): KML stays well-formed XML, ACMI has no raw line break in any field, CZML descriptions
carry text, not markup."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from iadsim.export.acmi import acmi_lines
from iadsim.export.czml import build_czml
from iadsim.export.kml import kml_text
from iadsim.export.replay import Replay
from iadsim.export.text import one_line

from test_acmi import FRAME, GLOBAL, HEADER, OBJECT, REMOVE

HOSTILE = "x</name><evil a=\"1\">&amp;\x00\x1b\r\n\u0085\u2028\u2029\u202e,\\|'<script>alert(1)</script>\t"
LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _hostile(value, names):
    if isinstance(value, dict):
        return {k: _hostile(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v, names) for v in value]
    if isinstance(value, str) and value in names:
        return f"{value} {HOSTILE}"
    return value


@pytest.fixture(scope="module")
def rep(small_run):
    _, run_dir = small_run
    r = Replay.load(run_dir)
    names = {r.info["scenario"], "sam", "base", "fighters", "cruise", "fighter", "cruise_missile"}
    names |= {x["name"] for x in r.info["radars"]} | {w["name"] for w in r.info["weapons"]}
    r.info = _hostile(r.info, names)
    assert HOSTILE in r.info["units"][0]["name"] and HOSTILE in r.info["threats"][0]["raid"]
    return r


def test_kml_is_well_formed_and_names_read_back_as_text(rep):
    text = kml_text(rep)
    assert not any(c in text.replace("\n", "", 2) for c in LINE_BREAKS + ("\x00", "\x1b", "\u202e"))
    root = ET.fromstring(text)  # raises on invalid XML (a raw NUL or ESC, an unescaped tag)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", ns)]
    assert f"sam {one_line(HOSTILE)}" in names
    assert not root.findall(".//evil") and not root.findall(".//k:evil", ns)


def test_acmi_has_no_raw_line_break_and_every_line_parses(rep, monkeypatch):
    monkeypatch.setitem(rep.info, "epoch_utc", rep.info["epoch_utc"] + "\r\n0,Injected=1")
    lines = acmi_lines(rep)
    text = "\n".join(lines)
    assert not any(c in line for line in lines for c in LINE_BREAKS)
    assert text.splitlines() == lines  # a reader splitting on any Unicode line break sees the same records
    for line in lines[len(HEADER):]:
        assert FRAME.match(line) or OBJECT.match(line) or REMOVE.match(line) or GLOBAL.match(line), line
    assert not any(line.startswith("0,Injected") for line in lines)
    unit = next(line for line in lines if ",Type=Ground+AntiAircraft," in line)
    callsign = re.search(r",CallSign=((?:[^,\\]|\\.)*)", unit).group(1)
    assert re.sub(r"\\(.)", r"\1", callsign) == f"sam {one_line(HOSTILE)}"  # commas and backslashes escaped, nothing lost


def test_czml_descriptions_are_text_not_markup(rep):
    packets = json.loads(build_czml(rep).dumps())
    descriptions = [p["description"] for p in packets if "description" in p]
    assert any("&lt;script&gt;" in d for d in descriptions)
    assert not any("<" in d or ">" in d for d in descriptions)
    strings = [p.get("name", "") for p in packets] + [p["label"]["text"] for p in packets if "label" in p]
    assert not any(c in s for s in strings + descriptions for c in LINE_BREAKS + ("\x00", "\u202e"))
    assert f"sam {one_line(HOSTILE)}" in [p.get("name") for p in packets]
