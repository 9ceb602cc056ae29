"""U.S. Standard Atmosphere 1976 (ISA) from sea level to 86 km, vectorised.

Reference: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 (NASA-TM-X-74335), Table 4
(layer bases and lapse rates) and Part 1 eqs. 18, 23, 33a/b, 42, 50. The same layer data
define ISO 2533:1975 ISA up to 32 km and the ICAO standard atmosphere.

Altitudes are geometric heights above mean sea level in metres unless the function name
says ``geopotential``. Above 86 km (84.852 km geopotential) the model continues the last
base as an isothermal layer at 186.946 K; densities there are within ~5 % of the 1976
tables up to 100 km and tend to zero above, which is all a flyout needs. Below sea level
the lowest layer is extrapolated (down to -5 km, as in the 1976 tables).
"""

from dataclasses import dataclass

import numpy as np

from iadsim.constants import G0_MPS2

R_EARTH_ISA_M = 6_356_766.0  # effective earth radius for geopotential height, USSA 1976
R_AIR_J_PER_KG_K = 287.05287  # specific gas constant of dry air, R*/M0 (USSA 1976)
GAMMA_AIR = 1.4  # ratio of specific heats, USSA 1976 eq. 50
P0_PA = 101_325.0  # sea-level standard pressure
T0_ISA_K = 288.15  # sea-level standard temperature

# Layer bases: geopotential height (m) and lapse rate (K/m), USSA 1976 Table 4.
_H_BASE_M = np.array([0.0, 11_000.0, 20_000.0, 32_000.0, 47_000.0, 51_000.0, 71_000.0, 84_852.0])
_LAPSE_K_PER_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3, 0.0])


def _layer_bases():
    """Base temperatures and pressures from the table, integrated once at import."""
    t_base = np.empty_like(_H_BASE_M)
    p_base = np.empty_like(_H_BASE_M)
    t_base[0], p_base[0] = T0_ISA_K, P0_PA
    gmr = G0_MPS2 / R_AIR_J_PER_KG_K
    for i in range(1, _H_BASE_M.size):
        dh = _H_BASE_M[i] - _H_BASE_M[i - 1]
        lapse = _LAPSE_K_PER_M[i - 1]
        t_base[i] = t_base[i - 1] + lapse * dh
        if lapse == 0.0:
            p_base[i] = p_base[i - 1] * np.exp(-gmr * dh / t_base[i - 1])
        else:
            p_base[i] = p_base[i - 1] * (t_base[i - 1] / t_base[i]) ** (gmr / lapse)
    return t_base, p_base


_T_BASE_K, _P_BASE_PA = _layer_bases()
# Per-layer constants for the vectorised evaluation (isothermal layers get a dummy lapse).
_IS_ISO = _LAPSE_K_PER_M == 0.0
_SAFE_LAPSE = np.where(_IS_ISO, 1.0, _LAPSE_K_PER_M)
_EXPONENT = np.where(_IS_ISO, 0.0, G0_MPS2 / (R_AIR_J_PER_KG_K * _SAFE_LAPSE))
_ISO_SCALE_M = R_AIR_J_PER_KG_K * _T_BASE_K / G0_MPS2


@dataclass(frozen=True, slots=True)
class IsaState:
    """ISA state at an array of altitudes; every field has the input's shape."""

    temperature_k: np.ndarray
    pressure_pa: np.ndarray
    density_kgpm3: np.ndarray
    speed_of_sound_mps: np.ndarray


def geometric_to_geopotential_m(alt_m):
    """Geometric height (m) -> geopotential height (m), USSA 1976 eq. 18."""
    z = np.asarray(alt_m, dtype=float)
    return R_EARTH_ISA_M * z / (R_EARTH_ISA_M + z)


def geopotential_to_geometric_m(h_m):
    """Geopotential height (m) -> geometric height (m), inverse of eq. 18."""
    h = np.asarray(h_m, dtype=float)
    return R_EARTH_ISA_M * h / (R_EARTH_ISA_M - h)


def _temperature_pressure(h_m):
    """Temperature (K) and pressure (Pa) at geopotential heights h_m (any shape)."""
    h = np.clip(h_m, -5_000.0, None)
    i = np.clip(np.searchsorted(_H_BASE_M, h, side="right") - 1, 0, _H_BASE_M.size - 1)
    dh = h - _H_BASE_M[i]
    t_b, p_b, lapse = _T_BASE_K[i], _P_BASE_PA[i], _LAPSE_K_PER_M[i]
    temp = t_b + lapse * dh
    iso = _IS_ISO[i]
    ratio = np.where(iso, 1.0, t_b / np.where(iso, t_b, temp))
    p_grad = p_b * ratio ** _EXPONENT[i]
    p_iso = p_b * np.exp(-dh / _ISO_SCALE_M[i])
    return temp, np.where(iso, p_iso, p_grad)


