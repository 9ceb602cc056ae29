"""Per-run state of issue 18 for the engine's step loop: releases, ARM end games, emission
control and jam strobes of R runs in lockstep. Everything here is per run and depends only on that
run (its raiders' fates, its tracks, its ``ea`` random stream), so a run gives the same result in
any batch. The engine calls, each step: :meth:`EaRuns.before_truth` (per run, before the shared
truth is applied), :meth:`EaRuns.emission` (before the scan), :meth:`EaRuns.strobes` (after it)."""

from __future__ import annotations

import numpy as np

from iadsim import emission as em
from iadsim.constants import db
from iadsim.ea import arm as arm_model, jamming, releases


class EaRuns:
    def __init__(self, world, n_runs: int, dt_s: float):
        ex = world.extra or {}
        self.world, self.dt_s = world, dt_s
        self.arms = ex.get("arms")
        self.carrier_idx = ex.get("carrier_idx")
        self.release_t_s = ex.get("release_t_s")
        self.has_releases = self.carrier_idx is not None and bool((self.carrier_idx >= 0).any())
        pol = ex.get("emission") or em.policy(None, world.radars)
        self.em = em.EmissionRuns(pol, world.radars, n_runs)
        self.jam = jamming.of(world)
        # radars can fall silent or die only with a non-trivial policy or ARMs: else nothing to update
        self.active = (self.arms is not None and len(self.arms) > 0) or not pol.trivial
        self.engagement = world.radars.is_engagement

    @property
    def emitting(self) -> list | None:
        """Per run (n_radars,) bool for :func:`iadsim.sensing.scan`, or None when every radar always radiates."""
        return None if not self.active else list(self.em.emitting)

    def before_truth(self, r: int, t_s: float, th, truth, rec, rng):
        """Run r before the shared truth of step t_s is applied: weapons whose carrier died before
        their release are never released; released weapons are recorded; ARMs that reach their
        radar's site alive resolve their end game (one uniform each, in row order). Returns threats."""
        self._t_s = t_s
        if self.has_releases:
            gone = releases.unreleased(th, self.carrier_idx, self.release_t_s, t_s, self.dt_s)
            if gone.size:
                from iadsim.engine import _set_fate  # one way to set a fate

                th = _set_fate(th, gone, "not_released", self.release_t_s[gone])
            out = releases.released_now(th, self.carrier_idx, self.release_t_s, t_s, self.dt_s)
            if out.size:
                rec.ea_rows(out.size, t_s=self.release_t_s[out], kind="release", threat_id=out,
                            detail=[f"carrier={int(c)}" for c in self.carrier_idx[out]],
                            pos=self.world.threats.knot_pos_enu_m[self.world.threats.route_idx[out], 0])
        if self.arms is not None and len(self.arms):
            a = self.arms.threat_idx  # at the end of its path, or where it would leak first (within its target's radius)
            arrive = np.flatnonzero((truth.ended_now[a] | (truth.in_flight[a] & truth.at_target[a])) & th.alive[a])
            for k in arrive.tolist():  # few ARMs; row order fixes the draws
                self._end_game(r, k, th, truth, rec, rng)
        return th

    def _end_game(self, r, k, th, truth, rec, rng):
        arms, world = self.arms, self.world
        row, radar = int(arms.threat_idx[k]), int(arms.radar_idx[k])
        t_arrive = float(min(truth.end_s[row], self._t_s))
        u = rng.random()
        guided = bool(self.em.emitting[r, radar])
        if guided:
            r_loss = 0.0
        else:
            t_loss = max(float(self.em.last_on_s[r, radar]), float(th.t_start_s[row]))
            r_loss = arm_model.range_at_loss_m(world, arms, k, t_loss)
        sigma = arm_model.miss_sigma_m(arms.guided_miss_m[k], arms.angle_sigma_rad[k], r_loss)
        miss = float(arm_model.miss_distance_m(sigma, u))
        pk = float(arm_model.p_kill(arms.lethal_radius_m[k], sigma))
        killed = bool(miss <= arms.lethal_radius_m[k]) and bool(self.em.alive[r, radar])  # a dead radar dies once
        kind = "radar_killed" if killed else "arm_miss"
        rec.ea_rows(1, t_s=t_arrive, kind=kind, radar=radar, threat_id=row, miss_distance_m=[miss], p_kill=[pk],
                    detail=f"{'guided' if guided else f'guidance lost at {r_loss / 1e3:.1f} km'} sigma_m={float(sigma):.1f}",
                    pos=world.radars.pos_enu_m[radar])
        if killed:
            self.em.kill(r, radar)
            rec.radar_killed(radar, t_arrive)

    def emission(self, r: int, t_s: float, tracking, rec, c2) -> None:
        """Run r's emission state at t_s (events ``radar_on``/``radar_off``); its units without a
        radiating engagement radar are marked blind for the C2 (``c2.blind``)."""
        if not self.active:
            return
        arm_rows = None if self.arms is None or not len(self.arms) else self.arms.threat_idx
        for radar, kind, why in self.em.update(r, t_s, self.dt_s, tracking, arm_rows):
            rec.ea_rows(1, t_s=t_s, kind=kind, radar=radar, detail=why,
                        pos=self.world.radars.pos_enu_m[radar])
        rec.radar_step(self.em.emitting[r])
        rd = self.world.radars
        n_units = len(self.world.units.name)
        own = rd.unit_idx >= 0  # radar rows of a unit (standalone sensor sites have none)
        has = np.zeros(n_units, bool)
        np.logical_or.at(has, rd.unit_idx[own], (self.engagement & self.em.emitting[r])[own])
        needs = np.zeros(n_units, bool)
        np.logical_or.at(needs, rd.unit_idx[own], self.engagement[own])
        c2.blind = needs & ~has

    def strobes(self, t_s: float, due: np.ndarray, live: list, threats: list, recs: list) -> None:
        """Jam strobes of the radars that looked at t_s: per run, each radiating radar and each of
        its alive jammers whose main-lobe J/N is at least :data:`~iadsim.ea.jamming.STROBE_JNR_DB`
        (event ``jammed`` with J/N and the jammer's bearing from the radar, true north)."""
        if self.jam is None or due.size == 0:
            return
        jidx = self.jam.threat_idx
        th0 = threats[live[0]]
        on = np.zeros(jidx.size, bool)
        for r in live:
            on |= threats[r].active[jidx]
        if not on.any():
            return
        jl = jamming.looks(self.world, due, np.broadcast_to(th0.pos_enu_m[jidx], (due.size, jidx.size, 3)),
                           np.broadcast_to(on, (due.size, jidx.size)))
        strong = jl.jnr_main >= 10 ** (jamming.STROBE_JNR_DB / 10)
        if not strong.any():
            return
        rd = self.world.radars
        bearing = _true_bearing_deg(rd, due, th0.pos_enu_m[jidx])
        for r in live:
            mask = strong & threats[r].active[jidx][None] & self.em.emitting[r][due][:, None]
            li, mi = np.nonzero(mask)
            if li.size == 0:
                continue
            recs[r].ea_rows(li.size, t_s=t_s, kind="jammed", radar=due[li], threat_id=jidx[mi],
                            jnr_db=db(jl.jnr_main[li, mi]), bearing_deg=bearing[li, mi],
                            detail=[f"jammer={self.jam.kind[m]}" for m in mi.tolist()], pos=rd.pos_enu_m[due[li]])
            looked = np.unique(due[li])
            recs[r].radar_jammed(looked, rd.scan_period_s[looked])


def _true_bearing_deg(rd, due, jam_pos_enu_m):
    """Bearing (deg, clockwise from the site's north) of each jammer from each due radar (L, m)."""
    from iadsim import geo

    los = jam_pos_enu_m[None] - rd.pos_enu_m[due][:, None]
    local = np.einsum("lij,lmj->lmi", rd.rot_local_from_enu[due], los)
    az, _, _ = geo.enu_to_aer(local)
    return np.degrees(az)
