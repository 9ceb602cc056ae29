"""Study charts on separate axes per quantity; coverage maps with several RCS and altitudes on the
basemap, small HTML; the comparison's log range axis; the terminal summary within 80 columns."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from iadsim.report import study_report as sr

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_distribution_puts_leakers_and_rounds_on_their_own_axes():
    per_run = SimpleNamespace(leakers=np.array([0, 1, 2, 0]), rounds_fired=np.array([27, 30, 32, 28]))
    fig = sr.distribution_figure(per_run)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 2 and bars[0].xaxis != bars[1].xaxis and bars[0].yaxis != bars[1].yaxis
    assert list(bars[0].x) == [0, 1, 2] and list(bars[1].x) == [27, 28, 30, 32]


def test_convergence_has_one_panel_per_metric_and_whole_run_ticks():
    conv = {"n": [5, 10, 20, 50, 100], "leakers (all raids)": [0.5, 0.35, 0.25, 0.16, 0.11],
            "P(raid annihilation)": [0.3, 0.2, 0.15, 0.09, 0.07]}
    fig = sr.convergence_figure(conv)
    axes = {t.yaxis for t in fig.data}
    assert len(axes) == 2
    ticks = fig.layout.xaxis.tickvals
    assert list(ticks) == [5, 10, 20, 50, 100] and all(float(t).is_integer() for t in ticks)


def test_compare_differences_each_on_their_own_axis():
    rows = [dict(metric="leakers (all raids)", base=0.1, other=1.2, difference=1.1, lo=0.6, hi=1.6, significant=True, n=20),
            dict(metric="interceptors fired", base=27.0, other=31.0, difference=4.0, lo=3.0, hi=5.0, significant=True, n=20),
            dict(metric="P(raid annihilation)", base=0.9, other=0.9, difference=0.0, lo=0.0, hi=0.0, significant=False, n=20)]
    fig = sr.difference_figure("a", "b", rows)
    assert len({t.xaxis for t in fig.data}) == 3
    assert fig.layout.xaxis2.range[1] == pytest.approx(1.15 * 5.0)  # scaled to its own interval
    assert fig.layout.xaxis3.range == pytest.approx((-1.15, 1.15))  # no difference: a readable unit axis, not ±1e-9


@pytest.fixture(scope="module")
def coverage_dir(tmp_path_factory):
    from typer.testing import CliRunner

    from iadsim.cli import app

    out = tmp_path_factory.mktemp("coverage")
    res = CliRunner().invoke(app, ["coverage", str(EXAMPLES / "murted_2019.yaml"), str(EXAMPLES / "murted_patriot.yaml"),
                                   "--compare", "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    return out


def test_coverage_html_is_small_and_offline(coverage_dir):
    for page in coverage_dir.glob("coverage_map_*.html"):
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 1_000_000, page
        assert '<script charset="utf-8" src="plotly.min.js"></script>' in text
        assert "https://" not in text.split("<body>")[0]  # no CDN in the head
    assert (coverage_dir / "plotly.min.js").stat().st_size > 1_000_000  # the one shared bundle


def test_coverage_defaults_answer_something():
    """At the default altitudes and RCS values the footprints differ: a 50 m target is seen no farther
    than a 10 km one, and a 10 m² one at 50 m is horizon-limited far inside the same at 10 km; a larger
    RCS is seen no nearer."""
    from iadsim.compile import compile_scenario
    from iadsim.report import coverage as cov
    from iadsim.scenario import load_scenario

    world = compile_scenario(load_scenario(EXAMPLES / "murted_2019.yaml")).world
    fps, _ = cov.footprints(world, cov.MAP_RCS_M2, cov.MAP_ALT_M, 0.5)
    ground = {(f["radar"], f["rcs_m2"], f["alt_m"]): f["ground_m"] for f in fps}
    for i in range(len(world.radars.name)):
        for s in cov.MAP_RCS_M2:
            assert ground[(i, s, 50.0)] <= ground[(i, s, 10000.0)] + 1.0
        assert ground[(i, 10.0, 50.0)] < 0.5 * ground[(i, 10.0, 10000.0)]
        for h in cov.MAP_ALT_M:
            g = [ground[(i, s, h)] for s in cov.MAP_RCS_M2]
            assert all(b >= a for a, b in zip(g, g[1:]))
        assert len({round(ground[(i, s, 10000.0)]) for s in cov.MAP_RCS_M2}) > 2  # not four identical circles


def test_comparison_range_axis_is_log_when_the_span_needs_it(tmp_path):
    from iadsim.compile import compile_scenario
    from iadsim.report import coverage as cov
    from iadsim.scenario import load_scenario

    worlds = {n: compile_scenario(load_scenario(EXAMPLES / f"{n}.yaml")).world for n in ("murted_2019", "murted_patriot")}
    assert cov.compare_png(worlds, tmp_path / "a.png", [50.0, 10000.0]) is True  # 10 km to 400 km
    assert cov.compare_png(worlds, tmp_path / "b.png", [50.0], rcs_m2=np.array([1.0, 10.0])) is False  # all ~40 km


@pytest.mark.parametrize("command", ["run", "mc", "coverage", "exposure"])
def test_terminal_tables_fit_80_columns(small_scenario_path, tmp_path, command):
    args = {"run": ["--out", str(tmp_path / "run"), "--no-report"],
            "mc": ["--runs", "2", "--workers", "1", "--store", str(tmp_path / "s" / "study.duckdb"), "--no-report"],
            "coverage": ["--out", str(tmp_path / "cov"), "--threat", "fighter"],
            "exposure": ["--out", str(tmp_path / "exp"), "--no-report"]}[command]
    env = dict(os.environ, COLUMNS="80", TERM="dumb")
    res = subprocess.run([sys.executable, "-m", "iadsim", command, str(small_scenario_path), *args], capture_output=True,
                         text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    table_lines = [line for line in res.stdout.splitlines() if not line.startswith(("Pd of one dwell", "Wrote"))]
    assert max(len(line.rstrip()) for line in table_lines) <= 80, res.stdout
    assert "…" not in res.stdout  # nothing cut
    expect = {"run": ["48N6E3", "leakers per asset"], "mc": ["leakers (all raids)", "95 % interval"],
              "coverage": ["sam", "91N6E", "fighter"], "exposure": ["91N6E", "dwells", "track s"]}[command]
    assert all(e in res.stdout for e in expect), res.stdout
