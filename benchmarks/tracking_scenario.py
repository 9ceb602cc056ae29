"""Seeded multi-target scenario "CV-3D-uniform" for the tracking benchmark, NumPy only.

Targets start with x, y uniform in ±80 km, z in 1–15 km, horizontal speed 100–300 m/s, random
heading, vz ~ N(0, 5 m/s), and move with nearly-constant velocity, q = 1 m²/s³ per axis. Births
are uniform over scans 0–49; 25 % of targets die uniformly over scans 100–199. Pd = 0.9;
Cartesian position measurements with σ = 100 m per axis; Poisson clutter (mean 10 per scan),
uniform in a 200 × 200 × 20 km box; detections shuffled within a scan. The random draws are
ours, so detection counts differ from those of the project's earlier, unpublished generator for
the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.tracking.motion import process_noise, transition_matrix


@dataclass(frozen=True)
class Scenario:
    n_targets: int
    n_scans: int
    dt_s: float
    sigma_m: float
    q_m2ps3: float
    truth_pos_enu_m: np.ndarray  # (n_scans, n_targets, 3)
    alive: np.ndarray  # (n_scans, n_targets) bool
    det_pos_enu_m: list  # per scan (m_k, 3)
    det_origin: list  # per scan (m_k,) target index, −1 for clutter

    @property
    def n_detections(self) -> int:
        return sum(len(z) for z in self.det_pos_enu_m)

    @property
    def n_clutter(self) -> int:
        return int(sum((o < 0).sum() for o in self.det_origin))


def make_scenario(n_targets: int, n_scans: int = 200, seed: int = 1, dt_s: float = 1.0, pd: float = 0.9,
                  sigma_m: float = 100.0, q_m2ps3: float = 1.0, clutter_mean: float = 10.0) -> Scenario:
    """Build the CV-3D-uniform scenario; returns truth, alive mask and shuffled detections per scan."""
    rng = np.random.default_rng(seed)
    n = n_targets
    birth = rng.integers(0, 50, n)
    death = np.where(rng.random(n) < 0.25, rng.integers(100, 200, n), np.iinfo(np.int64).max)
    speed, heading = rng.uniform(100.0, 300.0, n), rng.uniform(0.0, 2 * np.pi, n)
    x = np.column_stack([rng.uniform(-80e3, 80e3, n), rng.uniform(-80e3, 80e3, n), rng.uniform(1e3, 15e3, n),
                         speed * np.sin(heading), speed * np.cos(heading), rng.normal(0.0, 5.0, n)])
    f, q = transition_matrix("cv", dt_s), process_noise("cv", dt_s, q_m2ps3)
    chol = np.linalg.cholesky(q)
    truth = np.zeros((n_scans, n, 3))
    alive = np.zeros((n_scans, n), bool)
    dets, origin = [], []
    for k in range(n_scans):
        if k:
            moving = birth < k  # a target starts moving after its birth scan
            x[moving] = x[moving] @ f.T + rng.standard_normal((int(moving.sum()), 6)) @ chol.T
        alive[k] = (birth <= k) & (k < death)
        truth[k] = x[:, :3]
        seen = np.flatnonzero(alive[k] & (rng.random(n) < pd))
        z_t = x[seen, :3] + rng.normal(0.0, sigma_m, (len(seen), 3))
        n_c = rng.poisson(clutter_mean)
        z_c = np.column_stack([rng.uniform(-100e3, 100e3, n_c), rng.uniform(-100e3, 100e3, n_c),
                               rng.uniform(0.0, 20e3, n_c)])
        z = np.vstack([z_t, z_c])
        o = np.concatenate([seen, np.full(n_c, -1)])
        perm = rng.permutation(len(z))
        dets.append(z[perm])
        origin.append(o[perm])
    return Scenario(n, n_scans, dt_s, sigma_m, q_m2ps3, truth, alive, dets, origin)
