"""Envelope from the flyout model reproduces the catalog's public max ranges (within 10 %)."""

import dataclasses
import json

import numpy as np
import pytest

from iadsim.flyout.envelope import (
    compute_envelope,
    envelope_to_json,
    max_range_km,
    plot_envelope,
    reach_gaps,
)
from iadsim.cli_flyout import FAST as CLI_FAST
from iadsim.flyout.params import list_interceptors, load_interceptor_params

FAST = {"dt_s": 0.1, "n_coarse": 20, "n_refine": 6}


@pytest.mark.parametrize("name", ["48N6E3", "40N6", "PAC-2-GEM-T"])
def test_max_range_matches_public_figure(name):
    p = load_interceptor_params(name)
    got_km = max_range_km(p, 250.0, (10e3, 20e3, 25e3), **FAST)
    assert got_km == pytest.approx(p.public_max_range_m / 1e3, rel=0.10)


def test_envelope_json_and_plot(tmp_path):
    p = load_interceptor_params("PAC-3-MSE")
    env = compute_envelope(p, 300.0, (3e3, 20e3), ("approaching", "receding"), **FAST)
    assert env.max_range_m.shape == (2, 2)
    # a receding target cannot be caught as far out as the missile's reach allows head-on
    assert np.all(env.min_range_m <= env.max_range_m)
    doc = json.loads(envelope_to_json(env))
    assert doc["missile"] == "PAC-3-MSE" and len(doc["max_range_km"]) == 2
    out = tmp_path / "env.png"
    plot_envelope(env, out)
    assert out.stat().st_size > 1000


def test_bad_envelope_inputs():
    p = load_interceptor_params("9M96E2")
    with pytest.raises(ValueError, match="aspects"):
        compute_envelope(p, 250.0, (5e3,), ("sideways",))
    with pytest.raises(ValueError, match="target_speed_mps"):
        compute_envelope(p, -1.0, (5e3,))


def test_reach_gaps_are_runs_of_failures_between_successes():
    trial = np.array([50.0, 10.0, 20.0, np.nan, 30.0, 40.0, 60.0, 70.0])
    ok = np.array([1, 1, 0, 1, 0, 1, 0, 1], bool)  # in launch-range order: 10 ok, 20 x, 30 x, 40 ok, 50 ok, 60 x, 70 ok
    icpt = trial * 0.9
    assert reach_gaps(trial, ok, icpt) == ((9.0, 36.0), (45.0, 63.0))  # the NaN trial was not flown
    assert reach_gaps(trial, np.ones(8, bool), icpt) == ()
    assert reach_gaps(np.array([1.0, 2.0]), np.array([False, True]), np.array([0.0, 2.0])) == ()


def former_loft(name):
    """The missile with the loft law before the refit: aim point raised by loft_ratio x
    (distance to PIP - seeker range) at every point of the flight (no fade, no limit), which
    leaves PAC-2 GEM-T a hole in its reach against low targets."""
    return dataclasses.replace(load_interceptor_params(name), loft_ratio=0.9,
                               loft_fade_exponent=0.0, loft_max_m=0.0)


def test_envelope_reports_where_reach_is_not_one_interval():
    """A missile whose reach has a hole must say so: the table's min and max alone would hide it."""
    p = former_loft("PAC-2-GEM-T")
    env = compute_envelope(p, 250.0, (100.0, 10e3), ("approaching",), **FAST)
    assert env.has_gaps and len(env.gaps_m) == 2 and len(env.gaps_m[0]) == 1
    for i in range(2):
        for a, b in env.gaps_m[i][0]:
            assert env.min_range_m[i, 0] <= a < b <= env.max_range_m[i, 0]
    # the low-altitude hole: launches at 40-80 km failed while shorter and longer ones intercepted
    assert any(a < 40e3 and b > 80e3 for a, b in env.gaps_m[0][0])
    doc = json.loads(envelope_to_json(env))
    assert doc["gaps_km"][0][0] == [[round(a / 1e3, 3), round(b / 1e3, 3)] for a, b in env.gaps_m[0][0]]


@pytest.mark.parametrize("name", ["48N6E3", "40N6"])
def test_reach_against_a_high_approaching_target_is_one_interval(name):
    p = load_interceptor_params(name)
    env = compute_envelope(p, 250.0, (20e3,), ("approaching",), **FAST)
    assert env.gaps_m[0][0] == ()


@pytest.mark.parametrize("name", list_interceptors())
def test_reach_against_approaching_and_crossing_targets_is_one_interval(name):
    """The envelope the CLI prints (its FAST settings, 100 m to 20 km): no gaps head-on or abeam."""
    assert set(list_interceptors()) >= {"48N6E3", "40N6", "9M96E2", "PAC-2-GEM-T", "PAC-3-MSE"}
    p = load_interceptor_params(name)
    env = compute_envelope(p, 250.0, aspects=("approaching", "crossing"), **CLI_FAST)
    assert tuple(env.altitudes_m) == (100.0, 1_000.0, 5_000.0, 10_000.0, 20_000.0)
    gaps = {(float(alt), asp): env.gaps_m[i][j] for i, alt in enumerate(env.altitudes_m)
            for j, asp in enumerate(env.aspects) if env.gaps_m[i][j]}
    assert gaps == {}
    assert np.all(np.isfinite(env.max_range_m))
