"""Running the runs of a study: in this process, on a local process pool, or on a Dask cluster.

Runs are simulated in batches of up to :data:`BATCH_RUNS` (:func:`iadsim.engine.iter_batch`: one
engine pass does the work of every run of the batch; each run's result is the one it would have
alone, so nothing depends on the batching or the worker count). Workers get the scenario once
and a batch of (run index, seed) pairs, and send back only the compact per-run rows of
:func:`run_rows` (a few hundred bytes per threat), never the ``RunResult``. Results arrive as
batches finish (in this process: as runs finish), in any order; the parent commits each run at
once, so an interruption loses at most the unfinished batches.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

SCHEDULER_TIMEOUT_S = 3.0
BATCH_RUNS = 128  # runs simulated together at most (benchmarks/bench_montecarlo.py measures the gain)


def batch_size(n_runs: int, workers: int, most: int | None = None) -> int:
    """Runs per batch: at most ``most`` (default :data:`BATCH_RUNS`), with a number of batches
    that is a multiple of ``workers`` and batches of nearly equal size, so that the workers finish
    together."""
    n_batches = -(-max(n_runs, 1) // (most or BATCH_RUNS))
    n_batches = -(-n_batches // workers) * workers
    return max(1, -(-n_runs // n_batches))


class ExecutionError(RuntimeError):
    """Runs could not be executed (worker pool broken mid-study)."""


class SchedulerUnreachable(ExecutionError):
    """The Dask scheduler did not answer (checked before anything is written)."""


def run_rows(summary: dict) -> dict:
    """The compact per-run rows (threat and unit columns) from a run's ``summary``."""
    th = summary["threats"]
    threats = dict(threat_id=[t["id"] for t in th], raid=[t["raid"] for t in th], threat_class=[t["threat"] for t in th],
                   target=[t["target"] for t in th], fate=[t["fate"] for t in th], t_s=[t["t_s"] for t in th],
                   unit=[t["killed_by"] for t in th], rounds_spent=[t["rounds_spent"] for t in th],
                   first_detect_s=[t["first_detect_s"] for t in th], first_track_s=[t["first_track_s"] for t in th])
    us = summary["units"]
    units = dict(unit=[u["name"] for u in us], system=[u["system"] for u in us],
                 rounds_fired=[sum(u["rounds_fired"].values()) for u in us],
                 rounds_by_missile=[json.dumps(u["rounds_fired"], sort_keys=True) for u in us],
                 kills=[u["kills"] for u in us], channels_saturated_s=[u["channels_saturated_s"] for u in us])
    return dict(threats=threats, units=units)


def run_one(scenario, run_index: int, seed: int) -> dict:
    """Simulate one run and return its rows; an exception becomes status 'error' with the traceback."""
    from iadsim import simulate

    t0 = time.perf_counter()
    try:
        rows = run_rows(simulate(scenario, seed=seed).summary)
        status, error = "ok", None
    except Exception:  # a failing run is recorded, not fatal to the study
        rows, status, error = run_rows({"threats": [], "units": []}), "error", traceback.format_exc(limit=20)
    return dict(run_index=run_index, seed=seed, status=status, error=error, wall_s=time.perf_counter() - t0, **rows)


_MALLOC_TUNED = False