def isa_geopotential(h_m) -> IsaState:
    """ISA temperature, pressure, density and speed of sound at geopotential heights (m)."""
    temp, pres = _temperature_pressure(np.asarray(h_m, dtype=float))
    rho = pres / (R_AIR_J_PER_KG_K * temp)
    a = np.sqrt(GAMMA_AIR * R_AIR_J_PER_KG_K * temp)
    return IsaState(temp, pres, rho, a)


def isa(alt_m) -> IsaState:
    """ISA state at geometric altitudes above mean sea level (m), any shape.

    >>> round(float(isa(11_000.0).temperature_k), 2)
    216.77
    """
    return isa_geopotential(geometric_to_geopotential_m(alt_m))


def density_speed_of_sound(alt_m):
    """(density kg/m³, speed of sound m/s) at geometric altitudes (m): the flyout hot path."""
    temp, pres = _temperature_pressure(geometric_to_geopotential_m(alt_m))
    return pres / (R_AIR_J_PER_KG_K * temp), np.sqrt(GAMMA_AIR * R_AIR_J_PER_KG_K * temp)


# --- tabulated fast path -------------------------------------------------------------------
# ln(density) and speed of sound sampled every 50 m of geometric altitude from -1 km to
# 200 km and interpolated linearly by index arithmetic (no search). Against the exact layer
# formulas the relative density error is typically below 2e-6 and at most 5e-4, and the
# speed-of-sound error at most 0.05 m/s, both worst in the cells that straddle a layer base
# (checked in tests/flyout/test_atmosphere.py); above 200 km density is 0.
FAST_STEP_M = 50.0
FAST_ALT0_M = -1_000.0
_FAST_ALT_M = np.arange(FAST_ALT0_M, 200_000.0 + FAST_STEP_M, FAST_STEP_M)
_FAST_RHO, FAST_A_MPS = density_speed_of_sound(_FAST_ALT_M)
FAST_LNRHO = np.log(_FAST_RHO)
_FAST_LAST = _FAST_ALT_M.size - 2


def density_speed_of_sound_fast(alt_m):
    """Tabulated (density kg/m³, speed of sound m/s) at geometric altitudes (m).

    Same model as :func:`density_speed_of_sound`, interpolated from a 50 m table; for the
    vectorised flyout step. Altitudes below -1 km use the -1 km values; above 200 km density is 0.
    """
    x = (np.asarray(alt_m, dtype=float) - FAST_ALT0_M) * (1.0 / FAST_STEP_M)
    x = np.clip(x, 0.0, _FAST_LAST + 1.0)
    i = np.minimum(x.astype(np.intp), _FAST_LAST)
    f = x - i
    lnrho = FAST_LNRHO[i] + f * (FAST_LNRHO[i + 1] - FAST_LNRHO[i])
    a = FAST_A_MPS[i] + f * (FAST_A_MPS[i + 1] - FAST_A_MPS[i])
    rho = np.exp(lnrho)
    return np.where(x >= _FAST_LAST + 1.0, 0.0, rho), a


FAST_DLNRHO_PER_M = np.diff(FAST_LNRHO) / FAST_STEP_M


def density_fast_with_slope(alt_m):
    """(density kg/m³, speed of sound m/s, d ln(density)/d altitude 1/m), tabulated.

    The slope lets a caller extrapolate density over a small altitude change without a
    second table look-up: ρ(h + δ) ≈ ρ(h)·exp(slope·δ).
    """
    x = (np.asarray(alt_m, dtype=float) - FAST_ALT0_M) * (1.0 / FAST_STEP_M)
    x = np.clip(x, 0.0, _FAST_LAST + 1.0)
    i = np.minimum(x.astype(np.intp), _FAST_LAST)
    f = x - i
    slope = FAST_DLNRHO_PER_M[i]
    rho = np.exp(FAST_LNRHO[i] + (f * FAST_STEP_M) * slope)
    a = FAST_A_MPS[i] + f * (FAST_A_MPS[i + 1] - FAST_A_MPS[i])
    return rho, a, slope
