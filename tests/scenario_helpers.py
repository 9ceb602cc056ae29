"""Writing a scenario text to a file and collecting its load errors (the scenario tests)."""

from pathlib import Path

import pytest

from iadsim.scenario import ScenarioError, load_scenario


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def problems(tmp_path, text):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    return info.value.problems