def tune_malloc() -> bool:
    """Keep freed memory in the process for reuse (glibc only; once per process; no effect on results).

    A batch allocates and frees arrays of a few MB every step; glibc's defaults hand blocks above
    its mmap threshold back to the system at once, so every step pays page faults for fresh
    memory (~17 % of a 64-run batch's CPU time). Raising the mmap threshold to 64 MB, the trim
    threshold to 256 MB and the top pad to 64 MB keeps them: a study process holds up to a few
    hundred MB more between batches. Returns True if the settings were applied.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED or not sys.platform.startswith("linux"):
        return _MALLOC_TUNED
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3  # glibc <malloc.h>
        _MALLOC_TUNED = bool(libc.mallopt(m_mmap_threshold, 64 << 20) and libc.mallopt(m_trim_threshold, 256 << 20)
                             and libc.mallopt(m_top_pad, 64 << 20))
    except (OSError, AttributeError):  # not glibc (musl, other C libraries): leave the defaults
        _MALLOC_TUNED = False
    return _MALLOC_TUNED


def iter_runs(scenario, tasks):
    """Rows of the runs ``tasks`` ((run index, seed) pairs) simulated as one batch, as each run ends.

    ``wall_s`` of a run is the batch's wall time since the previous run ended (the shares add up
    to the batch's time). If the batch fails, the runs not yet returned are run one by one
    (:func:`run_one`): a failing run is recorded with status 'error', the others normally.
    """
    from iadsim.compile import compile_scenario
    from iadsim.engine import iter_batch

    tune_malloc()
    tasks = list(tasks)
    sent = set()
    t0 = time.perf_counter()
    try:
        for r, result in iter_batch(scenario, compile_scenario(scenario), [seed for _, seed in tasks], details=False):
            now = time.perf_counter()
            i, seed = tasks[r]
            sent.add(r)
            yield dict(run_index=i, seed=seed, status="ok", error=None, wall_s=now - t0, **run_rows(result.summary))
            t0 = time.perf_counter()
    except Exception:  # noqa: BLE001 - isolate the failing run(s) below
        for r, (i, seed) in enumerate(tasks):
            if r not in sent:
                yield run_one(scenario, i, seed)


def run_batch_rows(scenario, tasks) -> list[dict]:
    """:func:`iter_runs` collected (what a worker sends back)."""
    return list(iter_runs(scenario, tasks))


def batches(tasks, size: int) -> list[list]:
    """Consecutive runs in batches of at most ``size``."""
    tasks = list(tasks)
    return [tasks[k:k + size] for k in range(0, len(tasks), size)]


_WORKER_SCENARIO = None


def _init_worker(scenario, parent_alive=None) -> None:
    """Pool initialiser: keep the scenario, leave Ctrl-C to the parent (it stops the study), and
    end this worker as soon as the parent is gone (``parent_alive``: see :func:`_watch_parent`)."""
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_alive is not None:
        threading.Thread(target=_watch_parent, args=(parent_alive,), name="iadsim-parent-watch", daemon=True).start()


PARENT_GONE_EXIT = 75  # a worker's exit status when its study process died under it


def _watch_parent(parent_alive) -> None:
    """Block on the read end of a pipe whose only write end the study process holds: it reaches
    end-of-file when that process ends in any way (kill -9 included; a zombie has closed its
    files too), and the worker then exits at once, mid-batch, instead of running on alone.
    (The parent's pid is no use here: under forkserver a worker's parent is the fork server.)"""
    try:
        while True:
            parent_alive.recv_bytes()
    except (EOFError, OSError):
        os._exit(PARENT_GONE_EXIT)


def _run_in_worker(tasks) -> list[dict]:
    return run_batch_rows(_WORKER_SCENARIO, tasks)


class InProcess:
    """Batches one after the other in this process (one worker: no start-up, nothing to pickle)."""

    name = "in-process"

    def __init__(self, batch_runs: int | None = None):
        self.batch_runs = batch_runs

    def results(self, scenario, tasks):
        tasks = list(tasks)
        for batch in batches(tasks, batch_size(len(tasks), 1, self.batch_runs)):
            yield from iter_runs(scenario, batch)


class LocalPool:
    """A process pool of ``workers`` (forkserver start: no inherited state, cheap forks)."""

    def __init__(self, workers: int, batch_runs: int | None = None):
        self.workers, self.batch_runs = workers, batch_runs
        self.name = f"{workers} local processes"

    def results(self, scenario, tasks):
        tasks = list(tasks)
        tasks = batches(tasks, batch_size(len(tasks), self.workers, self.batch_runs))
        if not tasks:
            return
        with _one_blas_thread():  # while the pool starts its processes (they keep it)
            yield from self._run(scenario, tasks)

    def _run(self, scenario, tasks):
        ctx = _context()
        alive_r, alive_w = ctx.Pipe(duplex=False)  # workers watch alive_r; only this process holds alive_w
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=ctx,
                                   initializer=_init_worker, initargs=(scenario, alive_r))
        pending, k = set(), 0
        try:
            while k < len(tasks) or pending:
                while k < len(tasks) and len(pending) < 2 * self.workers:  # a small window: quick stop on Ctrl-C
                    try:
                        pending.add(pool.submit(_run_in_worker, tasks[k]))
                    except BrokenProcessPool as exc:  # a worker died between two submissions
                        raise _worker_died(exc) from exc
                    k += 1
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: f.result()[0]["run_index"] if not f.exception() else -1):
                    exc = fut.exception()
                    if exc is not None:
                        raise _worker_died(exc) from exc
                    yield from fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            alive_w.close()
            alive_r.close()


BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _one_blas_thread():
    """One BLAS thread in the pool's processes: the workers are the parallelism, and a batch's
    larger matrix products would otherwise start BLAS threads that compete with the other
    workers for the same cores (~30 % more CPU per run at 128 runs a batch). Variables the
    user set are kept; this process's environment is restored afterwards."""
    saved = {v: os.environ.get(v) for v in BLAS_THREAD_VARS}
    for v in BLAS_THREAD_VARS:
        os.environ.setdefault(v, "1")
    try:
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


