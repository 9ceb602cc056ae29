"""Radar range equation, detection probability, noise jamming and accuracy, vectorised.

Conventions (Skolnik 2001 §2; MATLAB Radar Toolbox documentation, functions ``radareqsnr``,
``radareqpow``, ``radareqrng``, ``radareqsearchsnr``): noise bandwidth = 1/τ, so
SNR = Pt τ Gt Gr λ² σ / ((4π)³ k Ts R⁴ L); Ts defaults to 290 K, gains to 20 dB (100 linear)
for both Tx and Rx, RCS to 1 m²; c and k are the exact SI values. The SNR is the single-pulse
(per-sample) matched-filter SNR. Everything is linear inside; the ``*_db`` functions are the
dB edges.

Detection (square-law detector, N noncoherently integrated pulses, Swerling 0-4) is exact,
from the closed forms of Meyer & Mayer 1973 and DiFranco & Rubin 1968 (also Richards 2005
§6.3-6.5, Mahafza eq. 2.76; Swerling 1960, Marcum 1960): noise has unit power per complex
sample, the threshold on the sum of N samples is T = gammainccinv(N, Pfa), and the SNR
argument is the *per-pulse* SNR.

References: Skolnik, *Introduction to Radar Systems* 3e §2; Richards, *Fundamentals of Radar
Signal Processing* ch. 2; NAWCWD TP 8347 §4.4 (radar equation), §4.7–4.10 (J/S,
burn-through); Barton, *Radar Equations for Modern Radar*. Full citations: docs/REFERENCES.md.
"""

import numpy as np
from scipy import special, stats

from iadsim.constants import BOLTZMANN_J_PER_K, SPEED_OF_LIGHT_MPS, T0_K, db, undb
from iadsim.physics.checks import nonneg as _nonneg, positive as _positive

_FOUR_PI = 4.0 * np.pi




def _out(x):
    """0-d arrays -> NumPy scalars; arrays unchanged."""
    return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x


def wavelength_m(freq_hz):
    """Free-space wavelength c/f in m, from frequency in Hz."""
    return SPEED_OF_LIGHT_MPS / _positive("freq_hz", freq_hz)


def system_temp_k(noise_figure_db, antenna_temp_k=T0_K):
    """System noise temperature Ts = T_ant + T0 (F - 1), K (Skolnik §2.3).

    With the default T_ant = T0 this is the common simplification Ts = T0 F.
    """
    return _nonneg("antenna_temp_k", antenna_temp_k) + T0_K * (undb(noise_figure_db) - 1.0)


def _budget(peak_power_w, pulse_width_s, wavelength_m, rcs_m2, gain_tx, gain_rx,
            system_temp_k, loss):
    """SNR × Rt² Rr²: Pt τ Gt Gr λ² σ / ((4π)³ k Ts L), in m⁴."""
    gain_rx = gain_tx if gain_rx is None else gain_rx
    num = (_nonneg("peak_power_w", peak_power_w) * _nonneg("pulse_width_s", pulse_width_s)
           * _nonneg("gain_tx", gain_tx) * _nonneg("gain_rx", gain_rx)
           * _positive("wavelength_m", wavelength_m) ** 2 * _nonneg("rcs_m2", rcs_m2))
    den = (_FOUR_PI ** 3 * BOLTZMANN_J_PER_K * _positive("system_temp_k", system_temp_k)
           * _positive("loss", loss))
    return num / den


