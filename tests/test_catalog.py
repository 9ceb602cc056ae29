"""Catalog: every number has a unit, a grade and known sources; the required profiles exist;
the derived radar powers reproduce what their notes claim."""

import numpy as np
import pytest
from scipy.special import gammainc, gammaincc, gammainccinv
from typer.testing import CliRunner

from iadsim import catalog
from iadsim.cli import app
from iadsim.constants import BOLTZMANN_J_PER_K, SPEED_OF_LIGHT_MPS, T0_K, undb

GRADES = {"A", "B", "C", "B/C"}


def quantities(node, path=""):
    for key, val in node.items():
        if catalog.is_quantity(val):
            yield f"{path}{key}", val
        elif isinstance(val, dict):
            yield from quantities(val, f"{path}{key}.")


@pytest.mark.parametrize("kind", catalog.KINDS)
def test_every_number_has_unit_grade_and_known_sources(kind):
    known = catalog.sources()
    for name in catalog.names(kind):
        qs = list(quantities(catalog.profile(kind, name)))
        assert qs, f"{kind} {name} has no quantities"
        for path, q in qs:
            where = f"{kind}.{name}.{path}"
            assert q["unit"] in catalog.UNITS, where
            assert q["grade"] in GRADES, where
            assert q["src"] and all(s in known for s in q["src"]), where
            if q["grade"] == "C":
                assert q.get("note") or "DERIVED" not in q["src"], f"{where}: a derived figure must say how"


def test_required_profiles_and_public_figures():
    s400 = catalog.si(catalog.profile("systems", "s400"))
    assert s400["launchers"]["count"] == 8 and s400["launchers"]["rails"] == 4
    assert s400["channels"]["targets"] == 36 and s400["channels"]["missiles"] == 72
    assert {e["missile"] for e in s400["loadout"]} == {"48N6E3", "40N6"}
    assert set(s400["radars"]) == {"91N6E", "92N6E"}
    patriot = catalog.si(catalog.profile("systems", "patriot"))
    assert {e["missile"] for e in patriot["loadout"]} == {"PAC-2-GEM-T", "PAC-3-MSE"}
    assert set(catalog.names("threats")) >= {"stealth_fighter", "fighter", "bomber", "cruise_missile", "srbm", "drone"}
    m = catalog.si(catalog.profile("missiles", "48N6E3"))
    assert m["max_range_m"] == 250e3 and m["max_speed_mps"] == 2000.0
    assert catalog.si(catalog.profile("missiles", "40N6"))["max_range_m"] == 400e3
    assert catalog.si(catalog.profile("missiles", "PAC-2-GEM-T"))["max_range_m"] == 160e3


def _pd_swerling1(snr, pfa, n):
    """Exact Swerling-1 Pd, square-law, n pulses (radar.md §1.2)."""
    t = gammainccinv(n, pfa)
    if n == 1:
        return np.exp(-t / (1 + snr))
    b = 1 + n * snr
    a = 1 - 1 / b
    return gammaincc(n - 1, t) + a ** (-(n - 1)) * np.exp(-t / b) * gammainc(n - 1, a * t)


@pytest.mark.parametrize("radar", catalog.names("radars"))
def test_derived_peak_power_gives_pd_half_at_reference_range(radar):
    """The radars.yaml header: Pd 0.5 per dwell against 10 m² at reference_range (SW1, Pfa 1e-6)."""
    r = catalog.si(catalog.profile("radars", radar))
    lam = SPEED_OF_LIGHT_MPS / r["frequency_hz"]
    snr = (r["peak_power_w"] * r["pulse_width_s"] * undb(2 * r["gain_db"]) * lam**2 * 10.0
           / ((4 * np.pi) ** 3 * BOLTZMANN_J_PER_K * T0_K * undb(r["noise_figure_db"] + r["losses_db"]) * r["reference_range_m"] ** 4))
    pd = _pd_swerling1(snr, r["pfa"], int(r["n_pulses"]))
    assert abs(pd - 0.5) < 0.02, f"{radar}: Pd {pd:.3f} at the reference range"


def test_overrides_merge_and_are_marked():
    prof = catalog.apply_overrides(catalog.profile("systems", "s400"), {"launchers": {"count": 12}})
    assert prof["launchers"]["count"]["value"] == 12 and prof["launchers"]["count"]["grade"] == "scenario"
    with pytest.raises(catalog.CatalogError) as info:
        catalog.apply_overrides(catalog.profile("systems", "s400"), {"launchers": {"cout": 12}})
    assert info.value.loc == ("launchers", "cout") and "did you mean 'count'" in info.value.message


def test_cli_catalog_lists_and_shows_sources():
    runner = CliRunner()
    listing = runner.invoke(app, ["catalog"])
    assert listing.exit_code == 0 and "s400" in listing.output and "stealth_fighter" in listing.output
    shown = runner.invoke(app, ["catalog", "s400"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "N16" in shown.output and "Sputnik Brasil" in shown.output
    bad = runner.invoke(app, ["catalog", "s300"])
    assert bad.exit_code == 2 and "did you mean 's400'" in bad.output
