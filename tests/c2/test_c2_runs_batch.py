"""C2 of R runs in lockstep (``decide_runs``) gives each run exactly its single-run orders.

Real inputs: a few seeds of two examples are run through the engine while every call into the
C2 stage is recorded (the tracks each ``decide`` read, the look-before-launch answers of each
``due_launches``, the ``resolved`` and ``dropped`` notices). The runs are then replayed through
fresh C2 stages, all runs' ``decide`` at once through ``decide_runs`` (a run that has ended is
None), the other calls per run; every Orders field must equal the recorded single run's.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from iadsim import engine
from iadsim.c2.stage import C2Stage, decide_runs
from iadsim.compile import compile_scenario
from iadsim.scenario.load import load_scenario, parse_yaml, validate_data
from iadsim.tracking.stage import UnitTracks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDS = (1, 2, 3)


class _Recording:
    """Tracking proxy that records what C2 asked (``tracks`` results, ``is_fresh`` answers)."""

    def __init__(self, tracking):
        self.tracking, self.tracks_seen, self.fresh_seen = tracking, {}, {}

    def tracks(self, u, t_s):
        trk = self.tracking.tracks(u, t_s)
        self.tracks_seen[(u, t_s)] = UnitTracks(*(np.array(getattr(trk, f.name)) for f in fields(trk)))
        return trk

    def is_fresh(self, u, track_id, t_s):
        ans = self.tracking.is_fresh(u, track_id, t_s)
        self.fresh_seen[(u, track_id, t_s)] = ans
        return ans


class Replay:
    """Tracking stub answering from a recording (same call, same answer)."""

    def __init__(self, tracks_seen=None, fresh_seen=None):
        self.tracks_seen, self.fresh_seen = tracks_seen or {}, fresh_seen or {}

    def tracks(self, u, t_s):
        return self.tracks_seen[(u, t_s)]

    def is_fresh(self, u, track_id, t_s):
        return self.fresh_seen[(u, track_id, t_s)]


def record_run(monkeypatch, scenario, comp, seed) -> list[dict]:
    """Run once; the C2 calls grouped by engine step: {"pre": [...], "decide": (t, Replay, out), "post": [...]}."""
    steps: list[dict] = [{"pre": [], "post": []}]
    decide, due, resolved, dropped = C2Stage.decide, C2Stage.due_launches, C2Stage.resolved, C2Stage.dropped

    def rec_decide(self, t_s, world, tracking):
        proxy = _Recording(tracking)
        out = decide(self, t_s, world, proxy)
        steps[-1]["decide"] = (t_s, Replay(proxy.tracks_seen), out)
        return out

    def rec_due(self, t_s, tracking):
        proxy = _Recording(tracking)
        out = due(self, t_s, proxy)
        steps[-1]["post"].append(("due_launches", t_s, Replay(fresh_seen=proxy.fresh_seen), out))
        steps.append({"pre": [], "post": []})  # the last C2 call before the next step's
        return out

    def rec_resolved(self, unit_idx, track_ids):
        steps[-2]["post"].append(("resolved", np.array(unit_idx), np.array(track_ids)))
        return resolved(self, unit_idx, track_ids)

    def rec_dropped(self, u, track_ids):
        steps[-1]["pre"].append(("dropped", u, np.array(track_ids)))
        return dropped(self, u, track_ids)

    with monkeypatch.context() as m:
        m.setattr(C2Stage, "decide", rec_decide)
        m.setattr(C2Stage, "due_launches", rec_due)
        m.setattr(C2Stage, "resolved", rec_resolved)
        m.setattr(C2Stage, "dropped", rec_dropped)
        engine.run_compiled(scenario, comp, seed)
    assert not steps[-1]["pre"]
    return steps[:-1]


def _apply(stage, event):
    if event[0] == "dropped":
        stage.dropped(event[1], event[2])
    elif event[0] == "resolved":
        stage.resolved(event[1], event[2])
    else:
        _, t_s, replay, want = event
        got = stage.due_launches(t_s, replay)
        assert got == want


def replay_runs(world, runs: list[list[dict]], check=True):
    """Replay recorded runs in lockstep through fresh C2 stages; compare with the recording."""
    stages = [C2Stage(world) for _ in runs]
    n_steps = max(len(r) for r in runs)
    for s in range(n_steps):
        live = [r if s < len(r) else None for r in runs]
        for stage, run in zip(stages, live):
            if run is not None:
                for event in run[s]["pre"]:
                    stage.dropped(event[1], event[2])
        t_s = next(run[s]["decide"][0] for run in live if run is not None)
        got = decide_runs(t_s, world, [stg if run is not None else None for stg, run in zip(stages, live)],
                          [run[s]["decide"][1] if run is not None else None for run in live])
        for stage, run, out in zip(stages, live, got):
            if run is None:
                assert out == []
                continue
            assert run[s]["decide"][0] == t_s
            if check:
                assert_same_orders(out, run[s]["decide"][2])
            for event in run[s]["post"]:
                _apply(stage, event)
    return stages


def assert_same_orders(got, want):
    assert [u for u, _ in got] == [u for u, _ in want]
    for (_, a), (_, b) in zip(got, want):
        for f in fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(y, np.ndarray) or isinstance(x, np.ndarray):
                assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
            else:
                assert x == y, f.name


# Murted with a salvo of 2, a reserve, few channels and quick reloads: reloads, "reserve" and
# "no channel" holds (the examples have none), replayed like the examples.
VARIANTS = {"murted_reload": ("murted_2019", "doctrine: {mode: shoot_look_shoot}",
                              "doctrine: {mode: salvo, salvo: 2, reserve_rounds: 2}\n"
                              "    overrides: {channels: {targets: 2, missiles: 3}, "
                              "launchers: {rails: 2, reload_time: 30, reload_sets: 1, reload_vehicles: 2}}")}


def _load(name):
    if name not in VARIANTS:
        return load_scenario(EXAMPLES / f"{name}.yaml")
    base, old, new = VARIANTS[name]
    text = (EXAMPLES / f"{base}.yaml").read_text()
    assert old in text
    return validate_data(*parse_yaml(text.replace(old, new), f"{name}.yaml"), f"{name}.yaml")


@pytest.fixture(scope="module", params=["murted_2019", "srbm_patriot", "murted_reload"])
def recorded(request):
    scenario = _load(request.param)
    comp = compile_scenario(scenario)
    with pytest.MonkeyPatch.context() as mp:
        runs = [record_run(mp, scenario, comp, seed) for seed in SEEDS]
    return comp.world, runs


def test_recorded_runs_engage(recorded):
    """The inputs are worth replaying: orders, holds and kill assessments in every run."""
    _, runs = recorded
    for run in runs:
        orders = [o for step in run for _, o in step["decide"][2]]
        assert sum(o.track_id.size for o in orders) > 0
        assert sum(o.hold_track_id.size for o in orders) > 0
        assert sum(o.reassess_track_id.size for o in orders) > 0


def test_variant_reloads_and_runs_out_of_channels():
    """The variant's runs reload launchers and hold tracks for reserve and for channels."""
    scenario = _load("murted_reload")
    comp = compile_scenario(scenario)
    with pytest.MonkeyPatch.context() as mp:
        run = record_run(mp, scenario, comp, SEEDS[0])
    orders = [o for step in run for _, o in step["decide"][2]]
    assert sum(o.reload_weapon_idx.size for o in orders) > 0
    reasons = {r for o in orders for r in o.hold_reason}
    assert {"reserve", "no channel"} <= reasons


