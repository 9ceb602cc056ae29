"""The engine's command-and-control stage: threat evaluation → feasibility → WTA under doctrine.

Each C2 cycle (``c2_cycle_s``) of a unit, on its confirmed, fresh tracks that are not engaged:

1. threat evaluation (:mod:`iadsim.c2.threat_eval`): class, time to go, CPA, value V_j;
2. feasibility (:mod:`iadsim.c2.feasibility`): PIP, time of flight, Pk p_ij per weapon type,
   0 where out of envelope or without line of sight; per-class rules zero more (drones: only the
   cheapest interceptor, or none);
3. weapon-target assignment (:func:`iadsim.c2.wta.solve`, method from doctrine) with
   rounds W_i = ready rounds above the reserve, ``max_per_target`` = the class's salvo,
   ``max_targets`` = free target channels, ``max_total_rounds`` = free missile channels.
   Engaged tracks are not re-planned until their engagement is assessed (dynamic WTA: every
   cycle re-plans with the rounds still ready and the channels still free);
4. orders: each round of a salvo is launched after the reaction time, ``salvo_spacing_s`` apart,
   if the track is still held at that moment (look before launch).

After the last round of an engagement resolves the unit waits ``assessment_looks`` looks of its
engagement radar; a track updated since then survived (``reassess`` verdict ``survived``: free
for re-engagement), otherwise the engagement is closed (verdict ``killed``). Hold reasons:
``hold fire``, ``class rule``, ``no line of sight``, ``out of envelope``, ``reserve``,
``no round``, ``no channel`` (recorded when a track's reason changes).

Runs in lockstep: :func:`decide_runs` is the C2 of R runs of one scenario at one time (one
C2Stage per run); steps 1-2 run once on the candidate tracks of all runs, steps 3-4 per run.
Each run's orders are bit for bit those of ``decide_runs`` on that run alone (a single run is
a batch of one).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import numpy as np

from iadsim.c2 import feasibility, threat_eval, wta
from iadsim.c2.doctrine import ACTIVE, Engagement, EngagementState, Magazines
from iadsim.state import World

POLICY_ANY, POLICY_CHEAPEST, POLICY_NONE = 0, 1, 2
POLICIES = ("any", "cheapest", "none")


@dataclass(frozen=True)
class Launch:
    """An order that is due: fire ``n`` rounds of weapon type ``weapon`` at a unit's track."""

    t_s: float
    unit: int
    track_id: int
    truth_id: int
    weapon: int
    n: int
    launchers: tuple = ()  # launcher of each round (returned there if the launch is cancelled)


@dataclass(frozen=True)
class Orders:
    """What one unit decided in one step (parallel arrays per group)."""

    track_id: np.ndarray
    truth_id: np.ndarray
    weapon_idx: np.ndarray
    n_rounds: np.ndarray
    pip_enu_m: np.ndarray
    time_to_go_s: np.ndarray
    hold_track_id: np.ndarray
    hold_reason: list
    detail: list = field(default_factory=list)  # per assign row
    hold_truth_id: np.ndarray = None
    reassess_track_id: np.ndarray = None
    reassess_truth_id: np.ndarray = None
    reassess_verdict: list = field(default_factory=list)
    reload_weapon_idx: np.ndarray = None
    reload_detail: list = field(default_factory=list)
    predicted_tof_s: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per assign row: the
    # feasibility's time of flight of a round launched after the reaction time, s


def _ints(x):
    return np.asarray(x, int).reshape(-1)


