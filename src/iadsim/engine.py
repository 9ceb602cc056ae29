"""The engine: a thin loop that orders the stages and records what they return.

Order within a step (fixed, DESIGN.md): threats advance → leaks → radars scan → trackers update →
C2 decides (at each unit's cycle) → due launches fire (event heap) → interceptors fly and
intercepts resolve → record. Randomness: one SeedSequence per run, one child stream per stage,
so that changing one stage does not reshuffle the others (common random numbers).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, replace

import numpy as np

from iadsim import geo, sensing, threats as threat_motion
from iadsim.c2 import greedy
from iadsim.compile import Compiled, compile_scenario
from iadsim.flyout.simple import Interceptors, advance as advance_interceptors
from iadsim.record import Recorder, RunResult
from iadsim.scenario.models import Scenario
from iadsim.tracking.simple import SimpleTracker

STREAMS = ("sensing", "tracking", "c2", "flyout")
LAUNCHER_HEIGHT_M = 5.0  # interceptors leave the rail this far above the unit's ground position


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per stage, spawned from the run's seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


@dataclass
class UnitC2State:
    engaged: dict  # track id -> rounds assigned and not yet resolved
    next_cycle_s: float


def simulate(scenario: Scenario, seed: int | None = None, progress=None) -> RunResult:
    """Run one scenario once. ``seed`` defaults to the scenario's; ``progress(k, n)`` is called each step."""
    seed = scenario.seed if seed is None else int(seed)
    comp = compile_scenario(scenario)
    return run_compiled(scenario, comp, seed, progress)


