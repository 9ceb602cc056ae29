"""Multi-target tracking: the batched Kalman/IMM tracker (``mtt``) used by the engine through
``stage``, its building blocks (``kalman``, ``motion``, ``imm``, ``association``, ``management``),
GOSPA metrics (``metrics``), and the first alpha-beta-era tracker kept as a baseline (``simple``)."""

from iadsim.tracking.mtt import ConfirmedTracks, Tracker, TrackerConfig

__all__ = ["ConfirmedTracks", "Tracker", "TrackerConfig"]
