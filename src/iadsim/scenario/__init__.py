"""Scenario files: schema, loading with file:line errors, catalog resolution."""

from iadsim.scenario.load import Problem, ScenarioError, load_scenario
from iadsim.scenario.models import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario"]