class C2Stage:
    def __init__(self, world: World):
        n_units = len(world.units.name)
        self.world = world
        self.next_cycle_s = np.zeros(n_units)
        self.rounds = world.weapons.rounds.copy()  # inventory left (loaded + reload stock), ordered rounds removed
        self.mags = Magazines(world.weapons, world.units)
        self.engagements: list[dict[int, Engagement]] = [dict() for _ in range(n_units)]
        self.closed: list[dict[int, float]] = [dict() for _ in range(n_units)]  # track id -> assessed-killed time
        self.last_hold: list[dict[int, str]] = [dict() for _ in range(n_units)]
        self.finished: list[Engagement] = []
        self._heap: list = []
        self._seq = itertools.count()
        self._t_s = 0.0
        self.network = None  # iadsim.network.stage.RunNetwork of this run, None = no network
        self.next_cp_s = np.zeros(world.network.n_cp) if world.network is not None else None  # command-post cycles
        self.cp_orders: dict = {}  # command post -> {fused id: (unit, track id)} it ordered engaged (iadsim.network.central)
        self.blind = None  # (units,) bool: no radiating engagement radar in this run (iadsim.ea.runs), None: all fine

    # -- what the engine and the recorder ask -------------------------------------------------
    def in_use(self, u: int) -> tuple[int, int]:
        """(targets engaged, missiles ordered or in flight) of unit ``u``."""
        if not self.engagements[u]:
            return 0, 0
        eng = self.engagements[u].values()
        return sum(1 for e in eng if e.state in ACTIVE), sum(e.missiles_in_use for e in eng)

    @property
    def busy(self) -> bool:
        """True while a launch is pending or an engagement is open (assigned, in flight or awaiting its kill assessment)."""
        return bool(self._heap) or any(e.state in ACTIVE for d in self.engagements for e in d.values())

    @property
    def engaged(self) -> list[dict[int, int]]:
        """Per unit: track id -> missiles in use (compatibility view)."""
        return [{t: e.missiles_in_use for t, e in d.items()} for d in self.engagements]

    def due_launches(self, t_s: float, tracking) -> tuple[list[Launch], list[Launch]]:
        """Launches due by ``t_s``: (fired, cancelled). The look before launch cancels a round
        whose track is no longer held; the round goes back to its launcher."""
        fired, cancelled = [], []
        while self._heap and self._heap[0][0] <= t_s + 1e-9:
            launch = heapq.heappop(self._heap)[2]
            eng = self.engagements[launch.unit].get(launch.track_id)
            if tracking.is_fresh(launch.unit, launch.track_id, t_s):
                fired.append(launch)
                eng.launched(launch.n, t_s)
            else:
                self.rounds[launch.weapon] += launch.n
                for j in launch.launchers:
                    self.mags.put_back(launch.weapon, j)
                eng.cancelled(launch.n, t_s)
                self._retire(launch.unit, eng)
                cancelled.append(launch)
        return fired, cancelled

    def resolved(self, unit_idx, track_ids) -> None:
        """Interceptors resolved (hit, miss or self-destruct): count them against their engagement."""
        for u, tid in zip(np.asarray(unit_idx).tolist(), np.asarray(track_ids).tolist()):
            eng = self.engagements[u].get(tid)
            if eng is not None and eng.n_resolved < eng.n_launched:
                eng.resolved(self._t_s)

    def dropped(self, u: int, track_ids) -> None:
        """Tracks dropped by the tracker: pending rounds are cancelled at the look before launch,
        rounds in flight resolve and the assessment closes the engagement."""
        for tid in np.asarray(track_ids).tolist():
            self.last_hold[u].pop(tid, None)
            self.closed[u].pop(tid, None)

    # -- internals ----------------------------------------------------------------------------
    def _retire(self, u: int, eng: Engagement) -> None:
        if eng.state not in ACTIVE:
            self.engagements[u].pop(eng.track_id, None)
            self.finished.append(eng)

    def _assess(self, t_s, world, u, tracking):
        """Kill assessment of engagements whose rounds have all resolved and whose look(s) are done."""
        if not self.engagements[u]:
            return _NO_REASSESS
        assessing = [e for e in self.engagements[u].values() if e.state is EngagementState.ASSESSING]
        if not assessing:
            return _NO_REASSESS
        units, rd = world.units, world.radars
        eng_r = np.flatnonzero((rd.unit_idx == u) & rd.is_engagement)
        period = float(rd.scan_period_s[eng_r[0]]) if eng_r.size else 1.0
        wait_s = int(units.assessment_looks[u]) * period
        todo = [e for e in assessing if t_s >= e.t_resolved_s + wait_s - 1e-9]
        if not todo:
            return _NO_REASSESS
        trk = tracking.tracks(u, t_s)
        last = dict(zip(trk.id.tolist(), trk.t_last_s.tolist()))
        ids, truth, verdicts = [], [], []
        for e in todo:
            survived = last.get(e.track_id, -np.inf) > e.t_resolved_s + 1e-9
            e.to(EngagementState.MISS if survived else EngagementState.KILL, t_s)
            if not survived:
                self.closed[u][e.track_id] = t_s
            self._retire(u, e)
            ids.append(e.track_id), truth.append(e.truth_id)
            verdicts.append(f"{'survived: re-engage' if survived else 'killed: engagement closed'}"
                            f" rounds={e.n_launched} looks={int(units.assessment_looks[u])}")
        return ids, truth, verdicts

    def _candidates(self, t_s, u, tracking):
        """Unit ``u``'s fresh tracks that are neither engaged nor closed since their last update:
        (ids, truth ids, pos_enu_m, vel_enu_mps)."""
        trk = tracking.tracks(u, t_s)
        busy, closed = self.engagements[u], self.closed[u]
        if not busy and not closed:  # every fresh track (the tracker's arrays, read only)
            return trk.id, trk.truth_id, trk.pos_enu_m, trk.vel_enu_mps
        keep = np.array([tid not in busy and t_last > closed.get(tid, -np.inf)
                         for tid, t_last in zip(trk.id.tolist(), trk.t_last_s.tolist())], bool).reshape(-1)
        return trk.id[keep], trk.truth_id[keep], trk.pos_enu_m[keep], trk.vel_enu_mps[keep]

    def _orders(self, t_s, world, u, w_idx, x, ids, truth, te, fz, delay_s: float = 0.0) -> tuple:
        """Engagements and launches of the assignment ``x`` (w, k) on tracks ``ids``: the assign
        fields (_NO_ASSIGN layout). ``delay_s``: added to the reaction time (an order from a command
        post: its processing time and the link's latency)."""
        units = world.units
        rows = []
        react, spacing = float(units.reaction_time_s[u]) + delay_s, float(units.salvo_spacing_s[u])
        for j in np.flatnonzero(x.sum(axis=0) > 0):
            tid = int(ids[j])
            n_total = int(x[:, j].sum())
            eng = Engagement(u, tid, int(truth[j]), n_total, t_s)
            self.engagements[u][tid] = eng
            self.last_hold[u].pop(tid, None)
            shot = 0
            for a in np.flatnonzero(x[:, j]):
                w = int(w_idx[a])
                n = int(x[a, j])
                self.rounds[w] -= n
                for _ in range(n):
                    launch = Launch(t_s + react + shot * spacing, u, tid, int(truth[j]), w, 1, (self.mags.take(w),))
                    heapq.heappush(self._heap, (launch.t_s, next(self._seq), launch))
                    shot += 1
                cls = threat_eval.THREAT_CLASSES[te.threat_class[j]]
                rows.append((tid, int(truth[j]), w, n, fz.pip_enu_m[a, j], te.min_time_to_go_s[j],
                             f"rounds={n} class={cls} value={te.value[j]:.1f} pk={fz.pk[a, j]:.2f} "
                             f"tof_s={fz.tof_s[a, j]:.1f} time_to_go_s={te.min_time_to_go_s[j]:.0f}",
                             float(fz.tof_s[a, j])))
        if not rows:
            return _NO_ASSIGN
        c = list(zip(*rows))
        return (_ints(c[0]), _ints(c[1]), _ints(c[2]), _ints(c[3]), np.array(c[4]).reshape(-1, 3),
                np.array(c[5], float), c[6], np.array(c[7], float))

    def _holds(self, u, ids, truth, reasons) -> tuple:
        """Hold events only when a track's reason changes: (hold_track_id, hold_reason, hold_truth_id)."""
        last = self.last_hold[u]
        id_list = ids.tolist()
        keep = [i for i, (tid, r) in enumerate(zip(id_list, reasons)) if last.get(tid) != r]
        if not keep:
            return _NO_HOLDS
        for i in keep:
            last[id_list[i]] = reasons[i]
        return _ints(ids[keep]), [reasons[i] for i in keep], _ints(truth[keep])


