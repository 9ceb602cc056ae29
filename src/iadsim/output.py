"""Write a run to one directory: events.parquet, summary.json, report.html.

Each file is written to a temporary name in the same directory and renamed into place, so an
interrupted run (disk full, Ctrl-C) never leaves a half-written file under a final name.
``summary.json`` is written last: its presence means the run directory is complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from iadsim import geo


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
    """Events table with latitude, longitude (deg) and height above the ellipsoid (m) added."""
    table = result.events_table()
    xyz = np.column_stack([table["x_m"].to_numpy(zero_copy_only=False), table["y_m"].to_numpy(zero_copy_only=False),
                           table["z_m"].to_numpy(zero_copy_only=False)])
    lat, lon, alt = geo.enu_to_geodetic(xyz, result.compiled.origin)
    return (table.append_column("lat_deg", pa.array(np.degrees(lat)))
            .append_column("lon_deg", pa.array(np.degrees(lon)))
            .append_column("alt_hae_m", pa.array(alt)))


def write_run(result, out_dir: str | Path, report: bool = True) -> Path:
    """Write the run's files into ``out_dir`` (created if needed); returns the directory."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)  # the completeness marker goes first and comes back last
    atomic_write(out / "events.parquet", lambda p: pq.write_table(events_with_geodetic(result), p))
    if report:
        from iadsim.report.run_report import render_run_report

        html = render_run_report(result)
        atomic_write(out / "report.html", lambda p: p.write_text(html, encoding="utf-8"))
    text = json.dumps(result.summary, indent=2, sort_keys=False)
    atomic_write(out / "summary.json", lambda p: p.write_text(text + "\n", encoding="utf-8"))
    return out
