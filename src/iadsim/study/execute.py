"""Running the runs of a study: in this process, on a local process pool, or on a Dask cluster.

Workers get the scenario once and a run index with its seed, and send back only the compact
per-run rows of :func:`run_rows` (a few hundred bytes per threat), never the ``RunResult``.
Results arrive as runs finish, in any order; the parent commits each one at once.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

SCHEDULER_TIMEOUT_S = 3.0


class ExecutionError(RuntimeError):
    """Runs could not be executed (worker pool broken mid-study)."""


class SchedulerUnreachable(ExecutionError):
    """The Dask scheduler did not answer (checked before anything is written)."""


def run_rows(summary: dict) -> dict:
    """The compact per-run rows (threat and unit columns) from a run's ``summary``."""
    th = summary["threats"]
    threats = dict(threat_id=[t["id"] for t in th], raid=[t["raid"] for t in th], threat_class=[t["threat"] for t in th],
                   target=[t["target"] for t in th], fate=[t["fate"] for t in th], t_s=[t["t_s"] for t in th],
                   unit=[t["killed_by"] for t in th], rounds_spent=[t["rounds_spent"] for t in th])
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


_WORKER_SCENARIO = None


def _init_worker(scenario) -> None:
    """Pool initialiser: keep the scenario, and leave Ctrl-C to the parent (it stops the study)."""
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_worker(run_index: int, seed: int) -> dict:
    return run_one(_WORKER_SCENARIO, run_index, seed)


class InProcess:
    """Runs one after the other in this process (one worker: no start-up, nothing to pickle)."""

    name = "in-process"

    def results(self, scenario, tasks):
        for i, seed in tasks:
            yield run_one(scenario, i, seed)


class LocalPool:
    """A process pool of ``workers`` (forkserver start: no inherited state, cheap forks)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.name = f"{workers} local processes"

    def results(self, scenario, tasks):
        tasks = list(tasks)
        if not tasks:
            return
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=_context(),
                                   initializer=_init_worker, initargs=(scenario,))
        pending, k = set(), 0
        try:
            while k < len(tasks) or pending:
                while k < len(tasks) and len(pending) < 2 * self.workers:  # a small window: quick stop on Ctrl-C
                    try:
                        pending.add(pool.submit(_run_in_worker, *tasks[k]))
                    except BrokenProcessPool as exc:  # a worker died between two submissions
                        raise _worker_died(exc) from exc
                    k += 1
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: f.result()["run_index"] if not f.exception() else -1):
                    exc = fut.exception()
                    if exc is not None:
                        raise _worker_died(exc) from exc
                    yield fut.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


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

    def __init__(self, address: str, timeout_s: float = SCHEDULER_TIMEOUT_S):
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
        tasks = list(tasks)
        window = max(2, 2 * len(client.scheduler_info().get("workers", {})))
        futures = [client.submit(run_one, sc, i, seed, pure=False) for i, seed in tasks[:window]]
        k = len(futures)
        ac = as_completed(futures, loop=client.loop)
        try:
            for fut in ac:
                row = fut.result()
                fut.release()
                if k < len(tasks):
                    ac.add(client.submit(run_one, sc, *tasks[k], pure=False))
                    k += 1
                yield row
        finally:
            for fut in list(ac.futures):
                fut.cancel()

    def close(self):
        self.client.close()


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None):
    """The executor for the options: Dask if ``scheduler``, else in-process for 1 worker, else a pool."""
    if scheduler:
        ex = DaskCluster(scheduler)
        try:
            yield ex
        finally:
            ex.close()
        return
    workers = default_workers() if workers is None else workers
    yield InProcess() if workers == 1 else LocalPool(workers)


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