REASONS = ("class rule", "no line of sight", "out of envelope", "class rule", "reserve", "no round",
           "no channel", "no round")  # by code of _hold_codes


def _hold_codes(ev, avail, ready, inventory, no_channel) -> np.ndarray:
    """Why each track would be held if it got no round: (k,) index into REASONS (the first
    matching reason, most fundamental first).

    ev: evaluated tracks (k,); avail, ready, inventory (w, k): the rounds of each track's run
    (inventory after the orders); no_channel (k,) bool: its run's channels are all used.
    """
    usable = ev.pk > 0
    has_round = (usable & (avail > 0)).any(axis=0)
    reserve = (usable & ((ready > 0) & (inventory > 0))).any(axis=0)
    infeasible = ~ev.feasible
    return np.select([ev.class_none, infeasible & ev.no_los, infeasible, ~ev.any_usable, ~has_round & reserve,
                      ~has_round, no_channel], np.arange(7), 7)


_NO_INT, _NO_FLOAT, _NO_VEC = np.zeros(0, int), np.zeros(0), np.zeros((0, 3))  # empty: nothing to mutate, shared
_NO_ASSIGN = (_NO_INT, _NO_INT, _NO_INT, _NO_INT, _NO_VEC, _NO_FLOAT, (), _NO_FLOAT)  # assign fields, detail, tof
_NO_HOLDS = (_NO_INT, (), _NO_INT)  # hold_track_id, hold_reason, hold_truth_id
_NO_REASSESS = ((), (), ())  # track ids, truth ids, verdicts


