"""End game: closest point of approach inside a step, and kill probability vs miss distance.

The closest point of approach (CPA) is found analytically inside each step, with the relative
motion taken as linear between the step's end points, so the miss distance does not depend on
the step length to first order (the same refinement-between-grid-points idea as
``skyfield.searchlib``; see style-anchors §7.4).

Lethality curves (smooth cookie-cutter forms, as in Ball, *The Fundamentals of Aircraft
Combat Survivability*, 2nd ed., §5.4 "the Carleton/Gaussian kill function"):

* blast-fragmentation: ``Pk = pk_max · exp(-½ (miss / r_lethal)²)`` — a Gaussian in the miss
  distance; Pk = pk_max/2 at miss ≈ 1.18 r_lethal.
* hit-to-kill: ``Pk = pk_max · 2^(-(miss / r_lethal)⁴)`` — flat near zero, half at r_lethal
  (≈ 1 m: body-to-body contact, possibly with a lethality enhancer), negligible beyond 1.7 r.
"""

import numpy as np


def cpa_in_step(rel_pos0_m, rel_pos1_m, dt_s):
    """Closest approach within a step of relative positions moving linearly.

    rel_pos0_m, rel_pos1_m: (n, 3) m, missile − target at the step start and end.
    Returns (tau_s, miss_m, closing0): time of CPA after the step start, clipped to
    [0, dt_s] (n,); distance at that time (n,); and whether the range was closing at the
    step start (n,) bool. The CPA lies strictly inside the step, i.e. the range stops
    closing within it, when ``closing0 & (tau_s < dt_s)``.
    """
    vr = (rel_pos1_m - rel_pos0_m) / dt_s
    vr2 = np.einsum("ij,ij->i", vr, vr)
    rv = np.einsum("ij,ij->i", rel_pos0_m, vr)
    tau = np.clip(-rv / np.maximum(vr2, 1e-300), 0.0, dt_s)
    d = rel_pos0_m + vr * tau[:, None]
    return tau, np.sqrt(np.einsum("ij,ij->i", d, d)), rv < 0.0


def p_kill_blast_frag(miss_m, lethal_radius_m, pk_max=1.0):
    """Gaussian blast-fragmentation lethality, Pk(miss) (see module docstring)."""
    x = np.asarray(miss_m, float) / lethal_radius_m
    return pk_max * np.exp(-0.5 * x * x)


def p_kill_hit_to_kill(miss_m, lethal_radius_m, pk_max=1.0):
    """Hit-to-kill lethality: pk_max near zero miss, half at *lethal_radius_m*, then steep."""
    x = np.asarray(miss_m, float) / lethal_radius_m
    return pk_max * np.exp2(-(x * x) ** 2)


def p_kill(miss_m, lethal_radius_m, pk_max, is_hit_to_kill):
    """Kill probability for mixed warheads; all arguments broadcast, (n,)."""
    return np.where(is_hit_to_kill, p_kill_hit_to_kill(miss_m, lethal_radius_m, pk_max),
                    p_kill_blast_frag(miss_m, lethal_radius_m, pk_max))
