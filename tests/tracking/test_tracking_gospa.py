"""GOSPA against Stone Soup's GOSPAMetric on the same sets, and ID switch counting."""

import datetime

import numpy as np
import pytest

from iadsim.tracking.metrics import gospa, id_switches

TOL = 1e-9
T0 = datetime.datetime(2025, 1, 1)


def _stonesoup(truth, est, c, p, alpha=2.0):
    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.types.state import State

    metric = GOSPAMetric(c=c, p=p)
    metric.alpha = alpha
    if len(truth) + len(est) == 0:  # Stone Soup needs one state to read the time from
        return dict(distance=0.0, localisation=0.0, missed=0.0, false=0.0)
    to_states = lambda a: [State(v[:, None], timestamp=T0) for v in a]  # noqa: E731
    return metric.compute_gospa_metric(to_states(est), to_states(truth))[0].value


SIZES = [(0, 0), (0, 3), (4, 0), (1, 1), (3, 5), (6, 2), (7, 7)]


@pytest.mark.parametrize("m,n", SIZES)
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_gospa_matches_stonesoup_alpha2(m, n, p):
    rng = np.random.default_rng(10 * m + n)
    for trial in range(5):
        truth, est = rng.uniform(0, 20, (m, 3)), rng.uniform(0, 20, (n, 3))
        c = [5.0, 10.0, 30.0][trial % 3]
        ours, ref = gospa(truth, est, c, p), _stonesoup(truth, est, c, p)
        assert abs(ours.distance - ref["distance"]) <= TOL
        assert abs(ours.localisation - ref["localisation"]) <= TOL
        assert abs(ours.missed - ref["missed"]) <= TOL
        assert abs(ours.false - ref["false"]) <= TOL
        assert ours.n_missed * c**p / 2 == pytest.approx(ours.missed, abs=TOL)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 1.5])
def test_gospa_general_alpha_matches_stonesoup(alpha):
    rng = np.random.default_rng(7)
    for m, n in SIZES:
        truth, est = rng.uniform(0, 20, (m, 2)), rng.uniform(0, 20, (n, 2))
        ours, ref = gospa(truth, est, 8.0, 1.0, alpha), _stonesoup(truth, est, 8.0, 1.0, alpha)
        assert abs(ours.distance - ref["distance"]) <= TOL
        assert np.isnan(ours.localisation)


def test_gospa_simple_values_and_bad_parameters():
    g = gospa(np.array([[0.0, 0.0], [100.0, 0.0]]), np.array([[3.0, 4.0]]), c=10.0, p=1.0)
    assert (g.distance, g.localisation, g.missed, g.false) == (10.0, 5.0, 5.0, 0.0)
    assert g.truth_to_est.tolist() == [0, -1]
    with pytest.raises(ValueError, match="alpha"):
        gospa(np.zeros((1, 2)), np.zeros((1, 2)), c=1.0, alpha=3.0)


def test_id_switches_counts_changes_of_assigned_track():
    truth_ids = [np.array([0, 1])] * 4
    est_ids = [np.array([10, 11]), np.array([10, 11]), np.array([12, 11]), np.array([12, 11])]
    t2e = [np.array([0, 1]), np.array([0, -1]), np.array([0, 1]), np.array([0, 1])]
    # truth 0: 10, 10, 12, 12 -> one switch; truth 1: 11, (lost), 11, 11 -> none
    assert id_switches(truth_ids, est_ids, t2e) == 1
    assert id_switches([], [], []) == 0
