"""CLI commands for a finished run directory: ``export`` and ``view`` (registered on ``iadsim.cli.app``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from iadsim.cli import _fail, app, err, out


@app.command("export")
def export_cmd(run_dir: Path = typer.Argument(..., help="run directory written by `iadsim run`"),
               fmt: str = typer.Option("all", "--format", "-f", help="czml, acmi, kml, csv or all")):
    """Write replay.czml, replay.acmi, replay.kml or events.csv/outcomes.csv again from a finished run."""
    from iadsim.output import EXPORT_FORMATS, write_exports

    formats = EXPORT_FORMATS if fmt == "all" else (fmt,)
    if fmt != "all" and fmt not in EXPORT_FORMATS:
        _fail(f"--format {fmt!r}: expected one of {', '.join(EXPORT_FORMATS)} or all")
    if not run_dir.is_dir():
        _fail(f"{run_dir} is not a directory")
    if not (run_dir / "summary.json").is_file():
        _fail(f"{run_dir} has no summary.json: not a complete run directory (was the run interrupted?)")
    try:
        written = write_exports(run_dir, formats)
    except FileNotFoundError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write into {run_dir}: {exc.strerror or exc}", code=1)
    out.print("Wrote " + ", ".join(str(p) for p in written), highlight=False)


@app.command("view")
def view_cmd(run_dir: Optional[Path] = typer.Argument(None, help="run directory with replay.czml"),
             port: int = typer.Option(8765, "--port", min=0, max=65535, help="port on 127.0.0.1 (0: any free port)"),
             no_browser: bool = typer.Option(False, "--no-browser", help="only print the URL"),
             install: bool = typer.Option(False, "--install", help="fetch CesiumJS from the npm registry into the cache")):
    """3-D replay of a run in a local CesiumJS page (offline; CesiumJS is fetched once from the npm registry)."""
    from iadsim.viewer import ViewerError, install_cesium
    from iadsim.viewer.server import make_server

    if run_dir is None and not install:
        _fail("give a run directory, or --install to fetch CesiumJS only")
    try:
        cesium = install_cesium(log=lambda m: err.print(m, highlight=False))
        if run_dir is None:
            return
        if not (run_dir / "replay.czml").is_file() and (run_dir / "trajectories.npz").is_file():
            from iadsim.output import write_exports

            write_exports(run_dir, ("czml",))
        server = make_server(run_dir, cesium, port)
    except ViewerError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}", code=1)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    out.print(f"Serving the replay of {run_dir} at {url} (Ctrl-C to stop)", highlight=False)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
