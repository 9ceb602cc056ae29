"""The engine: a thin loop that orders the stages and records what they return.

Order within a step (fixed, DESIGN.md): threats advance → leaks → radars scan → trackers update →
C2 decides (at each unit's cycle) → due launches fire (event heap) → interceptors fly and
intercepts resolve → record. The run ends at the scenario's duration or, with
``time.stop_when_resolved`` (the default), after the step at which every raider is killed, leaked
or at the end of its trajectory, no interceptor flies and C2 has no open engagement: from then on
only false alarms remain, and nothing can change a raider's fate. Randomness: one SeedSequence per run, one child stream per stage,
so that changing one stage does not reshuffle the others (common random numbers).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from iadsim import sensing, threats as threat_motion
from iadsim.c2.stage import C2Stage
from iadsim.compile import Compiled, compile_scenario
from iadsim.flyout.stage import FlyoutStage
from iadsim.record import Recorder, RunResult
from iadsim.scenario.models import Scenario
from iadsim.tracking.stage import TrackingStage

STREAMS = ("sensing", "tracking", "c2", "flyout")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per stage, spawned from the run's seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def simulate(scenario: Scenario, seed: int | None = None, progress=None) -> RunResult:
    """Run one scenario once. ``seed`` defaults to the scenario's; ``progress(k, n)`` is called each step."""
    seed = scenario.seed if seed is None else int(seed)
    comp = compile_scenario(scenario)
    return run_compiled(scenario, comp, seed, progress)


def run_compiled(scenario: Scenario, comp: Compiled, seed: int, progress=None) -> RunResult:
    world, dt = comp.world, comp.dt_s
    rng = streams(seed)
    tracking = TrackingStage(world, dt)
    c2 = C2Stage(world)
    flyout = FlyoutStage(world)
    rec = Recorder(scenario, comp, seed)
    looks = sensing.look_table(world, dt, comp.n_steps)  # geometry and Pd of every scan, shared by all runs
    for k in range(comp.n_steps + 1):
        t = k * dt
        world, leaked = advance_threats(world, t, dt)                               # 1. threats
        rec.leaks(t, leaked, world.threats.pos_enu_m)
        dets, next_scan = sensing.scan(world, t, None, rng["sensing"], looks=looks, step=k)  # 2. radars
        looked = next_scan != world.radars.next_scan_t_s
        world = replace(world, radars=replace(world.radars, next_scan_t_s=next_scan))
        rec.detections(dets)
        for u, confirmed, dropped in tracking.update(t, dets, looked):                      # 3. tracking
            rec.track_events(t, u, tracking, confirmed, dropped)
            c2.dropped(u, dropped)
        for u, orders in c2.decide(t, world, tracking):                             # 4. C2
            rec.orders(t, u, orders)
        fired, cancelled = c2.due_launches(t, tracking)                             # 5. launches
        for launch in cancelled:
            rec.cancel(t, launch, "track lost before launch")
        for launch in fired:
            ids, start = flyout.launch(t, launch, tracking)
            rec.launches(t, launch, ids, start)
        out = flyout.advance(t, dt, world.threats, rng["flyout"], tracking)         # 6. flyout
        if out.hit.size or out.miss.size:
            icpt = flyout.icpt
            world = replace(world, threats=apply_kills(world.threats, icpt.truth_id[out.hit], out.t_cpa_s[: out.hit.size]))
            done = np.concatenate([out.hit, out.miss])
            c2.resolved(icpt.unit_idx[done], icpt.track_id[done])
            rec.intercepts(icpt, out, world.threats)
        rec.step(k, t, world.threats, flyout.icpt, tracking, c2, world)             # 7. record
        if progress is not None:
            progress(k, comp.n_steps)
        if scenario.time.stop_when_resolved and raid_over(world.threats, t) and not flyout.flying.id.size and not c2.busy:
            break
    return rec.finish(world.threats, c2.rounds, flyout.icpt)


def advance_threats(world, t_s: float, dt_s: float):
    """Move every raider to ``t_s``; those within their target's radius have leaked.

    A raider whose trajectory ended during the step (``t_s - dt_s < end <= t_s``, a ballistic
    impact between two steps) is judged at its end point, and leaks at its end time.
    """
    th = world.threats
    pos, vel, in_flight = threat_motion.advance(th, t_s)
    th = replace(th, pos_enu_m=pos, vel_enu_mps=vel, active=in_flight & th.alive)
    target_pos = world.assets.pos_enu_m[th.target_idx]
    at_target = threat_motion.ground_distance_m(pos, target_pos, world.earth_centre_enu_m) <= world.assets.radius_m[th.target_idx]
    end_s = th.t_start_s + th.route_duration_s[th.route_idx]
    just_ended = th.alive & ~in_flight & (end_s > t_s - dt_s) & (end_s <= t_s)  # pos is the end point there
    leaked = np.flatnonzero((th.active | just_ended) & at_target)
    leak_t = np.where(just_ended[leaked], end_s[leaked], t_s)
    return replace(world, threats=_set_fate(th, leaked, "leaked", leak_t)), leaked


def raid_over(th, t_s: float) -> bool:
    """True when no raider is alive with trajectory left to fly (killed, leaked or at its end)."""
    return not np.any(th.alive & (th.t_start_s + th.route_duration_s[th.route_idx] >= t_s))


def apply_kills(th, truth_ids, t_s):
    """Mark killed threats (the first kill counts when two interceptors hit in one step)."""
    ids, first = np.unique(truth_ids, return_index=True)
    keep = th.alive[ids]
    return _set_fate(th, ids[keep], "killed", np.asarray(t_s)[first][keep])


def _set_fate(th, idx, fate, t_s):
    if idx.size == 0:
        return th
    alive, fates, fate_t = th.alive.copy(), th.fate.copy(), th.fate_t_s.copy()
    alive[idx], fates[idx], fate_t[idx] = False, fate, t_s
    return replace(th, alive=alive, active=th.active & alive, fate=fates, fate_t_s=fate_t)
