"""The engine: a thin loop that orders the stages and records what they return.

Order within a step (fixed, DESIGN.md): threats advance → leaks → radars scan → trackers update →
C2 decides (at each unit's cycle) → due launches fire (event heap) → interceptors fly and
intercepts resolve → record. The run ends at the scenario's duration or, with
``time.stop_when_resolved`` (the default), after the step at which every raider is killed, leaked
or at the end of its trajectory, no interceptor flies and C2 has no open engagement: from then on
only false alarms remain, and nothing can change a raider's fate. Randomness: one SeedSequence per run, one child stream per stage,
so that changing one stage does not reshuffle the others (common random numbers).

There is one step loop, :func:`iter_batch`: it runs R runs of one scenario in lockstep, each
stage doing the work of every run in one set of arrays (what Monte Carlo studies use), and a
single run (:func:`simulate`, :func:`run_compiled`) is a batch of one. Each run's result is the
same whatever batch it is in, bit for bit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from iadsim import geo, sensing, threats as threat_motion
from iadsim.c2.stage import C2Stage, decide_runs
from iadsim.compile import Compiled, compile_scenario
from iadsim.ea.runs import EaRuns
from iadsim.flyout.stage import FlyoutRuns
from iadsim.network.stage import NetworkRuns
from iadsim.network.view import NetView
from iadsim.record import Recorder, RunResult
from iadsim.scenario.models import Scenario
from iadsim.tracking.stage import TrackingRuns

STREAMS = ("sensing", "tracking", "c2", "flyout", "network", "ea")  # a new stream goes last: the others keep their seeds


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
    """One run of a compiled scenario: the batch loop (:func:`iter_batch`) with one seed."""
    return next(iter_batch(scenario, comp, [seed], progress=progress))[1]


def run_batch(scenario: Scenario, comp: Compiled, seeds) -> list[RunResult]:
    """Runs of one compiled scenario, one per seed, simulated together (:func:`iter_batch`); the
    results in the order of ``seeds``, run ``r`` equal to ``run_compiled(scenario, comp, seeds[r])``."""
    out = dict(iter_batch(scenario, comp, seeds))
    return [out[r] for r in range(len(out))]


def iter_batch(scenario: Scenario, comp: Compiled, seeds, details: bool = True, progress=None):
    """The engine's step loop: runs of one compiled scenario, one per seed, in lockstep (a single
    run is a batch of one). Each stage does the work of every run in one set of arrays (the
    per-step cost is mostly fixed overhead, shared this way). Yields ``(r, result)`` as each run
    ends (it then leaves the batch).

    Run ``r`` gives exactly what it gives alone (``seeds=[seeds[r]]``), bit for bit: runs share
    only what is the same in all of them (raider truth, the scan schedule and the look table);
    each keeps its own random streams, raiders' fates, tracks (gating never pairs across runs),
    C2 state, interceptors and record. So a study's results do not depend on how its runs are
    batched, nor on the number of workers. ``details=False``: results with the summary only (no
    events or samples; :class:`~iadsim.record.Recorder`), what a Monte Carlo study keeps.
    ``progress(k, n)`` is called at each step.
    """
    seeds = [int(s) for s in seeds]
    world0, dt = comp.world, comp.dt_s
    n = len(seeds)
    rngs = [streams(s) for s in seeds]
    sensing_rngs, flyout_rngs = [g["sensing"] for g in rngs], [g["flyout"] for g in rngs]
    tracking = TrackingRuns(world0, dt, n)
    flyout = FlyoutRuns(world0, n)
    c2s: list = [C2Stage(world0) for _ in range(n)]
    recs = [Recorder(scenario, comp, s, details) for s in seeds]
    views = [tracking.view(r) for r in range(n)]
    network = NetworkRuns(world0, [g["network"] for g in rngs]) if world0.network is not None else None
    if network is not None:  # units see their command post's fused tracks as remote tracks
        for r in range(n):
            c2s[r].network = network.runs[r]
            views[r] = NetView(views[r], network.runs[r])
    threats: list = [world0.threats] * n
    results: list = [None] * n
    radars = world0.radars
    ea = EaRuns(world0, n, dt)  # releases, ARM end games, emission control, jam strobes (per run)
    # geometry and Pd of every scan, shared by all runs; a large raid run alone computes them each step
    looks = sensing.look_table(world0, dt, comp.n_steps, None if n > 1 else sensing.LOOK_TABLE_MAX_PAIRS_ONE_RUN)
    for k in range(comp.n_steps + 1):
        live = [r for r in range(n) if results[r] is None]
        if not live:
            break
        t = k * dt
        truth = threat_truth(world0, t, dt)                                          # 1. threats (shared truth)
        for r in live:
            threats[r] = ea.before_truth(r, t, threats[r], truth, recs[r], rngs[r]["ea"])
            threats[r], leaked = apply_truth(threats[r], truth, t)
            if leaked.size:
                recs[r].leaks(t, leaked, threats[r].pos_enu_m)
        live_threats = [threats[r] if results[r] is None else None for r in range(n)]  # None: run over
        for r in live:
            ea.emission(r, t, views[r], recs[r], c2s[r])
        dets, next_scan = sensing.scan(_with(world0, radars=radars), t, live_threats, sensing_rngs,  # 2. radars
                                       looks=looks, step=k, emitting=ea.emitting)
        for r in live:
            recs[r].detections(dets[r])
        looked = next_scan != radars.next_scan_t_s
        ea.strobes(t, np.flatnonzero(looked), live, threats, recs)
        radars = _with(radars, next_scan_t_s=next_scan)
        world = _with(world0, radars=radars)  # static parts and radar schedule, shared by every run
        for r, events in enumerate(tracking.update(t, dets, looked)):               # 3. tracking
            for u, confirmed, dropped in events:
                recs[r].track_events(t, u, views[r], confirmed, dropped)
                c2s[r].dropped(u, dropped)
        if network is not None:                                                      # 3b. network
            for r, events in enumerate(network.update(t, [views[r].base if results[r] is None else None for r in range(n)])):
                recs[r].network_events(events)
                recs[r].fused(t, network.runs[r])
        stages = [c2s[r] if results[r] is None else None for r in range(n)]
        for r, decided in enumerate(decide_runs(t, world, stages, views)):           # 4. C2 (static parts of world only)
            for u, orders in decided:
                recs[r].orders(t, u, orders)
        for r in live:                                                               # 5. launches
            fired, cancelled = c2s[r].due_launches(t, views[r])
            for launch in cancelled:
                recs[r].cancel(t, launch, "track lost before launch")
            for launch in fired:
                ids, start = flyout.launch(r, t, launch, views[r])
                recs[r].launches(t, launch, ids, start)
        outs = flyout.advance(t, dt, live_threats, flyout_rngs, views)                # 6. flyout
        if progress is not None:
            progress(k, comp.n_steps)
        for r in live:
            out, icpt = outs[r], flyout.icpt(r)
            if out.hit.size or out.miss.size:
                threats[r] = apply_kills(threats[r], icpt.truth_id[out.hit], out.t_cpa_s[: out.hit.size])
                done = np.concatenate([out.hit, out.miss])
                c2s[r].resolved(icpt.unit_idx[done], icpt.track_id[done])
                recs[r].intercepts(icpt, out, threats[r])
            recs[r].step(k, t, threats[r], icpt, views[r], c2s[r], _with(world, threats=threats[r]))  # 7. record
            over = (scenario.time.stop_when_resolved and not np.any(threats[r].alive & truth.left)  # raid over
                    and not flyout.n_flying(r) and not c2s[r].busy)
            if over or k == comp.n_steps:
                results[r] = recs[r].finish(threats[r], c2s[r].rounds, icpt,
                                            network.runs[r] if network is not None else None)
                tracking.retire(r)
                yield r, results[r]


class Truth(NamedTuple):
    """What every run of a scenario shares at one step (:func:`threat_truth`)."""

    pos_enu_m: np.ndarray  # (n, 3) raider positions
    vel_enu_mps: np.ndarray  # (n, 3)
    in_flight: np.ndarray  # (n,) bool
    at_target: np.ndarray  # (n,) bool: within its target's radius
    ended_now: np.ndarray  # (n,) bool: its trajectory ended during the step (pos is its end point)
    end_s: np.ndarray  # (n,) end time of each trajectory
    may_leak: bool  # some raider in flight or just ended is at its target (else no run has a leak)
    left: np.ndarray  # (n,) bool: trajectory not over at t_s (a run whose alive raiders have none left is over)


def threat_truth(world, t_s: float, dt_s: float) -> Truth:
    """What every run of a scenario shares at ``t_s``: raider positions and velocities, in flight,
    within their target's radius, and whose trajectory ended during the step (with its end time)."""
    th = world.threats
    pos, vel, in_flight = threat_motion.advance(th, t_s)
    target_pos = world.assets.pos_enu_m[th.target_idx]
    at_target = geo.ground_distance_m(pos, target_pos, world.earth_centre_enu_m) <= world.assets.radius_m[th.target_idx]
    end_s = th.t_start_s + th.route_duration_s[th.route_idx]
    ended_now = ~in_flight & (end_s > t_s - dt_s) & (end_s <= t_s)  # pos is the end point there
    return Truth(pos, vel, in_flight, at_target, ended_now, end_s, bool(np.any((in_flight | ended_now) & at_target)),
                 end_s >= t_s)


def apply_truth(th, truth: Truth, t_s: float):
    """One run's raiders at the shared truth of :func:`threat_truth`: (new threats, leaked rows)."""
    th = _with(th, pos_enu_m=truth.pos_enu_m, vel_enu_mps=truth.vel_enu_mps, active=truth.in_flight & th.alive)
    if not truth.may_leak:
        return th, _NONE
    just_ended = th.alive & truth.ended_now
    leaked = np.flatnonzero((th.active | just_ended) & truth.at_target)
    leak_t = np.where(just_ended[leaked], truth.end_s[leaked], t_s)
    return _set_fate(th, leaked, "leaked", leak_t), leaked


_NONE = np.zeros(0, np.int64)


def _with(obj, **changes):
    """A copy of a frozen dataclass with some fields changed, without running its ``__init__``
    again (``dataclasses.replace`` costs ~12 µs on Threats; this runs per run and step)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


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
