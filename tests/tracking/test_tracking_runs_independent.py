"""Runs held in one tracking stage are independent: each run's tracks and events are those it
gets alone (a stage of one run), bit for bit, whatever the other runs see. Gating never pairs a
track with a detection of another run, even when both runs see the same targets at the same
place; a run that does not scan at a step is not counted as scanned; a retired run costs nothing."""

import numpy as np
import pytest

from iadsim.tracking.detections import Detections
from iadsim.tracking.stage import TrackingRuns, TrackingStage

from tracking_world import one_s400_world


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def _detections(t_s, radar, az_rad, range_m, truth):
    """Detections of one radar of unit 0 at ``t_s``: one per (azimuth, range), no range-rate information."""
    n = len(az_rad)
    full = lambda v: np.full(n, v, float)
    return Detections(t_s=full(t_s), radar_id=np.full(n, radar),
                      radar_pos_enu_m=np.repeat(one_s400_world().radars.pos_enu_m[[radar]], n, 0),
                      unit_idx=np.zeros(n, int), truth_id=np.asarray(truth), range_m=np.asarray(range_m, float),
                      az_rad=np.asarray(az_rad, float), el_rad=full(0.05), sigma_range_m=full(20.0),
                      sigma_az_rad=full(1e-3), sigma_el_rad=full(1e-3), range_rate_mps=full(0.0),
                      sigma_range_rate_mps=full(1e6), pos_enu_m=np.zeros((n, 3)), snr_db=full(20.0))


@pytest.mark.parametrize("offset_m", [0.0, 30.0])
def test_gating_never_pairs_detections_of_another_run(offset_m):
    """Two runs see the same two close targets (in one GNN cluster) at the same place (or the
    second 30 m further out): each run builds its own tracks from its own detections, exactly as
    a single run does, and none takes the other's detections. At one step only run 0 scans."""
    world = one_s400_world()
    radar = int(np.flatnonzero(world.radars.is_engagement)[0])
    looked = np.eye(len(world.radars.name), dtype=bool)[radar]
    batch = TrackingRuns(world, 1.0, 2)
    singles = [TrackingStage(world, 1.0), TrackingStage(world, 1.0)]
    n_confirmed = 0
    for k in range(8):
        base = [_detections(float(k), radar, [0.3, 0.3004], [60e3 - 50.0 * k, 60.1e3 - 50.0 * k], [0, 1])]
        base.append(_detections(float(k), radar, [0.3, 0.3004], [60e3 + offset_m - 50.0 * k, 60.1e3 + offset_m - 50.0 * k], [0, 1]))
        looked_k = looked
        if k == 3:  # run 1 sees nothing and (as the flags say) no radar looked: a scan for run 0 only
            base[1], looked_k = Detections.empty(), np.zeros_like(looked)
        events = batch.update(float(k), base, looked_k)
        for r, single in enumerate(singles):
            expect = single.update(float(k), base[r], looked_k)
            assert len(events[r]) == len(expect)
            for (u, new, dropped), (u1, new1, dropped1) in zip(events[r], expect):
                assert u == u1 and _same(new, new1) and _same(dropped, dropped1)
            mine, theirs = batch.view(r).tracks(0, float(k)), single.tracks(0, float(k))
            for name in ("id", "truth_id", "pos_enu_m", "vel_enu_mps", "t_last_s"):
                assert _same(getattr(mine, name), getattr(theirs, name)), (k, r, name)
            n_confirmed += len(mine.id)
        held = batch.trackers[0]._a  # every column of each run's rows (tentative tracks too), in the single run's order
        for r, single in enumerate(singles):
            rows = held["run"] == r
            for name, column in single.trackers[0]._a.items():
                if name == "run":  # the run's index in its stage: 0 alone
                    continue
                assert _same(held[name][rows], column), (k, r, name)
        assert batch.trackers[0].n_tracks == singles[0].trackers[0].n_tracks + singles[1].trackers[0].n_tracks
    assert n_confirmed > 0
    assert _same(batch.view(0).tracks(0, 7.0).id, batch.view(1).tracks(0, 7.0).id)  # same ids: 0, 1 in each run
    batch.retire(0)
    assert batch.trackers[0].n_tracks == singles[1].trackers[0].n_tracks
    assert batch.update(8.0, [None, base[1]], looked)[0] == []
