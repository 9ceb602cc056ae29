"""Tacview ACMI 2.2 text: header and line syntax, times and positions back to truth."""

import re

import numpy as np
import pytest

from iadsim import geo
from iadsim.export.acmi import ID_INTERCEPTOR, ID_THREAT
from iadsim.export.replay import Replay

TOL_M = 1.0
HEADER = [re.compile(r"^FileType=text/acmi/tacview$"), re.compile(r"^FileVersion=2\.2$"),
          re.compile(r"^0,ReferenceTime=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")]
FRAME = re.compile(r"^#(\d+(\.\d+)?)$")
GLOBAL = re.compile(r"^0,[A-Za-z]+=.*$")
OBJECT = re.compile(r"^([0-9a-f]+),T=(-?[\d.]+)\|(-?[\d.]+)\|(-?[\d.]+)((,[A-Za-z0-9]+=([^,\\]|\\.)*)*)$")
REMOVE = re.compile(r"^-([0-9a-f]+)$")


@pytest.fixture(scope="module")
def acmi(small_run):
    _, run_dir = small_run
    raw = (run_dir / "replay.acmi").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, as Tacview writes
    return raw.decode("utf-8-sig").splitlines(), Replay.load(run_dir)


def _parse(lines):
    """{object id: [(t, lon, lat, alt)]}, {object id: properties of its first line}, removals {id: t}."""
    t, track, props, removed = None, {}, {}, {}
    for line in lines[len(HEADER):]:
        if m := FRAME.match(line):
            t = float(m.group(1))
        elif m := OBJECT.match(line):
            oid = int(m.group(1), 16)
            track.setdefault(oid, []).append((t, float(m.group(2)), float(m.group(3)), float(m.group(4))))
            if m.group(5):
                props.setdefault(oid, m.group(5))
        elif m := REMOVE.match(line):
            removed[int(m.group(1), 16)] = t
        else:
            assert GLOBAL.match(line), f"not ACMI 2.x syntax: {line!r}"
    return track, props, removed


def test_header_and_every_line_follow_the_acmi_2_syntax(acmi):
    lines, _ = acmi
    for rx, line in zip(HEADER, lines):
        assert rx.match(line), line
    times = [float(FRAME.match(x).group(1)) for x in lines if FRAME.match(x)]
    assert times == sorted(times) and len(times) == len(set(times))
    assert lines[3 - 0].startswith("0,") and lines.index(next(x for x in lines if FRAME.match(x))) > 3
    _parse(lines)  # raises on any line that is not a frame, global, object or removal


def test_threat_positions_and_times_match_truth(acmi):
    lines, rep = acmi
    track, props, removed = _parse(lines)
    for i, span in enumerate(rep.threat_spans()):
        oid = ID_THREAT + i
        if span is None:
            assert oid not in track
            continue
        rows = np.array(track[oid])
        k = np.arange(span[0], span[1] + 1)
        assert np.allclose(rows[:, 0], rep.t_s[k], atol=1e-3)
        enu = geo.geodetic_to_enu(np.radians(rows[:, 2]), np.radians(rows[:, 1]), rows[:, 3], rep.origin)
        assert np.linalg.norm(enu - rep.threat_pos_enu_m[k, i], axis=1).max() < TOL_M
        assert "Type=" in props[oid] and "Name=" in props[oid] and "Color=" in props[oid]
        assert removed[oid] >= rows[-1, 0]


def test_interceptors_appear_and_are_removed(acmi):
    lines, rep = acmi
    track, props, removed = _parse(lines)
    for iid, (t_s, pos, _) in rep.interceptors().items():
        rows = np.array(track[ID_INTERCEPTOR + iid])
        assert np.allclose(rows[:, 0], t_s, atol=1e-3)
        enu = geo.geodetic_to_enu(np.radians(rows[:, 2]), np.radians(rows[:, 1]), rows[:, 3], rep.origin)
        assert np.linalg.norm(enu - pos, axis=1).max() < TOL_M
        assert "Type=Weapon+Missile" in props[ID_INTERCEPTOR + iid]
        assert ID_INTERCEPTOR + iid in removed


def test_sites_are_written_at_time_zero(acmi):
    lines, rep = acmi
    track, props, _ = _parse(lines)
    statics = [oid for oid, rows in track.items() if len(rows) == 1 and rows[0][0] == 0.0]
    assert len(statics) >= len(rep.info["units"]) + len(rep.info["radars"]) + len(rep.info["assets"])
    assert any("Type=Ground+AntiAircraft" in props[o] for o in statics)
