"""Structured events: typed columns with nulls, the same in memory (events_table) and on disk."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim.record import EVENT_COLUMNS, EVENT_TYPES, MISS_REASONS


def _rows(table, kind):
    return [r for r in table.to_pylist() if r["kind"] == kind]


def test_parquet_has_the_typed_schema_and_events_table_every_column(small_run):
    result, run_dir = small_run
    parquet = pq.read_table(run_dir / "events.parquet")
    table = result.events_table()
    assert parquet.column_names == table.column_names == list(EVENT_COLUMNS) + ["lat_deg", "lon_deg", "alt_hae_m"]
    for name in parquet.column_names:
        assert parquet.schema.field(name).type == getattr(pa, EVENT_TYPES[name])(), name
        assert parquet.schema.field(name).nullable
    assert parquet.equals(table)


def test_missing_values_are_nulls_not_nan_or_empty_strings(small_run):
    _, run_dir = small_run
    parquet = pq.read_table(run_dir / "events.parquet")
    for name in parquet.column_names:
        col = parquet[name]
        if pa.types.is_floating(col.type):
            values = col.drop_null().to_numpy()
            assert not np.isnan(values).any(), name
        elif pa.types.is_string(col.type):
            assert "" not in set(col.drop_null().to_pylist()), name
    detect = _rows(parquet, "detect")
    assert detect and all(r["miss_distance_m"] is None and r["hold_reason"] is None for r in detect)


def test_intercept_assign_and_hold_events_carry_their_typed_fields(small_run):
    _, run_dir = small_run
    parquet = pq.read_table(run_dir / "events.parquet")
    hits, misses = _rows(parquet, "intercept_hit"), _rows(parquet, "intercept_miss")
    assert hits or misses
    for r in hits:
        assert r["miss_distance_m"] >= 0.0 and 0.0 < r["p_kill"] <= 1.0 and r["closing_speed_mps"] > 0.0
        assert r["miss_reason"] is None
    for r in misses:
        assert r["miss_reason"] in set(MISS_REASONS.values())
        if r["miss_reason"] == "miss_distance":  # passed its target: the kill draw failed
            assert r["miss_distance_m"] >= 0.0 and r["p_kill"] is not None and r["closing_speed_mps"] > 0.0
        else:
            assert r["p_kill"] is None and r["closing_speed_mps"] is None
    for r in _rows(parquet, "assign"):
        assert r["predicted_tof_s"] is None or r["predicted_tof_s"] > 0.0
        assert all(r[c] is not None for c in ("x_m", "y_m", "z_m"))  # the predicted intercept point
    holds = _rows(parquet, "hold")
    for r in holds:
        assert r["hold_reason"] and " " not in r["hold_reason"] and r["detail"]
