"""Monte Carlo studies: seeds, execution (local or Dask), the DuckDB results store, statistics,
comparisons with common random numbers and parameter sweeps."""

from iadsim.study.study import Study, StudyError, monte_carlo, open_study, run_study

__all__ = ["Study", "StudyError", "monte_carlo", "open_study", "run_study"]