def _final(assign, holds, reassess, reloads, mags) -> Orders:
    """A unit's Orders of one step from its parts: ``assign`` (_NO_ASSIGN layout), ``holds``
    (_NO_HOLDS layout), ``reassess`` (ids, truth ids, verdicts), ``reloads`` [(w, launcher, n)]."""
    ids, truth, verdicts = reassess
    track_id, truth_id, weapon_idx, n_rounds, pip, ttg, detail, tof = assign
    if reloads:
        reload_w = _ints([w for w, _, _ in reloads])
        reload_detail = [f"launcher={j} rounds={n} stock_left={int(mags.stock[w])}" for w, j, n in reloads]
    else:
        reload_w, reload_detail = _NO_INT, []
    return Orders(track_id, truth_id, weapon_idx, n_rounds, pip, ttg, holds[0], list(holds[1]), list(detail),
                  holds[2], _ints(ids) if ids else _NO_INT, _ints(truth) if truth else _NO_INT, list(verdicts),
                  reload_w, reload_detail, tof)


@dataclass(frozen=True)
class _Evaluated:
    """A unit's candidate tracks after threat evaluation, feasibility and the class rules:
    per track (k,), per (weapon row, track) (w, k)."""

    threat_class: np.ndarray  # (k,) index into threat_eval.THREAT_CLASSES
    value: np.ndarray  # (k,) WTA target value
    min_time_to_go_s: np.ndarray  # (k,) s
    salvo: np.ndarray  # (k,) most rounds per track
    class_none: np.ndarray  # (k,) bool, the class rule engages none
    pk: np.ndarray  # (w, k) after the class rules (C-contiguous: the WTA's input)
    any_usable: np.ndarray  # (k,) bool, some pk > 0
    feasible: np.ndarray  # (k,) bool, some weapon row feasible
    no_los: np.ndarray  # (k,) bool, some weapon row without line of sight
    fz: feasibility.Feasibility  # (w, k) before the class rules

    def rows(self, sl: slice) -> _Evaluated:
        """The tracks ``sl`` (one run's)."""
        fz = self.fz
        return _Evaluated(self.threat_class[sl], self.value[sl], self.min_time_to_go_s[sl], self.salvo[sl],
                          self.class_none[sl], np.ascontiguousarray(self.pk[:, sl]), self.any_usable[sl],
                          self.feasible[sl], self.no_los[sl],
                          feasibility.Feasibility(fz.pk[:, sl], fz.tof_s[:, sl], fz.pip_enu_m[:, sl], fz.code[:, sl]))


