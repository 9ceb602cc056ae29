"""The S-400-or-Patriot study (examples/study/s400_vs_patriot): identical raids in every alternative,
the Patriot example follows its stated planning rule, and the one-command recipe runs end to end."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import iadsim
from iadsim import threats as motion
from iadsim.compile import compile_scenario

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "examples" / "study" / "s400_vs_patriot"


def _recipe():
    spec = importlib.util.spec_from_file_location("s400_vs_patriot_recipe", STUDY / "recipe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_alternatives_fly_identical_raids_against_identical_assets():
    recipe = _recipe()
    scenarios = [iadsim.load_scenario(f) for _, f, _ in recipe.ALTERNATIVES]
    assert [s.name for s in scenarios] == ["murted_2019", "murted_patriot", "murted_patriot_one_battery"]
    for sc in scenarios[1:]:
        assert sc.raids == scenarios[0].raids
        assert (sc.assets, sc.origin, sc.time, sc.seed) == (scenarios[0].assets, scenarios[0].origin, scenarios[0].time,
                                                          scenarios[0].seed)
    assert recipe.same_raids(scenarios) == []
    changed = scenarios[1].model_copy(update={"raids": scenarios[1].raids[:-1]})
    assert recipe.same_raids([scenarios[0], changed]) == ["murted_patriot: raids differ from murted_2019's"]


def test_every_threat_axis_lies_in_the_sector_of_a_battery_at_its_asset():
    """The planning rule of examples/murted_patriot.yaml: from 40 km to 5 km out on every raid, the raiders'
    bearing from some battery sited at their target (within 500 m) is at least 25° inside that battery's 120° sector."""
    comp = compile_scenario(iadsim.load_scenario(ROOT / "examples" / "murted_patriot.yaml"))
    w = comp.world
    th, rd = w.threats, w.radars
    assert len(w.units.name) == 3 and np.allclose(np.degrees(rd.az_sector_rad), 120.0)
    unit_at = {a: [u for u in range(len(w.units.name))
                   if np.hypot(*(w.units.pos_enu_m[u, :2] - w.assets.pos_enu_m[a, :2])) < 500.0]
               for a in range(len(w.assets.name))}
    times = np.arange(0.0, comp.n_steps * comp.dt_s, 5.0)
    pos = np.stack([motion.kinematics(th, t)[0] for t in times])  # (T, n, 3)
    fly = np.stack([motion.kinematics(th, t)[3] for t in times])
    for i in range(len(th.id)):
        target = th.target_idx[i]
        near = fly[:, i] & (np.hypot(*(pos[:, i, :2] - w.assets.pos_enu_m[target, :2]).T) < 40e3)
        near &= np.hypot(*(pos[:, i, :2] - w.assets.pos_enu_m[target, :2]).T) > 5e3
        assert near.sum() >= 5
        margins = []
        for u in unit_at[target]:
            r = int(np.flatnonzero(rd.unit_idx == u)[0])
            d = pos[near, i, :2] - rd.pos_enu_m[r, :2]
            off = np.abs(np.mod(np.arctan2(d[:, 0], d[:, 1]) - rd.facing_rad[r] + np.pi, 2 * np.pi) - np.pi)
            margins.append(np.degrees(rd.az_sector_rad[r] / 2 - off).min())
        assert max(margins) >= 25.0, (i, margins)


def test_recipe_end_to_end_at_a_tiny_size(tmp_path):
    recipe = _recipe()
    result = recipe.run(2, 1, tmp_path / "store" / "compare.duckdb", tmp_path / "out", batch_runs=2)
    on_disk = json.loads((tmp_path / "out" / "results.json").read_text())
    assert on_disk == json.loads(json.dumps(result))
    labels = [a["label"] for a in on_disk["alternatives"]]
    assert labels == ["s400", "patriot_3_batteries", "patriot_1_battery"]
    for a in on_disk["alternatives"]:
        assert a["n_runs"] == 2 and list(a["rounds_per_run"]) == ["0", "1"]
        m = a["metrics"]["leakers (all raids)"]
        assert m["lo"] <= m["estimate"] <= m["hi"]
    # paired differences are the differences of the per-alternative estimates over the same runs
    for label in labels[1:]:
        d = on_disk["differences"][label]["interceptors fired"]
        other = next(a for a in on_disk["alternatives"] if a["label"] == label)
        base = on_disk["alternatives"][0]
        assert d["n"] == 2
        assert d["difference"] == pytest.approx(other["metrics"]["interceptors fired"]["estimate"]
                                                - base["metrics"]["interceptors fired"]["estimate"])
    # one battery facing south-south-east cannot see the north and west raids: they leak in every run
    one = on_disk["alternatives"][2]["metrics"]
    assert one["leakers: raid cm_north"]["estimate"] == 6 and one["leakers: raid stealth_west"]["estimate"] == 2
    md = (tmp_path / "out" / "results.md").read_text()
    assert "| leakers (all raids) |" in md and "Patriot, 3 batteries − S-400" in md
    png = (tmp_path / "out" / "s400_vs_patriot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert (tmp_path / "store" / "compare_report.html").stat().st_size > 100_000


def test_recipe_refuses_alternatives_with_different_raids(tmp_path, monkeypatch):
    recipe = _recipe()
    text = (ROOT / "examples" / "murted_patriot.yaml").read_text().replace("count: 8\n", "count: 7\n")
    other = tmp_path / "other.yaml"
    other.write_text(text)
    monkeypatch.setattr(recipe, "ALTERNATIVES", (recipe.ALTERNATIVES[0], ("other", other, "other")))
    with pytest.raises(SystemExit, match="raids differ"):
        recipe.run(1, 1, tmp_path / "s.duckdb", tmp_path / "out")
    assert not (tmp_path / "s.duckdb").exists()
