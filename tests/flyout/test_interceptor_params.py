"""Catalog loading (the `flyout` figures of each missile profile) and parameter validation."""

import dataclasses

import pytest

from iadsim import catalog
from iadsim.flyout.params import (
    _catalog_raw,
    list_interceptors,
    load_interceptor_params,
    params_from_mapping,
    validate_params,
)

NAMES = ["48N6E3", "40N6", "9M96E2", "PAC-2-GEM-T", "PAC-3-MSE"]


def test_catalog_has_the_five_missiles():
    assert sorted(NAMES) == list_interceptors()


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_has_value_unit_grade_and_source(name):
    raw = _catalog_raw()[name]
    for key, entry in raw.items():
        assert {"value", "unit", "grade"} <= set(entry), key
        assert entry["grade"] in ("A", "B", "C"), key
        assert entry.get("src") or entry.get("method"), key
        if "FITTED" in str(entry.get("method", "")):
            assert entry["grade"] == "C"
    p = load_interceptor_params(name)
    assert p.burnout_mass_kg > 0 and p.public_max_range_m > 0


@pytest.mark.parametrize("name", NAMES)
def test_public_range_and_speed_are_the_profiles_own_figures(name):
    """One figure, one place: the fit's targets are the profile's max_range and max_speed."""
    prof = catalog.si(catalog.profile("missiles", name))
    p = load_interceptor_params(name)
    assert p.public_max_range_m == prof["max_range_m"]
    assert p.public_speed_mps == prof.get("max_speed_mps", 0.0)
    assert "public_max_range_m" not in prof["flyout"] and "public_speed_mps" not in prof["flyout"]


def test_name_lookup_is_forgiving_and_errors_suggest():
    assert load_interceptor_params("pac2gemt").name == "PAC-2-GEM-T"
    with pytest.raises(ValueError, match="48N6E3"):
        load_interceptor_params("48N6E")
    with pytest.raises(ValueError, match="unknown interceptor"):
        load_interceptor_params("S-500")


def _raw(name="48N6E3", **changes):
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in _catalog_raw()[name].items()}
    for k, v in changes.items():
        entry = v if isinstance(v, dict) else {"value": v}
        raw[k] = dict(raw.get(k, {"unit": "1", "grade": "C"}), **entry)
    return raw


def test_thrust_without_mass_flow_rejected():
    with pytest.raises(ValueError, match="sustain_thrust_n.*no mass flow"):
        params_from_mapping("x", _raw(sustain_thrust_n={"value": 10.0, "unit": "N"}))


def test_negative_drag_rejected():
    bad = list(_catalog_raw()["48N6E3"]["cd0"]["value"])
    bad[3] = -0.1
    with pytest.raises(ValueError, match="cd0"):
        params_from_mapping("x", _raw(cd0=bad))


def test_nav_constant_must_be_positive():
    p = load_interceptor_params("48N6E3")
    with pytest.raises(ValueError, match="nav_constant"):
        validate_params(dataclasses.replace(p, nav_constant=0.0))


def test_unknown_field_and_bad_unit():
    with pytest.raises(ValueError, match="did you mean"):
        params_from_mapping("x", _raw(nav_constnt=4.0))
    raw = _raw()
    raw["diameter_m"] = {"value": 0.5, "unit": "kg", "grade": "C", "method": ""}
    with pytest.raises(ValueError, match="diameter_m"):
        params_from_mapping("x", raw)