def _evaluate(world, u, w_idx, pos_enu_m, vel_enu_mps) -> _Evaluated:
    """Threat evaluation, feasibility and the class rules of unit ``u`` on k tracks (row-wise:
    a track's values do not depend on the tracks evaluated with it)."""
    units, wp = world.units, world.weapons
    ground_r = float(np.linalg.norm(units.pos_enu_m[u] - world.earth_centre_enu_m))
    alt, gamma = threat_eval.altitude_and_gamma(pos_enu_m, vel_enu_mps, world.earth_centre_enu_m, ground_r)
    te = threat_eval.evaluate(pos_enu_m, vel_enu_mps, alt, gamma, world.assets.pos_enu_m, world.assets.value,
                              world.assets.radius_m, units.class_weight[u])
    fz = feasibility.assess(world, u, w_idx, pos_enu_m, vel_enu_mps, te.threat_class, float(units.reaction_time_s[u]))
    pk = fz.pk.copy()
    policy = units.class_policy[u][te.threat_class]  # (k,)
    cheap, none = policy == POLICY_CHEAPEST, policy == POLICY_NONE
    if cheap.any():
        cheapest = np.arange(len(w_idx)) == np.argmin(wp.unit_cost[w_idx])
        pk[:, cheap] *= cheapest[:, None]
    if none.any():
        pk[:, none] = 0.0
    cls_salvo = units.class_salvo[u][te.threat_class]
    salvo = np.where(cls_salvo > 0, cls_salvo, units.salvo[u]).astype(int)
    return _Evaluated(te.threat_class, te.value, te.min_time_to_go_s, salvo, none, pk, (pk > 0).any(axis=0),
                      (fz.code == feasibility.FEASIBLE).any(axis=0), (fz.code == feasibility.NO_LOS).any(axis=0), fz)


def fire_units(world: World) -> list[int]:
    """The Units rows that have weapons and a C2: every row but the standalone sensor sites."""
    sensor = world.units.is_sensor
    n = len(world.units.name)
    return list(range(n)) if sensor is None else np.flatnonzero(~sensor).tolist()


def decide_runs(t_s: float, world: World, stages: list, trackings: list) -> list[list[tuple[int, Orders]]]:
    """C2 of R runs at t_s: per run r, the (unit, Orders) of reloads, kill assessment and the C2 cycle of
    every unit due at ``t_s``, exactly those of ``decide_runs(t_s, world, [stages[r]], [trackings[r]])``
    ([] where stages[r] is None: a retired run).

    ``world`` is shared: C2 reads only its static parts (units, weapons, radars, assets). For each
    unit, the runs whose C2 cycle is due have their candidate tracks concatenated and evaluated
    in one threat evaluation and one feasibility pass (both row-wise per track, so each run's
    values are those of a pass on its tracks alone), and their hold reasons found in one pass;
    WTA and orders are per run, for the runs where some round could lower the surviving value.
    """
    out: list[list[tuple[int, Orders]]] = [[] for _ in stages]
    live = [r for r, s in enumerate(stages) if s is not None]
    for r in live:
        stages[r]._t_s = t_s
    units = world.units
    for u in fire_units(world):
        extras, due = {}, []
        cycle_s = units.c2_cycle_s[u]
        for r in live:
            st = stages[r]
            reloads = st.mags.step_reload(t_s, u)
            reassess = st._assess(t_s, world, u, trackings[r])
            if st.next_cycle_s[u] <= t_s + 1e-9:
                st.next_cycle_s[u] = t_s + cycle_s
                if st.network is None or st.network.connected(u) < 0:  # else its command post assigns
                    due.append(r)
            if reloads or reassess[0]:
                extras[r] = (reassess, reloads)
        cycles = _cycles(t_s, world, u, stages, trackings, due) if due else {}
        for r in live:
            parts = cycles.get(r)
            extra = extras.get(r)
            if parts is not None or extra is not None:
                assign, holds = parts if parts is not None else (_NO_ASSIGN, _NO_HOLDS)
                reassess, reloads = extra if extra is not None else (_NO_REASSESS, ())
                out[r].append((u, _final(assign, holds, reassess, reloads, stages[r].mags)))
    if world.network is not None:
        from iadsim.network import central  # late import: central builds on this module

        for r in live:
            out[r] += central.decide(t_s, world, stages[r], trackings[r])
    return out