def test_single_run_replay_reproduces_the_engine(recorded):
    """decide_runs on one run is the single-run decide (and the harness is faithful)."""
    world, runs = recorded
    for run in runs:
        replay_runs(world, [run])


def test_runs_in_lockstep_are_bit_identical_to_single_runs(recorded):
    """All seeds together (the shorter runs retire early, as None) give each run its own orders."""
    world, runs = recorded
    stages = replay_runs(world, runs)
    single = [replay_runs(world, [run])[0] for run in runs]
    def closed(stage):
        return [(e.track_id, e.state, e.history) for e in stage.finished]

    for a, b in zip(stages, single):
        assert np.array_equal(a.rounds, b.rounds) and np.array_equal(a.next_cycle_s, b.next_cycle_s)
        assert closed(a) == closed(b)


def test_decide_runs_with_repeated_run_and_retired_slots(recorded):
    """The same run twice beside a retired slot: both copies get the recorded orders."""
    world, runs = recorded
    run = runs[0]
    replay_runs(world, [run, [], run])


def _assess_reference(world, u, w_idx, pos_enu_m, vel_enu_mps, threat_class, reaction_time_s):
    """feasibility.assess as it was before the one-pass version (one weapon at a time, np.cross
    ground range): the oracle the faster version must reproduce bit for bit."""
    from iadsim import geo
    from iadsim.c2 import flyout_table
    from iadsim.c2 import feasibility as fz
    from iadsim.physics.propagation import line_of_sight

    def ground_range_m(p, ref, centre):
        a, b = p - centre, ref - centre
        cross = np.linalg.norm(np.cross(a, b), axis=-1)
        return np.linalg.norm(b, axis=-1) * np.arctan2(cross, np.sum(a * b, axis=-1))

    from iadsim.flyout.lethality import expected_pk_table

    wp, units, rd = world.weapons, world.units, world.radars
    k, nw = len(pos_enu_m), len(w_idx)
    centre, origin, ground = world.earth_centre_enu_m, world.origin, world.ground_alt_m
    base = units.pos_enu_m[u]
    eng = np.flatnonzero((rd.unit_idx == u) & rd.is_engagement)
    r_i = eng[0] if eng.size else np.flatnonzero(rd.unit_idx == u)[0]
    h_radar = float(rd.height_m[r_i])
    speed = np.linalg.norm(vel_enu_mps, axis=-1)
    agl_now = geo.altitude_m(pos_enu_m, origin) - ground
    los_now = line_of_sight(h_radar, np.maximum(agl_now, 0.0), ground_range_m(pos_enu_m, base, centre))
    pk, tof = np.zeros((nw, k)), np.full((nw, k), np.nan)
    pip, code = np.full((nw, k, 3), np.nan), np.full((nw, k), fz.OUT_OF_ENVELOPE)
    ballistic = threat_class == fz.BALLISTIC
    # aerodynamic tracks predicted on their own altitude (horizontal velocity, PIP at the
    # track's distance from the earth's centre); ballistic ones on their full velocity
    radial = pos_enu_m - centre
    r_track = np.linalg.norm(radial, axis=-1)
    up = radial / r_track[:, None]
    v_pred = np.where(ballistic[:, None], vel_enu_mps,
                      vel_enu_mps - np.sum(vel_enu_mps * up, axis=-1)[:, None] * up)
    for a, w in enumerate(w_idx):
        table = flyout_table.load_table(wp.name[w])
        tau = np.linspace(0.0, float(np.nanmax(table.tof_s)), fz.N_TAU)  # the flyout's own reach
        p = pos_enu_m[:, None] + v_pred[:, None] * (reaction_time_s + tau)[None, :, None]
        h_grid = np.where(ballistic[:, None], geo.altitude_m(p, origin) - ground, agl_now[:, None])
        g = tau[None] - flyout_table.time_of_flight_s(table, ground_range_m(p, base, centre), h_grid)
        hit = np.nan_to_num(g, nan=-np.inf) >= 0.0
        found = hit.any(axis=1)
        n1 = np.argmax(hit, axis=1)
        n0 = np.maximum(n1 - 1, 0)
        rows = np.arange(k)
        g0, g1 = g[rows, n0], g[rows, n1]
        frac = np.where(np.isfinite(g0) & (g0 < 0) & (n1 > 0), -g0 / np.where(g1 - g0 > 0, g1 - g0, 1.0), 1.0)
        t_star = tau[n0] + frac * (tau[n1] - tau[n0])
        pip_w = pos_enu_m + v_pred * (reaction_time_s + t_star)[:, None]
        to_pip = pip_w - centre
        scale = np.linalg.norm(to_pip, axis=-1) / r_track
        pip_w = np.where(ballistic[:, None], pip_w,
                         centre + to_pip / np.where(np.isfinite(scale), scale, 1.0)[:, None])
        r_pip = ground_range_m(pip_w, base, centre)
        h_pip = np.where(ballistic, geo.altitude_m(pip_w, origin) - ground, agl_now)
        r_max = np.where(ballistic, wp.max_range_ballistic_m[w], wp.max_range_m[w])
        ok_env = (found & (r_pip <= r_max) & (r_pip >= wp.min_range_m[w]) & (h_pip <= wp.max_altitude_m[w])
                  & (h_pip >= wp.min_altitude_m[w] - 5.0) & (speed <= wp.max_target_speed_mps[w]))
        los = los_now & line_of_sight(h_radar, np.maximum(h_pip, 0.0), r_pip)
        edge = np.clip((r_pip / r_max - fz.PK_EDGE_START) / (1.0 - fz.PK_EDGE_START), 0.0, 1.0)
        code[a] = np.where(~los, fz.NO_LOS, np.where(ok_env, fz.FEASIBLE, fz.OUT_OF_ENVELOPE))
        pk_w = expected_pk_table([wp.name[w]])[0][np.asarray(threat_class, np.int64)]  # the kill draw's model
        pk[a] = np.where(code[a] == fz.FEASIBLE, pk_w * (1.0 - fz.PK_EDGE_LOSS * edge), 0.0)
        tof[a] = np.where(found, t_star, np.nan)
        pip[a] = pip_w
    return fz.Feasibility(pk, tof, pip, code)


