"""Envelope from the flyout model reproduces the catalog's public max ranges (within 10 %)."""

import json

import numpy as np
import pytest

from iadsim.flyout.envelope import (
    compute_envelope,
    envelope_to_json,
    max_range_km,
    plot_envelope,
)
from iadsim.flyout.params import load_interceptor_params

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
