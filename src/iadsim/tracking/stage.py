"""The engine's tracking stage: one batched tracker (:mod:`iadsim.tracking.mtt`) per unit, fed by
all of that unit's radars, measurements in range/azimuth/elevation/range-rate (EKF).

The engine sees only this interface: :meth:`TrackingStage.update` once per step with all
detections, :meth:`TrackingStage.tracks` for what a unit's C2 may act on, and
:meth:`TrackingStage.is_fresh` for the look before launch and kill assessment.

Track logic in looks: the tracker counts a scan (a hit or a miss for every track) at each step
in which at least one of the unit's radars looked, and a unit's radars revisit at different
rates (a 10 s surveillance scan beside a 1 s engagement radar, whose looks count as misses for
a track only the surveillance radar sees). So the M-of-N window and the deletion counts are set
in looks per revisit of the slowest radar, ``L = longest period / max(shortest period, step)``:
confirm on 3 hits within 2L + 1 looks, delete a tentative track after 1.2L + 1 looks without a
hit and a confirmed one after 3L + 1 (see :func:`config_for_unit`). The counts therefore do not
depend on the engine step as long as the step is no longer than the fastest revisit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iadsim import geo
from iadsim.state import Detections, World
from iadsim.tracking import detections as tdet
from iadsim.tracking.mtt import ConfirmedTracks, Tracker, TrackerConfig


@dataclass(frozen=True)
class UnitTracks:
    """A unit's confirmed, fresh tracks (parallel arrays), ENU at the requested time."""

    id: np.ndarray  # (k,) stable track ids of this unit
    truth_id: np.ndarray  # (k,) threat id of the last associated detection (-1: false alarm); scoring and flyout truth
    pos_enu_m: np.ndarray  # (k, 3) predicted to t_s
    vel_enu_mps: np.ndarray  # (k, 3)
    t_last_s: np.ndarray  # (k,) time of the last update


def config_for_unit(longest_period_s: float, shortest_period_s: float, dt_s: float) -> TrackerConfig:
    """Tracker parameters for a unit whose radars revisit every ``shortest_period_s`` to
    ``longest_period_s`` seconds, stepped every ``dt_s`` (at most one look counted per step)."""
    looks = max(longest_period_s / max(shortest_period_s, dt_s), 1.0)
    return TrackerConfig(
        motion="imm", gate=4.0, confirm_m=3, confirm_n=int(min(64, np.ceil(2 * looks) + 1)),
        delete_tentative_misses=int(np.ceil(1.2 * looks)) + 1, delete_confirmed_misses=int(np.ceil(3 * looks)) + 1,
        imm_q_m2ps3=(1.0, 400.0), init_vel_sigma_mps=700.0)


def to_tracker_detections(dets: Detections, world: World) -> tdet.Detections:
    """Engine detections -> tracker detections, angles re-expressed on scenario ENU axes.

    Each radar measures in its own horizon frame; the tracker works on the scenario's ENU axes,
    so the measured line of sight is rotated (``rot_local_from_enu.T``) and its azimuth and
    elevation recomputed. The rotation is rigid, so range and range rate are unchanged and the
    angle sigmas are kept (the frames differ by under a degree over a few hundred km).
    """
    r = dets.radar_idx
    rd = world.radars
    los_local = geo.aer_to_enu(dets.az_rad, dets.el_rad, dets.range_m)
    los_enu = np.einsum("dji,dj->di", rd.rot_local_from_enu[r], los_local)
    az, el, rng = geo.enu_to_aer(los_enu)
    return tdet.Detections.trusted(
        t_s=dets.t_s, radar_id=r, radar_pos_enu_m=rd.pos_enu_m[r], range_m=np.maximum(rng, 1.0), az_rad=az, el_rad=el,
        sigma_range_m=dets.sigma_range_m, sigma_az_rad=dets.sigma_angle_rad, sigma_el_rad=dets.sigma_el_rad,
        range_rate_mps=dets.range_rate_mps,
        sigma_range_rate_mps=np.where(np.isfinite(dets.sigma_range_rate_mps), dets.sigma_range_rate_mps, 1e6),
        truth_id=dets.truth_id)