def _worker_died(exc: BaseException) -> "ExecutionError":
    return ExecutionError(f"a worker process died ({type(exc).__name__}: {exc}); finished runs are saved, "
                          "run the same command again to resume")


def _context():
    """forkserver with the engine preloaded (workers fork from a server that imported it once), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["iadsim.engine", "iadsim.study.execute"])
    return ctx


class DaskCluster:
    """Runs as tasks on a Dask cluster (``Client(address)``); the scenario is scattered once."""

    def __init__(self, address: str, timeout_s: float = SCHEDULER_TIMEOUT_S, batch_runs: int | None = None):
        self.batch_runs = batch_runs
        try:
            from distributed import Client

            self.client = Client(address, timeout=timeout_s, set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
            raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address!r} within {timeout_s:g} s "
                                 f"({type(exc).__name__}: {exc}); nothing was run") from None
        n = len(self.client.scheduler_info().get("workers", {}))
        self.name = f"Dask scheduler {address} ({n} worker(s))"

    def results(self, scenario, tasks):
        from distributed import as_completed

        client = self.client
        sc = client.scatter(scenario, broadcast=True)
        n_workers = len(client.scheduler_info().get("workers", {}))
        tasks = list(tasks)
        tasks = batches(tasks, batch_size(len(tasks), max(n_workers, 1), self.batch_runs))
        window = max(2, 2 * n_workers)
        futures = [client.submit(run_batch_rows, sc, batch, pure=False) for batch in tasks[:window]]
        k = len(futures)
        ac = as_completed(futures, loop=client.loop)
        try:
            for fut in ac:
                rows = fut.result()
                fut.release()
                if k < len(tasks):
                    ac.add(client.submit(run_batch_rows, sc, tasks[k], pure=False))
                    k += 1
                yield from rows
        finally:
            for fut in list(ac.futures):
                fut.cancel()

    def close(self):
        self.client.close()


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None, batch_runs: int | None = None):
    """The executor for the options: Dask if ``scheduler``, else in-process for 1 worker, else a
    pool; ``batch_runs``: most runs simulated together (default :data:`BATCH_RUNS`)."""
    if scheduler:
        ex = DaskCluster(scheduler, batch_runs=batch_runs)
        try:
            yield ex
        finally:
            ex.close()
        return
    workers = default_workers() if workers is None else workers
    yield InProcess(batch_runs) if workers == 1 else LocalPool(workers, batch_runs)


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
