"""The results store: one DuckDB file, one row per run, per threat and per unit, written as runs finish.

The parent process is the only writer. The rows of one run go in one transaction with the
``runs`` row last, so a study interrupted at any point (Ctrl-C, a killed worker, a killed process)
has every finished run complete and no run twice (primary key ``(study_id, run_index)``).
A store may hold several studies (``studies`` table); a study is one scenario (by the hash of its
canonical validated form) and one study seed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa

SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
  study_id VARCHAR PRIMARY KEY, label VARCHAR, scenario_name VARCHAR, scenario_hash VARCHAR,
  study_seed BIGINT, created TIMESTAMP, iadsim_version VARCHAR, scenario_yaml VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
  study_id VARCHAR, run_index INTEGER, seed BIGINT, status VARCHAR, wall_s DOUBLE, scenario_hash VARCHAR,
  error VARCHAR, PRIMARY KEY (study_id, run_index));
CREATE TABLE IF NOT EXISTS threats (
  study_id VARCHAR, run_index INTEGER, threat_id INTEGER, raid VARCHAR, threat_class VARCHAR, target VARCHAR,
  fate VARCHAR, t_s DOUBLE, unit VARCHAR, rounds_spent INTEGER, first_detect_s DOUBLE, first_track_s DOUBLE,
  PRIMARY KEY (study_id, run_index, threat_id));
CREATE TABLE IF NOT EXISTS units (
  study_id VARCHAR, run_index INTEGER, unit VARCHAR, system VARCHAR, rounds_fired INTEGER,
  rounds_by_missile VARCHAR, kills INTEGER, channels_saturated_s DOUBLE, PRIMARY KEY (study_id, run_index, unit));
"""
TABLES = ("studies", "runs", "threats", "units")
THREAT_COLUMNS = ("threat_id", "raid", "threat_class", "target", "fate", "t_s", "unit", "rounds_spent", "first_detect_s",
                  "first_track_s")
# columns added after the first stores were written: an older store gains them (NULL in its old rows)
ADDED = "ALTER TABLE threats ADD COLUMN IF NOT EXISTS first_detect_s DOUBLE; ALTER TABLE threats ADD COLUMN IF NOT EXISTS first_track_s DOUBLE;"
UNIT_COLUMNS = ("unit", "system", "rounds_fired", "rounds_by_missile", "kills", "channels_saturated_s")
ORDER = {"studies": "study_id", "runs": "run_index", "threats": "run_index, threat_id", "units": "run_index, unit"}


class StoreError(ValueError):
    """The store cannot be used for this study (another scenario, not a store, unreadable)."""


class StoreIOError(StoreError):
    """The store cannot be created, opened or written (read-only place, full disk, in use); the
    message carries the operating system's reason."""


def _in_use(path, exc) -> StoreIOError | None:
    """The two-writer case: DuckDB lets one process open a file for writing, and refuses others."""
    msg = str(exc)
    if "lock" not in msg.lower():
        return None
    pid = re.search(r"PID (\d+)", msg)
    who = f"process {pid.group(1)}" if pid else "another process"
    return StoreIOError(f"{path} is in use: {who} has it open for writing (most likely another study running on "
                        "this store). Nothing was run or written; wait for that study to end, or choose another --store")


def _interrupted(exc: BaseException) -> bool:
    """DuckDB turns a SIGINT during a query into an interrupted query (InterruptException, or a
    RuntimeError 'Query interrupted' in some versions), not a KeyboardInterrupt; and a SIGINT while
    it reads a registered Arrow table back in Python becomes an error whose text carries the
    KeyboardInterrupt ("counting the rows of the object registered as 'units_rows' failed:
    KeyboardInterrupt")."""
    interrupt = getattr(duckdb, "InterruptException", ())
    text = str(exc).lower()
    return (bool(interrupt) and isinstance(exc, interrupt)) or (
        isinstance(exc, (RuntimeError, duckdb.Error)) and ("interrupted" in text or "keyboardinterrupt" in text))


def _io_error(what: str, path, exc) -> StoreIOError:
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
    else:  # "IO Error: Could not write file ...: No space left on device" -> the part after "IO Error: "
        reason = re.sub(r"^[A-Za-z ]*Error: ", "", str(exc)).strip()
    return _in_use(path, exc) or StoreIOError(f"cannot {what} the results store {path}: {reason}")


