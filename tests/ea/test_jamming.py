"""Noise jamming in the look table against the closed forms of physics.radar (TP 8347 §4.8-4.9):
S/(N+J) per look for a self-screening and a stand-off jammer to 0.1 %, the burn-through range
where the table's Pd crosses 0.5, frequency overlap, the beam pattern and the per-run sum over
alive jammers."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim import sensing
from iadsim.compile import compile_scenario
from iadsim.constants import SPEED_OF_LIGHT_MPS, T0_K, undb
from iadsim.ea import jamming
from iadsim.physics import radar as rp

EAST = [{"lat_deg": 40.0, "lon_deg": 34.5, "alt_agl_m": 8000}]  # about 170 km east, then inbound to the base
NORTH_ORBIT = [{"lat_deg": 42.2, "lon_deg": 32.45, "alt_agl_m": 9000}, {"lat_deg": 42.2, "lon_deg": 32.55, "alt_agl_m": 9000}]
SSJ = {"kind": "self_screening", "power_w": 100.0, "gain_db": 10.0, "bandwidth_mhz": 500.0, "centre_ghz": 10.0}
SOJ = {"kind": "stand_off", "power_w": 1000.0, "gain_db": 20.0, "bandwidth_mhz": 1000.0, "centre_ghz": 10.0}
FIGHTER_FRONT_M2 = 2.0  # catalog fighter rcs_front (the raid flies nose-on at the radar)


def _table(sc):
    comp = compile_scenario(sc)
    w = comp.world
    return w, sensing.look_table(w, comp.dt_s, comp.n_steps)


def _radar_looks(w, tab, name, col):
    """Grid rows of radar ``name``'s looks where raider ``col`` is visible and shows its nose (the
    aspect is the angle between its level flight and the line of sight: under 45° while the elevation is)."""
    r = w.radars.name.index(name)
    rows = tab.look_of[:, r][tab.look_of[:, r] >= 0]
    rows = rows[tab.grid["visible"][rows, col]]
    return r, rows[tab.grid["el_rad"][rows, col] < np.radians(40.0)]


def _radar_figures(w, r):
    rd = w.radars
    return dict(pt=rd.peak_power_w[r], tau=rd.pulse_width_s[r], lam=SPEED_OF_LIGHT_MPS / rd.frequency_hz[r],
                g=undb(rd.gain_db[r]), ts=T0_K * undb(rd.noise_figure_db[r]), loss=undb(rd.losses_db[r]),
                n=rd.n_pulses[r], pfa=rd.pfa[r])


def test_self_screening_sinr_matches_closed_form(make_scenario):
    w, tab = _table(make_scenario([{"name": "ssj", "threat": "fighter", "target": "base", "route": EAST, "jammer": SSJ}]))
    r, rows = _radar_looks(w, tab, "92N6E", 0)
    assert rows.size > 100
    f = _radar_figures(w, r)
    rng = tab.grid["range_m"][rows, 0]
    snr = rp.snr(rng, f["pt"], f["tau"], f["lam"], FIGHTER_FRONT_M2, f["g"], f["g"], f["ts"], f["loss"])
    # the matched filter's noise bandwidth is 1/τ (physics.radar): the S/J closed form with Br = 1/τ
    sj = rp.ssj_signal_to_jamming(rng, f["pt"], f["g"], FIGHTER_FRONT_M2, SSJ["power_w"], undb(SSJ["gain_db"]),
                                  1.0 / f["tau"], SSJ["bandwidth_mhz"] * 1e6, f["loss"], 1.0)
    sinr = tab.grid["snr_dwell"][rows, 0] / f["n"]
    np.testing.assert_allclose(sinr, 1.0 / (1.0 / snr + 1.0 / sj), rtol=1e-3)
    assert (sj < snr).all()  # jammed throughout: J above the noise
    # the S-band 91N6E is outside the X-band jammer's band: unjammed
    r2, rows2 = _radar_looks(w, tab, "91N6E", 0)
    f2 = _radar_figures(w, r2)
    rng2 = tab.grid["range_m"][rows2, 0]
    clear = rp.snr(rng2, f2["pt"], f2["tau"], f2["lam"], FIGHTER_FRONT_M2, f2["g"], f2["g"], f2["ts"], f2["loss"])
    np.testing.assert_allclose(tab.grid["snr_dwell"][rows2, 0] / f2["n"], clear, rtol=1e-9)
    assert not tab.grid["jnr"][rows2].any()


def test_self_screening_burn_through_matches_formula(make_scenario):
    w, tab = _table(make_scenario([{"name": "ssj", "threat": "fighter", "target": "base", "route": EAST, "jammer": SSJ}]))
    r, rows = _radar_looks(w, tab, "92N6E", 0)
    f = _radar_figures(w, r)
    sj_req = undb(rp.required_snr_db(0.5, f["pfa"], int(f["n"]), 1))  # Pd 0.5 per dwell, Swerling 1
    r_bt = rp.ssj_burn_through_range_m(sj_req, f["pt"], f["g"], FIGHTER_FRONT_M2, SSJ["power_w"], undb(SSJ["gain_db"]),
                                       1.0 / f["tau"], SSJ["bandwidth_mhz"] * 1e6, f["loss"], 1.0)
    rng, pd = tab.grid["range_m"][rows, 0], tab.grid["pd"][rows, 0]
    inbound = np.argsort(-rng)
    rng, pd, sinr = rng[inbound], pd[inbound], tab.grid["snr_dwell"][rows, 0][inbound] / f["n"]
    first = int(np.argmax(pd >= 0.5))
    assert first > 0 and rng[first] <= r_bt <= rng[first - 1]  # the table's Pd crosses 0.5 at the burn-through range
    # S/(N+J) ∝ 1/R² while J >> N: the crossing from the look there, to 0.1 %
    est = rng[first] * np.sqrt(sinr[first] / sj_req)
    assert abs(est - r_bt) / r_bt < 1e-3
    assert 5e3 < r_bt < 40e3
    # the report's burn-through ring (iadsim.ea.jamming.burn_through_m) is that range too
    ring = jamming.burn_through_m(w.radars, r, jamming.of(w), 0, FIGHTER_FRONT_M2)
    assert abs(ring - est) / est < 1e-3


def test_stand_off_sidelobe_sinr_matches_closed_form(make_scenario):
    w, tab = _table(make_scenario([
        {"name": "target", "threat": "fighter", "target": "base", "route": EAST},
        {"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT, "jammer": SOJ}], duration_s=500.0))
    r, rows = _radar_looks(w, tab, "92N6E", 0)
    rows = rows[tab.grid["range_m"][rows, 1] > 150e3]  # the jammer still far north, 90° off the target's bearing
    assert rows.size > 50
    f = _radar_figures(w, r)
    rt, rj = tab.grid["range_m"][rows, 0], tab.grid["range_m"][rows, 1]
    snr = rp.snr(rt, f["pt"], f["tau"], f["lam"], FIGHTER_FRONT_M2, f["g"], f["g"], f["ts"], f["loss"])
    g_sidelobe = f["g"] * undb(w.radars.sidelobe_level_db[r])
    sj = rp.soj_signal_to_jamming(rt, rj, f["pt"], f["g"], f["g"], FIGHTER_FRONT_M2, SOJ["power_w"], undb(SOJ["gain_db"]),
                                  g_sidelobe, 1.0 / f["tau"], SOJ["bandwidth_mhz"] * 1e6, f["loss"], 1.0)
    np.testing.assert_allclose(tab.grid["snr_dwell"][rows, 0] / f["n"], 1.0 / (1.0 / snr + 1.0 / sj), rtol=1e-3)
    # the stand-off burn-through ring at each look's jammer range: S/J ∝ 1/Rt⁴ reaches the requirement there
    sj_table = 1.0 / (f["n"] / tab.grid["snr_dwell"][rows, 0] - 1.0 / snr)
    sj_req = undb(rp.required_snr_db(0.5, f["pfa"], int(f["n"]), 1))
    ring = np.array([jamming.burn_through_m(w.radars, r, jamming.of(w), 0, FIGHTER_FRONT_M2, jammer_range_m=x) for x in rj])
    np.testing.assert_allclose(sj_table * (rt / ring) ** 4, sj_req, rtol=1e-3)
    # the per-jammer J/N kept for the runs: main lobe (strobe) = side lobe / side-lobe level
    np.testing.assert_allclose(tab.grid["jam_jnr_main"][rows, 0] * undb(w.radars.sidelobe_level_db[r]),
                               tab.grid["jnr"][rows, 0, 0], rtol=1e-9)


def test_band_fraction_and_beam_gain():
    # jammer covering, inside, half over, outside the radar's band
    assert jamming.band_fraction(10e9, 5e6, 10e9, 1e9) == pytest.approx(1.0)
    assert jamming.band_fraction(10e9, 5e6, 10e9, 1e6) == pytest.approx(1.0)
    assert jamming.band_fraction(10e9, 5e6, 10.0025e9, 5e6) == pytest.approx(0.5)
    assert jamming.band_fraction(10e9, 5e6, 3e9, 100e6) == 0.0
    bw = np.radians(1.0)
    assert jamming.beam_gain(bw / 2, 0.0, 0.0, bw, bw, -30.0) == pytest.approx(0.5)  # 3 dB at half the beamwidth
    assert jamming.beam_gain(0.0, bw / 2, 0.0, bw, bw, -30.0) == pytest.approx(0.5)
    assert jamming.beam_gain(0.0, 0.0, 0.3, bw, bw, -30.0) == 1.0
    assert jamming.beam_gain(np.radians(20), 0.0, 0.0, bw, bw, -30.0) == pytest.approx(1e-3)  # side-lobe floor


def test_half_band_jammer_gives_half_jnr(make_scenario):
    full = dict(SOJ, bandwidth_mhz=5.0)
    half = dict(full, centre_ghz=10.0025)  # 2.5 of the radar's 5 MHz
    grids = []
    for jam in (full, half):
        w, tab = _table(make_scenario([{"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT,
                                        "jammer": jam}], duration_s=300.0))
        r, rows = _radar_looks(w, tab, "92N6E", 0)
        grids.append(tab.grid["jam_jnr_main"][rows, 0])
    assert (grids[0] > 0).all()
    np.testing.assert_allclose(grids[1], 0.5 * grids[0], rtol=1e-12)


def test_run_sums_only_alive_jammers(make_scenario):
    raids = [{"name": "target", "threat": "fighter", "target": "base", "route": EAST},
             {"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT, "jammer": SOJ}]
    w, tab = _table(make_scenario(raids, duration_s=400.0))
    w0, tab0 = _table(make_scenario([dict(raids[1], jammer=None), raids[0]][::-1], duration_s=400.0))
    r, rows = _radar_looks(w, tab, "92N6E", 0)
    radar_of_row = np.full(rows.size, r)
    sw = w.threats.swerling[[0]]
    pd_all, snr_all = jamming.run_pd_snr(w, tab.grid, rows, np.array([0]), radar_of_row, sw, np.array([True]))
    np.testing.assert_allclose(pd_all[:, 0], tab.grid["pd"][rows, 0], rtol=1e-12)
    pd_dead, snr_dead = jamming.run_pd_snr(w, tab.grid, rows, np.array([0]), radar_of_row, sw, np.array([False]))
    np.testing.assert_allclose(snr_dead[:, 0], tab0.grid["snr_dwell"][rows, 0], rtol=1e-12)
    np.testing.assert_allclose(pd_dead[:, 0], tab0.grid["pd"][rows, 0], rtol=1e-9, atol=1e-15)
    assert (pd_dead[:, 0] >= pd_all[:, 0]).all() and (pd_dead[:, 0] > pd_all[:, 0]).any()


def test_scan_without_the_table_gives_the_same_detections(make_scenario):
    """Large raids compute their looks each step (sensing._due_grid): with jammers, the same
    detections as from the look table, bit for bit, in a run where the jammer is alive and one where
    it is dead (both sum J over the run's alive jammers from the same unjammed SNR)."""
    from iadsim import engine

    sc = make_scenario([{"name": "target", "threat": "fighter", "count": 2, "spacing_s": 3, "target": "base", "route": EAST},
                        {"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT, "jammer": SOJ}],
                       duration_s=300.0)
    comp = compile_scenario(sc)
    w = comp.world
    tab = sensing.look_table(w, comp.dt_s, comp.n_steps)
    truth = engine.threat_truth(w, 0.0, 1.0)  # step 0: every radar looks, every raider in flight
    alive, _ = engine.apply_truth(w.threats, truth, 0.0)
    dead = engine._set_fate(alive, np.array([2]), "killed", 0.0)
    for th in (alive, dead):
        a, _ = sensing.scan(w, 0.0, [th], [np.random.default_rng(7)], looks=tab, step=0)
        b, _ = sensing.scan(w, 0.0, [th], [np.random.default_rng(7)])
        assert len(a[0]) > 0
        for field in ("range_m", "az_rad", "snr_db", "truth_id", "radar_id"):  # bit for bit
            np.testing.assert_array_equal(getattr(a[0], field), getattr(b[0], field))


def test_jammer_below_the_horizon_does_not_jam(make_scenario):
    """Smooth effective-earth line of sight: 300 km out, a jammer at 500 m is below the 8 m antenna's
    horizon (4.12 (√8 + √500) km ≈ 104 km), one at 9 km is not (≈ 402 km)."""
    w, _ = _table(make_scenario([{"name": "soj", "threat": "fighter", "target": "base", "route": NORTH_ORBIT,
                                  "jammer": SOJ}], duration_s=60.0))
    from iadsim import geo

    r = w.radars.name.index("92N6E")
    lat = np.radians(40.0 + 300.0 / 111.0)
    pos = np.stack([geo.geodetic_to_enu(lat, np.radians(32.5), 800.0 + h, w.origin) for h in (500.0, 9000.0)])
    jl = jamming.looks(w, np.array([r, r]), np.stack([pos[:1], pos[1:]]), np.ones((2, 1), bool))
    assert jl.jnr_main[0, 0] == 0.0 and jl.jnr_main[1, 0] > 1.0
    off = jamming.looks(w, np.array([r]), pos[1:][None], np.zeros((1, 1), bool))  # not in flight: no jamming
    assert off.jnr_main[0, 0] == 0.0
