"""Lethality curves and closest point of approach inside a step."""

import numpy as np
import pytest

from iadsim.flyout.endgame import cpa_in_step, p_kill, p_kill_blast_frag, p_kill_hit_to_kill


def test_blast_frag_shape():
    miss = np.linspace(0.0, 100.0, 201)
    pk = p_kill_blast_frag(miss, 15.0, 0.9)
    assert pk[0] == pytest.approx(0.9)
    assert np.all(np.diff(pk) < 0.0)
    assert p_kill_blast_frag(15.0, 15.0, 0.9) == pytest.approx(0.9 * np.exp(-0.5))
    assert p_kill_blast_frag(60.0, 15.0, 0.9) < 1e-3


def test_hit_to_kill_only_within_about_a_metre():
    assert p_kill_hit_to_kill(0.0, 1.0, 0.9) == pytest.approx(0.9)
    assert p_kill_hit_to_kill(0.5, 1.0, 0.9) > 0.85
    assert p_kill_hit_to_kill(1.0, 1.0, 0.9) == pytest.approx(0.45)
    assert p_kill_hit_to_kill(2.0, 1.0, 0.9) < 1e-4
    pk = p_kill(np.array([0.5, 0.5]), np.array([1.0, 15.0]), 0.9, np.array([True, False]))
    assert pk[0] > 0.85 and pk[1] > 0.89


def test_cpa_inside_step_is_exact_for_linear_motion():
    # relative position passes (3, 4, 0) m from the origin at tau = 0.03 s in a 0.1 s step
    v = np.array([[1000.0, 0.0, 0.0]])
    p0 = np.array([[-30.0, 4.0, 0.0]])
    p1 = p0 + 0.1 * v
    tau, miss, closing = cpa_in_step(p0, p1, 0.1)
    assert tau[0] == pytest.approx(0.03, abs=1e-12)
    assert miss[0] == pytest.approx(4.0, abs=1e-9)
    assert closing[0]


def test_cpa_clipped_to_step():
    p0 = np.array([[-300.0, 4.0, 0.0]])
    tau, miss, _ = cpa_in_step(p0, p0 + [[100.0, 0, 0]], 0.1)
    assert tau[0] == pytest.approx(0.1)
    assert miss[0] == pytest.approx(np.hypot(200.0, 4.0))
