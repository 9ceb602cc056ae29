"""Poisson false alarms: count per scan = Pfa × resolution cells, inside coverage, truth_id -1."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from iadsim import geo, sensing
from iadsim.constants import SPEED_OF_LIGHT_MPS
from iadsim.tracking.detections import Detections


def site_aer(world, dets):
    """(azimuth, elevation, range) of detections in each radar's own horizon frame, recovered from
    the measured position (sensing reports angles on the scenario's ENU axes)."""
    rd = world.radars
    los = np.einsum("dij,dj->di", rd.rot_local_from_enu[dets.radar_idx], dets.pos_enu_m - rd.pos_enu_m[dets.radar_idx])
    return geo.enu_to_aer(los)


def test_resolution_cells_closed_form(placed):
    rd = placed("s400", "fighter", 1).comp.world.radars  # 91N6E: 150 m cells, 1.5° x 3° beams
    cells = sensing.resolution_cells(rd)
    expect_91n6e = np.ceil(598e3 / (SPEED_OF_LIGHT_MPS / 2e6)) * (360 / 1.5) * (62 / 3.0)
    assert cells[0] == pytest.approx(expect_91n6e, rel=1e-12)


@pytest.mark.parametrize("system, radar, facing_deg", [("s400", 0, 0.0), ("s400", 1, 0.0), ("patriot", 0, 30.0)])
def test_false_alarm_count_and_placement(placed, system, radar, facing_deg):
    p = placed(system, "fighter", 1, radar=radar, facing_deg=facing_deg)
    world = replace(p.world, threats=replace(p.world.threats, active=np.zeros(1, bool)))
    rd = world.radars
    rng = np.random.default_rng(11)
    n_scans = 200
    dets = [sensing.scan(world, 0.0, [world.threats], [rng], threat_agl_m=np.zeros(1))[0][0] for _ in range(n_scans)]
    total = sum(len(d) for d in dets)
    mean = n_scans * rd.pfa[0] * sensing.resolution_cells(rd)[0]
    lo, hi = stats.poisson.interval(1 - 1e-4, mean)
    assert lo <= total <= hi, (total, mean)
    fa = [d for d in dets if len(d)]
    truth = np.concatenate([d.truth_id for d in fa])
    assert np.all(truth == -1) and all(d.is_false_alarm.all() for d in fa)
    # true cell positions are uniform inside coverage (the site's frame); measured ones carry the
    # noise of a threshold-level SNR
    az, el, rng_m = site_aer(world, Detections.concat(fa))
    slack_m, slack_rad = 5 * np.concatenate([d.sigma_range_m for d in fa]), 5 * np.concatenate([d.sigma_el_rad for d in fa])
    assert np.all(rng_m >= rd.min_range_m[0] - slack_m) and np.all(rng_m <= rd.max_range_m[0] + slack_m)
    assert np.all(el >= rd.el_min_rad[0] - slack_rad) and np.all(el <= rd.el_max_rad[0] + slack_rad)
    off = np.abs(np.mod(az - rd.facing_rad[0] + np.pi, 2 * np.pi) - np.pi)
    assert np.all(off <= rd.az_sector_rad[0] / 2 + 5 * np.concatenate([d.sigma_az_rad for d in fa]))


def test_false_alarms_can_be_switched_off(placed):
    p = placed("s400", "fighter", 1, radar=0)
    world = replace(p.world, threats=replace(p.world.threats, active=np.zeros(1, bool)))
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(1)], threat_agl_m=np.zeros(1), false_alarms=False)
    assert len(dets) == 0
