"""ISA 1976 against the published U.S. Standard Atmosphere 1976 table (NOAA-S/T 76-1562,
Table I, geometric altitude). Tolerances are relative, in the table's printed precision."""

import numpy as np
import pytest

from iadsim.physics.atmosphere import (
    density_fast_with_slope,
    density_speed_of_sound,
    density_speed_of_sound_fast,
    geometric_to_geopotential_m,
    geopotential_to_geometric_m,
    isa,
)

# altitude_m, T_K, p_Pa, rho_kgpm3, a_mps  (USSA 1976 Table I)
TABLE = [
    (0.0, 288.150, 101325.0, 1.2250, 340.294),
    (5_000.0, 255.676, 54048.0, 0.73643, 320.545),
    (11_000.0, 216.774, 22699.9, 0.36480, 295.154),
    (20_000.0, 216.650, 5529.3, 0.088910, 295.069),
    (32_000.0, 228.490, 889.06, 0.013555, 303.025),
    (50_000.0, 270.650, 79.779, 1.0269e-3, 329.799),
    (71_000.0, 216.846, 4.4794, 7.1967e-5, 295.203),
]
TOL_REL = 2e-4


@pytest.mark.parametrize("row", TABLE, ids=[f"{r[0] / 1e3:g}km" for r in TABLE])
def test_isa_matches_1976_table(row):
    alt_m, t_k, p_pa, rho, a_mps = row
    s = isa(alt_m)
    assert s.temperature_k == pytest.approx(t_k, rel=TOL_REL)
    assert s.pressure_pa == pytest.approx(p_pa, rel=TOL_REL)
    assert s.density_kgpm3 == pytest.approx(rho, rel=TOL_REL)
    assert s.speed_of_sound_mps == pytest.approx(a_mps, rel=TOL_REL)


def test_86km_pressure_and_density():
    # Table I at 86 km: p = 0.37338 Pa, rho = 6.958e-6 kg/m3 (molecular-scale temperature 186.946 K)
    s = isa(86_000.0)
    assert s.pressure_pa == pytest.approx(0.37338, rel=1e-3)
    assert s.density_kgpm3 == pytest.approx(6.958e-6, rel=1e-3)


def test_geopotential_round_trip():
    z = np.array([0.0, 11_019.0, 86_000.0])
    assert geopotential_to_geometric_m(geometric_to_geopotential_m(z)) == pytest.approx(z, abs=1e-6)
    assert geometric_to_geopotential_m(11_019.1) == pytest.approx(11_000.0, abs=0.1)


@pytest.mark.parametrize("alt", [1000.0, np.array([1000.0]), np.linspace(-500, 150e3, 7)],
                         ids=["scalar", "one", "many"])
def test_shapes_and_no_mutation(alt):
    a = np.array(alt, float)
    a.flags.writeable = False
    s = isa(a)
    assert np.shape(s.density_kgpm3) == np.shape(a)
    rho, snd = density_speed_of_sound_fast(a)
    assert np.shape(rho) == np.shape(a) and np.shape(snd) == np.shape(a)


def test_fast_table_agrees_with_exact():
    alt = np.linspace(-900.0, 199_000.0, 20_001)
    rho, a = density_speed_of_sound(alt)
    rho_f, a_f = density_speed_of_sound_fast(alt)
    rho_s, a_s, _ = density_fast_with_slope(alt)
    assert np.max(np.abs(rho_f / rho - 1.0)) < 5e-4  # worst in cells straddling a layer base
    assert np.median(np.abs(rho_f / rho - 1.0)) < 2e-6
    assert np.max(np.abs(rho_s / rho - 1.0)) < 5e-4
    assert np.max(np.abs(a_f - a)) < 0.05 and np.max(np.abs(a_s - a)) < 0.05
    assert density_speed_of_sound_fast(250e3)[0] == 0.0


def test_density_decreases_with_altitude():
    rho, _ = density_speed_of_sound(np.linspace(0.0, 150e3, 1000))
    assert np.all(np.diff(rho) < 0.0)
