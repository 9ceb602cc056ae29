"""The run report's network section: drawn for a networked run (sites, links, the link and
degradation tables), absent for an unnetworked one."""

import sys
from pathlib import Path

from iadsim.compile import compile_scenario
from iadsim.engine import run_compiled
from iadsim.report.run_report import _table, render_run_report
from iadsim.report.network_section import network_html
from iadsim.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parent))
from test_network_scenario import GOOD  # noqa: E402


def _run(tmp_path, text):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    sc = load_scenario(p)
    return run_compiled(sc, compile_scenario(sc), 1)


def test_networked_report_draws_the_network_and_its_degradation(tmp_path):
    res = _run(tmp_path, GOOD)
    section = network_html(res, _table)
    assert section.startswith("<h2>Network (cp)</h2>") and 'id="network"' in section
    for link in ("u1 -&gt; cp", "u2 -&gt; cp", "ew -&gt; cp"):
        assert link in section
    assert "link_cut" in section and "command_post_lost" in section  # cut at 50 s, lost at 60 s
    assert "<h2>Network (cp)</h2>" in render_run_report(res)
    fs = res.fused_samples  # the fused picture drawn: the command post's fused tracks until it is lost at 60 s
    assert len(fs["t_s"]) > 0 and fs["t_s"].max() < 60.0 and "fused picture" in section


def test_unnetworked_report_has_no_network_section(tmp_path):
    text = GOOD.split("sensors:")[0].replace("    command_post: cp\n", "") + "raids:" + GOOD.split("raids:")[1]
    res = _run(tmp_path, text)
    assert network_html(res, _table) == "" and "<h2>Network" not in render_run_report(res)
    assert res.fused_samples is None


def test_sensor_sites_are_not_drawn_as_fire_units(tmp_path):
    """A sensor site has no channels nor rounds: no resources row; on the map it is a sensor site."""
    from iadsim.report.run_map import map_figure
    from iadsim.report.run_report import resources_figure

    res = _run(tmp_path, GOOD)
    w = res.compiled.world
    fire = [n for n, s in zip(w.units.name, w.units.is_sensor) if not s]
    sensors = [n for n, s in zip(w.units.name, w.units.is_sensor) if s]
    assert sensors and fire
    titles = [a.text for a in resources_figure(res).layout.annotations if "channels in use" in (a.text or "")]
    assert [t.split(":")[0] for t in titles] == fire
    traces = {t.name: t for t in map_figure(res).data}
    assert list(traces["sensor sites"].hovertext) == sensors
    assert list(traces["air-defence units"].hovertext) == fire
