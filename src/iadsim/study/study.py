"""A Monte Carlo study: many seeded runs of one scenario, committed to a results store as they finish.

``run_study`` checks every input before anything is written (run and worker counts, the store's
scenario, the scheduler), then runs only the runs not yet in the store, so the same call after an
interruption resumes where it stopped and an interrupted study loses no finished run.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import yaml

from iadsim.scenario.models import SEED_MAX
from iadsim.study import stats as st
from iadsim.study.execute import executor
from iadsim.study.seeds import run_seed
from iadsim.study.store import Store, check_store, scenario_hash, study_id_for


class StudyError(ValueError):
    """A study cannot start: bad option, incompatible store, unreachable scheduler."""


class Study:
    """One study in a results store: tables as pyarrow (``runs``, ``threats``, ``units``) and statistics."""

    def __init__(self, store: Store, study_id: str, scenario, study_seed: int, label: str = "", n_runs: int | None = None):
        self.store, self.study_id, self.scenario, self.study_seed = store, study_id, scenario, study_seed
        self.label = label or scenario.name
        self.n_runs = n_runs  # statistics cover runs 0 .. n_runs - 1 (None: every run in the store)

    def __repr__(self) -> str:
        return f"Study({self.study_id!r}, runs={self.runs.num_rows}, store={self.store.path})"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.store.close()

    @property
    def runs(self):
        return self.store.table("runs", self.study_id)

    @property
    def threats(self):
        return self.store.table("threats", self.study_id)

    @property
    def units(self):
        return self.store.table("units", self.study_id)

    def relation(self, name: str):
        """A table of this study as a DuckDB relation (filter, aggregate, join in SQL)."""
        return self.store.relation(name, self.study_id)

    def to_pandas(self, name: str = "threats"):
        """A table as a pandas DataFrame (pandas is optional: imported here, clear error if absent)."""
        _require("pandas", "to_pandas")
        return self.store.table(name, self.study_id).to_pandas()

    def to_polars(self, name: str = "threats"):
        """A table as a polars DataFrame (polars is optional: imported here, clear error if absent)."""
        pl = _require("polars", "to_polars")
        return pl.from_arrow(self.store.table(name, self.study_id))

    def metrics(self) -> list[st.Metric]:
        return st.metrics(self.per_run())

    def runs_in_store(self) -> int:
        """How many runs of this study the store holds (any status), whatever ``n_runs`` is."""
        return self.runs.num_rows

    def _covered(self):
        """The runs, threats and units tables restricted to the runs the statistics cover."""
        tables = (self.runs, self.threats, self.units)
        if self.n_runs is None:
            return tables
        import pyarrow.compute as pc

        return tuple(t.filter(pc.less(t.column("run_index"), self.n_runs)) for t in tables)

    def per_run(self) -> st.PerRun:
        sc = self.scenario
        return st.per_run(*self._covered(), [r.name for r in sc.raids], [a.name for a in sc.assets])

    def statistics(self) -> st.Statistics:
        """Leakers, annihilation and asset survival probabilities, interceptors per kill... with 95 % intervals,
        over runs 0 .. ``n_runs`` - 1 (the runs asked for; every run in the store when ``n_runs`` is None)."""
        sc = self.scenario
        return st.statistics(*self._covered(), [r.name for r in sc.raids], [a.name for a in sc.assets])


def _require(module: str, method: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        raise ModuleNotFoundError(f"Study.{method}() needs {module}, which is not installed (it is optional); "
                                  f"install it, or use the pyarrow tables (.runs, .threats, .units)") from None


def resolve_scenario(scenario):
    """A Scenario and its YAML text, from a Scenario or a path."""
    from iadsim.scenario import Scenario, load_scenario

    if isinstance(scenario, Scenario):
        return scenario, yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False)
    path = Path(scenario)
    sc = load_scenario(path)
    return sc, path.read_text(encoding="utf-8")


def check_counts(runs, workers, batch_runs=None) -> None:
    if isinstance(runs, bool) or not isinstance(runs, int) or runs <= 0:
        raise StudyError(f"--runs must be a whole number >= 1, got {runs!r}")
    for name, v in (("--workers", workers), ("--batch-runs", batch_runs)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
            raise StudyError(f"{name} must be a whole number >= 1, got {v!r}")


def run_study(scenario, runs: int, *, workers: int | None = None, store: Store | str | Path | None = None,
              seed: int | None = None, scheduler: str | None = None, new_study: bool = False, label: str = "",
              yaml_text: str | None = None, progress=None, on_executor=None, batch_runs: int | None = None) -> Study:
    """Run (or resume) a study; ``progress(done, total)`` after each committed run. See :func:`monte_carlo`."""
    from iadsim import __version__
    from iadsim.study.execute import SchedulerUnreachable

    check_counts(runs, workers, batch_runs)
    sc, text = resolve_scenario(scenario)
    text = yaml_text or text
    study_seed = sc.seed if seed is None else seed
    if isinstance(study_seed, bool) or not isinstance(study_seed, numbers.Integral) or not 0 <= study_seed <= SEED_MAX:
        raise StudyError(f"--seed must be a whole number in [0, 2**63), got {study_seed!r}")
    study_seed = int(study_seed)
    digest = scenario_hash(sc)
    sid = study_id_for(sc.name, digest, study_seed)
    own_store = not isinstance(store, Store)
    if own_store:
        try:
            check_store(store, sid, digest, study_seed, new_study)
        except ValueError as exc:
            raise StudyError(str(exc)) from None
    try:
        with executor(workers, scheduler, batch_runs) as ex:
            db = Store(store) if own_store else store
            try:
                db.ensure_study(sid, label or sc.name, sc.name, digest, study_seed, __version__, text)
                status = db.run_status(sid)
                done = {i for i, s in status.items() if s == "ok"}
                tasks = [(i, run_seed(study_seed, i)) for i in range(runs) if i not in done]
                if on_executor is not None:
                    on_executor(ex, len(done), len(tasks))
                n_done = len(done & set(range(runs)))
                if progress is not None:
                    progress(n_done, runs)
                for row in ex.results(sc, tasks):
                    db.commit_run(sid, digest, row, replace=row["run_index"] in status)
                    n_done += 1
                    if progress is not None:
                        progress(n_done, runs)
            except BaseException:
                if own_store:
                    db.close()
                raise
    except SchedulerUnreachable as exc:
        raise StudyError(str(exc)) from None
    return Study(db, sid, sc, study_seed, label, n_runs=runs)


def monte_carlo(scenario, runs: int, workers: int | None = None, store=None, seed: int | None = None,
                scheduler: str | None = None, new_study: bool = False, progress=None,
                batch_runs: int | None = None) -> Study:
    """Run ``runs`` seeded runs of ``scenario`` (a Scenario or a YAML path) and return the :class:`Study`.

    Run i uses the seed ``SeedSequence(seed, spawn_key=(i,))`` (``seed`` defaults to the scenario's),
    so results do not depend on ``workers``, on a ``scheduler`` (a Dask address, ``tcp://host:8786``)
    or on ``batch_runs`` (most runs simulated together, default 64; fewer use less memory).
    ``store`` is a DuckDB file (resumed if it already holds this study) or None for memory.
    """
    return run_study(scenario, runs, workers=workers, store=store, seed=seed, scheduler=scheduler,
                     new_study=new_study, progress=progress, batch_runs=batch_runs)


def open_study(path, study_id: str | None = None) -> Study:
    """An existing study from a store file (the latest one if ``study_id`` is None)."""
    from iadsim.scenario.load import parse_yaml, validate_data

    db = Store(path)
    rows = db.con.execute("SELECT study_id, scenario_yaml, study_seed, label FROM studies ORDER BY created").fetchall()
    rows = [r for r in rows if study_id is None or r[0] == study_id]
    if not rows:
        db.close()
        raise StudyError(f"{path} holds no study {study_id!r}" if study_id else f"{path} holds no study")
    sid, text, seed, label = rows[-1]
    data, lines = parse_yaml(text, f"{path}:{sid}")
    return Study(db, sid, validate_data(data, lines, f"{path}:{sid}"), seed, label)


__all__ = ["Study", "StudyError", "monte_carlo", "open_study", "run_study"]
