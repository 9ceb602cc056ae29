"""Flyout speed: one step of N interceptors, and an envelope computation.

    python benchmarks/bench_flyout.py            # 10,000 interceptors, full envelope
    python benchmarks/bench_flyout.py --smoke    # tiny sizes, for the test suite

Goal (issue 7): 10,000 interceptors advanced one step in < 2 ms.
"""

import argparse
import time

import numpy as np

from iadsim.flyout.envelope import compute_envelope
from iadsim.flyout.kinematics import advance_interceptors
from iadsim.flyout.params import InterceptorTable, list_interceptors, load_interceptor_params
from iadsim.flyout.state import FlyoutEnv, TargetStates, launch_interceptors


def _population(n, rng, env):
    """n interceptors of all catalog kinds, mid-flight, half already homing."""
    table = InterceptorTable.from_params([load_interceptor_params(k) for k in list_interceptors()])
    kind = rng.integers(0, len(table.names), n)
    tgt = np.c_[rng.uniform(-2e5, 2e5, (n, 2)), rng.uniform(1e3, 2e4, n)]
    s = launch_interceptors(table, kind, np.zeros((n, 3)), tgt, env)
    pos = tgt + rng.normal(0.0, 20e3, (n, 3))
    vel = rng.normal(0.0, 800.0, (n, 3))
    s = type(s)(s.id, s.kind_idx, s.alive, pos, vel, s.mass_kg, rng.uniform(0.0, 60.0, n),
                rng.random(n) < 0.5, s.min_range_m, s.prm_kn)
    targets = TargetStates(tgt, rng.normal(0.0, 250.0, (n, 3)), np.zeros((n, 3)))
    return table, s, targets


def bench_step(n, repeats):
    env = FlyoutEnv.local_sphere()
    rng = np.random.default_rng(7)
    table, s, targets = _population(n, rng, env)
    advance_interceptors(s, table, targets, 0.0, 0.05, rng, env)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        advance_interceptors(s, table, targets, 0.0, 0.05, rng, env)
        times.append(time.perf_counter() - t0)
    best, med = min(times), float(np.median(times))
    print(f"step: n={n} interceptors  median {med * 1e3:.2f} ms  best {best * 1e3:.2f} ms  "
          f"({n / med:,.0f} interceptor-steps/s, {1 / med:,.0f} steps/s)")
    return med


def bench_envelope(smoke):
    p = load_interceptor_params("48N6E3")
    alts = (10e3, 20e3) if smoke else (1e3, 5e3, 10e3, 15e3, 20e3, 25e3, 30e3)
    kw = {"dt_s": 0.2, "n_coarse": 10, "n_refine": 2} if smoke else {"dt_s": 0.05}
    aspects = ("approaching",) if smoke else ("approaching", "crossing", "receding")
    t0 = time.perf_counter()
    env = compute_envelope(p, 250.0, alts, aspects, **kw)
    dt = time.perf_counter() - t0
    print(f"envelope: {p.name}, {len(alts)} altitudes x {len(aspects)} aspects, "
          f"{env.n_trials} trial flights in {dt:.2f} s; max range {env.max_range_km:.1f} km")
    return dt


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (used by the tests)")
    args = ap.parse_args(argv)
    bench_step(200 if args.smoke else 10_000, 3 if args.smoke else 200)
    bench_envelope(args.smoke)


if __name__ == "__main__":
    main()
