"""Tables of a run as CSV: events (the same rows and columns as ``events.parquet``) and outcomes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

OUTCOME_COLUMNS = ("id", "raid", "threat", "kind", "target", "fate", "t_s", "killed_by", "rounds_spent",
                   "first_detect_s", "first_track_s")


def write_events_csv(events_parquet: str | Path, path: str | Path) -> None:
    """``events.parquet`` -> CSV with a header row, same columns in the same order."""
    pacsv.write_csv(pq.read_table(events_parquet), path)


def write_outcomes_csv(summary_json: str | Path, path: str | Path) -> None:
    """One row per threat from ``summary.json`` (fate, time, killer, rounds, first detection and track)."""
    summary = json.loads(Path(summary_json).read_text(encoding="utf-8"))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(OUTCOME_COLUMNS)
        for t in summary["threats"]:
            w.writerow(["" if t.get(c) is None else t.get(c) for c in OUTCOME_COLUMNS])
