"""Exports of a run: CZML (Cesium), Tacview ACMI, KML, and events/outcomes as CSV.

Every exporter reads a :class:`~iadsim.export.replay.Replay` (built from a RunResult, or loaded
from a run directory), so ``iadsim run`` and ``iadsim export`` write the same files.
"""

from iadsim.export.replay import Replay

__all__ = ["Replay"]
