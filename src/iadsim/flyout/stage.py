"""The engine's flyout stage: interceptors leave the rail, fly, and intercepts resolve.

The engine sees only :meth:`FlyoutStage.launch` and :meth:`FlyoutStage.advance`.
"""

from __future__ import annotations

import numpy as np

from iadsim.flyout.simple import Interceptors, Outcomes, advance
from iadsim.state import World

LAUNCHER_HEIGHT_M = 5.0  # interceptors leave the rail this far above the unit's ground position


class FlyoutStage:
    def __init__(self, world: World):
        self.world = world
        self.icpt = Interceptors()

    def launch(self, t_s: float, launch) -> tuple[np.ndarray, np.ndarray]:
        """Put ``launch.n`` interceptors in the air; return (ids, launch position ENU)."""
        w, n, u = launch.weapon, launch.n, launch.unit
        wp = self.world.weapons
        base = self.world.units.pos_enu_m[u]
        up = base - self.world.earth_centre_enu_m
        start = base + LAUNCHER_HEIGHT_M * up / np.linalg.norm(up)
        ids = self.icpt.add(unit_idx=np.full(n, u), weapon_idx=np.full(n, w), track_id=np.full(n, launch.track_id),
                            truth_id=np.full(n, launch.truth_id), pos_enu_m=np.repeat(start[None], n, 0),
                            vel_enu_mps=np.zeros((n, 3)), speed_mps=np.full(n, wp.mean_speed_mps[w]),
                            t_launch_s=np.full(n, t_s), max_flight_time_s=np.full(n, wp.max_flight_time_s[w]),
                            pk=np.full(n, wp.pk[w]))
        return ids, start

    def advance(self, t_s: float, dt_s: float, threats, rng: np.random.Generator) -> Outcomes:
        """Fly every live interceptor over [t_s, t_s + dt_s] and resolve intercepts inside the step."""
        return advance(self.icpt, threats.pos_enu_m, threats.vel_enu_mps, threats.alive & threats.active, t_s, dt_s, rng)