def run_compiled(scenario: Scenario, comp: Compiled, seed: int, progress=None) -> RunResult:
    world, dt = comp.world, comp.dt_s
    rng = streams(seed)
    n_units = len(world.units.name)
    scan_periods = [world.radars.scan_period_s[world.radars.unit_idx == u] for u in range(n_units)]
    trackers = [SimpleTracker(coast_s=max(3.0 * float(p.max(initial=1.0)), 5.0)) for p in scan_periods]
    fresh_s = [2.0 * float(world.radars.scan_period_s[(world.radars.unit_idx == u) & world.radars.is_engagement].min(initial=p.min(initial=1.0))) + dt
               for u, p in enumerate(scan_periods)]
    c2 = [UnitC2State(engaged={}, next_cycle_s=0.0) for _ in range(n_units)]
    rounds = world.weapons.rounds.copy()
    icpt = Interceptors()
    launches: list = []  # heap of (t_s, seq, order dict)
    seq = itertools.count()
    rec = Recorder(scenario, comp, seed)
    th = world.threats

    for k in range(comp.n_steps + 1):
        t = k * dt
        # 1. threats
        pos, vel, in_flight = threat_motion.advance(th, t)
        th = replace(th, pos_enu_m=pos, vel_enu_mps=vel, active=in_flight & th.alive)
        at_target = threat_motion.ground_distance_m(pos, world.assets.pos_enu_m[th.target_idx], world.earth_centre_enu_m) \
            <= world.assets.radius_m[th.target_idx]
        leaked = np.flatnonzero(th.active & at_target)
        if leaked.size:
            alive = th.alive.copy()
            alive[leaked] = False
            fate = th.fate.copy()
            fate[leaked] = "leaked"
            fate_t = th.fate_t_s.copy()
            fate_t[leaked] = t
            th = replace(th, alive=alive, active=th.active & alive, fate=fate, fate_t_s=fate_t)
            rec.leaks(t, leaked, pos)
        world = replace(world, threats=th)
        agl = geo.altitude_m(th.pos_enu_m, comp.origin) - comp.ground_alt_m
        # 2. sensing
        dets, next_scan = sensing.scan(world, t, agl, rng["sensing"])
        world = replace(world, radars=replace(world.radars, next_scan_t_s=next_scan))
        rec.detections(dets)
        # 3. tracking, 4. C2
        for u in range(n_units):
            trk = trackers[u]
            confirmed_now, dropped = trk.step(t, _subset(dets, dets.unit_idx == u))
            rec.track_events(t, u, trk, confirmed_now, dropped)
            for tid in dropped:
                c2[u].engaged.pop(int(tid), None)
            if t + 1e-9 < c2[u].next_cycle_s:
                continue
            c2[u].next_cycle_s = t + world.units.c2_cycle_s[u]
            fresh = trk.confirmed & (t - trk.t_last_s <= fresh_s[u])
            pred = trk.predicted(t)
            orders = greedy.decide(world, u, trk.id[fresh], trk.truth_id[fresh], pred[fresh], trk.vel_enu_mps[fresh],
                                   list(c2[u].engaged), int(sum(c2[u].engaged.values())), rounds)
            for i in range(len(orders.track_id)):
                c2[u].engaged[int(orders.track_id[i])] = int(orders.n_rounds[i])
                rounds[orders.weapon_idx[i]] -= orders.n_rounds[i]
                order = dict(unit=u, track_id=int(orders.track_id[i]), truth_id=int(orders.truth_id[i]),
                              weapon=int(orders.weapon_idx[i]), n=int(orders.n_rounds[i]))
                heapq.heappush(launches, (t + world.units.reaction_time_s[u], next(seq), order))
            rec.orders(t, u, orders)
        # 5. launches due, then flyout
        while launches and launches[0][0] <= t + 1e-9:
            _, _, o = heapq.heappop(launches)
            n, w, u = o["n"], o["weapon"], o["unit"]
            trk = trackers[u]
            held = (trk.id == o["track_id"]) & (t - trk.t_last_s <= fresh_s[u])
            if not held.any():  # the look before launch: the track is gone, keep the rounds
                rounds[w] += n
                c2[u].engaged.pop(o["track_id"], None)
                rec.cancel(t, o, "track lost before launch")
                continue
            start = world.units.pos_enu_m[o["unit"]] + LAUNCHER_HEIGHT_M * _up(world.units.pos_enu_m[o["unit"]], world.earth_centre_enu_m)
            ids = icpt.add(unit_idx=np.full(n, o["unit"]), weapon_idx=np.full(n, w), track_id=np.full(n, o["track_id"]),
                           truth_id=np.full(n, o["truth_id"]), pos_enu_m=np.repeat(start[None], n, 0),
                           vel_enu_mps=np.zeros((n, 3)), speed_mps=np.full(n, world.weapons.mean_speed_mps[w]),
                           t_launch_s=np.full(n, t), max_flight_time_s=np.full(n, world.weapons.max_flight_time_s[w]),
                           pk=np.full(n, world.weapons.pk[w]))
            rec.launches(t, o, ids, start)
        out = advance_interceptors(icpt, th.pos_enu_m, th.vel_enu_mps, th.alive & th.active, t, dt, rng["flyout"])
        if out.hit.size or out.miss.size:
            th = _apply_kills(th, icpt.truth_id[out.hit], out.t_cpa_s[: out.hit.size])
            world = replace(world, threats=th)
            for idx in np.concatenate([out.hit, out.miss]):
                u, tid = int(icpt.unit_idx[idx]), int(icpt.track_id[idx])
                left = c2[u].engaged.get(tid, 0) - 1
                if left > 0:
                    c2[u].engaged[tid] = left
                else:
                    c2[u].engaged.pop(tid, None)
            rec.intercepts(icpt, out, th)
        rec.step(k, t, th, icpt, trackers, c2, world)
        if progress is not None:
            progress(k, comp.n_steps)
    return rec.finish(th, rounds, icpt)


def _apply_kills(th, truth_ids, t_s):
    if truth_ids.size == 0:
        return th
    alive, fate, fate_t = th.alive.copy(), th.fate.copy(), th.fate_t_s.copy()
    for tid, tt in zip(truth_ids, t_s):
        if alive[tid]:
            alive[tid] = False
            fate[tid] = "killed"
            fate_t[tid] = tt
    return replace(th, alive=alive, active=th.active & alive, fate=fate, fate_t_s=fate_t)


def _up(pos_enu_m, earth_centre_enu_m):
    d = pos_enu_m - earth_centre_enu_m
    return d / np.linalg.norm(d)


def _subset(dets, mask):
    return type(dets)(**{f: getattr(dets, f)[mask] for f in dets.__dataclass_fields__})
