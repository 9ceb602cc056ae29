"""Multi-target tracking: the batched Kalman/IMM tracker (``mtt``) used by the engine through
``stage``, its building blocks (``kalman``, ``motion``, ``imm``, ``association``, ``management``), and
GOSPA metrics (``metrics``)."""

from iadsim.tracking.mtt import ConfirmedTracks, Tracker, TrackerConfig

__all__ = ["ConfirmedTracks", "Tracker", "TrackerConfig"]