def snr(range_m, peak_power_w, pulse_width_s, wavelength_m, rcs_m2=1.0, gain_tx=100.0,
        gain_rx=None, system_temp_k=T0_K, loss=1.0, range_rx_m=None):
    """Single-pulse SNR (linear) from the radar range equation, monostatic or bistatic.

    Parameters
    ----------
    range_m : transmitter-target range, m (> 0).
    peak_power_w : W. pulse_width_s : uncompressed pulse length τ, s (noise bandwidth 1/τ).
    wavelength_m : m (see :func:`wavelength_m`). rcs_m2 : m².
    gain_tx, gain_rx : linear antenna gains (gain_rx defaults to gain_tx).
    system_temp_k : K. loss : total loss, linear (>= 1 normally).
    range_rx_m : target-receiver range for a bistatic radar, m (default: monostatic).

    Returns
    -------
    SNR, linear: Pt τ Gt Gr λ² σ / ((4π)³ k Ts L Rt² Rr²)  (Skolnik eq. 2.x; MATLAB radareqsnr).
    """
    rt = _positive("range_m", range_m)
    rr = rt if range_rx_m is None else _positive("range_rx_m", range_rx_m)
    b = _budget(peak_power_w, pulse_width_s, wavelength_m, rcs_m2, gain_tx, gain_rx,
                system_temp_k, loss)
    return _out(b / (rt * rt * rr * rr))


def snr_db(range_m, peak_power_w, pulse_width_s, wavelength_m, rcs_m2=1.0, gain_tx_db=20.0,
           gain_rx_db=None, system_temp_k=T0_K, loss_db=0.0, range_rx_m=None):
    """:func:`snr` with gains and loss in dB at the edge; returns SNR in dB."""
    gain_rx = None if gain_rx_db is None else undb(gain_rx_db)
    return db(snr(range_m, peak_power_w, pulse_width_s, wavelength_m, rcs_m2, undb(gain_tx_db),
                  gain_rx, system_temp_k, undb(loss_db), range_rx_m))


def peak_power_for_snr_w(snr, range_m, pulse_width_s, wavelength_m, rcs_m2=1.0, gain_tx=100.0,
                         gain_rx=None, system_temp_k=T0_K, loss=1.0, range_rx_m=None):
    """Peak power (W) giving a linear single-pulse ``snr`` at ``range_m`` (MATLAB radareqpow).

    Arguments as :func:`snr`; bistatic when ``range_rx_m`` is given.
    """
    rt = _positive("range_m", range_m)
    rr = rt if range_rx_m is None else _positive("range_rx_m", range_rx_m)
    per_watt = _budget(1.0, pulse_width_s, wavelength_m, rcs_m2, gain_tx, gain_rx,
                       system_temp_k, loss)
    return _out(_nonneg("snr", snr) * rt * rt * rr * rr / per_watt)


def range_for_snr_m(snr, peak_power_w, pulse_width_s, wavelength_m, rcs_m2=1.0, gain_tx=100.0,
                    gain_rx=None, system_temp_k=T0_K, loss=1.0):
    """Monostatic range (m) at which the single-pulse SNR equals ``snr`` (MATLAB radareqrng)."""
    b = _budget(peak_power_w, pulse_width_s, wavelength_m, rcs_m2, gain_tx, gain_rx,
                system_temp_k, loss)
    return _out((b / _positive("snr", snr)) ** 0.25)


def solid_angle_sr(az_min_rad, az_max_rad, el_min_rad, el_max_rad):
    """Solid angle of an az/el sector, (az_max - az_min)(sin el_max - sin el_min), sr."""
    daz = np.asarray(az_max_rad, float) - np.asarray(az_min_rad, float)
    dsin = np.sin(np.asarray(el_max_rad, float)) - np.sin(np.asarray(el_min_rad, float))
    if np.any(daz < 0.0) or np.any(dsin < 0.0):
        raise ValueError("az_max_rad/el_max_rad must be >= az_min_rad/el_min_rad")
    return daz * dsin


def search_snr(range_m, power_aperture_w_m2, solid_angle_sr, scan_time_s, rcs_m2=1.0,
               system_temp_k=T0_K, loss=1.0):
    """SNR (linear) from the search radar equation (Skolnik §2.11; MATLAB radareqsearchsnr).

    SNR = P_av A_e t_s σ / (4π Ω k Ts R⁴ L), with the power-aperture product P_av A_e in W·m²,
    the searched solid angle Ω in sr and the frame time t_s in s.
    """
    r = _positive("range_m", range_m)
    num = (_nonneg("power_aperture_w_m2", power_aperture_w_m2)
           * _nonneg("scan_time_s", scan_time_s) * _nonneg("rcs_m2", rcs_m2))
    den = (_FOUR_PI * _positive("solid_angle_sr", solid_angle_sr) * BOLTZMANN_J_PER_K
           * _positive("system_temp_k", system_temp_k) * _positive("loss", loss))
    return _out(num / (den * r ** 4))


