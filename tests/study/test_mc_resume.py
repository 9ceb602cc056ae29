"""The store: same results for any worker count, and a study killed mid-way resumes without loss or repeats."""

import os
import signal
import subprocess
import sys
import time

import duckdb
import pyarrow.compute as pc
import pytest

import iadsim
import iadsim.study  # open_study (iadsim itself does not import the study package)

RUNS = 10


def _results(table):
    """A study table without its wall-clock column, for equality checks."""
    return table.drop_columns([c for c in ("wall_s",) if c in table.column_names])


def test_one_and_two_workers_give_identical_tables(tiny_scenario, tmp_path):
    with iadsim.monte_carlo(tiny_scenario, 4, workers=1) as one, \
            iadsim.monte_carlo(tiny_scenario, 4, workers=2, store=tmp_path / "two.duckdb") as two:
        assert one.threats.num_rows == 4 * 7
        assert one.threats.equals(two.threats)
        assert one.units.equals(two.units)
        assert _results(one.runs).equals(_results(two.runs))
        assert pc.all(pc.equal(two.runs["status"], "ok")).as_py()


def test_batch_size_does_not_change_results(tiny_scenario):
    """Runs one at a time, in batches of 3 and all together give the same tables, equal to each
    run simulated alone (its full result, events and all)."""
    from iadsim.study.execute import run_one

    tables = []
    for batch in (1, 3, None):
        with iadsim.monte_carlo(tiny_scenario, 7, workers=1, batch_runs=batch) as st:
            tables.append((st.threats, st.units, _results(st.runs)))
    for t in tables[1:]:
        assert all(a.equals(b) for a, b in zip(t, tables[0]))
    seeds = tables[0][2]["seed"].to_pylist()
    for i, seed in enumerate(seeds):
        alone = run_one(tiny_scenario, i, seed)
        rows = tables[0][0].filter(pc.equal(tables[0][0]["run_index"], i))
        assert rows["fate"].to_pylist() == alone["threats"]["fate"]
        assert rows["t_s"].to_pylist() == alone["threats"]["t_s"]


def test_killed_study_resumes_to_the_uninterrupted_result(tiny_yaml, tmp_path):
    store = tmp_path / "s.duckdb"
    cmd = [sys.executable, "-m", "iadsim", "mc", str(tiny_yaml), "--runs", str(RUNS), "--workers", "1",
           "--store", str(store), "--no-report", "--batch-runs", "2"]  # several batches, so the kill lands mid-study
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    committed = 0
    deadline = time.monotonic() + 60
    for line in proc.stderr:  # "mc: k/N runs committed (...)", one every 0.5 s at most
        if "runs committed" in line:
            committed = int(line.split(":")[1].split("/")[0])
            if committed >= 2:
                os.kill(proc.pid, signal.SIGKILL)
                break
        assert time.monotonic() < deadline
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and 2 <= committed < RUNS
    with duckdb.connect(str(store), read_only=True) as con:
        n_after_kill = con.execute("SELECT count(*) FROM runs").fetchone()[0]
        threat_runs = con.execute("SELECT count(DISTINCT run_index) FROM threats").fetchone()[0]
    assert committed <= n_after_kill < RUNS and threat_runs == n_after_kill  # whole runs only

    again = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*), count(DISTINCT run_index) FROM runs").fetchone() == (RUNS, RUNS)
    resumed = iadsim.study.open_study(store)
    with iadsim.monte_carlo(tiny_yaml, RUNS, workers=1) as reference, resumed:
        assert resumed.threats.equals(reference.threats)
        assert resumed.units.equals(reference.units)
        assert _results(resumed.runs).equals(_results(reference.runs))


def test_ctrl_c_stops_cleanly_keeping_finished_runs(tiny_yaml, tmp_path):
    store = tmp_path / "c.duckdb"
    cmd = [sys.executable, "-m", "iadsim", "mc", str(tiny_yaml), "--runs", "40", "--workers", "2", "--store", str(store),
           "--no-report", "--batch-runs", "4"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in proc.stderr:
        if "runs committed" in line:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "interrupted:" in rest and "run the same command again to resume" in rest
    n = int(rest.split("interrupted:")[1].split()[0])
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == n


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc), e.g. the forkserver and the pool workers under it."""
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(k) for k in fh.read().split()]
    except OSError:
        return out
    for k in kids:
        out += [k] + _descendants(k)
    return out


def test_killed_worker_stops_the_study_keeping_finished_runs(tiny_yaml, tmp_path):
    store = tmp_path / "w.duckdb"
    cmd = [sys.executable, "-m", "iadsim", "mc", str(tiny_yaml), "--runs", "30", "--workers", "2", "--store", str(store),
           "--no-report", "--batch-runs", "3"]  # many batches: the kill lands while some are still to run
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    for line in proc.stderr:
        if "runs committed" in line:
            servers = [p for p in _descendants(proc.pid) if "forkserver" in open(f"/proc/{p}/cmdline").read()]
            workers = [w for s in servers[:1] for w in _descendants(s)]  # the pool's workers fork from the server
            if not workers:
                proc.kill()
                pytest.skip("cannot see the pool's worker processes in /proc")
            os.kill(workers[-1], signal.SIGKILL)
            break
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 1, rest
    assert "a worker process died" in rest and "run the same command again to resume" in rest
    with duckdb.connect(str(store), read_only=True) as con:
        n, distinct = con.execute("SELECT count(*), count(DISTINCT run_index) FROM runs").fetchone()
        assert n == distinct and n < 30
        assert con.execute("SELECT count(DISTINCT run_index) FROM threats").fetchone()[0] == n
