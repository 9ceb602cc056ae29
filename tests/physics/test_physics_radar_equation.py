"""Radar equation, search equation, jamming and accuracy against MATLAB doc / TP 8347 values.

Oracles: MATLAB Radar Toolbox documentation examples (functions radareqsnr, radareqpow,
radareqrng, radareqsearchsnr); NAWCWD TP 8347 §4.8 burn-through formula (docs/REFERENCES.md).
"""

import numpy as np
import pytest

from iadsim.constants import db, undb
from iadsim.physics import radar

TOL_DB = 1e-3
REL_TOL_05PCT = 5e-4
LAM_1GHZ_M = radar.wavelength_m(1e9)
LAM_10GHZ_M = radar.wavelength_m(10e9)


def frozen(x):
    a = np.array(x, dtype=float)
    a.flags.writeable = False
    return a


def test_radareqsnr_example_1():
    assert radar.snr_db(50e3, 1e6, 0.2e-6, LAM_1GHZ_M) == pytest.approx(5.5868, abs=TOL_DB)


def test_radareqsnr_example_2():
    got = radar.snr_db(100e3, 1e6, 1e-6, LAM_10GHZ_M, rcs_m2=0.5, gain_tx_db=40.0,
                       system_temp_k=300.0, loss_db=3.0)
    assert got == pytest.approx(14.3778, abs=TOL_DB)


def test_radareqsnr_bistatic_example():
    got = radar.snr_db(50e3, 1e6, 1e-6, LAM_10GHZ_M, gain_tx_db=40.0, gain_rx_db=20.0,
                       range_rx_m=75e3)
    assert got == pytest.approx(9.0547, abs=TOL_DB)


def test_radareqpow_examples():
    p1_w = radar.peak_power_for_snr_w(undb(6.0), 50e3, 1e-6, LAM_1GHZ_M)
    p2_w = radar.peak_power_for_snr_w(undb(10.0), 50e3, 1e-6, LAM_10GHZ_M, rcs_m2=0.5,
                                      gain_tx=undb(30.0), system_temp_k=300.0, loss=undb(3.0))
    assert p1_w == pytest.approx(2.1996e5, rel=REL_TOL_05PCT)
    assert p2_w == pytest.approx(2.2809e6, rel=REL_TOL_05PCT)


def test_radareqrng_examples():
    r1_m = radar.range_for_snr_m(undb(6.0), 1e6, 10e-6, LAM_10GHZ_M)
    r2_m = radar.range_for_snr_m(undb(6.0), 1e6, 10e-6, LAM_10GHZ_M, rcs_m2=0.1,
                                 gain_tx=undb(40.0), loss=undb(3.0))
    assert r1_m == pytest.approx(4.1057e4, rel=REL_TOL_05PCT)
    assert r2_m == pytest.approx(1.9426e5, rel=REL_TOL_05PCT)


def test_radareqsearchsnr_example():
    omega_sr = radar.solid_angle_sr(0.0, np.deg2rad(30.0), 0.0, np.deg2rad(45.0))
    got = db(radar.search_snr(1000e3, 3e6, omega_sr, 10.0, undb(-10.0), 487.0, undb(6.0)))
    assert got == pytest.approx(13.8182, abs=TOL_DB)


def test_inversions_round_trip():
    range_m = np.array([10e3, 50e3, 200e3])
    s = radar.snr(range_m, 2e5, 5e-6, LAM_10GHZ_M, 3.0, 1e3, 5e2, 400.0, 2.0)
    tol_m = 1e-6
    assert np.allclose(radar.range_for_snr_m(s, 2e5, 5e-6, LAM_10GHZ_M, 3.0, 1e3, 5e2, 400.0, 2.0),
                       range_m, rtol=0, atol=tol_m)
    p_w = radar.peak_power_for_snr_w(s, range_m, 5e-6, LAM_10GHZ_M, 3.0, 1e3, 5e2, 400.0, 2.0)
    assert np.allclose(p_w, 2e5, rtol=1e-12)


def test_noise_figure_temperature():
    tol_k = 1e-9
    assert radar.system_temp_k(3.0) == pytest.approx(290.0 * undb(3.0), abs=tol_k)
    assert radar.system_temp_k(0.0, antenna_temp_k=50.0) == pytest.approx(50.0, abs=tol_k)


