"""Study test fixtures (the scenario itself is in mc_tiny.py)."""

import pytest

from mc_tiny import tiny_scenario_object, write_tiny


@pytest.fixture
def tiny_yaml(tmp_path):
    return write_tiny(tmp_path / "tiny.yaml")


@pytest.fixture(scope="session")
def tiny_scenario():
    return tiny_scenario_object()
