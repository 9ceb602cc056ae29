"""Run seeds of a study: run i's seed depends only on the study seed and i (DESIGN.md, Randomness).

``SeedSequence(study_seed, spawn_key=(i,))`` is exactly the i-th child of
``SeedSequence(study_seed).spawn(...)`` (NumPy, "Parallel random number generation"), so the
seed of a run does not depend on how many runs there are, on the worker count or on the order in
which runs finish. The same run index in two studies with the same study seed gets the same seed:
common random numbers for comparisons and sweeps.
"""

from __future__ import annotations

import numpy as np

SEED_BITS = 63  # fits a signed 64-bit column in the results store


def run_seed(study_seed: int, run_index: int) -> int:
    """The integer seed passed to ``simulate`` for run ``run_index`` of a study."""
    if study_seed < 0 or run_index < 0:
        raise ValueError(f"study seed and run index must be >= 0, got {study_seed}, {run_index}")
    state = np.random.SeedSequence(int(study_seed), spawn_key=(int(run_index),)).generate_state(1, np.uint64)
    return int(state[0]) >> (64 - SEED_BITS)


def run_seeds(study_seed: int, run_indices) -> list[int]:
    """Seeds of several runs (see :func:`run_seed`)."""
    return [run_seed(study_seed, i) for i in run_indices]
