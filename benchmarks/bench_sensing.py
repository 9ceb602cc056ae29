"""Speed of one radar scan (``iadsim.sensing.scan``) against its goal.

Usage: ``python benchmarks/bench_sensing.py [--n-threats 1000] [--repeats 200] [--smoke]``

Builds a world with one 91N6E-class radar (the S-400 battalion of a compiled scenario, radars
other than the first removed) and ``n`` threats spread over 20-500 km, 50 m-12 km, every
direction, all active; times ``scan`` (detections, measurement noise and false alarms), on one
core (BLAS/OpenMP threads pinned to 1 before NumPy is imported), best and median of
``repeats``. Goal: < 1 ms for 1,000 threats. ``pd`` throughput is in ``bench_pd.py``.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402

from iadsim import geo, sensing  # noqa: E402
from iadsim.compile import compile_scenario  # noqa: E402
from iadsim.scenario.models import Scenario  # noqa: E402

GOAL_S = 1e-3


def one_radar_world(n_threats: int, seed: int = 1):
    """A compiled world with one 91N6E and ``n_threats`` active threats around it."""
    sc = Scenario.model_validate(dict(
        schema_version=1, name="bench", seed=1, origin=dict(lat_deg=40.0, lon_deg=32.5, alt_m=800.0),
        time=dict(duration_s=10, step_s=1.0), assets=[dict(name="a", lat_deg=40.0, lon_deg=32.5, value=1, radius_m=1000)],
        units=[dict(name="u", system="s400", lat_deg=40.0, lon_deg=32.5)],
        raids=[dict(name="r", threat="fighter", count=n_threats, target="a",
                    route=[dict(lat_deg=42.0, lon_deg=32.5, alt_agl_m=5000)])]))
    comp = compile_scenario(sc)
    w = comp.world
    keep = np.array([0])
    rd = w.radars
    radars = type(rd)(**{f: (getattr(rd, f)[keep] if isinstance(getattr(rd, f), np.ndarray) else [getattr(rd, f)[0]])
                         for f in rd.__dataclass_fields__})
    rng = np.random.default_rng(seed)
    rng_m = rng.uniform(20e3, 500e3, n_threats)
    az = rng.uniform(0, 2 * np.pi, n_threats)
    alt = rng.uniform(50, 12e3, n_threats)
    el = np.arctan2(alt - rng_m**2 / (2 * w.effective_radius_m), rng_m)
    pos = geo.aer_to_enu(az, el, rng_m) + rd.pos_enu_m[0]
    vel = -200.0 * pos / np.linalg.norm(pos, axis=1, keepdims=True)
    th = replace(w.threats, pos_enu_m=pos, vel_enu_mps=vel, active=np.ones(n_threats, bool))
    agl = geo.altitude_m(pos, comp.origin) - comp.ground_alt_m
    return replace(w, radars=radars, threats=th), agl


def main(n_threats=1000, repeats=200, verbose=True):
    world, agl = one_radar_world(n_threats)
    rng = np.random.default_rng(0)
    times, n_det = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        (dets,), _ = sensing.scan(world, 0.0, [world.threats], [rng], threat_agl_m=agl)
        times.append(time.perf_counter() - t0)
        n_det.append(len(dets))
    best, med = min(times), float(np.median(times))
    if verbose:
        print(f"scan: 1 radar x {n_threats} threats: best {best * 1e3:.3f} ms, median {med * 1e3:.3f} ms "
              f"(goal < {GOAL_S * 1e3:.0f} ms: best/goal = {best / GOAL_S:.2f}); "
              f"{np.mean(n_det):.0f} detections per scan incl. false alarms")
    return best, med


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-threats", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--smoke", action="store_true", help="tiny run for CI: 50 threats, 3 repeats")
    a = ap.parse_args()
    if a.smoke:
        main(50, 3)
    else:
        main(a.n_threats, a.repeats)
