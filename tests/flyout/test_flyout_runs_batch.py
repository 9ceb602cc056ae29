"""The batched flyout (FlyoutRuns): R runs of one scenario flown in one set of arrays give each
run exactly, bit for bit, what its single run gives.

The single runs' real flyout inputs are recorded (every launch, the threats' alive/active flags
each step and every track the flyout asked the tracking for), then replayed through FlyoutRuns
with all seeds together; every Outcomes field, the flying count and the final interceptor record
must be equal (NaN == NaN). The property behind it, that the flyout step computes each row the
same whatever rows share the call (alone, with others, with its own or a common sub-step), is
tested on its own.
"""

import copy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import iadsim
from iadsim import engine
from iadsim.compile import compile_scenario
from iadsim.flyout.kinematics import REASON_CPA, advance_interceptors
from iadsim.flyout.params import InterceptorTable, list_interceptors, load_interceptor_params
from iadsim.flyout.stage import FlyoutRuns, FlyoutStage, InterceptorRecord, Outcomes
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates, launch_interceptors

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _RecordingView:
    """Tracking view that logs what it returns to the flyout."""

    def __init__(self, tracking, log):
        self.tracking, self.log = tracking, log

    def tracks(self, u, t_s):
        res = self.tracking.tracks(u, t_s)
        self.log.append((int(u), t_s, copy.deepcopy(res)))
        return res


class _ReplayView:
    """Tracking view that returns the logged tracks, checking that they are asked for in order."""

    def __init__(self, log):
        self.log, self.i = log, 0

    def tracks(self, u, t_s):
        u_logged, t_logged, res = self.log[self.i]
        assert (u_logged, t_logged) == (int(u), t_s)
        self.i += 1
        return res


def _record(monkeypatch, scenario, comp, seed):
    """One single run's flyout inputs and outputs, per engine step (every step calls advance)."""
    steps, launches, stage_of = [], [], {}
    launch0, advance0 = FlyoutStage.launch, FlyoutStage.advance

    def launch(self, t_s, order, tracking=None):
        log = []
        ids, start = launch0(self, t_s, order, _RecordingView(tracking, log))
        launches.append((t_s, copy.deepcopy(order), log, ids.copy(), start.copy()))
        return ids, start

    def advance(self, t_s, dt_s, threats, rng, tracking=None):
        log = []
        out = advance0(self, t_s, dt_s, threats, rng, _RecordingView(tracking, log))
        steps.append(dict(t_s=t_s, dt_s=dt_s, alive=threats.alive.copy(), active=threats.active.copy(),
                          launches=list(launches), log=log, out=out, n_flying=self.flying.n))
        launches.clear()
        stage_of["stage"] = self
        return out

    with monkeypatch.context() as m:
        m.setattr(FlyoutStage, "launch", launch)
        m.setattr(FlyoutStage, "advance", advance)
        engine.run_compiled(scenario, comp, seed)
    return steps, copy.deepcopy(stage_of["stage"].icpt)


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype == object or b.dtype == object:
        return a.shape == b.shape and a.tolist() == b.tolist()
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def _replay(comp, seeds, recorded):
    """All seeds together through FlyoutRuns; asserts every output equal to its single run."""
    runs = FlyoutRuns(comp.world, len(seeds))
    rngs = [engine.streams(s)["flyout"] for s in seeds]
    n_steps = max(len(steps) for steps, _ in recorded)
    fired = 0
    for k in range(n_steps):
        threats, views = [], []
        for r, (steps, _) in enumerate(recorded):
            if k >= len(steps):  # the run is over
                threats.append(None)
                views.append(None)
                continue
            step = steps[k]
            for t_s, order, log, ids, start in step["launches"]:
                got_ids, got_start = runs.launch(r, t_s, order, _ReplayView(log))
                assert _same(got_ids, ids) and _same(got_start, start)
                fired += 1
            threats.append(SimpleNamespace(alive=step["alive"], active=step["active"]))
            views.append(_ReplayView(step["log"]))
        dt_s = recorded[0][0][0]["dt_s"]
        outs = runs.advance(k * dt_s, dt_s, threats, rngs, views)
        for r, (steps, _) in enumerate(recorded):
            if k < len(steps):
                assert steps[k]["t_s"] == k * dt_s
                for f in Outcomes.__dataclass_fields__:
                    assert _same(getattr(outs[r], f), getattr(steps[k]["out"], f)), (seeds[r], k, f)
                assert runs.n_flying(r) == steps[k]["n_flying"], (seeds[r], k)
            else:
                assert outs[r].hit.size == outs[r].miss.size == 0
    for r, (_, icpt) in enumerate(recorded):
        for f in InterceptorRecord.__dataclass_fields__:
            assert _same(getattr(runs.icpt(r), f), getattr(icpt, f)), (seeds[r], f)
    return fired


