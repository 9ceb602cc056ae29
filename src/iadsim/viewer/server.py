"""A small HTTP server on 127.0.0.1 for the viewer: the page, the run's files and the Cesium build.

Routes: ``/`` (the page), ``/replay.czml`` and the other run files listed in ``RUN_FILES`` (from
the run directory), ``/cesium/...`` (from the Cesium cache). Nothing else is served, paths never
leave their directory, and the server binds to the loopback interface only.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from iadsim.viewer.install import ViewerError
from iadsim.viewer.page import viewer_page

RUN_FILES = ("replay.czml", "report.html", "summary.json", "replay.kml", "replay.acmi")
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json",
         ".czml": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".xml": "application/xml",
         ".png": "image/png", ".jpg": "image/jpeg", ".html": "text/html; charset=utf-8", ".ktx2": "image/ktx2"}


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, run_dir: Path, cesium: Path, title: str, **kw):
        self.run_dir, self.cesium, self.title = run_dir, cesium, title
        super().__init__(*args, directory=str(run_dir), **kw)

    def log_message(self, fmt, *args):  # quiet: the CLI prints the URL once
        pass

    def _send(self, body: bytes, ctype: str, code: int = 200):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        if path in ("/", "/index.html"):
            return self._send(viewer_page(self.title).encode("utf-8"), TYPES[".html"])
        if path.lstrip("/") in RUN_FILES:
            return self._file(self.run_dir, path.lstrip("/"))
        if path.startswith("/cesium/"):
            return self._file(self.cesium, path[len("/cesium/"):])
        self._send(b"not found", "text/plain", 404)

    def _file(self, root: Path, rel: str):
        if "\0" in rel:  # a NUL (e.g. /cesium/%00) is never part of a file name; Path.resolve would raise ValueError
            return self._send(b"bad request", "text/plain", 400)
        try:
            target = (root / rel).resolve()
            found = root.resolve() in target.parents and target.is_file()
        except (OSError, ValueError):  # a name too long, or otherwise not a path on this system
            found = False
        if not found:
            return self._send(b"not found", "text/plain", 404)
        ctype = TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(target.read_bytes(), ctype)


def make_server(run_dir: str | Path, cesium: str | Path, port: int = 0) -> ThreadingHTTPServer:
    """A server for ``run_dir`` on 127.0.0.1:``port`` (0: any free port); not started yet."""
    run_dir, cesium = Path(run_dir), Path(cesium)
    if not (run_dir / "replay.czml").is_file():
        raise ViewerError(f"{run_dir / 'replay.czml'} is missing: run `iadsim export {run_dir} --format czml` first")
    if not (cesium / "Cesium.js").is_file():
        raise ViewerError(f"CesiumJS is not installed in {cesium}: run `iadsim view --install`")
    title = run_dir.name
    if (run_dir / "summary.json").is_file():
        s = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        title = f"{s.get('scenario', title)} seed {s.get('seed', '')}"
    handler = partial(_Handler, run_dir=run_dir, cesium=cesium, title=title)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(run_dir, cesium, port: int = 0):
    """Start a server in a daemon thread; returns (server, url). Stop with ``server.shutdown()``."""
    server = make_server(run_dir, cesium, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