# --- noise jamming (NAWCWD TP 8347 §4.7-4.10; Skolnik §9) -------------------------------

def jamming_to_noise(jammer_range_m, jammer_power_w, jammer_gain, gain_rx_to_jammer,
                     wavelength_m, bw_radar_hz, bw_jammer_hz, system_temp_k=T0_K,
                     loss_jammer=1.0):
    """Received barrage-noise J/N (linear) in the radar's band.

    J = Pj Gj Gr(θj) λ² (Br/Bj) / ((4π)² Rj² Lj), N = k Ts Br. ``gain_rx_to_jammer`` is the
    radar receive gain towards the jammer (main beam for a self-screener, sidelobe for a
    stand-off jammer); ``bw_jammer_hz`` >= ``bw_radar_hz`` (only the fraction Br/Bj enters).
    """
    br = _positive("bw_radar_hz", bw_radar_hz)
    bj = _positive("bw_jammer_hz", bw_jammer_hz)
    rj = _positive("jammer_range_m", jammer_range_m)
    j = (_nonneg("jammer_power_w", jammer_power_w) * _nonneg("jammer_gain", jammer_gain)
         * _nonneg("gain_rx_to_jammer", gain_rx_to_jammer)
         * _positive("wavelength_m", wavelength_m) ** 2 * np.minimum(br / bj, 1.0)
         / (_FOUR_PI ** 2 * rj * rj * _positive("loss_jammer", loss_jammer)))
    return _out(j / (BOLTZMANN_J_PER_K * _positive("system_temp_k", system_temp_k) * br))


def sinr(snr, jnr=0.0, cnr=0.0):
    """Signal to noise-plus-interference ratio S/(N+J+C) = snr / (1 + jnr + cnr), linear."""
    return _out(_nonneg("snr", snr) / (1.0 + _nonneg("jnr", jnr) + _nonneg("cnr", cnr)))


def ssj_signal_to_jamming(range_m, peak_power_w, gain_tx, rcs_m2, jammer_power_w, jammer_gain,
                          bw_radar_hz, bw_jammer_hz, loss_radar=1.0, loss_jammer=1.0):
    """Self-screening jammer S/J (linear): Pt Gt σ Bj Lj / (4π Pj Gj Br Lr R²) (TP 8347 §4.8)."""
    r = _positive("range_m", range_m)
    num = (_nonneg("peak_power_w", peak_power_w) * _nonneg("gain_tx", gain_tx)
           * _nonneg("rcs_m2", rcs_m2) * _positive("bw_jammer_hz", bw_jammer_hz)
           * _positive("loss_jammer", loss_jammer))
    den = (_FOUR_PI * _positive("jammer_power_w", jammer_power_w)
           * _positive("jammer_gain", jammer_gain) * _positive("bw_radar_hz", bw_radar_hz)
           * _positive("loss_radar", loss_radar))
    return _out(num / (den * r * r))


def ssj_burn_through_range_m(sj_required, peak_power_w, gain_tx, rcs_m2, jammer_power_w,
                             jammer_gain, bw_radar_hz, bw_jammer_hz, loss_radar=1.0,
                             loss_jammer=1.0):
    """Self-screening burn-through range (m) where S/J reaches ``sj_required`` (linear)."""
    sj_at_1m = ssj_signal_to_jamming(1.0, peak_power_w, gain_tx, rcs_m2, jammer_power_w,
                                     jammer_gain, bw_radar_hz, bw_jammer_hz, loss_radar,
                                     loss_jammer)
    return _out(np.sqrt(sj_at_1m / _positive("sj_required", sj_required)))