@pytest.mark.parametrize("name,seeds", [("murted_2019", (1, 5, 8)), ("srbm_patriot", (3, 9, 2))])
def test_batched_flyout_equals_single_runs(monkeypatch, name, seeds):
    sc = iadsim.load_scenario(EXAMPLES / f"{name}.yaml")
    comp = compile_scenario(sc)
    recorded = [_record(monkeypatch, sc, comp, s) for s in seeds]
    assert len({len(steps) for steps, _ in recorded}) > 1  # runs leave the batch at different steps
    outcomes = [step["out"] for steps, _ in recorded for step in steps]
    assert sum(o.hit.size for o in outcomes) and sum(o.miss.size for o in outcomes)  # kills and misses
    assert _replay(comp, seeds, recorded) > 0


def _population(n, seed):
    """n interceptors of every catalog kind, mid-flight, some homing, some near the CPA."""
    rng = np.random.default_rng(seed)
    env = FlyoutEnv.local_sphere()
    table = InterceptorTable.from_params([load_interceptor_params(k) for k in list_interceptors()])
    kind = rng.integers(0, len(table.names), n)
    tgt = np.c_[rng.uniform(-2e5, 2e5, (n, 2)), rng.uniform(1e3, 2e4, n)]
    s = launch_interceptors(table, kind, np.zeros((n, 3)), tgt, env)
    offset = rng.normal(0.0, 20e3, (n, 3))
    offset[: n // 3] *= 1e-3  # within ~20 m: closest approach inside the step
    s = Interceptors(s.id, s.kind_idx, s.alive, tgt + offset, rng.normal(0.0, 800.0, (n, 3)), s.mass_kg,
                     rng.uniform(0.0, 80.0, n), rng.random(n) < 0.5, s.min_range_m, s.prm_kn)
    targets = TargetStates(tgt, rng.normal(0.0, 250.0, (n, 3)), rng.normal(0.0, 30.0, (n, 3)),
                           tgt + rng.normal(0.0, 300.0, (n, 3)), rng.normal(0.0, 250.0, (n, 3)))
    return table, env, s, targets


def _rows(targets, idx):
    return TargetStates(*(getattr(targets, f)[idx] for f in ("pos_enu_m", "vel_enu_mps", "acc_enu_mps2",
                                                               "est_pos_enu_m", "est_vel_enu_mps")))


def test_step_rows_do_not_depend_on_the_rows_beside_them():
    """Each row alone (one-row calls too), in blocks, or all together with per-row sub-step
    starts and lengths: the same bits. Kill draws and seeker noise come from the callable, in row
    order (noise is drawn per row: a row's normals are its own, wherever it sits)."""
    n = 60
    table, env, s, targets = _population(n, seed=5)
    t_row = np.repeat([10.0, 10.25, 10.5], n // 3)
    h_row = np.repeat([0.05, 0.25, 0.1], n // 3)
    u = np.random.default_rng(9).random(n)
    z = np.random.default_rng(10).standard_normal((n, 3))
    whole = advance_interceptors(s, table, targets, t_row, h_row,
                                 lambda rows, normal=False: z[rows] if normal else u[rows], env, augmented=False)
    assert whole[1].resolved.sum() > 5 and whole[1].killed.any()
    pieces = [np.array([i]) for i in range(n)] + [np.arange(a, a + 7) for a in range(0, n - 7, 7)]
    for idx in pieces:
        t_s, h_s = float(t_row[idx[0]]), float(h_row[idx[0]])
        if (t_row[idx] != t_s).any() or (h_row[idx] != h_s).any():
            continue
        expected = u[idx[whole[1].reason[idx] == REASON_CPA]]

        def draw(rows, normal=False, idx=idx):
            if normal:
                return z[idx[rows]]
            assert rows.size == expected.size
            return expected

        state, out = advance_interceptors(s.take(idx), table, _rows(targets, idx), t_s, h_s, draw, env,
                                          augmented=False)
        for f in state.__slots__:
            assert _same(getattr(state, f), getattr(whole[0].take(idx), f)), (idx, f)
        for f in out.__slots__:
            assert _same(getattr(out, f), getattr(whole[1], f)[idx]), (idx, f)
