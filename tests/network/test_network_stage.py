"""The network stage (issue #17 items 3, 5-8): links carry reports at their period with latency,
capacity and loss; the command post fuses two units' tracks of one threat into one stable fused
track; cuts and losses degrade to autonomous operation; the example's early-warning sensors make the
stealth fighters' first track clearly earlier; batches are bit-identical to single runs."""

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from iadsim.compile import compile_scenario
from iadsim.engine import iter_batch, run_compiled
from iadsim.network.stage import RunNetwork
from iadsim.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parent))
from test_network_scenario import GOOD  # noqa: E402

EXAMPLE = Path(__file__).parents[2] / "examples" / "ankara_iads.yaml"


def _world(tmp_path, text=GOOD):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return compile_scenario(load_scenario(p)).world


def _tracks(t_s, ids, pos, t_last=None, truth=None, sigma_m=30.0):
    n = len(ids)
    pos = np.asarray(pos, float).reshape(n, 3)
    cov = np.tile(np.diag([sigma_m**2] * 3 + [25.0] * 3), (n, 1, 1))
    return SimpleNamespace(t_s=t_s, id=np.asarray(ids, np.int64), pos_enu_m=pos, vel_enu_mps=np.zeros((n, 3)), cov=cov,
                           t_last_s=np.full(n, t_s) if t_last is None else np.asarray(t_last, float),
                           truth_id=np.zeros(n, np.int64) if truth is None else np.asarray(truth, np.int64))


class View:
    def __init__(self, n_sites):
        self.last = [None] * n_sites
        self.fresh_s = [5.0] * n_sites


def test_reports_arrive_after_latency_at_the_link_period_and_fuse_into_one_stable_track(tmp_path):
    w = _world(tmp_path, GOOD.replace(", lost_at_s: 60", "").replace(", loss_probability: 0.1, cut_at_s: 50", ""))
    net = RunNetwork(w, np.random.default_rng(0))
    view = View(3)
    sent_at = []
    for k in range(12):
        t = float(k)
        # u1 and u2 both track threat 0 (5 m apart), the sensor does not
        view.last[0] = _tracks(t, [7], [[1000.0, 2000.0, 5000.0]])
        view.last[1] = _tracks(t, [3], [[1005.0, 2000.0, 5000.0]])
        before = net.carried.copy()
        net.update(t, view)
        if net.carried[0] > before[0]:
            sent_at.append(t)
        if k == 0:
            assert net.reports[0]["site"].size == 0  # u1's first report (latency 0.5 s) has not arrived yet
        if k == 1:
            assert net.reports[0]["site"].tolist() == [0, 1]  # both reports of t = 0 arrived (latencies 0.5 s and 1 s)
    assert sent_at == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]  # u1's link: every 2 s
    f = net.fused[0]
    assert f["id"].tolist() == [0] and f["truth"].tolist() == [0]  # one fused track for both units' tracks
    assert net.reports[0]["fused"].tolist() == [0, 0]
    assert f["x"][0, 0] == pytest.approx(1002.5, abs=1e-6)  # equal covariances: the mean of the two
    assert net.first_fused_s[0] == pytest.approx(2.0)  # the first fusion cycle after the first arrival (t = 1)


def test_capacity_keeps_the_freshest_and_loss_is_binomial(tmp_path):
    text = GOOD.replace("capacity: 10}", "capacity: 2}").replace(", lost_at_s: 60", "").replace(
        "loss_probability: 0.1, cut_at_s: 50", "loss_probability: 0.3")
    w = _world(tmp_path, text)
    net = RunNetwork(w, np.random.default_rng(1))
    view = View(3)
    view.last[0] = _tracks(0.0, [1, 2, 3], [[0, 0, 0], [5e3, 0, 0], [1e4, 0, 0]], t_last=[-1.0, 0.0, -0.5])
    net.update(0.0, view)
    assert net.pending[0][0][1]["tid"].tolist() == [2, 3] and net.over_capacity[0] == 1
    n_sent = 0
    for k in range(400):  # the sensor's lossy link: 100 tracks a report, every 4 s
        t = float(k)
        view.last[2] = _tracks(t, np.arange(100), np.arange(300).reshape(100, 3) * 1e3)
        net.update(t, view)
        n_sent += 100 if k % 4 == 0 and k > 0 else 0  # its send at t = 0 came before (nothing held then)
    lost = net.lost[2]
    assert net.carried[2] + lost == n_sent
    sd = np.sqrt(n_sent * 0.3 * 0.7)
    assert abs(lost - 0.3 * n_sent) < 4 * sd  # binomial, 4 sigma


