"""Firing doctrine bookkeeping: the engagement state machine and the launchers' magazines.

Engagement lifecycle (one per unit and track at a time; an impossible transition raises)::

    ASSIGNED ──first round off the rail──► LAUNCHED ──last round of the salvo fired──► IN_FLIGHT
       │                                      │                                            │
       └──every round cancelled──► ABORTED ◄──┘ (track dropped before any round resolved)   │
                                                        every round resolved (hit/miss) ◄──┘
                                                                    ▼
                              ASSESSING ── the engagement radar's look(s) ──► KILL | MISS

KILL: the track was not updated after the rounds resolved (target gone: the engagement is closed).
MISS: the track was still updated (the target survived): the track is free for re-engagement.

Magazines: each weapon row has ``n_launchers`` launchers of ``rails`` rounds and a reload stock.
Rounds are taken from the emptiest loaded launcher (so launchers empty and can be reloaded); a
unit's reload vehicles reload one empty launcher each, taking ``reload_time_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np


class EngagementState(Enum):
    ASSIGNED = "assigned"
    LAUNCHED = "launched"
    IN_FLIGHT = "in_flight"
    ASSESSING = "assessing"
    KILL = "kill"
    MISS = "miss"
    ABORTED = "aborted"


S = EngagementState
TRANSITIONS = {
    S.ASSIGNED: {S.LAUNCHED, S.IN_FLIGHT, S.ABORTED},
    S.LAUNCHED: {S.IN_FLIGHT, S.ABORTED},
    S.IN_FLIGHT: {S.ASSESSING, S.ABORTED},
    S.ASSESSING: {S.KILL, S.MISS},
    S.KILL: set(), S.MISS: set(), S.ABORTED: set(),
}
ACTIVE = (S.ASSIGNED, S.LAUNCHED, S.IN_FLIGHT, S.ASSESSING)


@dataclass
class Engagement:
    """Rounds ordered at one track by one unit, and what became of them."""

    unit: int
    track_id: int
    truth_id: int
    n_planned: int
    t_assigned_s: float
    state: EngagementState = S.ASSIGNED
    n_pending: int = 0  # ordered, not yet launched nor cancelled
    n_launched: int = 0
    n_resolved: int = 0
    t_resolved_s: float = np.nan  # when the last round resolved
    history: list = field(default_factory=list)

    def __post_init__(self):
        self.n_pending = self.n_planned

    def to(self, new: EngagementState, t_s: float) -> None:
        if new not in TRANSITIONS[self.state]:
            raise RuntimeError(f"engagement of track {self.track_id} (unit {self.unit}): "
                               f"impossible transition {self.state.name} -> {new.name}")
        self.history.append((t_s, self.state.name, new.name))
        self.state = new

    @property
    def missiles_in_use(self) -> int:
        """Guidance channels held: rounds ordered or flying, not yet resolved."""
        return self.n_pending + self.n_launched - self.n_resolved

    def launched(self, n: int, t_s: float) -> None:
        self.n_pending -= n
        self.n_launched += n
        new = S.IN_FLIGHT if self.n_pending == 0 else S.LAUNCHED
        if new is not self.state:
            self.to(new, t_s)

    def cancelled(self, n: int, t_s: float) -> None:
        self.n_pending -= n
        if self.n_pending == 0:
            self.to(S.ABORTED if self.n_launched == 0 else S.IN_FLIGHT, t_s)
            if self.state is S.IN_FLIGHT and self.n_resolved == self.n_launched:
                self.t_resolved_s = t_s
                self.to(S.ASSESSING, t_s)

    def resolved(self, t_s: float) -> None:
        self.n_resolved += 1
        if self.state is S.IN_FLIGHT and self.n_resolved == self.n_launched:
            self.t_resolved_s = t_s
            self.to(S.ASSESSING, t_s)


class Magazines:
    """Loaded rounds per launcher, reload stock and reload vehicles, for every weapon row.

    ``n_ready`` (w,) keeps each row's loaded rounds (the sum of ``loaded[w]``). A unit is
    "settled" when its last :meth:`step_reload` could start no more reloads and nothing has
    changed since (no round taken or put back, no reload done): its next ``step_reload`` before
    its next reload is done (``next_done_s``, s) has nothing to do and returns at once.
    """

    def __init__(self, weapons, units):
        self.weapon_unit = weapons.unit_idx
        self.rails = weapons.rails.astype(int)
        self.loaded = [np.full(int(n), int(r)) for n, r in zip(weapons.n_launchers, weapons.rails)]
        self.n_ready = np.array([int(lo.sum()) for lo in self.loaded], int)  # (w,) loaded rounds
        self.stock = weapons.reload_rounds.astype(int).copy()
        self.reload_time_s = units.reload_time_s
        self.vehicles = units.reload_vehicles.astype(int)
        self.reloading: list[list] = [[] for _ in range(len(units.name))]  # (t_done, w, launcher, n)
        self._unit_of = [int(x) for x in self.weapon_unit]  # weapon row -> unit
        self._rows = [np.flatnonzero(self.weapon_unit == u) for u in range(len(units.name))]
        self._settled = [False] * len(units.name)  # per unit, see the class docstring
        self.next_done_s = [np.inf] * len(units.name)  # per unit: earliest reload done, s

    def ready(self, w: int) -> int:
        return int(self.n_ready[w])

    def take(self, w: int) -> int:
        """Take one round of row ``w`` from its emptiest loaded launcher; return that launcher."""
        lo = self.loaded[w]
        cand = np.flatnonzero(lo > 0)
        if cand.size == 0:
            raise RuntimeError(f"weapon row {w}: no loaded round to take")
        j = int(cand[np.argmin(lo[cand])])
        lo[j] -= 1
        self.n_ready[w] -= 1
        self._settled[self._unit_of[w]] = False
        return j

    def put_back(self, w: int, launcher: int) -> None:
        u = self._unit_of[w]
        busy = any(r[1] == w and r[2] == launcher for r in self.reloading[u])
        if busy or self.loaded[w][launcher] >= self.rails[w]:
            self.stock[w] += 1
        else:
            self.loaded[w][launcher] += 1
            self.n_ready[w] += 1
        self._settled[u] = False

    def step_reload(self, t_s: float, u: int) -> list[tuple[int, int, int]]:
        """Finish due reloads and start new ones; return finished (w, launcher, rounds).

        A settled unit with no reload due by ``t_s`` (s) returns [] at once: its last call
        started every reload it could, nothing changed since, so this one would start none.
        """
        if self._settled[u] and self.next_done_s[u] > t_s + 1e-9:
            return []
        done = [r for r in self.reloading[u] if r[0] <= t_s + 1e-9]
        self.reloading[u] = [r for r in self.reloading[u] if r[0] > t_s + 1e-9]
        for _, w, j, n in done:
            self.loaded[w][j] += n
            self.n_ready[w] += n
        reload_s = self.reload_time_s[u]
        if reload_s > 0:
            for w in self._rows[u]:
                for j in np.flatnonzero(self.loaded[w] == 0):
                    if len(self.reloading[u]) >= self.vehicles[u] or self.stock[w] <= 0:
                        break
                    if any(r[1] == w and r[2] == j for r in self.reloading[u]):
                        continue
                    n = int(min(self.rails[w], self.stock[w]))
                    self.stock[w] -= n
                    self.reloading[u].append((t_s + float(reload_s), int(w), int(j), n))
        self._settled[u] = True
        self.next_done_s[u] = min((r[0] for r in self.reloading[u]), default=np.inf)
        return [(w, j, n) for _, w, j, n in done]
