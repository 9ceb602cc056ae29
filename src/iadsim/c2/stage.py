"""The engine's command-and-control stage: decisions each C2 cycle, launches after the reaction
time, and the bookkeeping of what is engaged (shoot-look-shoot: a track is free again once its
rounds have resolved).

The engine sees only :meth:`C2Stage.decide`, :meth:`C2Stage.due_launches` and
:meth:`C2Stage.resolved`.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np

from iadsim.c2 import greedy
from iadsim.state import World


@dataclass(frozen=True)
class Launch:
    """An order that is due: fire ``n`` rounds of weapon type ``weapon`` at a unit's track."""

    t_s: float
    unit: int
    track_id: int
    truth_id: int
    weapon: int
    n: int


class C2Stage:
    def __init__(self, world: World):
        n_units = len(world.units.name)
        self.engaged = [dict() for _ in range(n_units)]  # track id -> rounds assigned, not yet resolved
        self.next_cycle_s = np.zeros(n_units)
        self.rounds = world.weapons.rounds.copy()
        self._heap: list = []
        self._seq = itertools.count()

    def in_use(self, u: int) -> tuple[int, int]:
        """(targets engaged, missiles assigned or in flight) of unit ``u``."""
        return len(self.engaged[u]), int(sum(self.engaged[u].values()))

    def decide(self, t_s: float, world: World, tracking) -> list[tuple[int, greedy.Orders]]:
        """Run the C2 cycle of every unit due at ``t_s``; queue launches after the reaction time."""
        out = []
        for u in np.flatnonzero(self.next_cycle_s <= t_s + 1e-9):
            self.next_cycle_s[u] = t_s + world.units.c2_cycle_s[u]
            trk = tracking.tracks(u, t_s)
            _, n_missiles = self.in_use(u)
            orders = greedy.decide(world, u, trk.id, trk.truth_id, trk.pos_enu_m, trk.vel_enu_mps,
                                   list(self.engaged[u]), n_missiles, self.rounds)
            for i in range(len(orders.track_id)):
                self.engaged[u][int(orders.track_id[i])] = int(orders.n_rounds[i])
                self.rounds[orders.weapon_idx[i]] -= orders.n_rounds[i]
                launch = Launch(t_s + float(world.units.reaction_time_s[u]), int(u), int(orders.track_id[i]),
                                int(orders.truth_id[i]), int(orders.weapon_idx[i]), int(orders.n_rounds[i]))
                heapq.heappush(self._heap, (launch.t_s, next(self._seq), launch))
            out.append((int(u), orders))
        return out

    def due_launches(self, t_s: float, tracking) -> tuple[list[Launch], list[Launch]]:
        """Launches due by ``t_s``: (fired, cancelled). The look before launch cancels an order
        whose track is no longer held, and the rounds go back to the launcher."""
        fired, cancelled = [], []
        while self._heap and self._heap[0][0] <= t_s + 1e-9:
            launch = heapq.heappop(self._heap)[2]
            if tracking.is_fresh(launch.unit, launch.track_id, t_s):
                fired.append(launch)
            else:
                self.rounds[launch.weapon] += launch.n
                self.engaged[launch.unit].pop(launch.track_id, None)
                cancelled.append(launch)
        return fired, cancelled

    def resolved(self, unit_idx, track_ids) -> None:
        """Interceptors resolved (hit, miss or self-destruct): free their share of the engagement."""
        for u, tid in zip(np.asarray(unit_idx).tolist(), np.asarray(track_ids).tolist()):
            left = self.engaged[u].get(tid, 0) - 1
            if left > 0:
                self.engaged[u][tid] = left
            else:
                self.engaged[u].pop(tid, None)

    def dropped(self, u: int, track_ids) -> None:
        for tid in np.asarray(track_ids).tolist():
            self.engaged[u].pop(tid, None)
