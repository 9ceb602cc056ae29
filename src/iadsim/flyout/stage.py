"""The engine's flyout stage: the 3-DOF interceptor model wired to the kill chain.

The engine sees only :class:`FlyoutRuns` (R runs of one scenario in lockstep; a single run is
a batch of one): :meth:`FlyoutRuns.launch`, :meth:`FlyoutRuns.advance` and
:meth:`FlyoutRuns.icpt` (what the recorder samples). Every run's interceptors are in one set of
arrays, and each run's outputs are bit for bit those it gets alone.

* **Parameters**: one :class:`~iadsim.flyout.params.InterceptorTable` for the scenario's
  missiles (catalog names in ``world.weapons.name``, flyout figures in the ``flyout`` key of ``catalog/missiles.yaml``).
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
  that is at most a tenth of the run's shortest time to go, ends inside the engine step and
  starts on a multiple of itself — so the same physics is flown whatever the engine step (the
  sub-step grid is absolute time), and the end game is flown at 0.05 s. Batched runs each keep
  their own sub-step clock (one step call flies every row from its own run's start and length).
* **Outcomes**: a kill draw at the closest approach (Pk from the miss distance per warhead and
  the threat's own vulnerability, overrides included, :mod:`iadsim.flyout.endgame`), or a miss: passed (CPA) without a kill, self-destruct
  (``timeout``, ``low_speed``), ``ground`` impact, or ``target_lost`` (its threat was killed or
  leaked, or its route ended). A round fired at a false-alarm track flies on the track estimate
  and ends as a ``false_target`` miss (or self-destructs).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from iadsim import threats as threat_motion
from iadsim.constants import WGS84_A_M, WGS84_F
from iadsim.flyout.guidance import predicted_intercept_point
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
    """What happened to one run's interceptors during one step (ids = indices into its
    :meth:`FlyoutRuns.icpt` record)."""

    hit: np.ndarray
    miss: np.ndarray
    miss_distance_m: np.ndarray  # for hit and miss together, aligned with np.concatenate([hit, miss])
    t_cpa_s: np.ndarray  # aligned likewise: time of the closest approach, or of the self-destruct
    reached: np.ndarray  # per miss: True if it passed its target (CPA), False if it ended otherwise
    reason: np.ndarray = field(default_factory=lambda: np.zeros(0, object))  # per miss: cpa, timeout, ...
    pos_enu_m: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # aligned: where it ended
    p_kill: np.ndarray = field(default_factory=lambda: np.zeros(0))  # aligned: Pk of the kill draw (0: none)
    closing_speed_mps: np.ndarray = field(default_factory=lambda: np.zeros(0))  # aligned: at the CPA (NaN: none)

    @classmethod
    def empty(cls) -> "Outcomes":
        z = np.zeros(0)
        return cls(z.astype(int), z.astype(int), z, z, z.astype(bool))


_NO_OUTCOMES = Outcomes.empty()  # shared: empty arrays, nothing to mutate (a step with nothing resolved)


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


@dataclass(frozen=True, slots=True)
class _Rows:
    """What each flying row belongs to and guides on, aligned with :attr:`FlyoutRuns.flying`.

    run: (n,) int64, non-decreasing (each run's rows are one block, in the single run's order).
    truth_id, unit_idx, track_id: copies of the run's record. est_pos_enu_m, est_vel_enu_mps
    (n, 3) m, m/s ENU and est_t_s (n,) s: the last track estimate held (kept equal to the
    record's), so that a sub-step gathers nothing run by run.
    """

    run: np.ndarray
    truth_id: np.ndarray
    unit_idx: np.ndarray
    track_id: np.ndarray
    est_pos_enu_m: np.ndarray
    est_vel_enu_mps: np.ndarray
    est_t_s: np.ndarray

    @classmethod
    def empty(cls) -> "_Rows":
        i, v = np.zeros(0, np.int64), np.zeros((0, 3))
        return cls(i, i, i, i, v, v, np.zeros(0))

    def take(self, idx) -> "_Rows":
        return _Rows(*(getattr(self, f)[idx] for f in self.__slots__))

    def concat(self, other: "_Rows") -> "_Rows":
        return _Rows(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in self.__slots__))


class _Blocks(NamedTuple):
    """Each run's block of rows in :attr:`FlyoutRuns.rows` (one entry per run with rows in flight)."""

    start: np.ndarray  # (b,) first row
    end: np.ndarray  # (b,) end row (exclusive)
    run: np.ndarray  # (b,) int64 run index
    length: np.ndarray  # (b,) rows
    runs: list  # run as a list of ints


class FlyoutRuns:
    """The flyout stage of R runs of one scenario: every run's interceptors in one set of arrays.

    Run r's outputs are bit for bit those of a batch of that run alone with the same inputs: its
    rows keep their single-run order (a block per run), every row operation is elementwise (the step takes each row's own sub-step start and length, so each run keeps its
    own sub-step clock) and each run draws its kills from its own generator, in its own order.
    Interceptor ids are run-local (0, 1, 2... per run).
    """

    def __init__(self, world: World, n_runs: int):
        self.world = world
        names = list(dict.fromkeys(world.weapons.name))
        self.table = InterceptorTable.from_params([load_interceptor_params(n) for n in names])
        self.kind_of_weapon = np.array([names.index(n) for n in world.weapons.name], np.int64)
        self.env = osculating_env(world.origin, world.ground_alt_m)
        self.vulnerability = np.asarray(world.threats.vulnerability, float)  # the threat's own, per threat
        self.n_runs = int(n_runs)
        self.flying = Interceptors.empty()
        self.rows = _Rows.empty()
        self.records = [InterceptorRecord() for _ in range(self.n_runs)]
        self._blocks_of = (None, None)  # (rows, their blocks)
        self._targets_of = (None, None, None)  # (rows, their threat rows, vulnerabilities)

    def icpt(self, r: int) -> InterceptorRecord:
        """Run r's record of every interceptor it launched (run-local ids)."""
        return self.records[r]

    def n_flying(self, r: int) -> int:
        """Interceptors of run r in flight."""
        return int(np.count_nonzero(self.rows.run == r))

    def launch(self, r: int, t_s: float, launch, tracking=None) -> tuple[np.ndarray, np.ndarray]:
        """Put ``launch.n`` interceptors of run r in the air aimed at the predicted intercept
        point (tracking: run r's view); return (run-local ids, launch position ENU m)."""
        n, u = launch.n, launch.unit
        base = self.world.units.pos_enu_m[u]
        start = base + LAUNCHER_HEIGHT_M * self.env.up_enu(base)
        truth = np.array([launch.truth_id])
        est_p, est_v, held = _estimates(t_s, np.array([u]), np.array([launch.track_id]), tracking)
        if not held[0]:  # no estimate: the truth, or (a false track) straight up
            tp, tv, _, _ = threat_motion.kinematics(self.world.threats, t_s, np.maximum(truth, 0))
            est_p, est_v = (tp, tv) if launch.truth_id >= 0 else (start[None] + [0.0, 0.0, 10_000.0], np.zeros((1, 3)))
        kind = np.full(n, self.kind_of_weapon[launch.weapon])
        speed = self.table.scalars[kind[:1], COL["midcourse_speed_mps"]]
        pip, _ = predicted_intercept_point(start[None], est_p, est_v, speed)
        rec = self.records[r]
        ids = rec.id.size + np.arange(n)
        new = launch_interceptors(self.table, kind, start, pip[0], self.env, ids)
        cols = dict(unit_idx=np.full(n, u), track_id=np.full(n, launch.track_id), truth_id=np.full(n, launch.truth_id),
                    est_pos_enu_m=np.repeat(est_p, n, 0), est_vel_enu_mps=np.repeat(est_v, n, 0),
                    est_t_s=np.full(n, t_s))
        new_rows = _Rows(run=np.full(n, r, np.int64), **{k: np.asarray(v, getattr(self.rows, k).dtype)
                                                         for k, v in cols.items()})
        at = int(np.searchsorted(self.rows.run, r, side="right"))  # the end of run r's block
        if at == self.flying.n:
            self.flying, self.rows = self.flying.concat(new), self.rows.concat(new_rows)
        else:
            head, tail = np.arange(at), np.arange(at, self.flying.n)
            self.flying = self.flying.take(head).concat(new).concat(self.flying.take(tail))
            self.rows = self.rows.take(head).concat(new_rows).concat(self.rows.take(tail))
        rec.append(id=ids, weapon_idx=np.full(n, launch.weapon), pos_enu_m=np.repeat(start[None], n, 0),
                   alive=np.ones(n, bool), **cols)
        return ids, start

    def advance(self, t_s: float, dt_s: float, threats: list, rngs: list, trackings: list) -> list:
        """Fly every run's live interceptors over [t_s, t_s + dt_s] and resolve intercepts inside
        the step; return each run's :class:`Outcomes` (run-local ids).

        threats[r]: run r's ThreatState (None: the run is over, its rows leave the batch);
        rngs[r]: its flyout stream (seeker noise, then kill draws, per sub-step in row order);
        trackings[r]: its tracking view (or None).
        """
        empty = _NO_OUTCOMES
        if self.flying.n:
            over = [threats[r] is None for r in self._blocks().runs]
            if any(over):
                self._keep(np.flatnonzero(np.repeat(~np.array(over), self._blocks().length)))
        if self.flying.n == 0:
            return [empty] * self.n_runs
        results = [[] for _ in range(self.n_runs)]
        self._drop_lost(t_s, threats, results)
        self._update_estimates(t_s, trackings)
        t_end = t_s + dt_s
        t_sub = [t_s] * self.n_runs  # each run's sub-step clock, s
        while self.flying.n:
            runs = self._blocks().runs
            t_blk = [t_sub[r] for r in runs]
            act = [t < t_end - 1e-9 for t in t_blk]  # runs still inside the step
            if not any(act):
                break
            for r, a, h in zip(runs, act, self._fly(t_blk, t_end, act, rngs, results)):
                if a:
                    t_sub[r] += h
        blk = self._blocks()
        starts, ends, runs = blk.start, blk.end, blk.runs
        ids, pos = self.flying.id, self.flying.pos_enu_m
        for s, e, r in zip(starts.tolist(), ends.tolist(), runs):
            self.records[r].pos_enu_m[ids[s:e]] = pos[s:e]
        return [_merge(res) if res else empty for res in results]

    # --- internals -------------------------------------------------------------------------

    def _blocks(self) -> _Blocks:
        """Each run's block of rows (cached until the rows change)."""
        rows_now, blocks = self._blocks_of
        if rows_now is not self.rows:
            run = self.rows.run
            starts = np.flatnonzero(np.concatenate([[True], run[1:] != run[:-1]])) if run.size else run
            ends = np.append(starts[1:], run.size)
            blocks = _Blocks(starts, ends, run[starts], ends - starts, run[starts].tolist())
            self._blocks_of = self.rows, blocks
        return blocks

    def _targets(self):
        """Each row's threat row (0 for a false track) and that threat's vulnerability (None
        without any), cached until the rows change."""
        rows_now, tgt, vul = self._targets_of
        if rows_now is not self.rows:
            tgt = np.maximum(self.rows.truth_id, 0)
            vul = self.vulnerability[tgt] if self.vulnerability.size else None
            self._targets_of = self.rows, tgt, vul
        return tgt, vul

    def _keep(self, idx):
        self.flying, self.rows = self.flying.take(idx), self.rows.take(idx)

    def _drop_lost(self, t_s, threats, results):
        """Rows whose threat was killed or leaked or ended its route: ``target_lost`` misses."""
        ri = self.rows
        blk = self._blocks()
        lengths, runs = blk.length, blk.runs
        if len(runs) == 1:
            th = threats[runs[0]]
            ok = (th.alive & th.active)[np.maximum(ri.truth_id, 0)]
        else:
            ok = np.array([threats[r].alive & threats[r].active for r in runs])  # (blocks, threats)
            ok = ok[np.repeat(np.arange(len(runs)), lengths), np.maximum(ri.truth_id, 0)]
        lost = (ri.truth_id >= 0) & ~ok
        if not lost.any():
            return
        idx = np.flatnonzero(lost)
        for r in np.unique(ri.run[idx]).tolist():
            ids = self.flying.id[idx[ri.run[idx] == r]]
            rec = self.records[r]
            rec.alive[ids] = False
            k = ids.size
            results[r].append(dict(id=ids, killed=np.zeros(k, bool), reason=np.full(k, REASON_TARGET_LOST, object),
                                   miss_m=np.full(k, np.nan), t_s=np.full(k, t_s), pos=rec.pos_enu_m[ids],
                                   p_kill=np.zeros(k), vc=np.full(k, np.nan)))
        self._keep(np.flatnonzero(~lost))

    def _update_estimates(self, t_s, trackings):
        """Each row's last held estimate (its unit's track at t_s, if held), in the rows and in its
        run's record."""
        ri, ids_all = self.rows, self.flying.id
        runs = self._blocks().runs
        if not runs:
            return
        if len(runs) == 1:
            pos, vel, held = _estimates(t_s, ri.unit_idx, ri.track_id, trackings[runs[0]])
        else:
            pos, vel, held = _estimates_runs(t_s, ri, trackings)
        sel = held.nonzero()[0]
        if not sel.size:
            return
        pos, vel = pos[sel], vel[sel]
        ri.est_pos_enu_m[sel], ri.est_vel_enu_mps[sel], ri.est_t_s[sel] = pos, vel, t_s
        run = ri.run[sel]
        cuts = (run[1:] != run[:-1]).nonzero()[0] + 1
        for a, b in zip([0] + cuts.tolist(), cuts.tolist() + [sel.size]):
            rec, ids = self.records[run[a]], ids_all[sel[a:b]]
            rec.est_pos_enu_m[ids], rec.est_vel_enu_mps[ids], rec.est_t_s[ids] = pos[a:b], vel[a:b], t_s

    def _substeps(self, st, truth, t_blk, t_end, starts, act):
        """Sub-step (s) of each run block of *st* (first rows *starts*, clocks t_blk s) still
        inside the step (act); the others get the shortest (unused: their rows sit out)."""
        tp, tv, _ = truth
        rel = tp - st.pos_enu_m
        rng_m = np.sqrt(np.add.reduce(rel * rel, axis=1))  # = np.linalg.norm(rel, axis=1), without its checks
        closing = -np.add.reduce(rel * (tv - st.vel_enu_mps), axis=1) / np.maximum(rng_m, 1e-9)
        t_go = rng_m / np.maximum(closing, 100.0)
        t_go = [float(np.minimum.reduce(t_go))] if len(t_blk) == 1 else np.minimum.reduceat(t_go, starts).tolist()
        return [_substep(t, t_end, g) if a else SUBSTEP_LADDER_S[-1] for t, g, a in zip(t_blk, t_go, act)]

    def _fly(self, t_blk, t_end, act, rngs, results):
        """One sub-step of the run blocks still inside the step (act, per block), each from its own
        clock t_blk (s) with its own sub-step, which it returns (s, per block); the other blocks'
        rows sit the sub-step out (flown as dead rows: carried unchanged). Compacts the rows that
        ended."""
        st, ri, rec_all = self.flying, self.rows, self.records
        blk = self._blocks()
        starts, lengths = blk.start, blk.length
        t0 = t_blk[0]
        t_row = t0 if all(t == t0 for t in t_blk) else np.repeat(t_blk, lengths)  # a scalar: the same values
        truth, est_p = self._target_truth(t_row)
        h_blk = self._substeps(st, truth, t_blk, t_end, starts, act)
        h0 = h_blk[0]
        h_row = h0 if all(h == h0 for h in h_blk) else np.repeat(h_blk, lengths)
        if isinstance(h_row, np.ndarray) and not isinstance(t_row, np.ndarray):
            t_row = np.full(st.n, t_row)
        idle = None if all(act) else np.repeat(~np.array(act), lengths)
        flown = st if idle is None else replace(st, alive=~idle)
        tp, tv, ta = truth
        vul = self._targets()[1]
        new, out = advance_interceptors(flown, self.table, TargetStates(tp, tv, ta, est_p, ri.est_vel_enu_mps, vul),
                                        t_row, h_row, _run_draws(ri.run, rngs), self.env, augmented=False)
        if idle is not None:
            new.alive[idle] = True
        self.flying = new
        done = out.resolved.nonzero()[0]
        if not done.size:
            return h_blk
        ids, run = st.id[done], ri.run[done]
        cpa = out.reason[done] == REASON_CPA
        false_target = ri.truth_id[done] < 0  # a track on a false alarm: nothing there to kill
        pos = np.where(cpa[:, None], out.pos_cpa_enu_m[done], new.pos_enu_m[done])
        reason = np.array([REASON_NAMES[c] for c in out.reason[done]], object)
        reason[cpa & false_target] = REASON_FALSE_TARGET
        t_ended = t_row + h_row  # the sub-step's end (s): scalar, or per row
        t_ended = t_ended[done] if np.ndim(t_ended) else t_ended
        res = dict(id=ids, killed=out.killed[done] & ~false_target, reason=reason,
                   miss_m=np.where(cpa, out.miss_m[done], new.min_range_m[done]),
                   t_s=np.where(cpa, out.t_cpa_s[done], t_ended), pos=pos, p_kill=out.p_kill[done],
                   vc=out.closing_speed_mps[done])
        cuts = np.flatnonzero(run[1:] != run[:-1]) + 1
        for a, b in zip([0] + cuts.tolist(), cuts.tolist() + [done.size]):
            r, sel = run[a], slice(a, b)
            rec_all[r].alive[ids[sel]] = False
            rec_all[r].pos_enu_m[ids[sel]] = pos[sel]
            results[r].append({k: v[sel] for k, v in res.items()})
        self._keep(np.flatnonzero(self.flying.alive))
        return h_blk

    def _target_truth(self, t_s):
        """Truth (pos, vel, acc) of the flying rows' targets at their runs' time t_s (scalar or
        per row, s), and the rows' midcourse estimates then (the last held estimate,
        extrapolated); a false track's target is its own extrapolated estimate (a phantom that
        can be approached but not killed)."""
        ri = self.rows
        tgt = ri.truth_id
        tp, tv, ta, _ = threat_motion.kinematics(self.world.threats, t_s, self._targets()[0])
        est_p = ri.est_pos_enu_m + (t_s - ri.est_t_s)[:, None] * ri.est_vel_enu_mps
        phantom = tgt < 0
        if phantom.any():
            tp[phantom] = est_p[phantom]
            tv[phantom] = ri.est_vel_enu_mps[phantom]
            ta[phantom] = 0.0
        return (tp, tv, ta), est_p


def _estimates(t_s, unit_idx, track_id, tracking):
    """Track estimates (pos, vel) of the given (unit, track) pairs at t_s and whether held."""
    k = unit_idx.size
    pos, vel, held = np.zeros((k, 3)), np.zeros((k, 3)), np.zeros(k, bool)
    if tracking is None:
        return pos, vel, held
    for u in sorted(set(unit_idx.tolist())):  # = np.unique, without its sort machinery
        trk = tracking.tracks(u, t_s)
        mine = np.flatnonzero(unit_idx == u)
        if trk.id.size == 0:
            continue
        order = np.argsort(trk.id)
        j = np.minimum(np.searchsorted(trk.id, track_id[mine], sorter=order), trk.id.size - 1)
        hit = trk.id[order[j]] == track_id[mine]
        sel = mine[hit]
        pos[sel], vel[sel], held[sel] = trk.pos_enu_m[order[j[hit]]], trk.vel_enu_mps[order[j[hit]]], True
    return pos, vel, held


def _estimates_runs(t_s, ri: _Rows, trackings):
    """:func:`_estimates` of rows *ri* of several runs (run r's tracks from trackings[r]), the
    track look-ups of all runs in one search (track ids are unique within a unit's tracks)."""
    n = ri.run.size
    pos, vel, held = np.zeros((n, 3)), np.zeros((n, 3)), np.zeros(n, bool)
    n_units = int(ri.unit_idx.max()) + 1
    pairs, pair_of_row = np.unique(ri.run * n_units + ri.unit_idx, return_inverse=True)
    tracks, pair_of_track = [], []
    for p, (r, u) in enumerate(zip(*divmod(pairs, n_units))):  # each run's units in ascending order
        if trackings[r] is not None:
            trk = trackings[r].tracks(int(u), t_s)
            if trk.id.size:
                tracks.append(trk)
                pair_of_track.append(np.full(trk.id.size, p))
    if not tracks:
        return pos, vel, held
    tid = np.concatenate([t.id for t in tracks])
    lo = min(int(tid.min()), int(ri.track_id.min()))
    span = max(int(tid.max()), int(ri.track_id.max())) - lo + 1
    key = np.concatenate(pair_of_track) * span + (tid - lo)
    order = np.argsort(key)
    want = pair_of_row * span + (ri.track_id - lo)
    j = order[np.minimum(np.searchsorted(key, want, sorter=order), key.size - 1)]
    held = key[j] == want
    j = j[held]
    pos[held] = np.concatenate([t.pos_enu_m for t in tracks])[j]
    vel[held] = np.concatenate([t.vel_enu_mps for t in tracks])[j]
    return pos, vel, held


def _substep(t_sub, t_end, t_go):
    """Longest ladder step ≤ t_go / 10 that starts on its own grid and ends by t_end (s)."""
    h_max = t_go / SUBSTEPS_PER_TIME_TO_GO + 1e-9
    for h in SUBSTEP_LADDER_S:
        if h <= h_max and t_sub + h <= t_end + 1e-9 and abs(t_sub / h - round(t_sub / h)) < 1e-6:  # on its grid
            return h
    return min(SUBSTEP_LADDER_S[-1], t_end - t_sub)


def _run_draws(run, rngs):
    """Draw callable for rows of runs *run* (non-decreasing): each run's rows draw from its own
    generator, in row order (the draws of its single run): ``draw(idx)`` kill-draw uniforms (k,),
    ``draw(idx, True)`` seeker-noise standard normals (k, 3)."""
    def one(g, k, normal):
        return g.standard_normal((k, 3)) if normal else g.random(k)

    def draw(idx, normal=False):
        rr = run[idx]
        if rr[0] == rr[-1]:
            return one(rngs[rr[0]], idx.size, normal)
        cuts = np.flatnonzero(rr[1:] != rr[:-1]) + 1
        return np.concatenate([one(rngs[rr[a]], len(c), normal)
                               for a, c in zip(np.concatenate([[0], cuts]), np.split(idx, cuts))])
    return draw


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
                    pos_enu_m=c["pos"][order], p_kill=c["p_kill"][order], closing_speed_mps=c["vc"][order])
