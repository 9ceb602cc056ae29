"""End game: closest point of approach inside a step, and kill probability vs miss distance.

The closest point of approach (CPA) is found analytically inside each step, with the relative
motion taken as linear between the step's end points, so the miss distance does not depend on
the step length to first order (the same refinement-between-grid-points idea as
``skyfield.searchlib``; see style-anchors §7.4).

Lethality curves (smooth cookie-cutter forms, as in Ball, *The Fundamentals of Aircraft
Combat Survivability*, 2nd ed., §5.4 "the Carleton/Gaussian kill function"), with the target's
vulnerability v in (0, 1] (catalog ``threats.yaml``, per threat class):

* blast-fragmentation: ``Pk = pk_max · exp(-½ (miss / (r_lethal·√v))²)`` — a Gaussian in the
  miss distance; Pk = pk_max/2 at miss ≈ 1.18 r_lethal√v. Why √v: the fragment density falls
  as 1/miss², so the expected number of lethal hits on a vulnerable area A_v goes as A_v/miss²;
  a target whose vulnerable area is v times the reference target's (an aircraft, v = 1) is
  killed as often at √v times the distance.
* hit-to-kill: ``Pk = pk_max · 2^(-(miss / r_lethal)⁴)`` — flat near zero, half at r_lethal
  (≈ 0.5–1 m: body-to-body contact, possibly with a lethality enhancer), negligible beyond
  1.7 r. The vulnerability does not enter: a body-to-body impact at kilometres per second
  delivers far more energy than any target class's hardening resists.

:func:`iadsim.flyout.lethality.expected_pk` integrates these over the homing loop's miss, for
the assignment.
"""

import numpy as np


def cpa_in_step(rel_pos0_m, rel_pos1_m, dt_s):
    """Closest approach within a step of relative positions moving linearly.

    rel_pos0_m, rel_pos1_m: missile − target at the step start and end, (n, 3) arrays or
    V3 tuples of (n,) arrays, m. Returns (tau_s, miss_m, closing0): time of CPA after the
    step start, clipped to [0, dt_s] (n,); distance at that time (n,); and whether the
    range was closing at the step start (n,) bool. The CPA lies strictly inside the step,
    i.e. the range stops closing within it, when ``closing0 & (tau_s < dt_s)``.
    """
    if not isinstance(rel_pos0_m, tuple):
        rel_pos0_m = tuple(np.asarray(rel_pos0_m, float).T)
        rel_pos1_m = tuple(np.asarray(rel_pos1_m, float).T)
    inv_dt = 1.0 / dt_s
    vr = tuple((b - a) * inv_dt for a, b in zip(rel_pos0_m, rel_pos1_m))
    vr2 = vr[0] * vr[0] + vr[1] * vr[1] + vr[2] * vr[2]
    rv = rel_pos0_m[0] * vr[0] + rel_pos0_m[1] * vr[1] + rel_pos0_m[2] * vr[2]
    tau = np.clip(-rv / np.maximum(vr2, 1e-300), 0.0, dt_s)
    d2 = sum((a + v * tau) ** 2 for a, v in zip(rel_pos0_m, vr))
    return tau, np.sqrt(d2), rv < 0.0


def p_kill_blast_frag(miss_m, lethal_radius_m, pk_max=1.0, vulnerability=1.0):
    """Gaussian blast-fragmentation lethality, Pk(miss) (see module docstring)."""
    x = np.asarray(miss_m, float) / (lethal_radius_m * np.sqrt(vulnerability))
    return pk_max * np.exp(-0.5 * x * x)


def p_kill_hit_to_kill(miss_m, lethal_radius_m, pk_max=1.0):
    """Hit-to-kill lethality: pk_max near zero miss, half at *lethal_radius_m*, then steep."""
    x = np.asarray(miss_m, float) / lethal_radius_m
    return pk_max * np.exp2(-(x * x) ** 2)


def p_kill(miss_m, lethal_radius_m, pk_max, is_hit_to_kill, vulnerability=1.0):
    """Kill probability for mixed warheads against targets of the given vulnerability; all
    arguments broadcast, (n,)."""
    return np.where(is_hit_to_kill, p_kill_hit_to_kill(miss_m, lethal_radius_m, pk_max),
                    p_kill_blast_frag(miss_m, lethal_radius_m, pk_max, vulnerability))
