"""Engagement envelope: fly the real flyout model against straight-flying targets.

For each target altitude and aspect, a batch of trial engagements (all flown at once by
:func:`iadsim.flyout.kinematics.advance_interceptors`) varies the target's range at launch;
a trial succeeds when the closest approach gives Pk ≥ pk_max/2 on the missile's lethality
curve. The envelope reports the largest and smallest *intercept* ground range (launcher to
the closest-approach point, along the earth) among successes, and the *gaps*: spans between
them where trials failed (a reach that is not one interval, as lofted trajectories can give
against low targets). A coarse sweep is refined with a second, finer sweep inside the brackets
where success starts and stops, and a third inside each gap; gaps are found on the trials
flown, so a gap narrower than the sweeps' spacing can go unseen.

Targets fly at constant altitude, speed and heading (great circles on the flyout sphere):
approaching flies straight at the launcher, receding straight away, crossing passes abeam
at the trial range, started so as to arrive abeam after about the missile's flight time.
Guidance uses the true target state (a perfect track); the launcher is at the origin on
the ground, and launches at t = 0. Rows are independent, so results do not depend on
which trials share a batch.
"""

import json
import time
from dataclasses import dataclass, replace

import numpy as np

from iadsim.flyout.kinematics import REASON_CPA, advance_interceptors
from iadsim.flyout.params import InterceptorParams, InterceptorTable
from iadsim.flyout.state import FlyoutEnv, TargetStates, launch_interceptors

ASPECTS = ("approaching", "crossing", "receding")
DEFAULT_ALTITUDES_M = (100.0, 250.0, 500.0, 750.0, 1_000.0, 1_500.0, 2_000.0, 3_000.0, 4_000.0,
                       5_000.0, 6_000.0, 8_000.0, 10_000.0, 12_000.0, 14_000.0, 16_000.0,
                       18_000.0, 20_000.0, 25_000.0, 30_000.0)  # 20 target altitudes


@dataclass(frozen=True, slots=True)
class Envelope:
    """Intercept-range envelope of one missile against one target speed.

    max_range_m, min_range_m: (n_altitudes, n_aspects) ground range launcher → intercept
    point, NaN where no trial succeeded. max_flight_time_s: (n_alt, n_asp) longest flight
    among successes. gaps_m: per altitude, per aspect, the ``(from_m, to_m)`` intercept ranges
    of the successes on either side of each run of failed trials between min and max.
    """

    missile: str
    target_speed_mps: float
    altitudes_m: np.ndarray
    aspects: tuple
    max_range_m: np.ndarray
    min_range_m: np.ndarray
    max_flight_time_s: np.ndarray
    n_trials: int
    compute_time_s: float
    gaps_m: tuple = ()

    @property
    def has_gaps(self) -> bool:
        """True if the reach is not one interval for some altitude and aspect."""
        return any(cell for row in self.gaps_m for cell in row)

    @property
    def max_range_km(self) -> float:
        """Longest approaching-target intercept range over all altitudes, km."""
        col = self.max_range_m[:, self.aspects.index("approaching")]
        return float(np.nanmax(col)) / 1000.0 if np.any(np.isfinite(col)) else float("nan")

    @property
    def best_altitude_m(self) -> float:
        """Target altitude giving :attr:`max_range_km`."""
        col = self.max_range_m[:, self.aspects.index("approaching")]
        return float(self.altitudes_m[np.nanargmax(col)])


@dataclass(frozen=True, slots=True)
class _Trials:
    """Trial geometry: target on the great circle c + ρ(cos s·u1 + sin s·u2), s = s0 + w·t."""

    u1: np.ndarray
    u2: np.ndarray
    rho_m: np.ndarray
    s0_rad: np.ndarray
    w_radps: np.ndarray

    def state(self, t_s, centre):
        s = self.s0_rad + self.w_radps * t_s
        c, sn = np.cos(s)[:, None], np.sin(s)[:, None]
        radial = c * self.u1 + sn * self.u2
        tangent = -sn * self.u1 + c * self.u2
        rw = (self.rho_m * self.w_radps)[:, None]
        return (centre + self.rho_m[:, None] * radial, rw * tangent,
                -(rw * self.w_radps[:, None]) * radial)


