"""compare (common random numbers, paired differences) and sweep (paths, values, errors) from the CLI."""

from typer.testing import CliRunner

from iadsim.cli import app

from mc_tiny import write_tiny

runner = CliRunner()


def test_compare_identical_alternatives_differ_by_exactly_zero(tmp_path):
    a = write_tiny(tmp_path / "a.yaml")
    b = write_tiny(tmp_path / "b.yaml")  # same scenario: with common random numbers every run is identical
    c = write_tiny(tmp_path / "c.yaml", units=[dict(name="p", system="patriot", lat_deg=40.0, lon_deg=32.5,
                                                   doctrine=dict(mode="salvo", salvo=2),
                                                   overrides={"launchers": {"count": 1}})])
    store = tmp_path / "cmp" / "compare.duckdb"
    res = runner.invoke(app, ["compare", str(a), str(b), str(c), "--runs", "3", "--workers", "1", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "b − a" in res.output and "c − a" in res.output
    html = (store.parent / "compare_report.html").read_text()
    assert 'id="diff1"' in html and 'id="diff2"' in html
    from iadsim.study import open_study
    from iadsim.study.compare import paired_differences
    from iadsim.study.store import Store

    with Store(store) as db:
        ids = [r[0] for r in db.con.execute("SELECT study_id FROM studies ORDER BY created").fetchall()]
    assert len(ids) == 2  # a and b are the same study (same scenario hash and seed)
    with open_study(store, ids[0]) as sa:
        same = paired_differences([sa.per_run(), sa.per_run()])[0]
    # zero wherever the metric is defined; a raid never tracked in some run has no mean first-track time
    assert all(r["difference"] == 0 or (r["base"] != r["base"] and r["metric"].startswith("first track")) for r in same)
    assert sum(r["difference"] == 0 for r in same) >= 6


def test_sweep_one_parameter_writes_line_plots(tiny_yaml, tmp_path):
    store = tmp_path / "sw" / "sweep.duckdb"
    res = runner.invoke(app, ["sweep", str(tiny_yaml), "--set", "units.0.overrides.launchers.count=[1, 2]",
                              "--runs", "2", "--workers", "1", "--store", str(store)])
    assert res.exit_code == 0, res.output
    html = (store.parent / "sweep_report.html").read_text()
    assert "units.0.overrides.launchers.count=1" in html and "units.0.overrides.launchers.count=2" in html
    assert 'id="sweep0"' in html and '"z":' not in html  # no heat map data


def test_sweep_two_parameters_writes_heat_maps(tiny_yaml, tmp_path):
    store = tmp_path / "sw2" / "sweep.duckdb"
    res = runner.invoke(app, ["sweep", str(tiny_yaml), "--set", "units.0.doctrine.salvo=[1, 2]",
                              "--set", "raids.1.count=[1, 2]", "--runs", "1", "--workers", "1", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert '"z":' in (store.parent / "sweep_report.html").read_text()


def test_sweep_errors_name_the_path_and_write_nothing(tiny_yaml, tmp_path):
    store = tmp_path / "none" / "sweep.duckdb"
    cases = [("units.5.overrides.launchers.count=[1]", "index 5 out of range"),
             ("units.name=[1]", "needs a list index"),
             ("name.x=[1]", "is a value"),
             ("units.0.doctrine.salvo=[1, 9]", "units.0.doctrine.salvo"),
             ("unitz.0.system=[s400]", "unitz"),
             ("units.0.overrides.launchers.count", "expected PATH=[VALUES]")]
    for spec, message in cases:
        res = runner.invoke(app, ["sweep", str(tiny_yaml), "--set", spec, "--runs", "1", "--store", str(store)])
        assert res.exit_code == 2, (spec, res.output)
        assert message in res.output, (spec, res.output)
    assert not store.parent.exists()
