"""Track management: M-of-N confirmation, deletion, stable ids, confirm/drop events."""

import numpy as np
import pytest

from iadsim.tracking.detections import CartesianDetections
from iadsim.tracking.management import confirm_mask, delete_mask, hits_in_window, record_scan
from iadsim.tracking.mtt import Tracker, TrackerConfig

SIGMA_M = 10.0


def _run_pattern(pattern, m, n, tentative_misses=10):
    """Feed one stationary target with hits/misses per ``pattern``; return confirmed flag per step."""
    trk = Tracker(TrackerConfig(confirm_m=m, confirm_n=n, delete_tentative_misses=tentative_misses,
                                init_vel_sigma_mps=1.0, q_cv_m2ps3=0.01))
    out = []
    for k, hit in enumerate(pattern):
        pos = np.array([[1000.0, 2000.0, 300.0]]) if hit else np.zeros((0, 3))
        res = trk.step(float(k), CartesianDetections.isotropic(float(k), pos, SIGMA_M))
        out.append(len(res.id) == 1)
    return out


def test_m_of_n_pure_functions():
    hist, misses = np.zeros(2, np.uint64), np.zeros(2, np.int64)
    for hits in ([1, 1], [0, 0], [1, 0], [0, 0]):
        hist, misses = record_scan(hist, misses, np.array(hits, bool))
    # track 0: 1,0,1,0 -> 2 hits in the last 4, 1 in the last 3; track 1: 1,0,0,0
    assert hits_in_window(hist, 4).tolist() == [2, 1]
    assert hits_in_window(hist, 3).tolist() == [1, 0]
    assert misses.tolist() == [1, 3]
    assert confirm_mask(hist, np.array([False, False]), 2, 4).tolist() == [True, False]
    assert confirm_mask(hist, np.array([True, False]), 2, 4).tolist() == [False, False]  # only tentative
    dead = delete_mask(misses, np.array([True, False]), np.array([1.0, 1.0]), 2, 3, np.inf)
    assert dead.tolist() == [False, True]
    assert delete_mask(misses, np.array([True, True]), np.array([5.0, 1.0]), 2, 9, 4.0).tolist() == [True, False]


def test_pattern_101_confirms_under_2_of_3():
    assert _run_pattern([1, 0, 1], m=2, n=3) == [False, False, True]


def test_pattern_1001_does_not_confirm_under_2_of_3():
    assert not any(_run_pattern([1, 0, 0, 1, 0, 0], m=2, n=3))


def test_confirmation_needs_hits_within_window_not_in_total():
    # 3 hits in total but never 3 within 4 scans
    assert not any(_run_pattern([1, 0, 0, 1, 0, 0, 1, 0, 0], m=3, n=4))
    assert _run_pattern([1, 1, 0, 1], m=3, n=4)[-1]


def test_deletion_after_k_misses_and_events():
    trk = Tracker(TrackerConfig(confirm_m=2, confirm_n=2, delete_confirmed_misses=3, init_vel_sigma_mps=1.0))
    pos = np.array([[5000.0, 0.0, 1000.0]])
    events = []
    for k, hit in enumerate([1, 1, 1, 0, 0, 0, 0]):
        res = trk.step(float(k), CartesianDetections.isotropic(float(k), pos if hit else pos[:0], SIGMA_M))
        events.append((res.new_ids.tolist(), res.dropped_ids.tolist(), res.id.tolist()))
    assert events[1] == ([0], [], [0])  # confirmed on the 2nd hit
    assert events[4][2] == [0]  # two misses: still held
    assert events[5] == ([], [0], [])  # third miss: dropped
    assert trk.n_tracks == 0


def test_covariance_growth_deletes_a_coasting_track():
    trk = Tracker(TrackerConfig(confirm_m=2, confirm_n=2, delete_confirmed_misses=1000,
                                max_pos_var_trace_m2=3 * 300.0**2, q_cv_m2ps3=100.0))
    pos = np.array([[5000.0, 0.0, 1000.0]])
    dropped_at = None
    for k in range(40):
        res = trk.step(float(k), CartesianDetections.isotropic(float(k), pos if k < 3 else pos[:0], SIGMA_M))
        if len(res.dropped_ids):
            dropped_at = k
            break
    assert dropped_at is not None and dropped_at > 3


def test_ids_stable_and_never_reused():
    rng = np.random.default_rng(5)
    trk = Tracker(TrackerConfig(confirm_m=2, confirm_n=3, delete_confirmed_misses=2, init_vel_sigma_mps=5.0))
    base = rng.uniform(-5e4, 5e4, (6, 3))
    seen_ids, first_seen = {}, {}
    for k in range(30):
        live = np.arange(6) if k < 12 else (np.arange(3) if k < 20 else np.arange(6))  # 3..5 vanish, return
        pos = base[live] + rng.normal(0, SIGMA_M, (len(live), 3))
        res = trk.step(float(k), CartesianDetections.isotropic(float(k), pos, SIGMA_M))
        for tid, p in zip(res.id.tolist(), res.pos_enu_m):
            target = int(np.argmin(np.linalg.norm(base - p, axis=1)))
            seen_ids.setdefault(tid, set()).add(target)
            first_seen.setdefault(tid, k)
    assert all(len(t) == 1 for t in seen_ids.values())  # an id always follows the same target
    targets_to_ids = {}
    for tid, t in seen_ids.items():
        targets_to_ids.setdefault(t.pop(), []).append(tid)
    assert all(len(v) == 1 for k, v in targets_to_ids.items() if k < 3)  # continuous targets keep their id
    assert all(len(v) == 2 for k, v in targets_to_ids.items() if k >= 3)  # returning ones get a new id
    first_epoch = {tid for tid, k in first_seen.items() if k < 12}
    assert all(max(v) > max(first_epoch) for k, v in targets_to_ids.items() if k >= 3)  # ids are not reused


def test_stonesoup_tutorial_config():
    c = TrackerConfig.stonesoup_tutorial()
    assert (c.gate, c.confirm_m, c.delete_tentative_misses, c.delete_confirmed_misses) == (3.0, 3, 2, 3)
    with pytest.raises(ValueError, match="confirm_m"):
        TrackerConfig(confirm_m=4, confirm_n=3)
    with pytest.raises(ValueError, match="motion"):
        TrackerConfig(motion="singer")


def test_step_without_a_look_is_not_a_miss():
    """``None`` = no radar looked (prediction only); an empty scan = looked and missed."""
    trk = Tracker(TrackerConfig(confirm_m=2, confirm_n=2, delete_confirmed_misses=2))
    pos = np.array([[5000.0, 0.0, 1000.0]])
    for k in range(2):
        trk.step(float(k), CartesianDetections.isotropic(float(k), pos, SIGMA_M))
    for k in range(2, 12):  # ten steps in which no radar looked
        assert trk.step(float(k), None).id.tolist() == [0]
    trk.step(12.0, CartesianDetections.isotropic(12.0, pos[:0], SIGMA_M))
    assert trk.step(13.0, CartesianDetections.isotropic(13.0, pos[:0], SIGMA_M)).dropped_ids.tolist() == [0]
