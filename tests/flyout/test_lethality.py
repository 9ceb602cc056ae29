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


def test_vulnerability_scales_the_blast_frag_radius_by_its_square_root_and_spares_hit_to_kill():
    miss = np.linspace(0.0, 60.0, 61)
    v = 0.25
    np.testing.assert_allclose(p_kill_blast_frag(miss * np.sqrt(v), 15.0, 0.9, v),
                               p_kill_blast_frag(miss, 15.0, 0.9), rtol=1e-12)
    assert p_kill(10.0, 15.0, 0.9, False, v) < p_kill(10.0, 15.0, 0.9, False, 1.0)
    assert p_kill(0.5, 1.0, 0.9, True, v) == p_kill(0.5, 1.0, 0.9, True, 1.0)


def test_expected_pk_over_a_circular_normal_miss_matches_the_closed_form():
    """Gaussian damage over a Rayleigh miss: E[Pk] = pk_max·R²/(R² + σ²), R = r_lethal·√v."""
    from iadsim.flyout.lethality import expected_pk_of_sigma

    for sigma, r, v in [(1.0, 15.0, 1.0), (5.0, 10.0, 0.25), (20.0, 15.0, 0.6)]:
        want = 0.9 * r * r * v / (r * r * v + sigma * sigma)
        assert expected_pk_of_sigma(sigma, r, 0.9, False, v) == pytest.approx(want, rel=1e-4)
    # hit-to-kill: a perfect loop keeps pk_max; a 1 m loop against a 0.6 m body mostly misses
    assert expected_pk_of_sigma(0.0, 0.6, 0.9, True) == pytest.approx(0.9)
    assert expected_pk_of_sigma(1.0, 0.6, 0.9, True) < 0.3


def test_pac3_mse_is_hit_to_kill_body_to_body():
    from iadsim.flyout.params import load_interceptor_params

    p = load_interceptor_params("PAC-3-MSE")
    assert p.warhead_kind == "hit_to_kill" and 0.5 <= p.lethal_radius_m <= 1.0
    assert p_kill(1.0, p.lethal_radius_m, p.pk_max, True) < 0.02 * p.pk_max
    assert p_kill(2.0, p.lethal_radius_m, p.pk_max, True) < 1e-6


def test_expected_pk_is_the_kill_draw_model_over_the_homing_loops_miss():
    """C2's Pk: the same damage function and vulnerability as the kill draw, over the miss of
    the missile's own homing loop (sigma from flying it); a hardened re-entry vehicle is
    killed less often than an aircraft by a blast-fragmentation warhead."""
    from iadsim.flyout.lethality import class_vulnerability, expected_pk, expected_pk_of_sigma, miss_sigma_m
    from iadsim.flyout.params import load_interceptor_params

    vul = class_vulnerability()
    assert vul["ballistic"] < vul["cruise_missile"] < vul["aircraft"] == 1.0
    for name in ("48N6E3", "PAC-3-MSE"):
        p = load_interceptor_params(name)
        sig = miss_sigma_m(name)
        assert all(0.0 < s < p.seeker_glint_m * 5 + 1.0 for s in sig.values())  # metres, not zero
        for c, s in sig.items():
            assert expected_pk(name, c) == expected_pk_of_sigma(
                s, p.lethal_radius_m, p.pk_max, p.warhead_kind == "hit_to_kill", vul[c])
            assert 0.0 < expected_pk(name, c) <= p.pk_max
    assert expected_pk("48N6E3", "ballistic") < expected_pk("48N6E3", "aircraft")