def _build_trials(alt_m, aspect_idx, range_m, speed_mps, lead_speed_mps, env):
    """Trial geometries for arrays of altitude, aspect index and range parameter (n,)."""
    r_e = env.earth_radius_m
    rho = r_e + alt_m
    w = speed_mps / rho
    ang = range_m / r_e
    up = np.array([0.0, 0.0, 1.0])
    north = np.array([0.0, 1.0, 0.0])
    east = np.array([1.0, 0.0, 0.0])
    n = alt_m.size
    abeam = np.cos(ang)[:, None] * up + np.sin(ang)[:, None] * north
    crossing = aspect_idx == ASPECTS.index("crossing")
    u1 = np.where(crossing[:, None], abeam, up)
    u2 = np.where(crossing[:, None], east, north)
    lead_rad = speed_mps * (range_m / lead_speed_mps) / rho
    s0 = np.where(crossing, -lead_rad, ang)
    w_signed = np.where(aspect_idx == ASPECTS.index("approaching"), -w, w)
    return _Trials(u1, u2, rho, s0, np.broadcast_to(w_signed, (n,)).astype(float))


def fly_trials(params: InterceptorParams, trials: _Trials, env: FlyoutEnv, dt_s=0.05,
               seed=0):
    """Fly one interceptor per trial from the origin; per-trial outcome arrays (n,).

    Returns dict with miss_m, p_kill, t_cpa_s, ground_range_m (of the CPA point), success.
    The reach is kinematic: the homing loop flies ideal (no seeker noise, no lag), so a
    trial's outcome does not hang on a random draw shared with the other trials; the end
    game's miss distribution belongs to the lethality model (:mod:`iadsim.flyout.lethality`).
    """
    params = replace(params, seeker_glint_m=0.0, seeker_thermal_noise_rad=0.0,
                     guidance_time_constant_s=0.0)
    table = InterceptorTable.from_params([params])
    n = trials.rho_m.size
    centre = env.earth_centre_enu_m
    tgt_pos, _, _ = trials.state(0.0, centre)
    state = launch_interceptors(table, np.zeros(n, np.int64), np.zeros((n, 3)), tgt_pos, env)
    rng = np.random.default_rng(seed)
    miss = np.full(n, np.nan)
    pk = np.zeros(n)
    t_cpa = np.full(n, np.nan)
    pos_cpa = np.full((n, 3), np.nan)
    rows = np.arange(n)
    sub = trials
    t_s = 0.0
    while rows.size:
        p, v, a = sub.state(t_s, centre)
        state, out = advance_interceptors(state, table, TargetStates(p, v, a), t_s, dt_s, rng,
                                          env)
        t_s += dt_s
        hit = out.reason == REASON_CPA
        miss[rows[hit]] = out.miss_m[hit]
        pk[rows[hit]] = out.p_kill[hit]
        t_cpa[rows[hit]] = out.t_cpa_s[hit]
        pos_cpa[rows[hit]] = out.pos_cpa_enu_m[hit]
        if not state.alive.all():  # compact: keep only rows still flying
            keep = np.flatnonzero(state.alive)
            state, rows = state.take(keep), rows[keep]
            sub = _Trials(*(getattr(sub, f)[keep] for f in sub.__slots__))
    radial = (pos_cpa - centre) / np.linalg.norm(pos_cpa - centre, axis=1, keepdims=True)
    ground = env.earth_radius_m * np.arccos(np.clip(radial[:, 2], -1.0, 1.0))
    success = np.isfinite(miss) & (pk >= 0.5 * params.pk_max)
    return {"miss_m": miss, "p_kill": pk, "t_cpa_s": t_cpa, "ground_range_m": ground,
            "success": success}


def _sweep(params, env, alt, asp, rng_param, speed, lead, dt_s):
    trials = _build_trials(alt, asp, rng_param, speed, lead, env)
    return fly_trials(params, trials, env, dt_s)


