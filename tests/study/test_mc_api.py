"""The Python API: iadsim.monte_carlo -> Study with pyarrow tables, DuckDB relations and statistics."""

import importlib.util

import pyarrow as pa
import pytest

import iadsim
from iadsim.study import StudyError


def test_monte_carlo_api(tiny_scenario, tmp_path):
    with iadsim.monte_carlo(tiny_scenario, 2, workers=1, seed=11, store=tmp_path / "api.duckdb") as study:
        assert isinstance(study.runs, pa.Table) and study.runs.num_rows == 2
        assert study.threats.column_names[:3] == ["study_id", "run_index", "threat_id"]
        assert set(study.units["unit"].to_pylist()) == {"p"}
        leakers = study.relation("threats").filter("fate = 'leaked'").count("*").fetchall()[0][0]
        stats = study.statistics()
        assert stats.row("leakers (all raids)")["estimate"] == pytest.approx(leakers / 2)
        assert study.study_seed == 11 and "seed11" in study.study_id
        for method, module in (("to_pandas", "pandas"), ("to_polars", "polars")):
            if importlib.util.find_spec(module) is None:
                with pytest.raises(ModuleNotFoundError, match=f"needs {module}"):
                    getattr(study, method)("runs")
            else:
                assert len(getattr(study, method)("runs")) == 2


@pytest.mark.parametrize("runs, workers", [(0, None), (2.5, None), (True, None), (2, 0), (2, -1)])
def test_monte_carlo_rejects_bad_counts(tiny_scenario, runs, workers):
    with pytest.raises(StudyError, match="must be a whole number"):
        iadsim.monte_carlo(tiny_scenario, runs, workers=workers)
