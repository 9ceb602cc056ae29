"""Emission control: when each radar radiates, per run (issue 17 item 6, issue 18 item 3).

Every row of ``world.radars`` has an emission policy (:class:`Policy`, from the scenario's
``emission:`` entries; a radar without one radiates always) and, in each run, a state: emitting
or silent, alive or killed. :mod:`iadsim.sensing` reads the state: a silent or killed radar detects
nothing and makes no false alarms. Policies:

* ``always``; ``schedule`` — radiates inside its ``on`` intervals only;
* ``when_cued`` — radiates while its unit holds a confirmed track, and ``linger_s`` after the last;
* ``shutdown_on_arm`` (with any mode) — silent for ``off_s`` once its unit holds a confirmed track
  of an anti-radiation missile within ``arm_range_km`` of the radar. The model assumes the defence
  recognises an ARM as such once it holds a confirmed track of it (its launch and its flight
  towards the radar give it away); the track's truth id stands for that recognition.

A killed radar (:mod:`iadsim.ea.arm`) never radiates again. Transitions are returned as events
(``radar_on`` / ``radar_off`` with the reason; ``radar_killed`` by the ARM module). The state is
per run and only depends on that run, so batches stay bit-identical to single runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("always", "schedule", "when_cued")


@dataclass(frozen=True)
class Policy:
    """Emission policies of the radar rows (r,)."""

    mode: np.ndarray  # (r,) int index into MODES
    on_intervals: list  # (r,) list of (start_s, end_s) per radar (schedule)
    linger_s: np.ndarray  # (r,)
    shutdown_on_arm: np.ndarray  # (r,) bool
    arm_range_m: np.ndarray  # (r,)
    off_s: np.ndarray  # (r,)

    @property
    def trivial(self) -> bool:
        """Every radar radiates always (nothing to evaluate per step)."""
        return not (self.mode.any() or self.shutdown_on_arm.any())


def policy(scenario, radars, row_specs: dict | None = None) -> Policy:
    """The policies of ``radars`` rows from the scenario's units' ``emission`` entries (by unit and radar
    name); ``row_specs`` (radar row -> :class:`~iadsim.scenario.models.Emission`) gives those of rows that
    belong to no unit (standalone sensor sites). Scenario None: every radar always on."""
    n = len(radars.name)
    row_specs = row_specs or {}
    mode, on, linger = np.zeros(n, np.int64), [[] for _ in range(n)], np.zeros(n)
    arm, arm_range, off = np.zeros(n, bool), np.zeros(n), np.zeros(n)
    for i, (u, name) in enumerate(zip(radars.unit_idx, radars.name)):
        spec = row_specs.get(i)
        if spec is None and scenario is not None and 0 <= u < len(scenario.units):
            spec = scenario.units[u].emission.get(name)
        if spec is None:
            continue
        mode[i], on[i], linger[i] = MODES.index(spec.mode), [tuple(x) for x in spec.on], spec.linger_s
        arm[i], arm_range[i], off[i] = spec.shutdown_on_arm, spec.arm_range_km * 1e3, spec.off_s
    return Policy(mode, on, linger, arm, arm_range, off)


def scheduled_on(pol: Policy, t_s: float) -> np.ndarray:
    """(r,) bool: the schedule says on at ``t_s`` (True for radars not on a schedule)."""
    out = pol.mode != MODES.index("schedule")
    for i in np.flatnonzero(~out):
        out[i] = any(a <= t_s < b for a, b in pol.on_intervals[i])
    return out


class EmissionRuns:
    """Emission state of R runs: ``emitting`` and ``alive`` (R, r) bool, updated each step."""

    def __init__(self, pol: Policy, radars, n_runs: int):
        r = len(radars.name)
        self.pol, self.radars = pol, radars
        self.emitting = np.ones((n_runs, r), bool)
        self.alive = np.ones((n_runs, r), bool)
        self.last_cue_s = np.full((n_runs, r), -np.inf)
        self.off_until_s = np.full((n_runs, r), -np.inf)
        self.last_on_s = np.full((n_runs, r), -np.inf)  # last step at which the radar radiated

    def update(self, r: int, t_s: float, dt_s: float, tracking, arm_rows: np.ndarray | None = None) -> list[tuple]:
        """Run ``r`` at ``t_s``: the new emission state from its policies, its unit's confirmed
        tracks (``tracking.samples(u)`` -> ids, truth ids, positions) and the ARM raider rows;
        returns the transitions as (radar row, "radar_on"|"radar_off", reason)."""
        pol, rd = self.pol, self.radars
        want = scheduled_on(pol, t_s)
        reason = np.where(want, "", "schedule").astype(object)
        need_tracks = (pol.mode == MODES.index("when_cued")) | pol.shutdown_on_arm
        if need_tracks.any():
            for u in np.unique(rd.unit_idx[need_tracks]):
                if u < 0:  # a sensor site of no unit: cued by the network once it lands (issue 17)
                    continue
                _ids, truth, pos = tracking.samples(int(u))
                mine = need_tracks & (rd.unit_idx == u)
                if len(truth):
                    self.last_cue_s[r, mine] = t_s
                if arm_rows is not None and len(truth) and (pol.shutdown_on_arm & mine).any():
                    is_arm = np.isin(truth, arm_rows)
                    for i in np.flatnonzero(pol.shutdown_on_arm & mine):
                        near = np.linalg.norm(pos[is_arm] - rd.pos_enu_m[i], axis=1) <= pol.arm_range_m[i]
                        if near.any() and self.off_until_s[r, i] < t_s:
                            self.off_until_s[r, i] = t_s + pol.off_s[i]
        cued = pol.mode == MODES.index("when_cued")
        cue_on = t_s - self.last_cue_s[r] <= pol.linger_s
        want &= ~cued | cue_on
        reason[cued & ~cue_on] = "not_cued"
        arm_off = self.off_until_s[r] > t_s
        want &= ~arm_off
        reason[arm_off] = "arm_warning"
        want &= self.alive[r]
        reason[~self.alive[r]] = "killed"
        changed = np.flatnonzero(want != self.emitting[r])
        self.emitting[r] = want
        self.last_on_s[r, want] = t_s
        return [(int(i), "radar_on" if want[i] else "radar_off", MODES[pol.mode[i]] if want[i] else str(reason[i]))
                for i in changed]

    def kill(self, r: int, radar: int) -> None:
        self.alive[r, radar] = False
        self.emitting[r, radar] = False
