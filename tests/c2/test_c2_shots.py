"""C2 fires only shots that can land (issue #14 item 4), measured on the bundled examples.

Launches that end below the missile's minimum speed or at its maximum flight time: at most 1 %;
the intercept time predicted at ``assign`` (reaction time + ``Orders.predicted_tof_s``) within
10 % of the closest approach that followed, both counted from the order. A few seeds per example here; ``-m slow`` runs the 20 seeds the README quotes
(``python benchmarks/bench_c2_shots.py`` prints the same numbers).
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_c2_shots.py"
_spec = importlib.util.spec_from_file_location("bench_c2_shots", BENCH)
bench = sys.modules.setdefault("bench_c2_shots", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)  # registered first: its dataclasses look their module up
EXAMPLES = bench.EXAMPLES


def _check(stats):
    assert stats["launches"] > 0
    assert stats["bad_share"] <= 0.01, stats
    assert stats["n_tof"] > 0 and stats["err_max"] <= 0.10, stats


def test_examples_are_measured():
    assert {p.name for p in EXAMPLES} >= {"murted_2019.yaml", "murted_patriot.yaml", "srbm_patriot.yaml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_shots_land_and_their_flight_time_is_predicted(example):
    logs = bench.run_example(example, range(2))
    _check(bench.shot_stats(logs))
    for log in logs:  # one predicted time of flight per assign row, finite (a feasible shot)
        assert log.assigns and all(np.isfinite(a[4]) and a[4] > 0 for a in log.assigns)


# Known failure, kept visible (strict: it fails loudly once fixed): in the three-battery Patriot
# deployment, seed 9, patriot_ankara_south orders a shot at a drone 1 s after confirming its track;
# the track's velocity is still a single-update estimate, so C2 predicts 92.6 s to intercept for a
# round that reaches it in 66 s (40 %; the round hits). 1 first round of 545 over 20 seeds; no shot
# ends below minimum speed. The fix is a track-quality gate before assignment (next work).
IMMATURE_TRACK = pytest.mark.xfail(strict=True, reason="C2 assigns on a track confirmed 1 s earlier (seed 9): "
                                                       "40 % intercept-time error on one drone shot of 545")


@pytest.mark.slow
@pytest.mark.parametrize("example", [pytest.param(p, marks=IMMATURE_TRACK) if p.stem == "murted_patriot" else p
                                     for p in EXAMPLES], ids=lambda p: p.stem)
def test_shots_land_over_20_seeds(example):
    """20 seeds take minutes: ``pytest -m slow`` (or ``python benchmarks/bench_c2_shots.py``)."""
    _check(bench.shot_stats(bench.run_example(example, range(20))))


def test_shot_stats_by_hand():
    """The measurement itself: a low-speed end counts, a later salvo round is not timed, the
    prediction is matched to the order before the launch."""
    log = bench.ShotLog()
    log.reaction_time_s = (5.0,)
    log.assigns = [(0.0, 0, 7, 1, 50.0, "drone"), (100.0, 0, 7, 1, 30.0, "drone")]
    log.launches = {0: (10.0, 0, 7, 1), 1: (13.0, 0, 7, 1), 2: (110.0, 0, 7, 1)}
    log.ends = {0: (65.0, "cpa"), 1: (70.0, "cpa"), 2: (120.0, "low_speed")}
    st = bench.shot_stats([log])
    assert st["launches"] == 3 and st["bad_ends"] == 1
    # order at 0 s: predicted 5 + 50 = 55 s, closest approach at 65 s; flight 55 s against 50
    assert st["n_tof"] == 1 and st["err_max"] == pytest.approx(10.0 / 65.0)
    assert st["tof_err_max"] == pytest.approx(5.0 / 55.0)
