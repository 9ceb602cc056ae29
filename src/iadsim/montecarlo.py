"""Monte Carlo studies (DESIGN.md): the implementation lives in :mod:`iadsim.study`; this module
keeps the name the design uses."""

from iadsim.study import Study, StudyError, monte_carlo, open_study, run_study
from iadsim.study.seeds import run_seed

__all__ = ["Study", "StudyError", "monte_carlo", "open_study", "run_seed", "run_study"]
