"""CZML replay: document packet first, availability inside the run, positions back to truth."""

import json
from datetime import datetime, timedelta

import numpy as np
import pytest

from iadsim import geo
from iadsim.export.czml import decimate_idx
from iadsim.export.replay import Replay

TOL_M = 1.0


def _t(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def czml(small_run):
    _, run_dir = small_run
    return json.loads((run_dir / "replay.czml").read_text(encoding="utf-8")), Replay.load(run_dir)


def test_first_packet_is_the_document_with_the_run_clock(czml):
    doc, rep = czml
    first = doc[0]
    assert first["id"] == "document" and first["version"] == "1.0"
    start, stop = (_t(x) for x in first["clock"]["interval"].split("/"))
    # the clock ends where the run ended (its last step), not at the scenario's duration
    assert (stop - start).total_seconds() == pytest.approx(rep.info["end_s"])
    assert first["clock"]["multiplier"] > 0 and _t(first["clock"]["currentTime"]) == start
    assert all(p["id"] != "document" for p in doc[1:])


def test_clock_ends_at_the_run_end_when_the_run_stops_early(small_run, czml):
    result, _ = small_run
    doc, _ = czml
    start, stop = (_t(x) for x in doc[0]["clock"]["interval"].split("/"))
    assert result.summary["end_s"] < result.summary["duration_s"]  # this run resolves before its 300 s
    assert (stop - start).total_seconds() == pytest.approx(result.summary["end_s"])


def test_every_entity_is_available_within_the_run(czml):
    doc, rep = czml
    start, stop = (_t(x) for x in doc[0]["clock"]["interval"].split("/"))
    for p in doc[1:]:
        a, b = (_t(x) for x in p["availability"].split("/"))
        assert start <= a <= b <= stop, p["id"]


def test_sites_volumes_threats_and_interceptors_are_present(czml):
    doc, rep = czml
    ids = {p["id"] for p in doc}
    assert {f"unit/{u['name']}" for u in rep.info["units"]} <= ids
    assert {f"asset/{a['name']}" for a in rep.info["assets"]} <= ids
    for r in rep.info["radars"]:
        vol = next(p for p in doc if p["id"] == f"radar/{r['unit']}/{r['name']}/volume")
        assert vol["ellipsoid"]["radii"]["cartesian"] == [r["max_range_m"]] * 3
        assert vol["ellipsoid"]["material"]["solidColor"]["color"]["rgba"][3] < 255  # translucent
    flown = [i for i, s in enumerate(rep.threat_spans()) if s is not None]
    assert {f"threat/{i}" for i in flown} <= ids
    assert {f"interceptor/{i}" for i in rep.interceptors()} <= ids
    assert rep.interceptors(), "the small scenario should launch interceptors"


def _enu_samples(packet, origin):
    pos = packet["position"]
    arr = np.array(pos["cartographicDegrees"], float).reshape(-1, 4)
    t0 = _t(pos["epoch"])
    enu = geo.geodetic_to_enu(np.radians(arr[:, 2]), np.radians(arr[:, 1]), arr[:, 3], origin)
    return t0, arr[:, 0], enu


def test_threat_positions_round_trip_to_truth_within_1_m(czml):
    doc, rep = czml
    epoch = _t(doc[0]["clock"]["currentTime"])
    by_id = {p["id"]: p for p in doc}
    for i, span in enumerate(rep.threat_spans()):
        if span is None:
            continue
        t0, dt, enu = _enu_samples(by_id[f"threat/{i}"], rep.origin)
        t_run = (t0 - epoch).total_seconds() + dt
        k = np.searchsorted(rep.t_s, t_run - 1e-6)
        assert np.allclose(rep.t_s[k], t_run, atol=1e-6)
        err_m = np.linalg.norm(enu - rep.threat_pos_enu_m[k, i], axis=1)
        assert err_m.max() < TOL_M


def test_interceptor_positions_round_trip_to_truth_within_1_m(czml):
    doc, rep = czml
    by_id = {p["id"]: p for p in doc}
    for iid, (t_s, pos, launch) in rep.interceptors().items():
        _, dt, enu = _enu_samples(by_id[f"interceptor/{iid}"], rep.origin)
        idx = decimate_idx(t_s.size)
        assert np.allclose(dt, t_s[idx] - t_s[0])
        assert np.linalg.norm(enu - pos[idx], axis=1).max() < TOL_M
        assert launch is not None and launch["kind"] == "launch"


def test_decimation_keeps_first_and_last_and_bounds_the_count():
    for n in (1, 2, 10, 5000):
        idx = decimate_idx(n, 100)
        assert idx[0] == 0 and idx[-1] == n - 1 and idx.size <= 100
        assert np.all(np.diff(idx) > 0)