def compute_envelope(params: InterceptorParams, target_speed_mps=250.0,
                     altitudes_m=DEFAULT_ALTITUDES_M, aspects=ASPECTS, *, n_coarse=28,
                     n_refine=8, dt_s=0.05, env: FlyoutEnv | None = None) -> Envelope:
    """Max/min intercept range vs target altitude and aspect, from the flyout model.

    params: the missile. target_speed_mps: straight-flying target speed. altitudes_m:
    target altitudes (m above the sphere). aspects: subset of ASPECTS. n_coarse: trial
    ranges per (altitude, aspect) in the first sweep; n_refine: trials inside each bracket
    of the second sweep. dt_s: flyout step. Returns an :class:`Envelope`.
    """
    t0 = time.perf_counter()
    env = FlyoutEnv.local_sphere() if env is None else env
    alts = np.asarray(altitudes_m, float)
    bad = [a for a in aspects if a not in ASPECTS]
    if bad:
        raise ValueError(f"aspects: {bad} not in {ASPECTS}")
    if target_speed_mps <= 0.0:
        raise ValueError(f"target_speed_mps must be > 0, got {target_speed_mps}")
    asp_idx = np.array([ASPECTS.index(a) for a in aspects])
    reach_m = max(params.public_max_range_m, params.midcourse_speed_mps *
                  params.max_flight_time_s * 0.5)
    top_m = 1.6 * reach_m + target_speed_mps * params.max_flight_time_s
    grid = np.unique(np.concatenate([np.geomspace(500.0, 0.06 * top_m, 8),
                                     np.linspace(0.06 * top_m, top_m, n_coarse - 8)]))
    n_c, n_a, n_g = alts.size, asp_idx.size, grid.size
    alt_b, asp_b, rng_b = (x.ravel() for x in np.meshgrid(alts, asp_idx, grid, indexing="ij"))
    lead = params.midcourse_speed_mps
    res = _sweep(params, env, alt_b, asp_b, rng_b, target_speed_mps, lead, dt_s)
    ok = res["success"].reshape(n_c, n_a, n_g)

    # refine: n_refine points inside the brackets around the first and last success
    lo_a, hi_a = [], []
    for i in range(n_c):
        for j in range(n_a):
            k = np.flatnonzero(ok[i, j])
            if k.size == 0:
                lo_a.append((np.nan, np.nan)); hi_a.append((np.nan, np.nan))
                continue
            lo_a.append((grid[k[0] - 1] if k[0] > 0 else 0.0, grid[k[0]]))
            hi_a.append((grid[k[-1]], grid[k[-1] + 1] if k[-1] + 1 < n_g else grid[k[-1]]))
    frac = np.linspace(0.0, 1.0, n_refine + 2)[1:-1]
    br = np.array(lo_a + hi_a)  # (2 n_c n_a, 2)
    ref_rng = (br[:, :1] + frac[None, :] * (br[:, 1:] - br[:, :1])).ravel()
    ref_alt = np.tile(np.repeat(alt_b.reshape(n_c, n_a, n_g)[:, :, 0].ravel(), n_refine), 2)
    ref_asp = np.tile(np.repeat(asp_b.reshape(n_c, n_a, n_g)[:, :, 0].ravel(), n_refine), 2)
    fin = np.isfinite(ref_rng)
    res2 = {k: np.full(ref_rng.size, np.nan) for k in ("ground_range_m", "t_cpa_s")}
    res2["success"] = np.zeros(ref_rng.size, bool)
    if fin.any():
        r2 = _sweep(params, env, ref_alt[fin], ref_asp[fin], ref_rng[fin], target_speed_mps,
                    lead, dt_s)
        for k in res2:
            res2[k][fin] = r2[k]

    ground = np.concatenate([res["ground_range_m"], res2["ground_range_m"]])
    tof = np.concatenate([res["t_cpa_s"], res2["t_cpa_s"]])
    succ = np.concatenate([res["success"], res2["success"]])
    combo = np.concatenate([(np.arange(alt_b.size) // n_g),
                            np.tile(np.repeat(np.arange(n_c * n_a), n_refine), 2)])
    trial_rng = np.concatenate([rng_b, ref_rng])
    # refine the gaps: n_refine trials inside each span of launch ranges that failed between successes
    g_rng, g_combo = [], []
    for c in range(n_c * n_a):
        sel = combo == c
        for lo, hi in reach_gaps(trial_rng[sel], succ[sel], trial_rng[sel]):
            g_rng.append(lo + frac * (hi - lo))
            g_combo.append(np.full(n_refine, c))
    if g_rng:
        g_rng, g_combo = np.concatenate(g_rng), np.concatenate(g_combo)
        flat_alt, flat_asp = alt_b.reshape(n_c * n_a, n_g)[:, 0], asp_b.reshape(n_c * n_a, n_g)[:, 0]
        r3 = _sweep(params, env, flat_alt[g_combo], flat_asp[g_combo], g_rng, target_speed_mps, lead, dt_s)
        trial_rng = np.concatenate([trial_rng, g_rng])
        succ = np.concatenate([succ, r3["success"]])
        ground = np.concatenate([ground, r3["ground_range_m"]])
        tof = np.concatenate([tof, r3["t_cpa_s"]])
        combo = np.concatenate([combo, g_combo])

    g_ok = np.where(succ, ground, np.nan)
    t_ok = np.where(succ, tof, np.nan)
    max_r = np.full(n_c * n_a, np.nan)
    min_r = np.full(n_c * n_a, np.nan)
    max_t = np.full(n_c * n_a, np.nan)
    gaps = []
    for c in range(n_c * n_a):
        sel = combo == c
        if np.any(np.isfinite(g_ok[sel])):
            max_r[c] = np.nanmax(g_ok[sel])
            min_r[c] = np.nanmin(g_ok[sel])
            max_t[c] = np.nanmax(t_ok[sel])
        gaps.append(reach_gaps(trial_rng[sel], succ[sel], ground[sel]))
    gaps_m = tuple(tuple(gaps[i * n_a:(i + 1) * n_a]) for i in range(n_c))
    return Envelope(params.name, float(target_speed_mps), alts, tuple(aspects),
                    max_r.reshape(n_c, n_a), min_r.reshape(n_c, n_a),
                    max_t.reshape(n_c, n_a), int(alt_b.size + fin.sum() + len(g_rng)),
                    time.perf_counter() - t0, gaps_m)


def reach_gaps(trial_range_m, success, intercept_range_m) -> tuple:
    """Runs of failed trials between successes, in order of the target's range at launch.

    Each run gives ``(from_m, to_m)``: the intercept ranges of the successes just before and
    just after it. Trials with a NaN range (not flown) are ignored.
    """
    flown = np.isfinite(trial_range_m)
    order = np.argsort(trial_range_m[flown], kind="stable")
    ok = success[flown][order]
    rng = intercept_range_m[flown][order]
    k = np.flatnonzero(ok)
    if k.size < 2:
        return ()
    before = k[:-1][np.diff(k) > 1]  # a success followed by at least one failure, then a success
    after = k[1:][np.diff(k) > 1]
    return tuple((float(rng[a]), float(rng[b])) for a, b in zip(before, after))


def max_range_km(params: InterceptorParams, target_speed_mps=250.0,
                 altitudes_m=DEFAULT_ALTITUDES_M, **kw) -> float:
    """Approaching non-manoeuvring target, best altitude: the missile's max intercept range."""
    return compute_envelope(params, target_speed_mps, altitudes_m, ("approaching",),
                            **kw).max_range_km


def envelope_to_json(env: Envelope) -> str:
    """JSON text of an envelope: km for ranges, NaN written as null."""
    def km(a):
        return [[None if not np.isfinite(x) else round(float(x) / 1000.0, 3) for x in row]
                for row in a]
    return json.dumps({
        "missile": env.missile,
        "target_speed_mps": env.target_speed_mps,
        "altitudes_m": [float(a) for a in env.altitudes_m],
        "aspects": list(env.aspects),
        "max_range_km": km(env.max_range_m),
        "min_range_km": km(env.min_range_m),
        "gaps_km": [[[[round(a / 1000.0, 3), round(b / 1000.0, 3)] for a, b in cell] for cell in row]
                    for row in env.gaps_m],
        "max_range_approaching_km": (None if not np.isfinite(env.max_range_km)
                                     else round(env.max_range_km, 3)),
        "n_trials": env.n_trials,
        "compute_time_s": round(env.compute_time_s, 3),
    }, indent=2)


def plot_envelope(env: Envelope, path) -> None:
    """Write a PNG/SVG/PDF (by *path* suffix) of intercept range vs altitude per aspect.

    Only the computed altitudes are drawn (markers; gaps as bands at their altitude): no line
    joins two altitudes, which would draw reach that was never flown."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 4.5))
    alt_km = env.altitudes_m / 1000.0
    for j, asp in enumerate(env.aspects):  # computed points only: no lines between altitudes
        line, = ax.plot(env.max_range_m[:, j] / 1000.0, alt_km, ls="none", marker="o",
                        label=f"{asp} max")
        ax.plot(env.min_range_m[:, j] / 1000.0, alt_km, ls="none", marker="|", ms=9,
                color=line.get_color(), label=f"{asp} min")
        spans = [(alt_km[i], a / 1000.0, b / 1000.0) for i in range(alt_km.size) for a, b in env.gaps_m[i][j]]
        if spans:  # launches failed between these intercepts
            y, x0, x1 = zip(*spans)
            ax.hlines(y, x0, x1, color=line.get_color(), lw=6, alpha=0.3, label=f"{asp} gap")
    ax.set_xlabel("intercept ground range (km)")
    ax.set_ylabel("target altitude (km)")
    ax.set_title(f"{env.missile} envelope, target {env.target_speed_mps:.0f} m/s "
                 "(model, public-source fit)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
