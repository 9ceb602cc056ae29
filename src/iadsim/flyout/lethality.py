"""Single-shot kill probability of a missile against a threat class, from the end-game model.

The kill draw (:mod:`iadsim.flyout.kinematics`) uses Pk(miss) of :func:`iadsim.flyout.endgame.p_kill`
with the missile's warhead figures and the target class's vulnerability; the assignment (C2)
must use the same model, never a second number. :func:`expected_pk` is that model's expected
value before the shot:

    E[Pk] = ∫₀^∞ Pk(d) · (d/σ²)·exp(−d²/2σ²) dd

the damage function integrated over the predicted miss distance d, a circular normal miss
(Rayleigh distance) of per-axis σ. σ comes from the homing loop itself: :func:`miss_sigma_m`
flies the missile's terminal homing (:func:`~iadsim.flyout.kinematics.advance_interceptors`,
seeker noise and guidance lag included), head-on against a straight-flying target at the
class's speed, 64 times with a fixed seed, and takes σ² = mean(miss²)/2 (the
miss lies in the two axes normal to the line of sight). A non-manoeuvring target: C2 plans on
the loop's own dispersion; a threat's manoeuvre costs Pk in the kill draw, which flies the truth.

Vulnerability (``vulnerability`` per threat in ``catalog/threats.yaml``) enters the damage
function (see :func:`iadsim.flyout.endgame.p_kill`). The C2 knows a track's class, not which
threat it is, so the assignment plans on one value per class, the lowest of the class's catalog
threats (:func:`class_vulnerability`: the cautious planning figure); the kill draw uses the true
threat's own value, scenario overrides included.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np

from iadsim import catalog
from iadsim.c2.threat_eval import THREAT_CLASSES
from iadsim.flyout.endgame import p_kill
from iadsim.flyout.kinematics import REASON_CPA, advance_interceptors
from iadsim.flyout.params import InterceptorTable, load_interceptor_params
from iadsim.flyout.state import FlyoutEnv, TargetStates, launch_interceptors

N_FLIGHTS = 64
STEP_S = 0.01
ALT_M = 10_000.0


@cache
def class_vulnerability() -> dict[str, float]:
    """Vulnerability per threat class: the lowest ``vulnerability`` of the catalog threats of
    that ``kind`` (a class the catalog has no threat of: 1)."""
    out: dict[str, float] = {}
    for name in catalog.names("threats"):
        prof = catalog.profile("threats", name)
        if prof.get("class_reference") is False:  # iadsim.ea weapons and decoys: not a class's planning reference
            continue
        v = float(prof["vulnerability"]["value"])
        out[prof["kind"]] = min(out.get(prof["kind"], np.inf), v)
    return {c: out.get(c, 1.0) for c in THREAT_CLASSES}


@cache
def class_speed_mps() -> dict[str, float]:
    """Cruise speed per threat class: the fastest ``speed`` of the catalog threats of that kind."""
    out: dict[str, float] = {}
    for name in catalog.names("threats"):
        prof = catalog.profile("threats", name)
        if prof.get("class_reference") is False:
            continue
        out[prof["kind"]] = max(out.get(prof["kind"], 0.0), float(catalog.si(prof)["speed_mps"]))
    return {c: out.get(c, 250.0) for c in THREAT_CLASSES}


@cache
def miss_sigma_m(missile: str) -> dict[str, float]:
    """Per-axis σ (m) of the homing loop's miss against each threat class: 64 terminal homings
    of *missile* per class, head-on against a straight target at the class's speed (module
    doc), all classes flown in one batch. The homing starts at the seeker range or, if
    shorter, 10 time constants + 2 s before the intercept (the loop forgets its start within a
    few time constants), coasting at the missile's midcourse speed at 10 km."""
    p = load_interceptor_params(missile)
    table = InterceptorTable.from_params([p])
    env = FlyoutEnv.local_sphere()
    speeds = np.array([class_speed_mps()[c] for c in THREAT_CLASSES])
    n = N_FLIGHTS * speeds.size
    v_t = np.repeat(speeds, N_FLIGHTS)
    r0 = np.minimum(p.seeker_range_m, (p.midcourse_speed_mps + v_t) * (10.0 * p.guidance_time_constant_s + 2.0))
    start = np.array([0.0, 0.0, ALT_M])
    tgt0 = start + r0[:, None] * [0.0, 1.0, 0.0]
    s = launch_interceptors(table, np.zeros(n, np.int64), np.tile(start, (n, 1)), tgt0, env)
    burnt = p.boost_time_s + p.sustain_time_s
    s = dataclasses.replace(s, vel_enu_mps=np.tile([0.0, p.midcourse_speed_mps, 0.0], (n, 1)),
                            is_terminal=np.ones(n, bool), t_flight_s=np.full(n, burnt),
                            mass_kg=np.full(n, p.burnout_mass_kg))
    tgt_vel = np.c_[np.zeros(n), -v_t, np.zeros(n)]
    rng = np.random.default_rng(20_141)  # a fixed table, not a run's random draw
    miss = np.full(n, np.nan)
    rows = np.arange(n)
    t = 0.0
    while rows.size and t < 60.0:
        tgt = tgt0[rows] + t * tgt_vel[rows]
        s, out = advance_interceptors(s, table, TargetStates(tgt, tgt_vel[rows]), t, STEP_S, rng,
                                      env, augmented=False)
        done = out.reason == REASON_CPA
        miss[rows[done]] = out.miss_m[done]
        keep = np.flatnonzero(s.alive)
        s, rows = s.take(keep), rows[keep]
        t += STEP_S
    out_sigma = {}
    for c, m in zip(THREAT_CLASSES, miss.reshape(speeds.size, N_FLIGHTS)):
        ok = np.isfinite(m)
        if ok.sum() < N_FLIGHTS // 2:
            raise ValueError(f"{missile}: the canonical homing against {c} reached its target in "
                             f"{ok.sum()} of {N_FLIGHTS} flights; cannot predict its Pk")
        out_sigma[c] = float(np.sqrt(np.mean(m[ok] ** 2) / 2.0))
    return out_sigma


def expected_pk_of_sigma(sigma_m: float, lethal_radius_m: float, pk_max: float, is_hit_to_kill: bool,
                         vulnerability: float = 1.0) -> float:
    """E[Pk] of the damage function over a circular normal miss of per-axis σ (m)."""
    if sigma_m <= 0.0:
        return float(p_kill(0.0, lethal_radius_m, pk_max, is_hit_to_kill, vulnerability))
    d = np.linspace(0.0, 10.0 * sigma_m, 2001)
    dens = d / sigma_m ** 2 * np.exp(-0.5 * (d / sigma_m) ** 2)
    pk = p_kill(d, lethal_radius_m, pk_max, is_hit_to_kill, vulnerability)
    return float(np.trapezoid(pk * dens, d))


@cache
def expected_pk(missile: str, threat_class: str) -> float:
    """Expected single-shot Pk of catalog *missile* against a threat of *threat_class*
    (one of :data:`THREAT_CLASSES`), the kill draw's model integrated over the predicted miss."""
    p = load_interceptor_params(missile)
    sigma = miss_sigma_m(missile)[threat_class]
    return expected_pk_of_sigma(sigma, p.lethal_radius_m, p.pk_max, p.warhead_kind == "hit_to_kill",
                                class_vulnerability()[threat_class])


def expected_pk_table(missiles) -> np.ndarray:
    """(len(missiles), len(THREAT_CLASSES)) expected single-shot Pk, rows in *missiles* order."""
    return np.array([[expected_pk(str(m), c) for c in THREAT_CLASSES] for m in missiles], float)

