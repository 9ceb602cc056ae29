"""A property of the flyout step behind running many interceptors (and many runs) in one set of
arrays: each row gets the same bits whatever rows share the call (alone, in blocks, or all
together with per-row sub-step starts and lengths). Moved from the replay test of the batched
flyout, which compared the batched stage with itself once a single run became a batch of one."""

import numpy as np

from iadsim.flyout.kinematics import REASON_CPA, advance_interceptors
from iadsim.flyout.params import InterceptorTable, list_interceptors, load_interceptor_params
from iadsim.flyout.state import FlyoutEnv, Interceptors, TargetStates, launch_interceptors


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


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
    starts and lengths: the same bits. Seeker-noise normals and kill draws come from the callable,
    each row's own (the callable's contract: ``rng(rows, True)`` normals, ``rng(rows)`` uniforms)."""
    n = 60
    table, env, s, targets = _population(n, seed=5)
    t_row = np.repeat([10.0, 10.25, 10.5], n // 3)
    h_row = np.repeat([0.05, 0.25, 0.1], n // 3)
    u = np.random.default_rng(9).random(n)
    z = np.random.default_rng(10).standard_normal((n, 3))
    whole = advance_interceptors(s, table, targets, t_row, h_row, lambda rows, normal=False: z[rows] if normal else u[rows],
                                 env, augmented=False)
    assert whole[1].resolved.sum() > 5 and whole[1].killed.any()
    pieces = [np.array([i]) for i in range(n)] + [np.arange(a, a + 7) for a in range(0, n - 7, 7)]
    for idx in pieces:
        t_s, h_s = float(t_row[idx[0]]), float(h_row[idx[0]])
        if (t_row[idx] != t_s).any() or (h_row[idx] != h_s).any():
            continue
        expected = u[idx[whole[1].reason[idx] == REASON_CPA]]

        def draw(rows, normal=False):
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
