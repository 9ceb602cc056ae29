from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


# The longest tests (``pytest --durations=60`` on the 2-core machine, 3 to 20 s each), marked slow here
# so that the default ``pytest`` stays under four minutes; CI runs them after it (``pytest -m slow``).
# Each property they hold keeps a faster test in the default run (e.g. batch = single runs on
# srbm_patriot, goldens of every example), except the benchmark smoke runs.
SLOW = {
    "tests/catalog/test_override_walk.py::test_every_leaf_override_changes_the_world_or_is_refused",
    "tests/test_engine_batch.py::test_batch_equals_single_runs[murted_2019-seeds0]",
    "tests/test_engine_batch.py::test_batch_equals_single_runs[murted_patriot-seeds1]",
    "tests/test_engine_batch.py::test_batch_sizes_and_the_direct_looks_give_the_same_runs",
    "tests/test_engine_batch.py::test_runs_leave_the_batch_as_they_end",
    "tests/test_engine_batch.py::test_a_failing_batch_falls_back_to_runs_one_by_one",
    "tests/test_engine.py::test_same_seed_same_summary_different_seed_differs",
    "tests/test_examples.py::test_example_writes_complete_run[ankara_iads]",
    "tests/network/test_network_stage.py::test_networked_batch_is_bit_identical_to_single_runs",
    "tests/network/test_network_stage.py::test_networked_study_is_the_same_for_one_and_two_workers",
    "tests/outputs/test_report_browser.py::test_viewer_renders_the_replay_offline",
    "tests/outputs/test_report_browser.py::test_exposure_section_renders_offline",
    "tests/questions/test_s400_vs_patriot.py::test_recipe_end_to_end_at_a_tiny_size",
    "tests/ea/test_sead_strike.py::test_study_is_the_same_whatever_the_workers_and_batches",
    "tests/ea/test_sead_strike.py::test_batches_equal_single_runs",
    "tests/c2/test_c2_shots.py::test_shots_land_and_their_flight_time_is_predicted[ankara_iads]",
    "tests/c2/test_c2_shots.py::test_shots_land_and_their_flight_time_is_predicted[murted_patriot]",
    "tests/c2/test_c2_shots.py::test_shots_land_and_their_flight_time_is_predicted[murted_2019]",
    "tests/sensing/test_look_table.py::test_runs_with_and_without_the_table_are_identical[murted_patriot]",
    "tests/study/test_mc_resume.py::test_batch_size_does_not_change_results",
    "tests/study/test_mc_resume.py::test_killed_worker_stops_the_study_keeping_finished_runs",
    "tests/study/test_mc_kill.py::test_kill_9_of_mc_ends_its_workers_promptly",
    "tests/study/test_mc_dask.py::test_dask_local_cluster_equals_local",
    "tests/outputs/test_study_and_coverage_charts.py::test_terminal_tables_fit_80_columns[mc]",
    "tests/outputs/test_study_and_coverage_charts.py::test_terminal_tables_fit_80_columns[coverage]",
    "tests/outputs/test_study_and_coverage_charts.py::test_terminal_tables_fit_80_columns[exposure]",
    "tests/test_engine_bench_scale_smoke.py::test_bench_scale_smoke",
    "tests/tracking/test_bench_tracking_smoke.py::test_bench_tracking_smoke",
    "tests/study/test_bench_montecarlo_smoke.py::test_bench_montecarlo_smoke",
    "tests/outputs/test_bench_study_report_smoke.py::test_study_report_benchmark_smoke",
}


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection
def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` (by decorator or in :data:`SLOW`) run only when asked for (``pytest -m
    slow``; CI runs them after the default suite), so that the default ``pytest`` stays short."""
    for item in items:
        if item.nodeid in SLOW:
            item.add_marker(pytest.mark.slow)
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: runs with pytest -m slow (CI runs it after the default suite)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


def readonly(*arrays):
    """Mark arrays read-only so that any mutation inside a 'pure' function fails at once."""
    for a in arrays:
        a.flags.writeable = False
    return arrays
