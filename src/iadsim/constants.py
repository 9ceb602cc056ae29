"""Physical constants in SI units, each with its source.

Everything inside iadsim is SI (m, s, rad, W, m², K); decibels and degrees appear only
at the edges, with the unit in the name (``snr_db``, ``az_deg``).
"""

import numpy as np

SPEED_OF_LIGHT_MPS = 299_792_458.0  # exact, SI definition (also MATLAB's physconst)
BOLTZMANN_J_PER_K = 1.380649e-23  # exact, SI 2019
T0_K = 290.0  # IEEE standard reference noise temperature
G0_MPS2 = 9.80665  # standard gravity, CGPM 1901
GM_EARTH_M3PS2 = 3.986004418e14  # WGS-84 gravitational parameter
WGS84_A_M = 6_378_137.0  # WGS-84 semi-major axis
WGS84_F = 1.0 / 298.257223563  # WGS-84 flattening
# IUGG mean radius; R0 of the effective-earth model (as in MATLAB effearthradius)
EARTH_MEAN_RADIUS_M = 6_371_000.0
DNDH_STANDARD_PER_M = -39e-9  # ITU-R P.453 median refractivity gradient, -39 N-units/km
KPH_TO_MPS = 1000.0 / 3600.0
DEG = np.pi / 180.0


def db(x):
    """Linear power ratio -> decibels (10 log10)."""
    return 10.0 * np.log10(x)


def undb(x_db):
    """Decibels -> linear power ratio."""
    return 10.0 ** (np.asarray(x_db, dtype=float) / 10.0)
