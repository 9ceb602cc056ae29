"""Catalog: every number has a unit, a grade and known sources; the required profiles exist;
the derived radar powers reproduce what their notes claim."""

import pathlib

import numpy as np
import pytest
from scipy.special import gammainc, gammaincc, gammainccinv
from typer.testing import CliRunner

from iadsim import catalog
from iadsim.cli import app
from iadsim.constants import BOLTZMANN_J_PER_K, SPEED_OF_LIGHT_MPS, T0_K, undb

FIGURE_KEYS = {"value", "unit", "grade", "src", "method"}
CATALOG_DIR = pathlib.Path(catalog.__file__).parent


def all_figures():
    for kind in catalog.KINDS:
        for name in catalog.names(kind):
            for path, q in catalog.figures(catalog.profile(kind, name)):
                yield f"{kind}.{name}.{path}", q


def test_every_figure_has_unit_grade_and_sources_or_method():
    """Every figure of every profile (flyout ones included): a unit, grade A/B/C, source keys that
    resolve or a method; A and B have sources, A at least two of independent origin; keys quoted
    in a method resolve too."""
    known = catalog.sources()
    n = 0
    for where, q in all_figures():
        n += 1
        assert set(q) <= FIGURE_KEYS, f"{where}: unexpected keys {set(q) - FIGURE_KEYS}"
        assert q["unit"] in catalog.UNITS or q["unit"] in catalog.FLYOUT_UNITS, where
        assert q["grade"] in catalog.GRADES, where
        src = q.get("src") or []
        assert all(s in known for s in src), f"{where}: unknown source {[s for s in src if s not in known]}"
        assert src or (q.get("method") or "").strip(), f"{where}: neither sources nor a method"
        if q["grade"] in ("A", "B"):
            assert src, f"{where}: grade {q['grade']} without a source"
        if q["grade"] == "A":
            origins = {known[s].get("origin") or s for s in src}
            assert len(origins) >= 2, f"{where}: grade A needs two independent sources, has {src} ({origins})"
        for key in catalog.cited_keys(q.get("method")):
            assert key in known, f"{where}: method cites unknown source [{key}]"
        values = q["value"] if isinstance(q["value"], list) else [q["value"]]
        for v in values:
            assert (isinstance(v, str) and q["unit"] == "") or (
                isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)), f"{where}: value {v!r}"
    assert n > 300  # the flyout figures are in the one catalog


def test_sources_are_full_citations():
    for key, s in catalog.sources().items():
        assert {"title", "publisher", "date", "url"} <= set(s), key
        assert all(isinstance(s[k], str) and s[k].strip() for k in ("title", "publisher", "date")), key
        assert s["url"] is None or s["url"].startswith(("http://", "https://")), key
    for key in ("N2", "N3", "N15", "P19"):  # keys that once resolved nowhere
        assert key in catalog.sources()


def test_nothing_points_outside_the_repository():
    for f in sorted(CATALOG_DIR.glob("*.yaml")) + [CATALOG_DIR / "__init__.py"]:
        text = f.read_text(encoding="utf-8")
        for word in ("parameters.md", "reference/", "shared/", "radar.md", "unverified", "DERIVED", "RADAR-MD"):
            assert word not in text, f"{f.name} mentions {word!r}"
    assert not (CATALOG_DIR / "interceptors.yaml").exists()  # one catalog


def test_no_contradicting_figures():
    """One Pk (the warhead model's pk_max), no mean speed the flyout does not fly, no C2 flight-time
    cap beside the flyout's own, no public_* copies of the profile's public figures."""
    for name in catalog.names("missiles"):
        prof = catalog.profile("missiles", name)
        assert not {"pk", "mean_speed", "max_flight_time", "warhead"} & set(prof), name
        assert not {k for k in prof["flyout"] if k.startswith("public_")}, name


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
    """Exact Swerling-1 Pd, square-law, n pulses (Meyer & Mayer 1973; docs/REFERENCES.md)."""
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
    prof = catalog.apply_overrides(catalog.profile("systems", "s400"), {"launchers": {"count": 12}}, kind="systems")
    assert prof["launchers"]["count"]["value"] == 12 and prof["launchers"]["count"]["grade"] == "scenario"
    with pytest.raises(catalog.CatalogError) as info:
        catalog.apply_overrides(catalog.profile("systems", "s400"), {"launchers": {"cout": 12}}, kind="systems")
    assert info.value.loc == ("launchers", "cout") and "did you mean 'count'" in info.value.message


def test_cli_catalog_lists_and_shows_sources():
    runner = CliRunner()
    listing = runner.invoke(app, ["catalog"])
    assert listing.exit_code == 0 and "s400" in listing.output and "stealth_fighter" in listing.output
    shown = runner.invoke(app, ["catalog", "s400"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "N16" in shown.output and "Sputnik Brasil" in shown.output
    bad = runner.invoke(app, ["catalog", "s300"])
    assert bad.exit_code == 2 and "did you mean 's400'" in bad.output