def soj_signal_to_jamming(range_m, jammer_range_m, peak_power_w, gain_tx, gain_rx, rcs_m2,
                          jammer_power_w, jammer_gain, gain_rx_to_jammer, bw_radar_hz,
                          bw_jammer_hz, loss_radar=1.0, loss_jammer=1.0):
    """Stand-off jammer S/J (linear): Pt Gt Gr σ Rj² Bj Lj / (4π Pj Gj Gr(θj) Br Lr Rt⁴)."""
    rt = _positive("range_m", range_m)
    rj = _positive("jammer_range_m", jammer_range_m)
    num = (_nonneg("peak_power_w", peak_power_w) * _nonneg("gain_tx", gain_tx)
           * _nonneg("gain_rx", gain_rx) * _nonneg("rcs_m2", rcs_m2) * rj * rj
           * _positive("bw_jammer_hz", bw_jammer_hz) * _positive("loss_jammer", loss_jammer))
    den = (_FOUR_PI * _positive("jammer_power_w", jammer_power_w)
           * _positive("jammer_gain", jammer_gain)
           * _positive("gain_rx_to_jammer", gain_rx_to_jammer)
           * _positive("bw_radar_hz", bw_radar_hz) * _positive("loss_radar", loss_radar))
    return _out(num / (den * rt ** 4))


def soj_burn_through_range_m(sj_required, jammer_range_m, peak_power_w, gain_tx, gain_rx,
                             rcs_m2, jammer_power_w, jammer_gain, gain_rx_to_jammer,
                             bw_radar_hz, bw_jammer_hz, loss_radar=1.0, loss_jammer=1.0):
    """Stand-off burn-through target range (m): S/J ∝ Rj²/Rt⁴ solved for Rt (TP 8347 §4.9)."""
    sj_at_1m = soj_signal_to_jamming(1.0, jammer_range_m, peak_power_w, gain_tx, gain_rx,
                                     rcs_m2, jammer_power_w, jammer_gain, gain_rx_to_jammer,
                                     bw_radar_hz, bw_jammer_hz, loss_radar, loss_jammer)
    return _out((sj_at_1m / _positive("sj_required", sj_required)) ** 0.25)


# --- measurement accuracy (Skolnik 1960; Barton & Leonov; Richards, Scheer & Holm ch. 18) -

def range_sigma_m(snr, bandwidth_hz, floor_m=0.0):
    """Range standard deviation, m: ΔR/sqrt(2 SNR) with ΔR = c/(2B), floor in quadrature.

    ``snr`` is the linear per-look SNR (after integration); ``bandwidth_hz`` the waveform
    bandwidth B (1/τ uncompressed). B = 1 MHz, SNR = 20 dB gives ≈ 10.6 m.
    """
    dr = SPEED_OF_LIGHT_MPS / (2.0 * _positive("bandwidth_hz", bandwidth_hz))
    noise = dr / np.sqrt(2.0 * _positive("snr", snr))
    return _out(np.hypot(noise, _nonneg("floor_m", floor_m)))


def angle_sigma_rad(snr, beamwidth_rad, k_monopulse=1.6, floor_rad=0.0):
    """Angle standard deviation, rad: θ3 / (k_m sqrt(2 SNR)), floor in quadrature.

    k_m ≈ 1.6 for amplitude monopulse. θ3 = 1.5°, SNR = 20 dB gives ≈ 0.066°.
    """
    noise = (_positive("beamwidth_rad", beamwidth_rad)
             / (_positive("k_monopulse", k_monopulse) * np.sqrt(2.0 * _positive("snr", snr))))
    return _out(np.hypot(noise, _nonneg("floor_rad", floor_rad)))


def range_rate_sigma_mps(snr, wavelength_m, dwell_s, floor_mps=0.0):
    """Range-rate standard deviation, m/s: (λ/2) √3 / (π T_c sqrt(2 SNR)), floor in quadrature.

    ``dwell_s`` is the coherent processing time T_c.
    """
    sigma_f_hz = np.sqrt(3.0) / (np.pi * _positive("dwell_s", dwell_s)
                                 * np.sqrt(2.0 * _positive("snr", snr)))
    noise = 0.5 * _positive("wavelength_m", wavelength_m) * sigma_f_hz
    return _out(np.hypot(noise, _nonneg("floor_mps", floor_mps)))