def _cycles(t_s, world, u, stages, trackings, due) -> dict[int, tuple]:
    """The C2 cycle of unit ``u`` in the runs ``due``: run index -> (assign, holds) parts."""
    units = world.units
    cand = {r: stages[r]._candidates(t_s, u, trackings[r]) for r in due}
    out = {r: (_NO_ASSIGN, _NO_HOLDS) for r in due if cand[r][0].size == 0}
    todo = [r for r in due if cand[r][0].size]
    if not todo:
        return out
    if not units.weapons_free[u]:
        for r in todo:
            ids, truth = cand[r][:2]
            out[r] = (_NO_ASSIGN, stages[r]._holds(u, ids, truth, ["hold fire"] * ids.size))
        return out
    for r in [r for r in todo if stages[r].blind is not None and stages[r].blind[u]]:  # iadsim.ea.runs
        ids, truth = cand[r][:2]
        out[r] = (_NO_ASSIGN, stages[r]._holds(u, ids, truth, ["no engagement radar"] * ids.size))
        todo.remove(r)
    if not todo:
        return out
    n = len(todo)
    pos = np.concatenate([cand[r][2] for r in todo]) if n > 1 else cand[todo[0]][2]
    vel = np.concatenate([cand[r][3] for r in todo]) if n > 1 else cand[todo[0]][3]
    w_idx = np.flatnonzero(world.weapons.unit_idx == u)
    ev = _evaluate(world, u, w_idx, pos, vel)
    # rounds and channels of each run (rows), then of each track's run (columns)
    sizes = np.array([cand[r][0].size for r in todo])
    stop = np.cumsum(sizes)
    start = stop - sizes
    ready = np.stack([stages[r].mags.n_ready[w_idx] for r in todo])  # (n, w)
    avail = np.minimum(ready, np.maximum(np.stack([stages[r].rounds[w_idx] for r in todo])
                                         - int(units.reserve_rounds[u]), 0))
    in_use = [stages[r].in_use(u) for r in todo]
    free_t = [max(int(units.channels_targets[u]) - a, 0) for a, _ in in_use]
    free_m = [max(int(units.channels_missiles[u]) - b, 0) for _, b in in_use]
    avail_k = np.repeat(avail, sizes, axis=0).T  # (w, k)
    usable = ev.pk > 0
    # wta.solve assigns nothing unless a target of value > 0 with salvo > 0 has a usable ready round
    gain = (ev.value > 0) & (ev.salvo > 0) & (usable & (avail_k > 0)).any(axis=0)
    gain_run = np.logical_or.reduceat(gain, start).tolist()
    used = np.zeros((n, 2), int)  # targets engaged and rounds ordered this cycle, per run
    held = np.ones(ev.value.size, bool)
    assign = {}
    method = str(units.wta_method[u])
    for i, r in enumerate(todo):
        if not (free_t[i] and free_m[i] and gain_run[i]):
            continue
        sl = slice(int(start[i]), int(stop[i]))
        ev_r = ev.rows(sl) if n > 1 else ev
        res = wta.solve(ev_r.value, ev_r.pk, avail[i], method=method, time_limit_s=1.0,
                        max_per_target=ev_r.salvo, max_targets=free_t[i], max_total_rounds=free_m[i])
        x = np.asarray(res.assignment, int)
        if x.any():
            ids, truth = cand[r][:2]
            assign[r] = stages[r]._orders(t_s, world, u, w_idx, x, ids, truth, ev_r, ev_r.fz)
            held[sl] = x.sum(axis=0) == 0
            used[i] = (x.sum(axis=0) > 0).sum(), x.sum()
    inventory = np.stack([stages[r].rounds[w_idx] for r in todo])  # after the orders
    no_channel = (used[:, 0] >= free_t) | (used[:, 1] >= free_m)
    codes = _hold_codes(ev, avail_k, np.repeat(ready, sizes, axis=0).T, np.repeat(inventory, sizes, axis=0).T,
                        np.repeat(no_channel, sizes)).tolist()
    held_l = held.tolist()
    for i, r in enumerate(todo):
        a, b = int(start[i]), int(stop[i])
        ids, truth = cand[r][:2]
        h = held[a:b]
        if not all(held_l[a:b]):
            ids, truth = ids[h], truth[h]
        reasons = [REASONS[c] for c, keep in zip(codes[a:b], held_l[a:b]) if keep]
        out[r] = (assign.get(r, _NO_ASSIGN), stages[r]._holds(u, ids, truth, reasons))
    return out