def test_assess_matches_the_per_weapon_reference(recorded):
    """The one-pass feasibility reproduces the per-weapon version bit for bit on every recorded
    track set (all of a unit's fresh tracks at each cycle, the first run), and row by row: a
    track's values are the same alone as among the others."""
    from iadsim.c2 import feasibility, threat_eval

    world, runs = recorded
    units, n_sets = world.units, 0
    for step in runs[0]:
        for (u, t_s), trk in step["decide"][1].tracks_seen.items():
            if trk.id.size == 0:
                continue
            w_idx = np.flatnonzero(world.weapons.unit_idx == u)
            ground_r = float(np.linalg.norm(units.pos_enu_m[u] - world.earth_centre_enu_m))
            pos, vel = trk.pos_enu_m, trk.vel_enu_mps
            alt, gamma = threat_eval.altitude_and_gamma(pos, vel, world.earth_centre_enu_m, ground_r)
            cls = threat_eval.classify(np.linalg.norm(vel, axis=-1), alt, gamma)
            args = (world, u, w_idx, pos, vel, cls, float(units.reaction_time_s[u]))
            got, want = feasibility.assess(*args), _assess_reference(*args)
            one = feasibility.assess(world, u, w_idx, pos[-1:], vel[-1:], cls[-1:], args[-1])
            for f in fields(want):
                x, y = getattr(got, f.name), getattr(want, f.name)
                assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
                assert np.array_equal(getattr(one, f.name)[:, 0], y[:, -1], equal_nan=True), f.name
            n_sets += 1
    assert n_sets > 50