# --- detection: argument checks -----------------------------------------------------------

def _open01(name, x):
    x = np.asarray(x, dtype=float)
    if np.any(~((x > 0.0) & (x < 1.0))):
        raise ValueError(f"{name} must be in the open interval (0, 1), got {x}")
    return x


def _n_pulses(n_pulses):
    n = np.asarray(n_pulses)
    if not ((n >= 1).all() and (n == np.floor(n)).all()):
        raise ValueError(f"n_pulses must be an integer >= 1 (allowed range [1, inf)), got {n}")
    return n.astype(np.int64)


def _swerling(swerling):
    sw = np.asarray(swerling)
    if not ((sw >= 0) & (sw <= 4) & (sw == np.floor(sw))).all():  # 0..4; cheaper than np.isin
        raise ValueError(f"swerling must be one of 0, 1, 2, 3, 4, got {sw}")
    return sw.astype(np.int64)


def threshold(pfa, n_pulses=1):
    """Square-law detection threshold T (noise-power units) on the sum of N samples.

    Pfa = Q(N, T) with Q the regularised upper incomplete gamma function, so
    T = gammainccinv(N, Pfa); N = 1 gives ln(1/Pfa) (Richards eq. 6.20).
    """
    return _out(special.gammainccinv(_n_pulses(n_pulses), _open01("pfa", pfa)))


def threshold_real_db(pfa):
    """Single-sample threshold SNR for *real* Gaussian noise, dB: (Q⁻¹(Pfa))² in dB.

    The MATLAB ``npwgnthresh(pfa, 1, 'real')`` convention (e.g. 7.3335 dB at Pfa = 0.01).
    """
    return _out(db(2.0 * special.erfcinv(2.0 * _open01("pfa", pfa)) ** 2))


# --- detection: exact Swerling cores (s = per-pulse SNR, linear) --------------------------

def _log_d(k, t):
    """log of T^k e^{-T} / k!, the Poisson-type factor shared by SW1/SW3."""
    with np.errstate(divide="ignore"):
        return special.xlogy(k, t) - t - special.gammaln(k + 1.0)


def _kummer(k, x):
    """M(k, x) = Σ_j x^j / ((k+1)...(k+j)) = P(k, x) k! e^x / x^k, by its series (x ≲ k)."""
    term, total = np.ones_like(x), np.ones_like(x)
    for j in range(1, 2000):
        term = term * x / (k + j)
        total = total + term
        if not np.any(term > 1e-17 * total):
            break
    return total


def _sw13(s, pfa, n, case):
    """Swerling 1 (case 1) or 3 (case 3, N >= 2), overflow-safe (SW1: Meyer & Mayer 1973).

    With A = a^-k e^(-T/b) P(k, aT): SW1 is Q(k,T) + A and SW3 is
    Q(k,T) + A (1 + T/b - k/(ab)) + k/(ab) T^k e^-T / k!. Where a = 1 - 1/b >= 0.5, A is
    evaluated directly (in log space for k >= 1000); for small a, or an underflowing
    P(k, aT), A = (T^k e^-T / k!) M(k, aT) exactly, with Kummer's series M, so a^-k cancels
    analytically and the SW3 difference is taken without cancellation. SW3 is the SW1 result
    convolved with one more exponential (its statistic is Gamma(N-2, 1) + Gamma(2, b)).
    """
    t = special.gammainccinv(n, pfa)
    k = (n - 1 if case == 1 else n - 2).astype(float)
    b = 1.0 + s * n / (1.0 if case == 1 else 2.0)
    a = 1.0 - 1.0 / b
    x = a * t
    p_low = special.gammainc(k, x)
    out = special.gammaincc(k, t) + 0.0 * b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if np.max(k) < 1000:
            big_a = a ** -k * np.exp(-t / b) * p_low
        else:
            big_a = np.exp(-k * np.log(a) - t / b + np.log(p_low))
        if case == 1:
            out = out + big_a
        else:
            kab = k / (a * b)
            out = out + big_a * (1.0 + t / b - kab) + kab * np.exp(_log_d(k, t))
    series = (a < 0.5) | ~(p_low > 1e-280)
    out = np.asarray(out, dtype=float)
    if np.any(series):
        ks, ts, bs, xs = (np.broadcast_to(v, out.shape)[series] for v in (k, t, b, x))
        dd = np.exp(_log_d(ks, ts))
        head = np.broadcast_to(special.gammaincc(k, t), out.shape)[series]
        if case == 1:
            out[series] = head + dd * _kummer(ks, xs)
        else:
            m1 = _kummer(ks + 1.0, xs) / (ks + 1.0)
            out[series] = head + dd * (_kummer(ks, xs) * (1.0 + ts / bs) - ks * ts / bs * m1)
    return out