def scenario_hash(scenario) -> str:
    """SHA-256 of the canonical validated scenario (defaults filled, key order fixed)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def study_id_for(name: str, digest: str, study_seed: int) -> str:
    return f"{name}-{digest[:12]}-seed{study_seed}"


def check_store(path: Path | None, study_id: str, digest: str, study_seed: int, new_study: bool) -> None:
    """Refuse a store holding other studies unless ``new_study``; reads only, never creates the file."""
    if path is None or not Path(path).exists():
        return
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise _in_use(path, exc) or StoreError(f"{path} is not a readable DuckDB results store: {exc}") from None
    try:
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "studies" not in names:
            if names:
                raise StoreError(f"{path} is a DuckDB file but not an iadsim results store (no 'studies' table)")
            return
        rows = con.execute("SELECT study_id, scenario_name, scenario_hash, study_seed FROM studies ORDER BY created").fetchall()
    finally:
        con.close()
    if new_study or not rows or any(r[0] == study_id for r in rows):
        return
    same = [r for r in rows if r[2] == digest]
    if same:
        seeds = ", ".join(str(r[3]) for r in same)
        raise StoreError(f"{path} holds this scenario with study seed {seeds}, not {study_seed}; pass --new-study to add "
                         f"a study with seed {study_seed} to this store, or choose another --store")
    held = "; ".join(f"'{r[1]}' (hash {r[2][:12]}, seed {r[3]})" for r in rows)
    raise StoreError(f"{path} was made by a different scenario: it holds {held}, this scenario has hash {digest[:12]}. "
                     f"Pass --new-study to add a study to this store, or choose another --store")


class Store:
    """A DuckDB results store (``path=None``: in memory). Use as a context manager or call ``close``."""

    def __init__(self, path: Path | None = None):
        self.path = None if path is None else Path(path)
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(":memory:" if self.path is None else str(self.path))
        except (OSError, duckdb.Error) as exc:
            raise _io_error("create or open", self.path, exc) from None
        try:
            self.con.execute(SCHEMA)
            self.con.execute(ADDED)
        except (OSError, duckdb.Error) as exc:
            self.con.close()
            raise _io_error("write", self.path, exc) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.con.close()

    def ensure_study(self, study_id: str, label: str, scenario_name: str, digest: str, study_seed: int,
                     version: str, scenario_yaml: str) -> None:
        self.con.execute("INSERT INTO studies VALUES (?, ?, ?, ?, ?, current_timestamp, ?, ?) ON CONFLICT DO NOTHING",
                         [study_id, label, scenario_name, digest, study_seed, version, scenario_yaml])

    def finished_runs(self, study_id: str) -> set[int]:
        """Run indices already committed with status 'ok' (failed runs are retried)."""
        return {i for i, status in self.run_status(study_id).items() if status == "ok"}

    def run_status(self, study_id: str) -> dict[int, str]:
        rows = self.con.execute("SELECT run_index, status FROM runs WHERE study_id = ?", [study_id]).fetchall()
        return dict(rows)

    def commit_run(self, study_id: str, digest: str, row: dict, replace: bool = False) -> None:
        """Write one run's rows (from :func:`iadsim.study.execute.run_one`) in one transaction.

        ``replace``: the run is already in the store (a failed run being retried); its rows are
        replaced. Otherwise a second commit of the same run fails on the primary key.
        """
        i = int(row["run_index"])
        con = self.con
        try:
            con.register("threats_rows", _with_keys(row["threats"], THREAT_COLUMNS, study_id, i))
            con.register("units_rows", _with_keys(row["units"], UNIT_COLUMNS, study_id, i))
            con.execute("BEGIN TRANSACTION")
            if replace:
                for table in ("runs", "threats", "units"):
                    con.execute(f"DELETE FROM {table} WHERE study_id = ? AND run_index = ?", [study_id, i])
            if row["threats"]["threat_id"]:
                con.execute(f"INSERT INTO threats (study_id, run_index, {', '.join(THREAT_COLUMNS)}) SELECT * FROM threats_rows")
            if row["units"]["unit"]:
                con.execute(f"INSERT INTO units (study_id, run_index, {', '.join(UNIT_COLUMNS)}) SELECT * FROM units_rows")
            con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [study_id, i, int(row["seed"]), row["status"], float(row["wall_s"]), digest, row.get("error")])
            con.execute("COMMIT")
        except BaseException as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:  # DuckDB already rolled back (a failed write ends the transaction): keep the real error
                pass
            if isinstance(exc, (OSError, duckdb.IOException, duckdb.FatalException)):
                raise _io_error(f"write run {i} to", self.path or ":memory:", exc) from None
            if _interrupted(exc):  # Ctrl-C while DuckDB ran the query: it interrupts the query instead
                raise KeyboardInterrupt from None
            raise
        finally:
            for name in ("threats_rows", "units_rows"):
                try:
                    con.unregister(name)
                except Exception:  # noqa: BLE001 - unusable after a fatal error or an interrupt; nothing to tidy
                    pass

    def table(self, name: str, study_id: str) -> pa.Table:
        """One table of one study as a pyarrow Table, in run (and threat/unit) order."""
        return to_arrow(self.relation(name, study_id))

    def relation(self, name: str, study_id: str) -> duckdb.DuckDBPyRelation:
        if name not in TABLES:
            raise ValueError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return self.con.sql(f"SELECT * FROM {name} WHERE study_id = $sid ORDER BY {ORDER[name]}", params={"sid": study_id})

    def export_parquet(self, directory: Path | None = None) -> list[Path]:
        """One Parquet file per table (all studies) next to the store: ``<stem>_<table>.parquet``."""
        if self.path is None:
            raise StoreError("an in-memory store has no place to export to; give a store path")
        directory = Path(directory or self.path.parent)
        paths = []
        for name in TABLES:
            p = directory / f"{self.path.stem}_{name}.parquet"
            self.con.execute(f"COPY (SELECT * FROM {name} ORDER BY study_id, {ORDER[name]}) TO '{_sql_str(p)}' (FORMAT PARQUET)")
            paths.append(p)
        return paths


def to_arrow(relation) -> pa.Table:
    """A DuckDB relation as a pyarrow Table (``to_arrow_table`` on DuckDB >= 1.4, older name before)."""
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch()


def _with_keys(columns: dict, names: tuple, study_id: str, run_index: int) -> pa.Table:
    n = len(columns[names[0]])
    return pa.table({"study_id": pa.array([study_id] * n, pa.string()),
                     "run_index": pa.array([run_index] * n, pa.int32()),
                     **{c: columns[c] for c in names}})


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