def test_cut_and_loss_degrade_to_autonomous_and_are_recorded(tmp_path):
    w = _world(tmp_path)
    net = RunNetwork(w, np.random.default_rng(2))
    view = View(3)
    events = []
    for k in range(70):
        view.last[0] = _tracks(float(k), [1], [[0.0, 0.0, 3000.0]])
        events += net.update(float(k), view)
    assert [(e["kind"], e["t_s"], e["autonomous"]) for e in events] == [
        ("link_cut", 50.0, []), ("command_post_lost", 60.0, ["u1", "u2"])]
    assert net.connected(0) == -1 and net.fused[0]["id"].size == 0
    carried = net.carried.copy()
    net.update(70.0, view)
    assert np.array_equal(net.carried, carried)  # nothing flows to a lost command post


def test_deconfliction_avoids_the_threat_another_unit_engages(tmp_path):
    w = _world(tmp_path, GOOD.replace(", lost_at_s: 60", ""))
    net = RunNetwork(w, np.random.default_rng(0))
    view = View(3)
    for k in range(5):
        view.last[0] = _tracks(float(k), [7, 8], [[1000.0, 2000.0, 5000.0], [9e4, 0, 5000.0]], truth=[0, -1])
        view.last[1] = _tracks(float(k), [3], [[1005.0, 2000.0, 5000.0]])
        net.update(float(k), view)
    engagements = [{}, {3: object()}, {}]  # u2 engages its track 3 (threat 0)
    assert net.engaged_elsewhere(0, np.array([7, 8]), engagements).tolist() == [True, False]
    assert net.engaged_elsewhere(0, np.array([7, 8]), engagements).tolist() == [True, False]
    assert net.avoided.tolist() == [1, 0, 0]  # counted once per unit and fused track
    w2 = _world(tmp_path, GOOD.replace(", lost_at_s: 60", ", duplicate_engagements: true"))
    net2 = RunNetwork(w2, np.random.default_rng(0))
    for k in range(5):
        net2.update(float(k), view)
    assert not net2.engaged_elsewhere(0, np.array([7, 8]), engagements).any()


@pytest.fixture(scope="module")
def example():
    sc = load_scenario(EXAMPLE)
    return sc


def test_early_warning_sensors_make_stealth_tracks_clearly_earlier(example):
    """The example with and without its standalone sensors (and their links): the stealth fighters'
    first_track_s, the first time any unit, sensor or the command post held a confirmed track."""
    with_ew = run_compiled(example, compile_scenario(example), example.seed).summary
    bare = example.model_copy(update=dict(sensors=[], links=[ln for ln in example.links
                                                             if ln.source in {u.name for u in example.units}]))
    without = run_compiled(bare, compile_scenario(bare), example.seed).summary
    a = [t["first_track_s"] for t in with_ew["threats"] if t["threat"] == "stealth_fighter"]
    b = [t["first_track_s"] for t in without["threats"] if t["threat"] == "stealth_fighter"]
    assert len(a) == 2 and all(x is not None for x in a + b)
    assert all(y - x >= 120.0 for x, y in zip(a, b)), (a, b)  # at least two minutes earlier
    first = [t["first_detect_by"] for t in with_ew["threats"] if t["threat"] == "stealth_fighter"]
    assert all(f.startswith("nebo_west ") for f in first)  # the VHF radar sees them first
    net = with_ew["network"]
    assert {ln["name"] for ln in net["links"]} >= {"nebo_west -> cp_ankara"} and all(ln["carried"] > 0 for ln in net["links"])
    st = [t for t in with_ew["threats"] if t["threat"] == "stealth_fighter"]
    assert all(t["first_fused_s"] is not None and t["first_fused_s"] >= t["first_track_s"] for t in st)


def test_networked_batch_is_bit_identical_to_single_runs(example):
    sc = example.model_copy(update=dict(time=example.time.model_copy(update=dict(duration_s=500.0))))
    comp = compile_scenario(sc)
    seeds = [3, 4, 5]
    alone = {s: run_compiled(sc, comp, s).summary for s in seeds}
    batch = dict(iter_batch(sc, comp, seeds, details=False))
    for r, s in enumerate(seeds):
        assert batch[r].summary == alone[s]
    assert alone[3] != alone[4]  # the seeds matter (the network's loss draws among them)


def test_networked_study_is_the_same_for_one_and_two_workers(example, tmp_path):
    """A study of the networked example (shortened) stores the same tables whatever the worker count
    and batch size (the per-run network stream and state)."""
    import iadsim

    sc = example.model_copy(update=dict(time=example.time.model_copy(update=dict(duration_s=400.0))))
    drop = lambda t: t.drop_columns([c for c in ("wall_s",) if c in t.column_names])  # noqa: E731
    with iadsim.monte_carlo(sc, 3, workers=1, batch_runs=3) as one, \
            iadsim.monte_carlo(sc, 3, workers=2, batch_runs=1, store=tmp_path / "two.duckdb") as two:
        assert one.threats.num_rows == 3 * 24
        assert one.threats.equals(two.threats) and one.units.equals(two.units)
        assert drop(one.runs).equals(drop(two.runs))