class TrackingStage:
    def __init__(self, world: World, dt_s: float):
        rd = world.radars
        self.world = world
        self.trackers: list[Tracker] = []
        self.fresh_s: list[float] = []
        self.last: list[ConfirmedTracks | None] = []
        for u in range(len(world.units.name)):
            periods = rd.scan_period_s[rd.unit_idx == u]
            eng = rd.scan_period_s[(rd.unit_idx == u) & rd.is_engagement]
            self.trackers.append(Tracker(config_for_unit(float(periods.max(initial=1.0)), float(periods.min(initial=1.0)), dt_s)))
            # a track the engagement radar has not refreshed for two looks is not engaged
            self.fresh_s.append(2.0 * float(eng.min(initial=periods.min(initial=1.0))) + dt_s)
            self.last.append(None)

    def update(self, t_s: float, dets: Detections, looked: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Feed each unit its radars' detections; return (unit, ids confirmed now, ids dropped now).

        ``looked`` (n_radars,) bool: the radars that scanned this step. A unit none of whose radars
        looked gets a predict-only step (no miss counted); one whose radars looked and saw nothing
        counts a miss on every track.
        """
        out = []
        radar_unit = self.world.radars.unit_idx
        for u, trk in enumerate(self.trackers):
            sel = dets.unit_idx == u
            looked_u = bool(sel.any()) or bool(np.any(looked & (radar_unit == u)))
            if sel.any():
                mine = to_tracker_detections(dets if sel.all() else _subset(dets, sel), self.world)
            else:
                mine = _empty() if looked_u else None
            res = trk.step(t_s, mine)
            self.last[u] = res
            out.append((u, res.new_ids, res.dropped_ids))
        return out

    def is_fresh(self, u: int, track_id: int, t_s: float) -> bool:
        """True if unit ``u`` still holds ``track_id`` and has updated it recently (the look)."""
        res = self.last[u]
        if res is None:
            return False
        held = (res.id == track_id) & (t_s - res.t_last_s <= self.fresh_s[u])
        return bool(held.any())

    def tracks(self, u: int, t_s: float) -> UnitTracks:
        """Confirmed tracks of unit ``u`` updated within its freshness window (estimates at ``t_s``)."""
        res = self.last[u]
        if res is None:
            z = np.zeros(0)
            return UnitTracks(z.astype(int), z.astype(int), np.zeros((0, 3)), np.zeros((0, 3)), z)
        sel = t_s - res.t_last_s <= self.fresh_s[u]
        return UnitTracks(res.id[sel], res.truth_id[sel], res.pos_enu_m[sel], res.vel_enu_mps[sel], res.t_last_s[sel])

    def samples(self, u: int):
        """(ids, truth ids, positions) of every confirmed track of unit ``u``, for the record."""
        res = self.last[u]
        if res is None:
            return np.zeros(0, int), np.zeros(0, int), np.zeros((0, 3))
        return res.id, res.truth_id, res.pos_enu_m

    def confirmed_positions(self, u: int, ids):
        res = self.last[u]
        sel = np.isin(res.id, ids)
        return res.id[sel], res.truth_id[sel], res.pos_enu_m[sel]


def _subset(dets: Detections, mask: np.ndarray) -> Detections:
    return type(dets)(**{f: getattr(dets, f)[mask] for f in dets.__dataclass_fields__})


def _empty() -> tdet.Detections:
    z = np.zeros(0)
    return tdet.Detections(t_s=z, radar_id=z.astype(int), radar_pos_enu_m=np.zeros((0, 3)), range_m=z, az_rad=z,
                           el_rad=z, sigma_range_m=z, sigma_az_rad=z, sigma_el_rad=z)
