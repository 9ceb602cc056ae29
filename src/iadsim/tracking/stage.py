"""The engine's tracking stage: one batched tracker (:mod:`iadsim.tracking.mtt`) per unit, fed by
all of that unit's radars, measurements in range/azimuth/elevation/range-rate (EKF).

Detections arrive from :func:`iadsim.sensing.scan` in the tracker's own type
(:class:`~iadsim.tracking.detections.Detections`, angles on the scenario's ENU axes) and are
routed to each unit's tracker by ``unit_idx``.

The stage has a run axis: :class:`TrackingRuns` steps R runs of one scenario in lockstep (one
:class:`~iadsim.tracking.mtt.Tracker` per unit holds every run's tracks) and
:meth:`TrackingRuns.view` gives each run the read interface C2, flyout and the recorder use:
``tracks`` (what a unit's C2 may act on) and ``is_fresh`` (the look before launch and kill
assessment). :class:`TrackingStage` is the same stage with one run (tests, benchmarks).

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

from iadsim.state import World
from iadsim.tracking.detections import Detections
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


def unit_setup(world: World, dt_s: float) -> tuple[list[TrackerConfig], list[float]]:
    """Per unit: the tracker configuration and the freshness window (s) of an engageable track."""
    rd = world.radars
    configs, fresh_s = [], []
    for u in range(len(world.units.name)):
        periods = rd.scan_period_s[rd.unit_idx == u]
        eng = rd.scan_period_s[(rd.unit_idx == u) & rd.is_engagement]
        configs.append(config_for_unit(float(periods.max(initial=1.0)), float(periods.min(initial=1.0)), dt_s))
        # a track the engagement radar has not refreshed for two looks is not engaged
        fresh_s.append(2.0 * float(eng.min(initial=periods.min(initial=1.0))) + dt_s)
    return configs, fresh_s


class _TrackReader:
    """The read interface C2, flyout and the recorder use, over ``last`` (per unit, the
    ConfirmedTracks of the latest step or None) and ``fresh_s`` (per unit, s)."""

    last: list[ConfirmedTracks | None]
    fresh_s: list[float]

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


class TrackingRuns:
    """The tracking stage of R runs of one scenario in one set of arrays.

    One :class:`Tracker` per unit holds the tracks of every run; each run's events and tracks
    are those it gets alone, bit for bit. All runs step through the same times; a finished run
    is retired and costs nothing afterwards.
    """

    def __init__(self, world: World, dt_s: float, n_runs: int):
        self.world = world
        self.n_runs = int(n_runs)
        configs, self.fresh_s = unit_setup(world, dt_s)
        self.trackers = [Tracker(c, n_runs=self.n_runs) for c in configs]
        self._radar_unit = world.radars.unit_idx
        self._live = np.ones(self.n_runs, bool)
        self._last = [[None] * len(configs) for _ in range(self.n_runs)]  # [run][unit] ConfirmedTracks | None
        self._views = [_RunView(self, r) for r in range(self.n_runs)]

    def update(self, t_s: float, dets: list, looked: np.ndarray) -> list[list[tuple[int, np.ndarray, np.ndarray]]]:
        """Feed each unit the detections of every run; per run, a list of (unit, ids confirmed now,
        ids dropped now) ([] for a retired run).

        ``dets[r]``: run r's Detections of this step (:func:`iadsim.sensing.scan`: scenario ENU
        angles, ``unit_idx`` set), None once run r is retired.
        ``looked`` (n_radars,) bool: the radars that scanned this step (the same in every run).
        A unit none of whose radars looked gets a predict-only step (no miss counted); one whose
        radars looked and saw nothing counts a miss on every track.
        """
        live = [r for r in range(self.n_runs) if self._live[r]]
        if any(dets[r] is None for r in live):
            raise ValueError("dets: None for a run that was not retired")
        cat, run = _concat([(r, dets[r]) for r in live if len(dets[r].t_s)])
        out: list[list] = [[] for _ in range(self.n_runs)]
        for u, trk in enumerate(self.trackers):
            sel = cat.unit_idx == u
            n_u = int(np.count_nonzero(sel))
            scanned = np.zeros(self.n_runs, bool)
            scanned[run[sel]] = True
            if np.any(looked & (self._radar_unit == u)):
                scanned[:] = True
            scanned &= self._live
            if n_u:
                mine = cat if n_u == len(sel) else cat.rows(sel)
                mine_run = run if n_u == len(sel) else run[sel]
            else:
                mine, mine_run = (Detections.empty() if scanned.any() else None), None
            res = trk.step_runs(t_s, mine, mine_run, scanned)
            for r in live:
                self._last[r][u] = res[r]
                out[r].append((u, res[r].new_ids, res[r].dropped_ids))
        return out

    def view(self, r: int) -> _RunView:
        """Run ``r``'s read interface (that of :class:`TrackingStage`), live across steps."""
        return self._views[r]

    def retire(self, r: int) -> None:
        """Run ``r`` finished: drop its tracks (its view keeps the last step's results)."""
        self._live[r] = False
        for trk in self.trackers:
            trk.retire(r)


class _RunView(_TrackReader):
    """One run of a :class:`TrackingRuns`, seen through the read interface."""

    def __init__(self, runs: TrackingRuns, r: int):
        self.world = runs.world
        self.fresh_s = runs.fresh_s
        self.last = runs._last[r]  # the list is updated in place every step


class TrackingStage(_RunView):
    """The tracking stage of one run: a :class:`TrackingRuns` of one run, with its read interface
    (tests, benchmarks; the engine always uses TrackingRuns)."""

    def __init__(self, world: World, dt_s: float):
        self.runs = TrackingRuns(world, dt_s, 1)
        self.trackers = self.runs.trackers
        super().__init__(self.runs, 0)

    def update(self, t_s: float, dets: Detections, looked: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """:meth:`TrackingRuns.update` of the one run: (unit, ids confirmed now, ids dropped now)."""
        return self.runs.update(t_s, [dets], looked)[0]


def _concat(parts: list) -> tuple[Detections, np.ndarray]:
    """Detections of several runs [(run, Detections)] as one table, rows in run order, and the run
    of each row (n,)."""
    if not parts:
        return Detections.empty(), np.zeros(0, np.int64)
    run = np.repeat(np.array([r for r, _ in parts], np.int64), [len(d.t_s) for _, d in parts])
    return Detections.concat([d for _, d in parts]), run
