"""The engine's tracking stage: misses are counted on looks, and track logic does not depend on the step."""

import numpy as np
import pytest

from iadsim.compile import compile_scenario
from iadsim.tracking.detections import Detections
from iadsim.tracking.stage import TrackingStage, config_for_unit

from tracking_world import one_s400_world


def _one_detection(world, t_s, radar):
    one = lambda v: np.array([v], float)
    return Detections(t_s=one(t_s), radar_id=np.array([radar]), radar_pos_enu_m=world.radars.pos_enu_m[[radar]],
                      unit_idx=np.array([0]), truth_id=np.array([-1]), range_m=one(60e3), az_rad=one(0.3),
                      el_rad=one(0.05), sigma_range_m=one(20.0), sigma_az_rad=one(1e-3), sigma_el_rad=one(1e-3),
                      range_rate_mps=one(0.0), sigma_range_rate_mps=one(1e6), pos_enu_m=np.zeros((1, 3)),
                      snr_db=one(20.0))


@pytest.mark.parametrize("looks", [True, False])
def test_an_empty_look_is_a_miss_and_no_look_is_not(looks):
    """A tentative track dies after delete_tentative_misses looks that saw nothing; steps in which
    no radar of the unit looked do not count against it."""
    world = one_s400_world()
    stage = TrackingStage(world, 1.0)
    trk = stage.trackers[0]
    radar = int(np.flatnonzero(world.radars.is_engagement)[0])
    stage.update(0.0, _one_detection(world, 0.0, radar), np.eye(len(world.radars.name), dtype=bool)[radar])
    assert trk.n_tracks == 1
    looked = np.full(len(world.radars.name), looks)
    n = trk.config.delete_tentative_misses
    for k in range(1, n + 1):
        stage.update(float(k), Detections.empty(), looked)
    assert trk.n_tracks == (0 if looks else 1)


def test_track_logic_counts_looks_not_steps():
    """A 10 s surveillance radar beside a 1 s engagement radar: the same counts at a 1 s and a
    0.5 s step (one look per second either way), and three 10 s revisits before a confirmed
    track is deleted."""
    a, b = config_for_unit(10.0, 1.0, 1.0), config_for_unit(10.0, 1.0, 0.5)
    assert a == b
    assert a.delete_confirmed_misses == 31 and a.delete_tentative_misses == 13 and a.confirm_n == 21
    assert config_for_unit(10.0, 1.0, 2.0).delete_confirmed_misses == 16  # one look per 2 s step


def test_engine_detections_meet_the_tracker_checks_they_skip():
    """sensing.scan builds unchecked (trusted) Detections: the checked constructor accepts the
    same arrays (finite, one length, positive sigmas, radar ids in range) on a busy scan, and the
    angles are on the scenario's ENU axes: the measured position is range/azimuth/elevation from
    the antenna on those axes."""
    from dataclasses import fields, replace
    from pathlib import Path

    import iadsim
    from iadsim import geo, sensing, threats as motion

    comp = compile_scenario(iadsim.load_scenario(Path(__file__).resolve().parents[2] / "examples" / "murted_2019.yaml"))
    world = comp.world
    rng = np.random.default_rng(0)
    n_real = 0
    for t_s in (600.0, 700.0, 800.0):
        pos, vel, flying = motion.advance(world.threats, t_s)
        world = replace(world, threats=replace(world.threats, pos_enu_m=pos, vel_enu_mps=vel, active=flying),
                        radars=replace(world.radars, next_scan_t_s=np.zeros(len(world.radars.name))))
        agl = geo.altitude_m(pos, comp.origin) - comp.ground_alt_m
        (dets,), _ = sensing.scan(world, t_s, [world.threats], [rng], threat_agl_m=agl)
        checked = Detections(**{f.name: getattr(dets, f.name) for f in fields(dets)})
        assert len(checked) == len(dets) > 0
        assert dets.radar_id.dtype.kind == "i" and dets.unit_idx.dtype.kind == "i" and dets.t_s.dtype == np.float64
        assert np.array_equal(dets.unit_idx, world.radars.unit_idx[dets.radar_idx])
        from_angles = dets.radar_pos_enu_m + geo.aer_to_enu(dets.az_rad, dets.el_rad, dets.range_m)
        assert np.abs(from_angles - dets.pos_enu_m).max() < 1e-3  # m
        n_real += int((dets.truth_id >= 0).sum())
    assert n_real > 0
