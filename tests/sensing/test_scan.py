"""sensing.scan against closed forms: Pd, coverage and horizon, measurement noise, range rate, RCS selection."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from iadsim import sensing
from iadsim.constants import SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.physics import radar as rp
from iadsim.physics.propagation import effective_earth_radius_m as re_eff
from iadsim.tracking.detections import Detections

N_TRIALS = 4000  # identical threats in one scan: independent looks


def _expected_pd(rd, range_m, rcs_m2, swerling):
    s = rp.snr(range_m, rd.peak_power_w[0], rd.pulse_width_s[0], SPEED_OF_LIGHT_MPS / rd.frequency_hz[0], rcs_m2,
               undb(rd.gain_db[0]), None, T0_K * undb(rd.noise_figure_db[0]), undb(rd.losses_db[0]))
    return float(rp.pd_linear(s, rd.pfa[0], int(rd.n_pulses[0]), swerling)), s


@pytest.mark.parametrize("swerling", [1, 3, 0])
def test_single_target_pd_matches_pd_linear(placed, swerling):
    p = placed("s400", "fighter", N_TRIALS, radar=0)
    world, agl = p.place(400e3, 45.0, 12_000.0, speed_mps=250.0)  # nose-on: rcs_front 2 m²
    world = replace(world, threats=replace(world.threats, swerling=np.full(N_TRIALS, swerling)))
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(swerling)], threat_agl_m=agl, false_alarms=False)
    range_m = np.linalg.norm(world.threats.pos_enu_m[0] - world.radars.pos_enu_m[0])
    pd, _ = _expected_pd(world.radars, range_m, 2.0, swerling)
    assert 0.05 < pd < 0.95
    lo, hi = stats.binom.interval(1 - 1e-4, N_TRIALS, pd)
    assert lo <= len(dets) <= hi, (len(dets), pd * N_TRIALS)
    assert np.all(dets.truth_id >= 0) and not dets.is_false_alarm.any()


def test_same_seed_same_detections(placed):
    p = placed("s400", "fighter", 200, radar=0)
    world, agl = p.place(np.linspace(50e3, 500e3, 200), np.linspace(0, 359, 200), 8000.0, 250.0)
    (a,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(7)], threat_agl_m=agl)
    (b,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(7)], threat_agl_m=agl)
    assert np.array_equal(a.truth_id, b.truth_id) and np.array_equal(a.range_m, b.range_m)


def test_horizon_just_beyond_never_just_inside_always(placed):
    p = placed("s400", "bomber", 2000, radar=1)  # 92N6E, 100 m² nose-on: huge SNR at 40 km
    h_r, h_t = p.radars.height_m[0], 50.0
    re = re_eff()
    ground_limit_m = re * (np.arccos(re / (re + h_r)) + np.arccos(re / (re + h_t)))  # the exact LOS limit
    n = 1000
    ground = np.r_[np.full(n, 0.97 * ground_limit_m), np.full(n, 1.03 * ground_limit_m)]
    world, agl = p.place(ground, np.linspace(0, 359, 2 * n), h_t, speed_mps=240.0)
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(1)], threat_agl_m=agl, false_alarms=False)
    seen = np.zeros(2 * n, bool)
    seen[dets.truth_id] = True
    assert seen[:n].all()  # inside: detected every time at this SNR
    assert not seen[n:].any()  # beyond: never


def test_sector_and_range_limits(placed):
    p = placed("patriot", "bomber", 400, radar=0, facing_deg=0.0)  # MPQ-65: 120° sector facing north
    az = np.r_[np.full(100, 50.0), np.full(100, 70.0), np.full(100, -55.0), np.full(100, 180.0)]
    world, agl = p.place(60e3, az, 8000.0, speed_mps=240.0)
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(2)], threat_agl_m=agl, false_alarms=False)
    seen = np.zeros(400, bool)
    seen[dets.truth_id] = True
    assert seen[:100].all() and seen[200:300].all()
    assert not seen[100:200].any() and not seen[300:].any()
    world, agl = p.place(np.r_[np.full(200, 0.5e3), np.full(200, 200e3)], 0.0, 300.0, 240.0)  # < min, > max range
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(3)], threat_agl_m=agl, false_alarms=False)
    assert len(dets) == 0


def test_measurement_noise_matches_accuracy_model(placed):
    n = 3000
    p = placed("s400", "bomber", n, radar=1)
    world, agl = p.place(150e3, 30.0, 9000.0, speed_mps=240.0)
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(4)], threat_agl_m=agl, false_alarms=False)
    rd = world.radars
    los = world.threats.pos_enu_m[0] - rd.pos_enu_m[0]
    from iadsim import geo

    _, _, rng_m = geo.enu_to_aer(rd.rot_local_from_enu[0] @ los)
    az, el, _ = geo.enu_to_aer(los)  # the truth on the scenario's ENU axes, on which sensing reports angles
    _, s_pulse = _expected_pd(rd, rng_m, 100.0, 1)
    snr_dwell = rd.n_pulses[0] * s_pulse
    lam = SPEED_OF_LIGHT_MPS / rd.frequency_hz[0]
    expect = dict(
        range_m=rp.range_sigma_m(snr_dwell, rd.bandwidth_hz[0], rd.range_accuracy_floor_m[0]),
        az_rad=rp.angle_sigma_rad(snr_dwell, rd.beamwidth_az_rad[0], 1.6, rd.angle_accuracy_floor_rad[0]),
        el_rad=rp.angle_sigma_rad(snr_dwell, rd.beamwidth_el_rad[0], 1.6, rd.angle_accuracy_floor_rad[0]),
        range_rate_mps=rp.range_rate_sigma_mps(snr_dwell, lam, rd.dwell_s[0], rd.range_rate_accuracy_floor_mps[0]))
    truth = dict(range_m=rng_m, az_rad=az, el_rad=el, range_rate_mps=-240.0)
    m = len(dets)
    assert m > 0.9 * n
    for name, sigma in expect.items():
        err = getattr(dets, name) - truth[name]
        stat = np.sum(err**2) / sigma**2  # ~ chi²(m) (zero-mean errors)
        lo, hi = stats.chi2.interval(1 - 1e-4, m)
        assert lo <= stat <= hi, (name, np.std(err), sigma)
    assert np.allclose(dets.sigma_range_m, expect["range_m"]) and np.allclose(dets.sigma_el_rad, expect["el_rad"])
    assert np.allclose(dets.sigma_range_rate_mps, expect["range_rate_mps"])
    assert np.allclose(dets.snr_db, 10 * np.log10(snr_dwell))


@pytest.mark.parametrize("heading, sign", [("closing", -1.0), ("opening", 1.0)])
def test_range_rate_sign_and_magnitude(placed, heading, sign):
    p = placed("s400", "bomber", 500, radar=1)
    world, agl = p.place(100e3, 120.0, 5000.0, speed_mps=300.0, heading=heading)
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(5)], threat_agl_m=agl, false_alarms=False)
    assert len(dets) > 400
    assert np.all(np.sign(dets.range_rate_mps) == sign)
    assert abs(np.mean(dets.range_rate_mps) - sign * 300.0) < 5 * dets.sigma_range_rate_mps[0] / np.sqrt(len(dets))


def test_aspect_rcs_by_sector():
    los = np.array([[1.0, 0, 0], [1.0, 0, 0], [1.0, 0, 0], [1.0, 0, 0], [1.0, 0, 0]])
    vel = np.array([[-1.0, 0, 0], [-1.0, 0.9, 0], [0, 1.0, 0], [1.0, 0.9, 0], [0.0, 0, 0]])  # nose-on, 42°, 90°, 138°, at rest
    one = np.ones(5)
    rcs = sensing.aspect_rcs_m2(los, vel, 1.0 * one, 2.0 * one, 3.0 * one)
    assert rcs.tolist() == [1.0, 1.0, 2.0, 3.0, 1.0]


def test_band_factor_selected_by_radar_band(placed):
    s400 = placed("s400", "stealth_fighter", 1)
    assert s400.comp.world.radars.band == ["S", "X"]
    assert s400.comp.world.radars.rcs_factor_by_raid[:, 0].tolist() == [5.0, 1.0]
    patriot = placed("patriot", "stealth_fighter", 1)
    assert patriot.comp.world.radars.band == ["C"] and patriot.comp.world.radars.rcs_factor_by_raid[0, 0] == 2.0
    assert placed("s400", "fighter", 1).comp.world.radars.rcs_factor_by_raid[:, 0].tolist() == [1.0, 1.0]
    assert [sensing.band_letter(f) for f in (1.3e9, 3e9, 5.5e9, 10e9)] == ["L", "S", "C", "X"]


def test_band_factor_enters_the_snr(placed):
    """A stealth fighter nose-on to the S-band 91N6E is seen with 5 × 0.001 m²: Pd of that RCS."""
    p = placed("s400", "stealth_fighter", N_TRIALS, radar=0)
    world, agl = p.place(80e3, 10.0, 10_000.0, speed_mps=250.0)
    (dets,), _ = sensing.scan(world, 0.0, [world.threats], [np.random.default_rng(6)], threat_agl_m=agl, false_alarms=False)
    range_m = np.linalg.norm(world.threats.pos_enu_m[0] - world.radars.pos_enu_m[0])
    pd, _ = _expected_pd(world.radars, range_m, 5 * 0.001, 1)
    lo, hi = stats.binom.interval(1 - 1e-4, N_TRIALS, pd)
    assert lo <= len(dets) <= hi


def test_empty_and_concat_detections():
    e = Detections.empty()
    assert len(e) == 0 and e.range_rate_mps.shape == (0,) and e.is_false_alarm.shape == (0,)
    assert len(Detections.concat([e, e])) == 0


def test_angles_are_reported_on_the_scenario_axes_for_a_site_far_from_the_origin():
    """A unit 4° of latitude and longitude from the scenario origin: its horizon frame is tilted by
    degrees against the scenario's ENU axes. The detections' azimuth, elevation and range agree
    with the truth seen on the scenario axes (mean error within 5 standard errors), not with the
    truth in the site's own frame, and the measured position is consistent with them."""
    import yaml

    from iadsim import geo
    from iadsim.compile import compile_scenario
    from iadsim.scenario.load import parse_yaml, validate_data

    n = 2000
    d = dict(schema_version=1, name="t", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
             time=dict(duration_s=10.0, step_s=1.0),
             assets=[dict(name="a", lat_deg=44.0, lon_deg=36.5, value=1.0, radius_m=1000.0)],
             units=[dict(name="u", system="s400", lat_deg=44.0, lon_deg=36.5)],
             raids=[dict(name="r", threat="bomber", count=n, target="a",
                         route=[dict(lat_deg=44.5, lon_deg=37.0, alt_agl_m=8000)])])
    data, lines = parse_yaml(yaml.safe_dump(d), "t")
    comp = compile_scenario(validate_data(data, lines, "t"))
    world = comp.world
    pos = np.repeat(geo.geodetic_to_enu(np.radians(44.5), np.radians(37.0), comp.ground_alt_m + 8000.0,
                                        comp.origin)[None], n, 0)
    th = replace(world.threats, pos_enu_m=pos, vel_enu_mps=np.zeros((n, 3)), active=np.ones(n, bool),
                 alive=np.ones(n, bool))
    world = replace(world, threats=th, radars=replace(world.radars, next_scan_t_s=np.zeros(len(world.radars.name))))
    agl = geo.altitude_m(pos, comp.origin) - comp.ground_alt_m
    (dets,), _ = sensing.scan(world, 0.0, [th], [np.random.default_rng(8)], threat_agl_m=agl, false_alarms=False)
    rd = world.radars
    for r in range(len(rd.name)):
        mine = dets.radar_idx == r
        k = int(mine.sum())
        assert k > 0.9 * n
        los = pos[0] - rd.pos_enu_m[r]
        truth_enu = geo.enu_to_aer(los)  # (az, el, range) on the scenario axes
        truth_site = geo.enu_to_aer(rd.rot_local_from_enu[r] @ los)
        for got, sigma, want, site in zip((dets.az_rad[mine], dets.el_rad[mine], dets.range_m[mine]),
                                          (dets.sigma_az_rad[mine], dets.sigma_el_rad[mine], dets.sigma_range_m[mine]),
                                          truth_enu, truth_site):
            std_err = 5 * sigma.max() / np.sqrt(k)
            assert abs(np.mean(got) - want) <= std_err
        assert abs(truth_site[0] - truth_enu[0]) > 1e-2 and abs(truth_site[1] - truth_enu[1]) > 1e-2  # rad: tilted
        from_angles = dets.radar_pos_enu_m[mine] + geo.aer_to_enu(dets.az_rad[mine], dets.el_rad[mine], dets.range_m[mine])
        assert np.abs(from_angles - dets.pos_enu_m[mine]).max() < 1e-3  # m
