"""The engine's flyout stage: the 3-DOF interceptor model wired to the kill chain.

The engine sees only :meth:`FlyoutStage.launch`, :meth:`FlyoutStage.advance` and
:attr:`FlyoutStage.icpt` (what the recorder samples).

* **Parameters**: one :class:`~iadsim.flyout.params.InterceptorTable` for the scenario's
  missiles (catalog names in ``world.weapons.name``, flyout figures in ``interceptors.yaml``).
* **Earth**: the sphere osculating the WGS-84 ellipsoid at the scenario origin (Gaussian
  radius √(MN), centre on the origin's ellipsoid normal), so that the flyout's altitude matches
  the ellipsoidal height to ~1.5 m at 100 km from the origin (a sphere about the earth's centre
  is off by up to 21 km × Δlatitude, which would put a 50 m cruise missile underground);
  gravity points to that centre. The ground (interceptors below it crash) is the scenario
  ground less ``GROUND_MARGIN_M``.
* **Launch** aims at the predicted intercept point from the unit's track (truth if the unit
  holds no estimate).
* **Guidance inputs**, at every sub-step: the seeker and the closest-approach test use the
  target's truth (position, velocity, acceleration, exact from the threat templates); midcourse
  guidance uses the unit's track estimate at the engine step, extrapolated at constant velocity
  over the step; a track the unit no longer holds is replaced by the last estimate,
  extrapolated, and failing that by the truth.
* **Sub-steps**: the model is integrated in sub-steps from ``SUBSTEP_LADDER_S`` — the longest
  that is at most a tenth of the shortest time to go, ends inside the engine step and starts on
  a multiple of itself — so the same physics is flown whatever the engine step (the sub-step
  grid is absolute time), and the end game is flown at 0.05 s.
* **Outcomes**: a kill draw at the closest approach (Pk from the miss distance per warhead,
  :mod:`iadsim.flyout.endgame`), or a miss: passed (CPA) without a kill, self-destruct
  (``timeout``, ``low_speed``), ``ground`` impact, or ``target_lost`` (its threat was killed or
  leaked, or its route ended). A round fired at a false-alarm track flies on the track estimate
  and ends as a ``false_target`` miss (or self-destructs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from iadsim import threats as threat_motion
from iadsim.constants import WGS84_A_M, WGS84_F
from iadsim.flyout.guidance import predicted_intercept_point, rows, v3
from iadsim.flyout.kinematics import REASON_CPA, REASON_NAMES, advance_interceptors
from iadsim.flyout.params import COL, InterceptorTable, load_interceptor_params
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates, launch_interceptors
from iadsim.state import World

LAUNCHER_HEIGHT_M = 5.0  # interceptors leave the rail this far above the unit's ground position
GROUND_MARGIN_M = 10.0  # sphere vs ellipsoid: < 2 m within 100 km of the origin, ~15 m at 300 km
SUBSTEP_LADDER_S = (0.5, 0.25, 0.1, 0.05)  # each divides 1 s and 0.5 s
SUBSTEPS_PER_TIME_TO_GO = 10.0
REASON_TARGET_LOST = "target_lost"
REASON_FALSE_TARGET = "false_target"  # closest approach to a false-alarm track's predicted position


@dataclass(frozen=True)
class Outcomes:
    """What happened to interceptors during one step (ids = indices into :attr:`FlyoutStage.icpt`)."""

    hit: np.ndarray
    miss: np.ndarray
    miss_distance_m: np.ndarray  # for hit and miss together, aligned with np.concatenate([hit, miss])
    t_cpa_s: np.ndarray  # aligned likewise: time of the closest approach, or of the self-destruct
    reached: np.ndarray  # per miss: True if it passed its target (CPA), False if it ended otherwise
    reason: np.ndarray = field(default_factory=lambda: np.zeros(0, object))  # per miss: cpa, timeout, ...
    pos_enu_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # aligned: where it ended
    p_kill: np.ndarray = field(default_factory=lambda: np.zeros(0))  # aligned: Pk of the kill draw (0: none)

    @classmethod
    def empty(cls) -> "Outcomes":
        z = np.zeros(0)
        return cls(z.astype(int), z.astype(int), z, z, z.astype(bool))


@dataclass
class InterceptorRecord:
    """Every interceptor launched in the run, one row per id (what the recorder samples)."""

    id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    unit_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    weapon_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    track_id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    truth_id: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    pos_enu_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    est_pos_enu_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # last track estimate held
    est_vel_enu_mps: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    est_t_s: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def append(self, **cols) -> None:
        for name, value in cols.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(value, getattr(self, name).dtype)]))


def osculating_env(origin, ground_alt_m: float) -> FlyoutEnv:
    """Flyout earth: the sphere osculating the WGS-84 ellipsoid at the origin (see module doc)."""
    e2 = WGS84_F * (2.0 - WGS84_F)
    w2 = 1.0 - e2 * np.sin(origin.lat_rad) ** 2
    radius = WGS84_A_M * np.sqrt(1.0 - e2) / w2  # √(M·N), M = a(1-e²)/w³, N = a/w
    return FlyoutEnv(np.array([0.0, 0.0, -(radius + origin.alt_hae_m)]), float(radius), ground_alt_m - GROUND_MARGIN_M)


class FlyoutStage:
    def __init__(self, world: World):
        self.world = world
        names = list(dict.fromkeys(world.weapons.name))
        self.table = InterceptorTable.from_params([load_interceptor_params(n) for n in names])
        self.kind_of_weapon = np.array([names.index(n) for n in world.weapons.name], np.int64)
        self.env = osculating_env(world.origin, world.ground_alt_m)
        self.flying = Interceptors.empty()
        self.icpt = InterceptorRecord()

    def launch(self, t_s: float, launch, tracking=None) -> tuple[np.ndarray, np.ndarray]:
        """Put ``launch.n`` interceptors in the air aimed at the predicted intercept point; return
        (ids, launch position ENU)."""
        n, u = launch.n, launch.unit
        base = self.world.units.pos_enu_m[u]
        start = base + LAUNCHER_HEIGHT_M * self.env.up_enu(base)
        truth = np.array([launch.truth_id])
        est_p, est_v, held = self._estimates(t_s, np.array([u]), np.array([launch.track_id]), tracking)
        if not held[0]:  # no estimate: the truth, or (a false track) straight up
            tp, tv, _, _ = threat_motion.kinematics(self.world.threats, t_s, np.maximum(truth, 0))
            est_p, est_v = (tp, tv) if launch.truth_id >= 0 else (start[None] + [0.0, 0.0, 10_000.0], np.zeros((1, 3)))
        kind = np.full(n, self.kind_of_weapon[launch.weapon])
        speed = self.table.scalars[kind[:1], COL["midcourse_speed_mps"]]
        pip, _ = predicted_intercept_point(v3(start[None]), v3(est_p), v3(est_v), speed)
        ids = self.icpt.id.size + np.arange(n)
        self.flying = self.flying.concat(launch_interceptors(self.table, kind, start, rows(pip)[0], self.env, ids))
        self.icpt.append(id=ids, unit_idx=np.full(n, u), weapon_idx=np.full(n, launch.weapon),
                         track_id=np.full(n, launch.track_id), truth_id=np.full(n, launch.truth_id),
                         pos_enu_m=np.repeat(start[None], n, 0), alive=np.ones(n, bool),
                         est_pos_enu_m=np.repeat(est_p, n, 0), est_vel_enu_mps=np.repeat(est_v, n, 0),
                         est_t_s=np.full(n, t_s))
        return ids, start

    def advance(self, t_s: float, dt_s: float, threats, rng: np.random.Generator, tracking=None) -> Outcomes:
        """Fly every live interceptor over [t_s, t_s + dt_s] and resolve intercepts inside the step."""
        if self.flying.n == 0:
            return Outcomes.empty()
        rec = self.icpt
        ids = self.flying.id
        tgt = rec.truth_id[ids]
        real = np.maximum(tgt, 0)
        lost = (tgt >= 0) & ~(threats.alive[real] & threats.active[real])
        results = [self._lost(ids[lost], t_s)] if lost.any() else []
        if lost.any():
            self.flying = self.flying.take(np.flatnonzero(~lost))
        self._update_estimates(t_s, tracking)
        t_sub, t_end = t_s, t_s + dt_s
        while self.flying.n and t_sub < t_end - 1e-9:
            truth = self._target_truth(t_sub)
            h = self._substep(t_sub, t_end, truth)
            results.append(self._fly(t_sub, h, rng, truth))
            t_sub += h
        rec.pos_enu_m[self.flying.id] = self.flying.pos_enu_m
        return _merge(results)

    # --- internals -------------------------------------------------------------------------

    def _estimates(self, t_s, unit_idx, track_id, tracking):
        """Track estimates (pos, vel) of the given (unit, track) pairs at t_s and whether held."""
        k = unit_idx.size
        pos, vel, held = np.zeros((k, 3)), np.zeros((k, 3)), np.zeros(k, bool)
        if tracking is None:
            return pos, vel, held
        for u in np.unique(unit_idx):
            trk = tracking.tracks(int(u), t_s)
            mine = np.flatnonzero(unit_idx == u)
            if trk.id.size == 0:
                continue
            order = np.argsort(trk.id)
            j = np.clip(np.searchsorted(trk.id, track_id[mine], sorter=order), 0, trk.id.size - 1)
            hit = trk.id[order[j]] == track_id[mine]
            sel = mine[hit]
            pos[sel], vel[sel], held[sel] = trk.pos_enu_m[order[j[hit]]], trk.vel_enu_mps[order[j[hit]]], True
        return pos, vel, held

    def _update_estimates(self, t_s, tracking):
        rec, ids = self.icpt, self.flying.id
        pos, vel, held = self._estimates(t_s, rec.unit_idx[ids], rec.track_id[ids], tracking)
        sel = ids[held]
        rec.est_pos_enu_m[sel], rec.est_vel_enu_mps[sel], rec.est_t_s[sel] = pos[held], vel[held], t_s

    def _substep(self, t_sub, t_end, truth):
        """Longest ladder step ≤ time-to-go / 10 that starts on its own grid and ends by t_end."""
        st = self.flying
        tp, tv, _ = truth
        rel = tp - st.pos_enu_m
        rng_m = np.linalg.norm(rel, axis=1)
        closing = -np.sum(rel * (tv - st.vel_enu_mps), axis=1) / np.maximum(rng_m, 1e-9)
        t_go = np.min(rng_m / np.maximum(closing, 100.0))
        for h in SUBSTEP_LADDER_S:
            on_grid = abs(t_sub / h - round(t_sub / h)) < 1e-6
            if h <= t_go / SUBSTEPS_PER_TIME_TO_GO + 1e-9 and on_grid and t_sub + h <= t_end + 1e-9:
                return h
        return min(SUBSTEP_LADDER_S[-1], t_end - t_sub)

    def _fly(self, t_sub, h, rng, truth):
        rec, st = self.icpt, self.flying
        tp, tv, ta = truth
        est_p = self._estimate_at(t_sub)
        new, out = advance_interceptors(st, self.table, TargetStates(tp, tv, ta, est_p, rec.est_vel_enu_mps[st.id]),
                                        t_sub, h, rng, self.env, augmented=False)
        done = np.flatnonzero(out.resolved)
        self.flying = new.take(np.flatnonzero(new.alive)) if done.size else new
        if not done.size:
            return None
        ids = st.id[done]
        rec.alive[ids] = False
        cpa = out.reason[done] == REASON_CPA
        false_target = rec.truth_id[ids] < 0  # a track on a false alarm: nothing there to kill
        rec.pos_enu_m[ids] = np.where(cpa[:, None], out.pos_cpa_enu_m[done], new.pos_enu_m[done])
        reason = np.array([REASON_NAMES[r] for r in out.reason[done]], object)
        reason[cpa & false_target] = REASON_FALSE_TARGET
        return dict(id=ids, killed=out.killed[done] & ~false_target, reason=reason,
                    miss_m=np.where(cpa, out.miss_m[done], new.min_range_m[done]),
                    t_s=np.where(cpa, out.t_cpa_s[done], t_sub + h), pos=rec.pos_enu_m[ids], p_kill=out.p_kill[done])

    def _estimate_at(self, t_s):
        """Midcourse estimate of every flying row at t_s: the last held estimate, extrapolated."""
        rec, ids = self.icpt, self.flying.id
        return rec.est_pos_enu_m[ids] + (t_s - rec.est_t_s[ids])[:, None] * rec.est_vel_enu_mps[ids]

    def _target_truth(self, t_s):
        """Truth (pos, vel, acc) of every flying row's target at t_s; a false track's target is its
        own extrapolated estimate (a phantom that can be approached but not killed)."""
        tgt = self.icpt.truth_id[self.flying.id]
        tp, tv, ta, _ = threat_motion.kinematics(self.world.threats, t_s, np.maximum(tgt, 0))
        phantom = tgt < 0
        if phantom.any():
            tp[phantom] = self._estimate_at(t_s)[phantom]
            tv[phantom] = self.icpt.est_vel_enu_mps[self.flying.id[phantom]]
            ta[phantom] = 0.0
        return tp, tv, ta

    def _lost(self, ids, t_s):
        self.icpt.alive[ids] = False
        k = ids.size
        return dict(id=ids, killed=np.zeros(k, bool), reason=np.full(k, REASON_TARGET_LOST, object),
                    miss_m=np.full(k, np.nan), t_s=np.full(k, t_s), pos=self.icpt.pos_enu_m[ids], p_kill=np.zeros(k))


def _merge(results) -> Outcomes:
    parts = [r for r in results if r is not None]
    if not parts:
        return Outcomes.empty()
    c = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.concatenate([np.flatnonzero(c["killed"]), np.flatnonzero(~c["killed"])])
    n_hit = int(c["killed"].sum())
    miss = order[n_hit:]
    return Outcomes(hit=c["id"][order[:n_hit]], miss=c["id"][miss], miss_distance_m=c["miss_m"][order],
                    t_cpa_s=c["t_s"][order], reached=c["reason"][miss] == "cpa", reason=c["reason"][miss],
                    pos_enu_m=c["pos"][order], p_kill=c["p_kill"][order])
