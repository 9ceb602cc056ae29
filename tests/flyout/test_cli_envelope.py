"""``iadsim envelope``: table, JSON with max_range_km near the public figure, PNG, and exit 2 on
unknown names."""

import json

from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.flyout.params import load_interceptor_params

runner = CliRunner()


def test_48n6e3_max_range_within_10_percent_of_the_public_figure(tmp_path):
    path = tmp_path / "env.json"
    res = runner.invoke(app, ["envelope", "s400", "--missile", "48N6E3", "--json", str(path)])
    assert res.exit_code == 0, res.output
    assert "appr. max" in res.output and "max range" in res.output
    doc = json.loads(path.read_text())
    public_km = load_interceptor_params("48N6E3").public_max_range_m / 1000.0
    assert doc["public_max_range_km"] == public_km == 250.0
    assert abs(doc["max_range_km"] - public_km) <= 0.1 * public_km
    n_alt, n_asp = len(doc["altitudes_m"]), len(doc["aspects"])
    assert n_alt >= 20 and doc["aspects"] == ["approaching", "crossing", "receding"]
    assert len(doc["table"]["max_range_km"]) == n_alt and len(doc["table"]["min_range_km"][0]) == n_asp
    assert len(doc["table"]["gaps_km"]) == n_alt and len(doc["table"]["gaps_km"][0]) == n_asp
    # the reach against a target at 1 km (issue #14: ~40 km before the cruise-and-dive shaping)
    appr = doc["aspects"].index("approaching")
    assert doc["table"]["max_range_km"][doc["altitudes_m"].index(1000.0)][appr] >= 0.6 * public_km


def test_plot_is_a_png(tmp_path):
    path = tmp_path / "env.png"
    res = runner.invoke(app, ["envelope", "patriot", "--missile", "PAC-3-MSE", "--target-speed", "600", "--plot", str(path)])
    assert res.exit_code == 0, res.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_names_exit_2_with_suggestions():
    res = runner.invoke(app, ["envelope", "s40", "--missile", "48N6E3"])
    assert res.exit_code == 2 and "s400" in res.output and "unknown system" in res.output
    res = runner.invoke(app, ["envelope", "s400", "--missile", "48N6"])
    assert res.exit_code == 2 and "did you mean" in res.output and "48N6E3" in res.output
    res = runner.invoke(app, ["envelope", "patriot", "--missile", "40N6"])
    assert res.exit_code == 2 and "PAC-3-MSE" in res.output


def test_gaps_in_the_reach_are_printed_written_and_plotted(tmp_path, monkeypatch):
    """40N6 flown with a shaping that leaves a hole (test_envelope.holey), on two of the
    altitudes (the CLI's own 20 cost ~20 s here; the full table is test_envelope's)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from iadsim import cli_flyout
    from iadsim.flyout import params as flyout_params
    from test_envelope import holey

    monkeypatch.setattr(flyout_params, "load_interceptor_params", holey)
    monkeypatch.setattr(cli_flyout, "FAST", {**cli_flyout.FAST, "altitudes_m": (100.0, 5_000.0)})
    path, png = tmp_path / "env.json", tmp_path / "env.png"
    res = runner.invoke(app, ["envelope", "s400", "--missile", "40N6", "--json", str(path), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    doc = json.loads(path.read_text())
    gaps = doc["table"]["gaps_km"]
    assert len(gaps) == len(doc["altitudes_m"]) == 2 and all(len(row) == len(doc["aspects"]) for row in gaps)
    mid_approaching = gaps[1][doc["aspects"].index("approaching")]
    assert mid_approaching and "gap at 5,000 m, approaching: launches failed between the intercepts at" in res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
