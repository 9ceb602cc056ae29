"""events.csv equals events.parquet; outcomes.csv has one row per threat."""

import csv

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from iadsim.output import write_exports


def test_events_csv_equals_parquet(small_run, tmp_path):
    _, run_dir = small_run
    written = write_exports(run_dir, ("csv",))
    assert run_dir / "events.csv" in written
    parquet = pq.read_table(run_dir / "events.parquet")
    table = pacsv.read_csv(run_dir / "events.csv",
                           convert_options=pacsv.ConvertOptions(column_types=parquet.schema,
                                                                strings_can_be_null=True))  # missing: null, never ""
    assert table.column_names == parquet.column_names and table.num_rows == parquet.num_rows > 0
    for name in parquet.column_names:
        a = parquet[name].to_numpy(zero_copy_only=False)
        b = table[name].to_numpy(zero_copy_only=False)
        if a.dtype.kind == "f":
            assert np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True), name
        else:
            assert list(a) == list(b), name


def test_outcomes_csv_has_one_row_per_threat(small_run):
    result, run_dir = small_run
    write_exports(run_dir, ("csv",))
    with open(run_dir / "outcomes.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["fate"] for r in rows] == [t["fate"] for t in result.summary["threats"]]