def _pd_sw1(s, pfa, n):
    return _sw13(s, pfa, n, 1)


def _pd_sw2(s, pfa, n):
    return special.gammaincc(n, special.gammainccinv(n, pfa) / (1.0 + s))


def _pd_sw4(s, pfa, n):
    return _grouped(_sw4_scalar, s, pfa, n)


def _pd_sw3(s, pfa, n):
    if np.all(n == 1):
        return _pd_sw4(s, pfa, n)
    with np.errstate(all="ignore"):
        sw3 = _sw13(s, pfa, np.maximum(n, 2), 3)
    return np.where(n == 1, _pd_sw4(s, pfa, n), sw3) if np.any(n == 1) else sw3


def _grouped(fn, s, pfa, n):
    """Apply fn(s, pfa_scalar, n_scalar) for each distinct (pfa, n) pair."""
    shape = np.broadcast_shapes(s.shape, pfa.shape, n.shape)
    if pfa.size == 1 and n.size == 1:
        return np.broadcast_to(fn(s, float(pfa.flat[0]), int(n.flat[0])), shape)
    sb, pb, nb = (np.broadcast_to(v, shape) for v in (s, pfa, n))
    keys = np.stack([pb.ravel(), nb.ravel().astype(float)], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv, out = inv.reshape(shape), np.empty(shape)
    for g, (p, nn) in enumerate(uniq):
        m = inv == g
        out[m] = fn(sb[m], p, int(nn))
    return out


_SW0_MAX_TERMS = 150
_SW0_MAX_LAMBDA = 600.0
_BLOCK = 1 << 14


def _sw0_scalar(s, pfa, n):
    """Swerling 0 as a Poisson mixture: 1 - Pd = e^-λ Σ_k λ^k/k! P(N+k, T), λ = N s.

    P(N+k, T) is a short table of scalars for fixed (Pfa, N), truncated once it falls below
    1e-17 (the dropped tail is bounded by that value, absolute), so the sum is one Horner
    polynomial in λ with positive coefficients (no cancellation; relative error ~ K eps),
    evaluated in cache-sized blocks. For λ > 600 with K <= 150 terms, 1 - Pd < 1e-100 and
    Pd = 1 exactly in double precision. When more than 150 terms are needed (large N or tiny
    Pfa) it falls back to scipy.stats.ncx2.sf, the generalised Marcum Q (Marcum 1960).
    """
    t = special.gammainccinv(n, pfa)
    lam = n * np.asarray(s, float)
    ks = np.arange(int(np.ceil(t - n + 20.0 * np.sqrt(t) + 40.0)) + 1.0)
    p_tail = special.gammainc(n + ks, t)
    n_terms = int(np.argmax(p_tail < 1e-17)) if np.any(p_tail < 1e-17) else ks.size
    if n_terms > _SW0_MAX_TERMS:
        return stats.ncx2.sf(2.0 * t, 2 * n, 2.0 * lam)
    coef = (p_tail[:n_terms] / np.exp(special.gammaln(ks[:n_terms] + 1.0)))[::-1].tolist()
    flat = lam.ravel()
    miss = np.empty_like(flat)
    for i in range(0, flat.size, _BLOCK):
        x = np.minimum(flat[i:i + _BLOCK], _SW0_MAX_LAMBDA)
        acc = np.full_like(x, coef[0])
        for c in coef[1:]:
            acc *= x
            acc += c
        miss[i:i + _BLOCK] = np.exp(-x) * acc
    pd = 1.0 - miss.reshape(lam.shape)
    return np.where(lam > _SW0_MAX_LAMBDA, 1.0, pd)


def _sw4_scalar(s, pfa, n):
    """Swerling 4: Σ_m C(N,m) p^m q^(N-m) Q(N+m, T/b), b = 1 + s/2, p = 1 - 1/b, q = 1/b.

    Q(N+m, y) follows from Q(N, y) by the upward recurrence Q(a+1, y) = Q(a, y) +
    y^a e^-y / a! (positive terms, stable), so there is one gammaincc call, not N+1.
    """
    t = special.gammainccinv(n, pfa)
    b = 1.0 + 0.5 * s
    y = t / b
    with np.errstate(divide="ignore"):
        lp, lq = np.log(0.5 * s / b), -np.log(b)
    q_m = special.gammaincc(n, y)
    g = np.exp(n * np.log(y) - y - special.gammaln(n + 1.0))
    lg_binom = special.gammaln(n + 1.0) - special.gammaln(np.arange(n + 1.0) + 1.0) \
        - special.gammaln(n - np.arange(n + 1.0) + 1.0)
    base, step = n * lq, lp - lq
    pd = np.exp(base + lg_binom[0]) * q_m
    for m in range(1, n + 1):
        q_m = q_m + g
        g = g * (y / (n + m))
        with np.errstate(invalid="ignore"):
            w = np.exp(base + m * step + lg_binom[m])
        pd = pd + np.where(s > 0.0, w, 0.0) * q_m
    return pd


_PD_CORES = {
    0: lambda s, p, n: _grouped(_sw0_scalar, s, p, n),
    1: _pd_sw1,
    2: _pd_sw2,
    3: _pd_sw3,
    4: _pd_sw4,
}


# --- detection: public API ----------------------------------------------------------------

def pd_linear(snr, pfa, n_pulses=1, swerling=0):
    """Exact probability of detection, square-law detector, N noncoherent pulses.

    Parameters
    ----------
    snr : per-pulse SNR, linear (>= 0). pfa : false-alarm probability per test, in (0, 1).
    n_pulses : integer N >= 1 noncoherently integrated pulses.
    swerling : 0 (steady, a.k.a. 5), 1/3 (scan-to-scan), 2/4 (pulse-to-pulse fluctuation).

    All arguments broadcast. The result is clipped to [Pfa, 1] to remove rounding below
    Pfa. Closed forms: SW0 via the Poisson mixture of the generalised Marcum Q (Marcum 1960);
    SW1 Meyer & Mayer 1973 / DiFranco & Rubin 1968 (Richards 2005 eq. 6.99, Mahafza eq. 2.76);
    SW2 Q(N, T/(1+s)); SW3 the SW1 form convolved with one more exponential; SW4 a binomial
    mixture of Q(N+m, T/b) (target models: Swerling 1960).
    """
    s, pfa = _nonneg("snr", snr), _open01("pfa", pfa)
    n, sw = _n_pulses(n_pulses), _swerling(swerling)
    shape = np.broadcast_shapes(s.shape, pfa.shape, n.shape, sw.shape)
    s = np.minimum(s, 1e250)  # inf SNR -> Pd = 1 without inf/inf
    if sw.size == 1:
        out = _PD_CORES[int(sw.flat[0])](s, pfa, n)
    else:
        out = np.empty(shape)
        sb, pb, nb, swb = (np.broadcast_to(v, shape) for v in (s, pfa, n, sw))
        for case in np.unique(sw):
            m = swb == case
            out[m] = _PD_CORES[int(case)](sb[m], pb[m], nb[m])
    return _out(np.clip(np.broadcast_to(out, shape), np.broadcast_to(pfa, shape), 1.0))


def pd(snr_db, pfa, n_pulses=1, swerling=0):
    """:func:`pd_linear` with the per-pulse SNR given in dB."""
    snr = np.exp(np.asarray(snr_db, dtype=float) * (np.log(10.0) / 10.0))  # undb, fast
    return pd_linear(snr, pfa, n_pulses, swerling)


def required_snr_db(pd, pfa, n_pulses=1, swerling=0, tol_db=1e-9):
    """Per-pulse SNR (dB) at which :func:`pd` reaches ``pd``: the exact inverse.

    Vectorised bisection on SNR in dB over [-60, 160] dB (Pd is monotone in SNR), to
    ``tol_db``. ``pd`` must lie in (Pfa, 1).
    """
    p_target, pfa = _open01("pd", pd), _open01("pfa", pfa)
    if np.any(np.broadcast_to(p_target <= pfa, np.broadcast_shapes(p_target.shape, pfa.shape))):
        raise ValueError("pd must exceed pfa (allowed range (pfa, 1))")
    n, sw = _n_pulses(n_pulses), _swerling(swerling)
    shape = np.broadcast_shapes(p_target.shape, pfa.shape, n.shape, sw.shape)
    lo, hi = np.full(shape, -60.0), np.full(shape, 160.0)
    for _ in range(int(np.ceil(np.log2(220.0 / tol_db)))):
        mid = 0.5 * (lo + hi)
        above = pd_linear(undb(mid), pfa, n, sw) >= p_target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return _out(0.5 * (lo + hi))


def cumulative_pd(pd_looks, axis=-1):
    """Cumulative detection probability over independent looks: 1 - Π(1 - Pd_i) (Skolnik §2.x)."""
    p = np.asarray(pd_looks, dtype=float)
    if np.any(~((p >= 0.0) & (p <= 1.0))):
        raise ValueError("pd_looks must be in [0, 1]")
    with np.errstate(divide="ignore"):
        return _out(-np.expm1(np.sum(np.log1p(-p), axis=axis)))


def albersheim_snr_db(pd, pfa, n_pulses=1):
    """Albersheim's approximation (1981) to the required SNR per pulse, dB.

    Linear detector, Swerling 0, about ±0.2 dB for 1e-7 <= Pfa <= 1e-3, 0.1 <= Pd <= 0.9,
    1 <= N <= 8096. Documentation and cross-checks only; use :func:`required_snr_db`.
    """
    p, pfa, n = _open01("pd", pd), _open01("pfa", pfa), _n_pulses(n_pulses)
    a, b = np.log(0.62 / pfa), np.log(p / (1.0 - p))
    return _out(-5.0 * np.log10(n) + (6.2 + 4.54 / np.sqrt(n + 0.44))
                * np.log10(a + 0.12 * a * b + 1.7 * b))


def shnidman_snr_db(pd, pfa, n_pulses=1, swerling=0):
    """Shnidman's approximation (2002) to the required SNR per pulse, dB (Richards eq. 6.112).

    Square-law detector, Swerling 0-4, about ±0.5 dB for 0.1 <= Pd <= 0.99,
    1e-9 <= Pfa <= 1e-3, 1 <= N <= 100 (MATLAB ``shnidman`` conventions).
    """
    p, pfa = _open01("pd", pd), _open01("pfa", pfa)
    n, sw = _n_pulses(n_pulses).astype(float), _swerling(swerling)
    k_dof = np.select([sw == 1, sw == 2, sw == 3, sw == 4], [1.0, n, 2.0, 2.0 * n], np.inf)
    alpha = np.where(n < 40.0, 0.0, 0.25)
    eta = (np.sqrt(-0.8 * np.log(4.0 * pfa * (1.0 - pfa)))
           + np.sign(p - 0.5) * np.sqrt(-0.8 * np.log(4.0 * p * (1.0 - p))))
    x_inf = eta * (eta + 2.0 * np.sqrt(n / 2.0 + (alpha - 0.25)))
    c1 = (((17.7006 * p - 18.4496) * p + 14.5339) * p - 3.525) / k_dof
    c2 = (np.exp(27.31 * p - 25.14) + (p - 0.8) * (0.7 * np.log(1e-5 / pfa)
                                                   + (2.0 * n - 20.0) / 80.0)) / k_dof
    c_db = np.where(p <= 0.872, c1, c1 + c2)
    return _out(db(undb(c_db) * x_inf / n))
