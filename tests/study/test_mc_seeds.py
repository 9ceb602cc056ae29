"""Run seeds depend only on (study seed, run index): SeedSequence spawn semantics."""

import numpy as np

from iadsim.study.seeds import SEED_BITS, run_seed, run_seeds


def test_run_seed_is_the_spawned_child():
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert run_seed(42, i) == int(child.generate_state(1, np.uint64)[0]) >> (64 - SEED_BITS)


def test_run_seed_depends_only_on_study_seed_and_index():
    a = run_seeds(7, range(100))
    assert run_seeds(7, range(99, -1, -1)) == a[::-1]  # any order
    assert run_seeds(7, [50]) == [a[50]]  # any subset (resume, workers)
    assert len(set(a)) == 100
    assert run_seeds(8, range(100)) != a
    assert all(0 <= s < 2**63 for s in a)
