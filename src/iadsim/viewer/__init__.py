"""The local 3-D replay viewer: a CesiumJS page served on 127.0.0.1 for a run's ``replay.czml``.

CesiumJS is fetched once from the npm registry (``npm pack``) into a cache directory
(:mod:`iadsim.viewer.install`), never from a CDN while viewing; the base imagery is the Natural
Earth II tile set that ships inside the Cesium package, so the viewer works offline with no token.
"""

from iadsim.viewer.install import CESIUM_VERSION, ViewerError, cesium_dir, install_cesium, is_installed

__all__ = ["CESIUM_VERSION", "ViewerError", "cesium_dir", "install_cesium", "is_installed"]
