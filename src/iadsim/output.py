"""Write a run to one directory: events, replays (CZML, ACMI, KML), report, summary.

Files: ``events.parquet``; ``trajectories.npz`` and ``replay.json`` (what the exporters need, so
the directory alone is enough for ``iadsim export``); ``replay.czml`` (Cesium), ``replay.acmi``
(Tacview), ``replay.kml``; ``report.html``; ``summary.json``.

Each file is written to a temporary name in the same directory and renamed into place, so an
interrupted run (disk full, Ctrl-C) never leaves a half-written file under a final name.
``summary.json`` is written last: its presence means the run directory is complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq



def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def events_with_geodetic(result) -> pa.Table:
    """Events table (``RunResult.events_table``: typed columns, explicit schema, nulls for missing
    values, with latitude, longitude (deg) and height above the ellipsoid (m))."""
    return result.events_table()


REPLAY_FORMATS = ("czml", "acmi", "kml")
EXPORT_FORMATS = REPLAY_FORMATS + ("csv",)


def write_exports(out_dir: str | Path, formats=EXPORT_FORMATS, replay=None) -> list[Path]:
    """Write the given export formats into a run directory; returns the paths written.

    ``replay`` is the run's :class:`~iadsim.export.replay.Replay`; by default it is loaded from the
    directory (``trajectories.npz``, ``replay.json``). ``csv`` writes ``events.csv`` (from
    ``events.parquet``) and ``outcomes.csv`` (from ``summary.json``).
    """
    from iadsim.export import acmi, czml, kml, tables
    from iadsim.export.replay import Replay

    out = Path(out_dir)
    unknown = set(formats) - set(EXPORT_FORMATS)
    if unknown:
        raise ValueError(f"unknown export format(s) {sorted(unknown)}; expected some of {list(EXPORT_FORMATS)}")
    if replay is None and set(formats) & set(REPLAY_FORMATS):
        replay = Replay.load(out)
    writers = {"czml": ("replay.czml", czml.write_czml), "acmi": ("replay.acmi", acmi.write_acmi),
               "kml": ("replay.kml", kml.write_kml)}
    written = []
    for fmt in formats:
        if fmt in writers:
            name, fn = writers[fmt]
            atomic_write(out / name, lambda p, fn=fn: fn(replay, p))
            written.append(out / name)
        elif fmt == "csv":
            atomic_write(out / "events.csv", lambda p: tables.write_events_csv(out / "events.parquet", p))
            written.append(out / "events.csv")
            if (out / "summary.json").is_file():
                atomic_write(out / "outcomes.csv", lambda p: tables.write_outcomes_csv(out / "summary.json", p))
                written.append(out / "outcomes.csv")
    return written


def write_run(result, out_dir: str | Path, report: bool = True, replay: bool = True) -> Path:
    """Write the run's files into ``out_dir`` (created if needed); returns the directory.

    ``replay=False`` skips ``replay.czml``, ``replay.acmi`` and ``replay.kml`` (the data they are
    made from, ``trajectories.npz`` and ``replay.json``, is always written).
    """
    from iadsim.export.replay import Replay

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)  # the completeness marker goes first and comes back last
    atomic_write(out / "events.parquet", lambda p: pq.write_table(events_with_geodetic(result), p))
    pa.default_memory_pool().release_unused()  # the table is gone: give its buffers back before the replays
    rep = Replay.from_result(result)
    rep.save(out, atomic_write)
    if replay:
        write_exports(out, REPLAY_FORMATS, replay=rep)
    if report:
        from iadsim.report.run_report import render_run_report

        html = render_run_report(result)
        atomic_write(out / "report.html", lambda p: p.write_text(html, encoding="utf-8"))
    text = json.dumps(result.summary, indent=2, sort_keys=False)
    atomic_write(out / "summary.json", lambda p: p.write_text(text + "\n", encoding="utf-8"))
    return out
