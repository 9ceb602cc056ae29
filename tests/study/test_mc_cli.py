"""Bad study input: exit code 2, one clear message, and no store created or modified."""

import hashlib

import pytest
from typer.testing import CliRunner

from iadsim.cli import app

from mc_tiny import write_tiny

runner = CliRunner()


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args, message", [
    (["--runs", "0"], "--runs must be a whole number >= 1"),
    (["--runs", "-3"], "--runs must be a whole number >= 1"),
    (["--runs", "2", "--workers", "0"], "--workers must be a whole number >= 1"),
    (["--runs", "2", "--batch-runs", "0"], "--batch-runs must be a whole number >= 1"),
    (["--runs", "2", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler"),
    (["--runs", "2", "--export", "csv"], "only export format is 'parquet'"),
])
def test_bad_options_exit_2_and_write_nothing(tiny_yaml, tmp_path, args, message):
    store = tmp_path / "new" / "s.duckdb"
    res = runner.invoke(app, ["mc", str(tiny_yaml), "--store", str(store), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert not store.exists() and not store.parent.exists()


def test_store_of_another_scenario_is_refused_unless_new_study(tiny_yaml, tmp_path):
    store = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["mc", str(tiny_yaml), "--runs", "1", "--workers", "1", "--store", str(store),
                               "--no-report"]).exit_code == 0
    before = _digest(store)
    other = write_tiny(tmp_path / "other.yaml", time=dict(duration_s=200.0, step_s=1.0))
    res = runner.invoke(app, ["mc", str(other), "--runs", "1", "--store", str(store)])
    assert res.exit_code == 2 and "made by a different scenario" in res.output and "--new-study" in res.output
    res = runner.invoke(app, ["mc", str(tiny_yaml), "--runs", "1", "--seed", "99", "--store", str(store)])
    assert res.exit_code == 2 and "study seed 3, not 99" in res.output
    assert _digest(store) == before
    res = runner.invoke(app, ["mc", str(other), "--runs", "1", "--workers", "1", "--store", str(store),
                              "--new-study", "--no-report", "--export", "parquet"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "s_threats.parquet").exists() and (tmp_path / "s_studies.parquet").exists()


def test_mc_prints_statistics_and_writes_the_report(tiny_yaml, tmp_path):
    store = tmp_path / "out" / "study.duckdb"
    res = runner.invoke(app, ["mc", str(tiny_yaml), "--runs", "3", "--workers", "1", "--store", str(store)])
    assert res.exit_code == 0, res.output
    for text in ("P(raid annihilation)", "interceptors per kill", "Convergence"):
        assert text in res.output
    html = (store.parent / "study_report.html").read_text()
    from plotly.offline import get_plotlyjs

    assert html.count(get_plotlyjs()[:300]) == 1  # Plotly JS embedded once: opens offline
    assert 'id="convergence"' in html and 'id="distribution"' in html and "P(raid annihilation)" in html
    res = runner.invoke(app, ["mc", str(tiny_yaml), "--runs", "3", "--workers", "1", "--store", str(store), "--no-report"])
    assert res.exit_code == 0  # resumed: nothing left to run
