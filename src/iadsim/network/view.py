"""A unit's view of tracks in a networked run: its own tracks plus, while it is connected to its
command post, the command post's fused tracks as *remote* tracks (launch-on-remote).

Remote track ids are ``REMOTE_BASE + fused id`` (fused ids are per command post; a unit has one
command post), so they never collide with a unit's own track ids. A remote track's estimate is
the fused one of the latest fusion cycle, predicted to the asked time at constant velocity; its
``t_last_s`` is the newest measurement time among its reports. A remote track is held while the
command post holds the fused track, i.e. while a site still reports it (a site reports the tracks
its tracker holds; the tracker deletes lost ones): a site with a slow, low-Pd radar (VHF early
warning) refreshes it seldom, and the engagement goes on between its looks. C2 (look before launch, kill assessment) and
the flyout (midcourse updates) read remote tracks through the same interface as local ones
(:class:`iadsim.tracking.stage.UnitTracks`); the recorder's samples stay local.
"""

from __future__ import annotations

import numpy as np

from iadsim.tracking.stage import UnitTracks

REMOTE_BASE = 1 << 32  # remote (fused) track ids start here


class NetView:
    """Run r's tracking view (``base``) with remote tracks from its :class:`RunNetwork` (``net``)."""

    def __init__(self, base, net):
        self.base, self.net = base, net

    def __getattr__(self, name):  # samples, confirmed_positions, last, fresh_s, world: the local view's
        return getattr(self.base, name)

    def remote(self, u: int, t_s: float) -> UnitTracks | None:
        """The fused tracks unit ``u`` may act on at ``t_s`` (None when it is not connected)."""
        c = self.net.connected(u)
        if c < 0:
            return None
        f = self.net.fused[c]
        if f["id"].size == 0:
            return None
        dt = (t_s - f["t_s"])[:, None]
        x = f["x"]
        return UnitTracks(f["id"] + REMOTE_BASE, f["truth"], x[:, :3] + dt * x[:, 3:], x[:, 3:], f["t_last_s"])

    def tracks(self, u: int, t_s: float) -> UnitTracks:
        local = self.base.tracks(u, t_s)
        rem = self.remote(u, t_s)
        if rem is None:
            return local
        return UnitTracks(*(np.concatenate([a, b]) for a, b in zip(
            (local.id, local.truth_id, local.pos_enu_m, local.vel_enu_mps, local.t_last_s),
            (rem.id, rem.truth_id, rem.pos_enu_m, rem.vel_enu_mps, rem.t_last_s))))

    def is_fresh(self, u: int, track_id: int, t_s: float) -> bool:
        if track_id < REMOTE_BASE:
            return self.base.is_fresh(u, track_id, t_s)
        rem = self.remote(u, t_s)
        return rem is not None and bool(np.any(rem.id == track_id))
