"""kill -9 of `iadsim mc`: its pool workers, fork server and resource tracker end promptly (issue #16),
and every committed run is still in the store."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from mc_tiny import write_tiny

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "killpg"),
                                reason="needs Linux /proc to find the study's processes")


def _session(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid`` (the study and everything it started)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, session, ...
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(d.name))
    return out


def test_kill_9_of_mc_ends_its_workers_promptly(tmp_path):
    scenario = write_tiny(tmp_path / "tiny.yaml", time=dict(duration_s=1800.0, step_s=1.0))
    store = tmp_path / "s.duckdb"
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    p = subprocess.Popen([sys.executable, "-m", "iadsim", "mc", str(scenario), "--runs", "40", "--workers", "2",
                          "--batch-runs", "4", "--store", str(store), "--no-report"],
                         cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_session(p.pid)) < 4 and time.monotonic() < deadline and p.poll() is None:  # study, tracker, server, workers
            time.sleep(0.2)
        assert p.poll() is None, p.stderr.read().decode()
        time.sleep(1.0)  # the workers are inside their first batch
        started = _session(p.pid)
        assert len(started) >= 4, started
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _session(p.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _session(p.pid)
        assert not left, f"still running 10 s after kill -9 of the study: {left}"
    finally:
        if _session(p.pid):
            os.killpg(p.pid, signal.SIGKILL)
        p.stderr.close()
    if store.exists():  # whatever was committed is complete (the runs row is written last, in one transaction)
        con = duckdb.connect(str(store), read_only=True)
        runs = con.execute("SELECT run_index FROM runs WHERE status = 'ok'").fetchall()
        per_run = con.execute("SELECT run_index, count(*) FROM threats GROUP BY run_index").fetchall()
        con.close()
        assert {r for (r,) in runs} == {r for r, _ in per_run}
        assert all(n == 7 for _, n in per_run)
