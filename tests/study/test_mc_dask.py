"""A study on a Dask cluster (a LocalCluster started here) gives the same tables as local execution."""

import pytest

import iadsim

distributed = pytest.importorskip("distributed")


def test_dask_local_cluster_equals_local(tiny_scenario, tmp_path):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with iadsim.monte_carlo(tiny_scenario, 3, scheduler=cluster.scheduler_address, store=tmp_path / "d.duckdb") as on_dask:
            threats, units = on_dask.threats, on_dask.units
    with iadsim.monte_carlo(tiny_scenario, 3, workers=1) as local:
        assert threats.equals(local.threats)
        assert units.equals(local.units)
