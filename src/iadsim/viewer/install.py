"""Fetch CesiumJS from the npm registry into a local cache, once.

``npm pack cesium@VERSION`` downloads the package tarball (npm checks its integrity); only the
prebuilt ``Build/Cesium`` tree (the library, workers, widgets and assets, about 40 MB) and the
licence are extracted, into ``<cache>/cesium/<VERSION>``. The cache is ``$IADSIM_CACHE``, else
``$XDG_CACHE_HOME/iadsim``, else ``~/.cache/iadsim``. A ``.complete`` marker is written last, so
an interrupted install is redone rather than used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

CESIUM_VERSION = "1.145.0"  # pinned: the viewer page is tested against this build
_PREFIX = "package/Build/Cesium/"
_LICENCE = "package/LICENSE.md"


class ViewerError(RuntimeError):
    """The viewer cannot run (no npm, install failed, not a run directory...)."""


def cache_root() -> Path:
    if os.environ.get("IADSIM_CACHE"):
        return Path(os.environ["IADSIM_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "iadsim"


def cesium_dir(version: str = CESIUM_VERSION) -> Path:
    """Where the Cesium build of ``version`` lives (``Cesium.js``, ``Widgets/``, ``Assets/``...)."""
    return cache_root() / "cesium" / version


def is_installed(version: str = CESIUM_VERSION) -> bool:
    d = cesium_dir(version)
    return (d / ".complete").is_file() and (d / "Cesium.js").is_file()


def install_cesium(version: str = CESIUM_VERSION, npm: str = "npm", log=print, timeout_s: float = 900.0) -> Path:
    """Install CesiumJS ``version`` into the cache (no-op when present); returns its directory."""
    dest = cesium_dir(version)
    if is_installed(version):
        return dest
    npm_path = shutil.which(npm)
    if npm_path is None:
        raise ViewerError("npm was not found: install Node.js (npm) to fetch CesiumJS from the npm registry, "
                          f"or unpack the cesium {version} package's Build/Cesium into {dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    log(f"fetching cesium@{version} from the npm registry into {dest} (once)...")
    with tempfile.TemporaryDirectory(prefix=".cesium-", dir=dest.parent) as tmp:
        proc = subprocess.run([npm_path, "pack", f"cesium@{version}", "--pack-destination", tmp, "--silent"],
                              capture_output=True, text=True, timeout=timeout_s, cwd=tmp)
        tgz = sorted(Path(tmp).glob("cesium-*.tgz"))
        if proc.returncode != 0 or not tgz:
            raise ViewerError(f"npm pack cesium@{version} failed (exit {proc.returncode}): "
                              f"{(proc.stderr or proc.stdout).strip()[-800:]}")
        stage = Path(tmp) / "stage"
        _extract_build(tgz[0], stage)
        (stage / ".complete").write_text(version + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(stage, dest)
    log(f"CesiumJS {version} installed in {dest}")
    return dest


def _extract_build(tgz: Path, stage: Path) -> None:
    """Extract ``package/Build/Cesium/**`` (regular files only, no path escapes) into ``stage``."""
    stage.mkdir(parents=True)
    with tarfile.open(tgz, "r:gz") as tar:
        for m in tar:
            if not m.isfile():
                continue
            if m.name.startswith(_PREFIX):
                rel = m.name[len(_PREFIX):]
            elif m.name == _LICENCE:
                rel = "LICENSE.md"
            else:
                continue
            target = (stage / rel).resolve()
            if stage.resolve() not in target.parents:
                raise ViewerError(f"unsafe path in the cesium package: {m.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(m) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    if not (stage / "Cesium.js").is_file():
        raise ViewerError(f"{tgz.name} has no Build/Cesium/Cesium.js: not the expected cesium package")
