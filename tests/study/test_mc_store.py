"""The store: a run is committed whole and once; a failed run is replaced when retried."""

import duckdb
import pytest

from iadsim.study.execute import run_one
from iadsim.study.store import Store


def test_a_run_is_never_written_twice_and_a_failed_run_is_replaced(tiny_scenario, tmp_path):
    row = run_one(tiny_scenario, 0, 123)
    failed = dict(row, status="error", error="Traceback ...", threats={k: [] for k in row["threats"]},
                  units={k: [] for k in row["units"]})
    with Store(tmp_path / "s.duckdb") as db:
        db.ensure_study("s", "s", "tiny", "h", 0, "v", "")
        db.commit_run("s", "h", failed)
        assert db.finished_runs("s") == set() and db.run_status("s") == {0: "error"}
        db.commit_run("s", "h", row, replace=True)
        with pytest.raises(duckdb.ConstraintException):
            db.commit_run("s", "h", row)  # rolled back: nothing half-written
        assert db.finished_runs("s") == {0}
        assert db.table("threats", "s").num_rows == len(row["threats"]["threat_id"])
        assert db.table("runs", "s").num_rows == 1


def test_worker_error_is_recorded_not_fatal(tiny_scenario):
    row = run_one("not a scenario", 4, 1)
    assert row["status"] == "error" and "Traceback" in row["error"] and row["run_index"] == 4
