"""Batched Kalman filter kernels and the radar measurement model.

Every function works on a batch of tracks at once: states ``x`` of shape ``(..., d)`` and
covariances ``p`` of shape ``(..., d, d)``; nothing is mutated in place.

Radar measurements are handled with an **extended Kalman filter in measurement coordinates**
(range, azimuth, elevation and optionally range rate), not with converted measurements:

* the noise model stays exact — independent Gaussian errors in range, angles and range rate —
  with no conversion bias and no approximated, state-dependent Cartesian covariance
  (the unbiased converted-measurement correction of Mo et al., IEEE T-AES 34(3), 1998, is
  itself an approximation, and degrades when ``range · sigma_angle² / sigma_range`` is large);
* range rate is a nonlinear function of the state in any case, so a converted-measurement
  filter would still need an EKF step for it; one EKF handles all four components together;
* the Jacobian is a closed form, cheap to batch.

The linearisation error of the EKF is small once a track has converged (cross-range sigma of the
track well below the range); new tracks are started from the converted position with its
linearised covariance (``rae_to_enu`` + ``converted_covariance``), which is where the
conversion is good enough. Azimuth innovations are wrapped to (−π, π]. Conventions: ENU,
azimuth clockwise from north, elevation up from the radar's horizontal (ENU) plane, radians,
metres. Reference: Bar-Shalom, Li & Kirubarajan (2001), §10.3 (EKF), §10.4 (polar measurements).
"""

from __future__ import annotations

import numpy as np

from iadsim.npfast import einsum, inv, logdet, solve

TWO_PI = 2.0 * np.pi