@pytest.mark.parametrize("case", range(4))
def test_random_track_sets_batched_equal_single(case):
    """Random raids (every hold reason: channels, reserve, no round, envelope, line of sight) on
    three runs at once give each run the orders of its own C2Stage.decide."""
    from test_c2_limits import FakeTracking, world

    rng = np.random.default_rng(case)
    w = world(*[(1, 2, 0), (4, 5, 5), (12, 20, 20), (4, 20, 23)][case])
    trackings = []
    for n in rng.integers(1, 40, 3):
        rng_m, az = rng.uniform(20e3, 300e3, n), rng.uniform(0, 2 * np.pi, n)
        pos = np.stack([rng_m * np.sin(az), rng_m * np.cos(az), rng.uniform(30.0, 30e3, n)], -1)
        vel = -pos / np.linalg.norm(pos, axis=-1, keepdims=True) * rng.uniform(20.0, 2000.0, n)[:, None]
        trackings.append(FakeTracking(pos, vel))
    batched, single = [C2Stage(w) for _ in trackings], [C2Stage(w) for _ in trackings]
    for t_s in np.arange(0.0, 60.0, 1.0):
        got = decide_runs(t_s, w, batched, trackings)
        for r, trk in enumerate(trackings):
            assert_same_orders(got[r], single[r].decide(t_s, w, trk))
            fired, cancelled = single[r].due_launches(t_s, trk)
            assert batched[r].due_launches(t_s, trk) == (fired, cancelled)
            if t_s % 7 == 0:
                for stage in (single[r], batched[r]):
                    stage.resolved([f.unit for f in fired], [f.track_id for f in fired])
    for a, b in zip(batched, single):
        assert np.array_equal(a.rounds, b.rounds)
