"""`iadsim catalog`: every figure of a profile (flyout ones too) with its grade and its sources or
method, as text and as JSON checked against the YAML files."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml
from typer.testing import CliRunner

from iadsim import catalog
from iadsim.cli import app

runner = CliRunner()


def raw_yaml(kind: str) -> dict:
    return yaml.safe_load(resources.files("iadsim.catalog").joinpath(f"{kind}.yaml").read_text(encoding="utf-8"))


def flat(node, prefix=""):
    """Independent flattening of a YAML profile: dotted path -> figure mapping."""
    out = {}
    for key, val in node.items():
        if isinstance(val, dict) and {"value", "unit"} <= set(val):
            out[prefix + key] = val
        elif isinstance(val, dict):
            out.update(flat(val, f"{prefix}{key}."))
    return out


def check_against_yaml(doc: dict, kind: str, srcs: dict):
    assert set(doc) == {"name", "kind", "figures", "sources"}
    assert doc["kind"] == kind[:-1]
    want = flat(raw_yaml(kind)[doc["name"]])
    assert [f["path"] for f in doc["figures"]] == list(want)
    for f in doc["figures"]:
        assert set(f) == {"path", "value", "unit", "grade", "sources", "method"}
        q = want[f["path"]]
        assert (f["value"], f["unit"], f["grade"]) == (q["value"], q["unit"], q["grade"]), f["path"]
        assert f["sources"] == q.get("src", []) and f["method"] == q.get("method"), f["path"]
        assert set(f["sources"]) <= set(doc["sources"])
    for key, s in doc["sources"].items():
        assert s == {k: srcs[key].get(k) for k in ("title", "publisher", "date", "url")}, key


@pytest.mark.parametrize("name", ["48N6E3", "s400", "91N6E", "drone"])
def test_json_of_one_profile_matches_the_yaml(name):
    res = runner.invoke(app, ["catalog", name, "--json"])
    assert res.exit_code == 0, res.output
    kind, _ = catalog.find(name)
    check_against_yaml(json.loads(res.output), kind, raw_yaml("sources"))


def test_json_of_the_whole_catalog_is_one_object_per_profile():
    res = runner.invoke(app, ["catalog", "--json"])
    assert res.exit_code == 0
    docs = json.loads(res.output)
    assert [(d["kind"], d["name"]) for d in docs] == [(k[:-1], n) for k in catalog.KINDS for n in raw_yaml(k)]
    srcs = raw_yaml("sources")
    for d in docs:
        check_against_yaml(d, d["kind"] + "s", srcs)
    flyout = next(d for d in docs if d["name"] == "48N6E3")
    assert any(f["path"] == "flyout.dive_slope" for f in flyout["figures"])


def test_text_view_shows_flyout_figures_methods_and_full_citations():
    shown = runner.invoke(app, ["catalog", "48N6E3"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    assert "flyout.dive_slope" in text and "flyout.pk_max" in text and "FITTED" in text
    assert "[N25] eXXpress" in text and "Nov 2022" in text and "exxpress.at" in text
    bad = runner.invoke(app, ["catalog", "48N6E"])
    assert bad.exit_code == 2 and "did you mean '48N6E3'" in bad.output


def test_help_says_what_the_json_holds():
    res = runner.invoke(app, ["catalog", "--help"], env={"COLUMNS": "200"})
    assert "one per profile" in " ".join(res.output.split())