def kf_predict(x: np.ndarray, p: np.ndarray, f: np.ndarray, q: np.ndarray,
               f_t: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Kalman prediction ``x' = F x``, ``P' = F P Fᵀ + Q`` over a batch.

    x : (..., d); p : (..., d, d); f, q : (d, d) shared or (..., d, d) per track; ``f_t``
    optionally Fᵀ as a contiguous array (the same products; BLAS multiplies by it about twice
    as fast as by the transposed view).
    """
    x_pred = einsum("...ij,...j->...i", f, x)
    p_pred = f @ p @ (np.swapaxes(f, -1, -2) if f_t is None else f_t) + q
    return x_pred, p_pred


def kf_update(
    x: np.ndarray, p: np.ndarray, resid: np.ndarray, h: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kalman (or EKF, given the Jacobian) update over a batch.

    x : (..., d); p : (..., d, d); resid : (..., m) innovation z − h(x);
    h : (..., m, d) or (m, d); r : (..., m, m) measurement noise.
    Returns (x_post, p_post, s) with ``P⁺ = P − K S Kᵀ`` (the form Stone Soup's KalmanUpdater uses).
    """
    pht = p @ np.swapaxes(h, -1, -2)  # (..., d, m)
    s = h @ pht + r
    k = pht @ inv(s)
    x_post = x + einsum("...ij,...j->...i", k, resid)
    p_post = p - k @ s @ np.swapaxes(k, -1, -2)
    return x_post, p_post, s


def mahalanobis_sq(resid: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Squared Mahalanobis distance ``νᵀ S⁻¹ ν``; resid (..., m), s (..., m, m) -> (...)."""
    return einsum("...i,...i->...", resid, solve(s, resid[..., None])[..., 0])


def gaussian_loglik(resid: np.ndarray, s: np.ndarray) -> np.ndarray:
    """log N(ν; 0, S) over a batch; resid (..., m), s (..., m, m) -> (...)."""
    m = resid.shape[-1]
    return -0.5 * (mahalanobis_sq(resid, s) + logdet(s) + m * np.log(TWO_PI))


def wrap_angle_rad(a: np.ndarray) -> np.ndarray:
    """Wrap angles to (−π, π]."""
    return np.pi - np.mod(np.pi - a, TWO_PI)


def enu_to_rae(pos_rel_enu_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Range (m), azimuth clockwise from north in [0, 2π) and elevation (rad) of relative ENU vectors."""
    e, n, u = pos_rel_enu_m[..., 0], pos_rel_enu_m[..., 1], pos_rel_enu_m[..., 2]
    rho = np.hypot(e, n)
    return np.hypot(rho, u), np.mod(np.arctan2(e, n), TWO_PI), np.arctan2(u, rho)


def rae_to_enu(range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray) -> np.ndarray:
    """Relative ENU vector (..., 3) of range/azimuth/elevation (azimuth clockwise from north)."""
    ce = np.cos(el_rad)
    out = np.empty(np.shape(range_m) + (3,))
    out[..., 0] = range_m * ce * np.sin(az_rad)
    out[..., 1] = range_m * ce * np.cos(az_rad)
    out[..., 2] = range_m * np.sin(el_rad)
    return out


def converted_covariance(
    range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray,
    sigma_range_m: np.ndarray, sigma_az_rad: np.ndarray, sigma_el_rad: np.ndarray,
) -> np.ndarray:
    """Linearised ENU covariance (..., 3, 3) of a converted (range, az, el) measurement: J R Jᵀ."""
    sa, ca, se, ce = np.sin(az_rad), np.cos(az_rad), np.sin(el_rad), np.cos(el_rad)
    r = range_m
    jac = np.empty(np.shape(r) + (3, 3))  # d(e, n, u) / d(r, az, el)
    jac[..., 0, 0], jac[..., 0, 1], jac[..., 0, 2] = ce * sa, r * ce * ca, -r * se * sa
    jac[..., 1, 0], jac[..., 1, 1], jac[..., 1, 2] = ce * ca, -r * ce * sa, -r * se * ca
    jac[..., 2, 0], jac[..., 2, 1], jac[..., 2, 2] = se, 0.0, r * ce
    var = np.empty(np.shape(r) + (1, 3))
    var[..., 0, 0], var[..., 0, 1], var[..., 0, 2] = sigma_range_m, sigma_az_rad, sigma_el_rad
    return (jac * var**2) @ np.swapaxes(jac, -1, -2)


def radar_measurement(
    x: np.ndarray, radar_pos_enu_m: np.ndarray, with_rate: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted radar measurement h(x) and its Jacobian for a stationary radar.

    x : (..., d) states (position, velocity first); radar_pos_enu_m : (..., 3) or (3,).
    Returns z_hat (..., m) = [range_m, az_rad, el_rad(, range_rate_mps)] and jac (..., m, d),
    m = 3 or 4. The Jacobian is singular at the radar and at the zenith (ρ = 0); tracks there
    are not meaningful for a surveillance radar.
    """
    rel = x[..., :3] - radar_pos_enu_m
    e, n, u = rel[..., 0], rel[..., 1], rel[..., 2]
    rho2 = e * e + n * n
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    r = np.sqrt(r2)
    m = 4 if with_rate else 3
    d = x.shape[-1]
    jac = np.zeros(x.shape[:-1] + (m, d))
    u_los = rel / r[..., None]  # d range / d position (and d range rate / d velocity)
    jac[..., 0, :3] = u_los
    jac[..., 1, 0] = n / rho2
    jac[..., 1, 1] = -e / rho2
    minus_u, r2_rho = -u, r2 * rho
    jac[..., 2, 0] = minus_u * e / r2_rho
    jac[..., 2, 1] = minus_u * n / r2_rho
    jac[..., 2, 2] = rho / r2
    z_hat = np.empty(x.shape[:-1] + (m,))
    z_hat[..., 0], z_hat[..., 1], z_hat[..., 2] = r, np.mod(np.arctan2(e, n), TWO_PI), np.arctan2(u, rho)
    if with_rate:
        vel = x[..., 3:6]
        rr = einsum("...i,...i->...", rel, vel) / r
        jac[..., 3, :3] = vel / r[..., None] - rr[..., None] * rel / r2[..., None]
        jac[..., 3, 3:6] = u_los
        z_hat[..., 3] = rr
    return z_hat, jac


def radar_residual(z: np.ndarray, z_hat: np.ndarray) -> np.ndarray:
    """Innovation z − ẑ with the azimuth component (index 1) wrapped to (−π, π]."""
    resid = z - z_hat
    resid[..., 1] = wrap_angle_rad(resid[..., 1])
    return resid
