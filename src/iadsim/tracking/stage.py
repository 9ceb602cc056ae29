"""The engine's tracking stage: one tracker per unit, fed by all of that unit's radars.

The engine sees only this interface: :meth:`TrackingStage.update` once per step with all
detections, and :meth:`TrackingStage.tracks` for what a unit's C2 may act on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim.state import Detections, World
from iadsim.tracking.simple import SimpleTracker


@dataclass(frozen=True)
class UnitTracks:
    """A unit's confirmed, fresh tracks (parallel arrays), ENU at the requested time."""

    id: np.ndarray  # (k,) stable track ids of this unit
    truth_id: np.ndarray  # (k,) threat id of the last associated detection (for scoring and flyout truth)
    pos_enu_m: np.ndarray  # (k, 3) predicted to t_s
    vel_enu_mps: np.ndarray  # (k, 3)
    t_last_s: np.ndarray  # (k,) time of the last update


def subset(dets: Detections, mask: np.ndarray) -> Detections:
    return type(dets)(**{f: getattr(dets, f)[mask] for f in dets.__dataclass_fields__})


class TrackingStage:
    def __init__(self, world: World, dt_s: float):
        rd = world.radars
        n_units = len(world.units.name)
        self.trackers, self.fresh_s = [], []
        for u in range(n_units):
            periods = rd.scan_period_s[rd.unit_idx == u]
            eng = rd.scan_period_s[(rd.unit_idx == u) & rd.is_engagement]
            self.trackers.append(SimpleTracker(coast_s=max(3.0 * float(periods.max(initial=1.0)), 5.0)))
            # a track the engagement radar has not refreshed for two looks is not engaged
            self.fresh_s.append(2.0 * float(eng.min(initial=periods.min(initial=1.0))) + dt_s)

    def update(self, t_s: float, dets: Detections) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Feed each unit its radars' detections; return (unit, ids confirmed now, ids dropped now)."""
        out = []
        for u, trk in enumerate(self.trackers):
            confirmed, dropped = trk.step(t_s, subset(dets, dets.unit_idx == u))
            out.append((u, confirmed, dropped))
        return out

    def is_fresh(self, u: int, track_id: int, t_s: float) -> bool:
        """True if unit ``u`` still holds ``track_id`` and has updated it recently (the look)."""
        trk = self.trackers[u]
        held = (trk.id == track_id) & (t_s - trk.t_last_s <= self.fresh_s[u])
        return bool(held.any())

    def tracks(self, u: int, t_s: float) -> UnitTracks:
        """Confirmed tracks of unit ``u`` updated within its freshness window, predicted to ``t_s``."""
        trk = self.trackers[u]
        sel = trk.confirmed & (t_s - trk.t_last_s <= self.fresh_s[u])
        return UnitTracks(trk.id[sel], trk.truth_id[sel], trk.predicted(t_s)[sel], trk.vel_enu_mps[sel], trk.t_last_s[sel])

    def samples(self, u: int):
        """(ids, truth ids, positions) of every confirmed track of unit ``u``, for the record."""
        trk = self.trackers[u]
        sel = trk.confirmed
        return trk.id[sel], trk.truth_id[sel], trk.pos_enu_m[sel]

    def confirmed_positions(self, u: int, ids):
        trk = self.trackers[u]
        sel = np.isin(trk.id, ids)
        return trk.id[sel], trk.truth_id[sel], trk.pos_enu_m[sel]
