"""Studies that tell the truth (issue #16): unusable stores give one clear error with the OS's reason,
a study whose runs all fail exits non-zero, statistics cover the runs asked for, seeds are checked
before anything is written, and the default store path is a slug inside the working directory."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.study import store as store_mod
from iadsim.study.study import monte_carlo

from mc_tiny import write_tiny

runner = CliRunner()
ENOSPC = 'IO Error: Could not write file "study.duckdb.wal": No space left on device'


def _mc(scenario, store, *args):
    return runner.invoke(app, ["mc", str(scenario), "--workers", "1", "--store", str(store), "--no-report", *args])


def _clean_failure(res, code=1):
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs a read-only /sys (Linux)")
def test_store_in_a_read_only_place_gives_the_os_reason(tiny_yaml):
    res = _mc(tiny_yaml, "/sys/iadsim-test/s.duckdb", "--runs", "1")
    _clean_failure(res)
    assert "cannot create or open the results store /sys/iadsim-test/s.duckdb" in res.output
    assert "not permitted" in res.output or "Read-only" in res.output or "denied" in res.output


def test_store_that_cannot_be_opened_gives_the_os_reason(tiny_yaml, tmp_path, monkeypatch):
    def refuse(path, *a, **kw):
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(store_mod.duckdb, "connect", refuse)
    res = _mc(tiny_yaml, tmp_path / "s.duckdb", "--runs", "1")
    _clean_failure(res)
    assert f"cannot create or open the results store {tmp_path / 's.duckdb'}" in res.output
    assert "Permission denied" in res.output


class _FullDisk:
    """A DuckDB connection whose run commits fail as on a full disk: the write fails, DuckDB ends
    the transaction itself, and the ROLLBACK that follows fails ('no transaction is active')."""

    def __init__(self, con):
        self._con, self._in_tx = con, False

    def execute(self, sql, *args):
        if sql.startswith("BEGIN"):
            self._in_tx = True
        if sql.startswith("INSERT INTO runs"):
            self._con.execute("ROLLBACK")
            self._in_tx = False
            raise duckdb.IOException(ENOSPC)
        if sql == "ROLLBACK" and not self._in_tx:
            raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_full_disk_shows_no_space_left_not_the_rollback_error(tiny_yaml, tmp_path, monkeypatch):
    real = duckdb.connect
    monkeypatch.setattr(store_mod.duckdb, "connect", lambda *a, **kw: _FullDisk(real(*a, **kw)))
    res = _mc(tiny_yaml, tmp_path / "s.duckdb", "--runs", "2")
    _clean_failure(res)
    assert "cannot write run 0 to the results store" in res.output and "No space left on device" in res.output
    assert "rollback" not in res.output


def test_a_study_in_which_every_run_fails_exits_non_zero(tiny_yaml, tmp_path, monkeypatch):
    import iadsim
    import iadsim.engine

    def boom(*a, **kw):
        raise RuntimeError("boom: the engine failed")

    monkeypatch.setattr(iadsim.engine, "iter_batch", boom)
    monkeypatch.setattr(iadsim, "simulate", boom)
    res = _mc(tiny_yaml, tmp_path / "s.duckdb", "--runs", "3")
    _clean_failure(res)
    assert "every run of study" in res.output and "(3 run(s))" in res.output
    assert "RuntimeError: boom: the engine failed" in res.output


def test_statistics_cover_the_runs_asked_for(tiny_yaml, tmp_path):
    big, small = tmp_path / "big.duckdb", tmp_path / "small.duckdb"
    assert _mc(tiny_yaml, big, "--runs", "6").exit_code == 0
    res = _mc(tiny_yaml, big, "--runs", "3")
    assert res.exit_code == 0, res.output
    assert "tiny: 3 runs" in res.output and "Statistics cover runs 0..2 (the 3 asked for); the store holds 6" in res.output
    with monte_carlo(tiny_yaml, 3, workers=1, store=big) as a, monte_carlo(tiny_yaml, 3, workers=1, store=small) as b:
        sa, sb = a.statistics(), b.statistics()
        assert a.runs_in_store() == 6 and list(sa.per_run.run_index) == [0, 1, 2]
        assert sa.rows == sb.rows  # the same three runs (same seeds) as a store holding only them


def test_second_writer_is_told_the_store_is_in_use(tiny_yaml, tmp_path):
    store = tmp_path / "s.duckdb"
    assert _mc(tiny_yaml, store, "--runs", "1").exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(store)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        res = _mc(tiny_yaml, store, "--runs", "2")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert res.exit_code == 2, res.output
    assert f"is in use: process {holder.pid} has it open for writing" in res.output
    assert "another study" in res.output and "not a readable" not in res.output


@pytest.mark.parametrize("seed", [str(2**63), "-5"])
def test_out_of_range_study_seed_is_refused_before_anything_is_written(tiny_yaml, tmp_path, seed):
    store = tmp_path / "new" / "s.duckdb"
    res = _mc(tiny_yaml, store, "--runs", "1", "--seed", seed)
    assert res.exit_code == 2 and "--seed must be a whole number in [0, 2**63)" in res.output
    assert not store.parent.exists()


def test_api_refuses_out_of_range_seeds_before_anything_is_written(tiny_yaml, tmp_path):
    from iadsim.study.study import StudyError

    for seed in (2**63, -1, True, 1.5):
        with pytest.raises(StudyError, match=r"in \[0, 2\*\*63\)"):
            monte_carlo(tiny_yaml, 1, workers=1, store=tmp_path / "s.duckdb", seed=seed)
    assert not (tmp_path / "s.duckdb").exists()


def test_default_store_is_a_slug_inside_the_working_directory(tmp_path, monkeypatch):
    work = tmp_path / "w"
    work.mkdir()
    monkeypatch.chdir(work)
    write_tiny(work / "t.yaml", name="../../ESCAPED")
    res = runner.invoke(app, ["mc", "t.yaml", "--runs", "1", "--workers", "1", "--no-report"])
    assert res.exit_code == 0, res.output
    assert (work / "studies" / "ESCAPED" / "study.duckdb").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


@pytest.mark.parametrize("values, words", [("[1, .nan]", "finite"), ("[&a 1, *a]", "aliases"), ("!!python/name:os.system",
                                                                                                   "tag"), ("", "no values")])
def test_sweep_values_are_read_with_the_scenario_file_rules(tiny_yaml, tmp_path, values, words):
    res = runner.invoke(app, ["sweep", str(tiny_yaml), "--set", f"raids.0.count={values}", "--runs", "1", "--workers", "1",
                              "--store", str(tmp_path / "s.duckdb")])
    assert res.exit_code == 2 and words in res.output, res.output
    assert not (tmp_path / "s.duckdb").exists()


def test_names_with_brackets_are_printed_as_text(tmp_path, monkeypatch):
    """Rich markup in a name ("[/x]") must neither style the console nor crash it (MarkupError)."""
    monkeypatch.chdir(tmp_path)
    scenario = write_tiny(tmp_path / "t.yaml", name="tiny [/x] :100:")
    res = runner.invoke(app, ["mc", str(scenario), "--runs", "2", "--workers", "1", "--no-report"])
    assert res.exit_code == 0, res.output
    assert "tiny [/x] :100:: 2 runs" in res.output


def test_duckdb_errors_that_carry_a_ctrl_c_count_as_an_interrupt():
    """A SIGINT while DuckDB reads a registered Arrow table comes back as an InvalidInputException
    whose text carries the KeyboardInterrupt (seen in the Ctrl-C test under load): it is an
    interrupt (exit 130), not a store failure; other DuckDB errors are not."""
    import duckdb

    from iadsim.study.store import _interrupted

    wrapped = duckdb.InvalidInputException("Invalid Input Error: counting the rows of the object registered as "
                                           "'units_rows' failed: KeyboardInterrupt: ")
    assert _interrupted(wrapped)
    assert _interrupted(RuntimeError("Query interrupted"))
    assert not _interrupted(duckdb.IOException("IO Error: No space left on device"))