def test_ssj_burn_through_self_consistency():
    args = dict(peak_power_w=1e6, gain_tx=undb(40.0), rcs_m2=5.0, jammer_power_w=100.0,
                jammer_gain=undb(3.0), bw_radar_hz=1e6, bw_jammer_hz=100e6)
    r_bt_m = radar.ssj_burn_through_range_m(undb(13.0), **args)
    tol_m = 10.0
    assert r_bt_m == pytest.approx(10.0e3, abs=tol_m)
    assert db(radar.ssj_signal_to_jamming(r_bt_m, **args)) == pytest.approx(13.0, abs=1e-9)


def test_soj_burn_through_self_consistency():
    args = dict(jammer_range_m=100e3, peak_power_w=1e6, gain_tx=undb(38.0), gain_rx=undb(38.0),
                rcs_m2=2.0, jammer_power_w=500.0, jammer_gain=undb(10.0),
                gain_rx_to_jammer=undb(38.0 - 35.0), bw_radar_hz=1e6, bw_jammer_hz=200e6)
    r_bt_m = radar.soj_burn_through_range_m(undb(10.0), **args)
    assert db(radar.soj_signal_to_jamming(r_bt_m, **args)) == pytest.approx(10.0, abs=1e-9)
    assert db(radar.soj_signal_to_jamming(r_bt_m / 2, **args)) == pytest.approx(10.0 + 12.0412,
                                                                                abs=1e-3)


def test_jamming_to_noise_is_sinr_consistent():
    # J/N from the radar equation equals S/J-derived value: SNR / (S/J) for a self-screener
    lam_m, tau_s = LAM_10GHZ_M, 1e-6
    r_m, g = 30e3, undb(35.0)
    s = radar.snr(r_m, 1e5, tau_s, lam_m, 2.0, g)
    jnr = radar.jamming_to_noise(r_m, 50.0, undb(5.0), g, lam_m, 1.0 / tau_s, 50e6)
    sj = radar.ssj_signal_to_jamming(r_m, 1e5, g, 2.0, 50.0, undb(5.0), 1.0 / tau_s, 50e6)
    assert s / jnr == pytest.approx(sj, rel=1e-12)
    assert radar.sinr(s, jnr) == pytest.approx(s / (1.0 + jnr), rel=1e-15)


def test_accuracy_examples_and_floor():
    tol_deg, tol_m = 1e-3, 0.05
    assert np.rad2deg(radar.angle_sigma_rad(100.0, np.deg2rad(1.5))) == pytest.approx(0.066,
                                                                                      abs=tol_deg)
    assert radar.range_sigma_m(100.0, 1e6) == pytest.approx(10.6, abs=tol_m)
    assert radar.range_sigma_m(1e12, 1e6, floor_m=3.0) == pytest.approx(3.0, abs=1e-3)
    sig_mps = radar.range_rate_sigma_mps(100.0, 0.03, 0.01)
    assert sig_mps == pytest.approx(0.015 * np.sqrt(3) / (np.pi * 0.01 * np.sqrt(200.0)), rel=1e-12)
    assert radar.angle_sigma_rad(np.array([1.0, 10.0, 100.0]), 0.02).shape == (3,)


@pytest.mark.parametrize("kind", ["scalar", "one", "many"])
def test_shapes_and_no_mutation(kind):
    range_m = {"scalar": 5e4, "one": frozen([5e4]), "many": frozen([1e4, 5e4, 2e5])}[kind]
    rcs_m2 = frozen(1.0) if kind != "scalar" else 1.0
    got = radar.snr_db(range_m, 1e6, 0.2e-6, LAM_1GHZ_M, rcs_m2)
    assert np.shape(got) == np.shape(range_m)
    assert np.all(np.isfinite(got))
    assert np.shape(radar.range_sigma_m(undb(got), 1e6)) == np.shape(range_m)


@pytest.mark.parametrize("call, name", [
    (lambda: radar.snr(-1.0, 1e6, 1e-6, 0.1), "range_m"),
    (lambda: radar.snr(1e3, -1e6, 1e-6, 0.1), "peak_power_w"),
    (lambda: radar.snr(1e3, 1e6, 1e-6, 0.1, rcs_m2=-1.0), "rcs_m2"),
    (lambda: radar.snr(1e3, 1e6, 1e-6, 0.1, system_temp_k=0.0), "system_temp_k"),
    (lambda: radar.range_for_snr_m(0.0, 1e6, 1e-6, 0.1), "snr"),
    (lambda: radar.wavelength_m(-1e9), "freq_hz"),
    (lambda: radar.ssj_burn_through_range_m(-1.0, 1e6, 1e4, 5, 100, 2, 1e6, 1e8), "sj_required"),
])
def test_bad_input_names_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
