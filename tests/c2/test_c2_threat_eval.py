"""Threat evaluation formulas against hand computations."""

import numpy as np
import pytest

from iadsim.c2 import threat_eval as te


def ro(a):
    a = np.array(a, float)
    a.flags.writeable = False
    return a


def test_time_to_go_and_cpa_by_hand():
    pos = ro([[0.0, 10_000.0, 0.0], [3_000.0, 10_000.0, 0.0], [0.0, 10_000.0, 0.0]])
    vel = ro([[0.0, -200.0, 0.0], [0.0, -200.0, 0.0], [0.0, 200.0, 0.0]])
    asset = ro([[0.0, 0.0, 0.0]])
    ttg = te.time_to_go_s(pos, vel, asset)
    assert ttg[0, 0] == pytest.approx(50.0)  # 10 km at 200 m/s
    # off-axis: closing speed = 200 * 10/sqrt(109) -> T = |d|^2 / (200 * 10 km)
    assert ttg[1, 0] == pytest.approx((3_000.0**2 + 10_000.0**2) / (200.0 * 10_000.0))
    assert np.isinf(ttg[2, 0])  # opening
    t_cpa, d_cpa = te.closest_approach(pos, vel, asset)
    tol_m = 1e-6
    assert t_cpa[0, 0] == pytest.approx(50.0) and d_cpa[0, 0] == pytest.approx(0.0, abs=tol_m)
    assert t_cpa[1, 0] == pytest.approx(50.0) and d_cpa[1, 0] == pytest.approx(3_000.0)
    assert t_cpa[2, 0] == 0.0 and d_cpa[2, 0] == pytest.approx(10_000.0)  # receding: CPA now


@pytest.mark.parametrize("speed, alt, gamma_deg, expected", [
    (2000.0, 20_000.0, -40.0, "ballistic"),
    (1500.0, 40_000.0, 0.0, "ballistic"),
    (1500.0, 10_000.0, 0.0, "aircraft"),  # fast and level: not ballistic
    (51.0, 300.0, 0.0, "drone"),
    (245.0, 50.0, 0.0, "cruise_missile"),
    (265.0, 8_000.0, 0.0, "aircraft"),
    # a young drone track at 75 km: 51 m/s across, 60 m/s of vertical-velocity noise
    (float(np.hypot(51.0, 60.0)), 250.0, float(np.degrees(np.arctan2(60.0, 51.0))), "drone"),
    (float(np.hypot(90.0, 10.0)), 250.0, float(np.degrees(np.arctan2(10.0, 90.0))), "cruise_missile"),
])
def test_classify_thresholds(speed, alt, gamma_deg, expected):
    cls = te.classify(ro([speed]), ro([alt]), ro([np.radians(gamma_deg)]))
    assert te.THREAT_CLASSES[int(cls[0])] == expected


def test_value_is_asset_value_times_weight_times_relevance_and_urgency():
    asset = ro([[0.0, 0.0, 0.0], [50_000.0, 0.0, 0.0]])
    values, radius = ro([100.0, 10.0]), ro([1_000.0, 1_000.0])
    weight = ro([1.0, 1.2, 2.0, 0.3])
    pos = ro([[0.0, 24_000.0, 8_000.0], [10_000.0, 24_000.0, 50.0]])
    vel = ro([[0.0, -200.0, 0.0], [0.0, -240.0, 0.0]])
    alt, gamma = ro([8_000.0, 50.0]), ro([0.0, 0.0])
    a = te.evaluate(pos, vel, alt, gamma, asset, values, radius, weight)
    assert list(a.threat_class) == [te.AIRCRAFT, te.CRUISE_MISSILE]
    # track 0: CPA 8 km above asset 0 at t = 120 s -> relevance 3/8, urgency 120/240
    expected0 = 1.0 * 100.0 * (3_000.0 / 8_000.0) * (te.URGENCY_TIME_S / (te.URGENCY_TIME_S + 120.0))
    # track 1: passes 10 km east of asset 0 at t = 100 s; asset 1 is 40 km off
    d0 = np.hypot(10_000.0, 50.0)
    expected1 = 1.2 * max(100.0 * 3_000.0 / d0 * 120.0 / 220.0, 10.0 * 3_000.0 / np.hypot(40_000.0, 50.0) * 120.0 / 220.0)
    np.testing.assert_allclose(a.value, [expected0, expected1], rtol=1e-9)
    assert list(a.asset_idx) == [0, 0]


def test_shapes_scalar_one_and_many():
    for k in (0, 1, 5):
        pos, vel = ro(np.ones((k, 3)) * 1e4), ro(-np.ones((k, 3)) * 100.0)
        a = te.evaluate(pos, vel, ro(np.full(k, 1e3)), ro(np.zeros(k)), ro([[0.0, 0.0, 0.0]]), ro([1.0]), ro([1e3]),
                        ro([1, 1, 1, 1]))
        assert a.value.shape == (k,) and a.time_to_go_s.shape == (k, 1)
