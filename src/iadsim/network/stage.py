"""The engine's network stage: track reports over links, command-post fusion and degradation,
for R runs of one scenario (one :class:`RunNetwork` per run; a single run is R = 1).

Each step, after tracking:

1. **Reports.** Every link due (every ``period_s``, from t = 0) and not cut, whose command post is
   not lost, sends every confirmed track its site holds (position, velocity and covariance at the
   time of the estimate, the time of the last measurement, and the site's freshness window of two
   looks): at most ``capacity`` of them (the most recently updated first, then by id), each lost
   with probability ``loss_probability`` (one uniform per sent track from the run's ``network``
   stream, drawn only on lossy links). A report arrives ``latency_s`` later and replaces the
   command post's previous report of that site track. A report sent longer ago than its link's
   latency plus 2.5 periods is dropped (the site deleted the track, or its reports were lost).
2. **Fusion** at each command-post cycle: reports predicted to now and fused into one air picture
   by track-to-track association and covariance intersection (:mod:`iadsim.network.fusion`). A
   report keeps the fused track it joined (stable fused ids: a fused track lives while any of its
   reports does); a site's new report joins the fused track it gates with (one assignment per site,
   never two reports of one site in one fused track), or starts a new one. Two fused tracks fed by
   different sites that gate with each other are merged (the older id stays).
3. **Assignment** across the units (:mod:`iadsim.network.central`, called from the C2 stage):
   a connected unit's own C2 cycle gives way to its command post's. :meth:`RunNetwork.engaged_elsewhere`
   counts the duplicates avoided: a unit's own track of a threat another unit of its command post
   engages, once per unit and fused track.
4. **Degradation.** From ``cut_at_s`` a link carries nothing; from ``lost_at_s`` a command post
   fuses nothing and its links are dead. The units below fall back to autonomous operation (their
   own tracks and assignment, as without a network); the time and what changed are recorded.

Runs share nothing: each has its own reports, fused ids and generator, so its results are those it
gets alone.
"""

from __future__ import annotations

import numpy as np

from iadsim.network import fusion

STALE_PERIODS = 2.5  # a report is dropped this many link periods (plus the latency) after it was sent


class RunNetwork:
    """The network state of one run."""

    def __init__(self, world, rng: np.random.Generator):
        net = world.network
        self.net, self.world, self.rng = net, world, rng
        n_l, n_c = len(net.link_name), net.n_cp
        self.next_send_s = np.zeros(n_l)
        self.pending: list[list] = [[] for _ in range(n_l)]  # per link: (t_arrive, fields dict)
        self.reports = [_empty_reports() for _ in range(n_c)]
        self.next_fuse_s = np.zeros(n_c)
        self.next_id = np.zeros(n_c, np.int64)
        self.fused = [_empty_fused() for _ in range(n_c)]
        self.carried = np.zeros(n_l, np.int64)
        self.lost = np.zeros(n_l, np.int64)
        self.over_capacity = np.zeros(n_l, np.int64)
        self.link_down = np.zeros(n_l, bool)
        self.cp_down = np.zeros(n_c, bool)
        n_th = len(world.threats.id)
        self.first_fused_s = np.full(n_th, np.nan)
        self.first_fused_site = np.full(n_th, -1)
        n_units = len(world.units.name)
        self.avoided = np.zeros(n_units, np.int64)
        self._avoided_pairs: set = set()
        self.events: list[dict] = []  # degradation, in time order

    # -- the step ------------------------------------------------------------------------------
    def update(self, t_s: float, view) -> list[dict]:
        """Degradation, reports sent and delivered, fusion at due command posts; returns the
        degradation events of this step ({t_s, kind, name, autonomous})."""
        net = self.net
        new = self._degrade(t_s)
        live = ~self.link_down
        due = live & (self.next_send_s <= t_s + 1e-9)
        for li in np.flatnonzero(due).tolist():
            self.next_send_s[li] += net.link_period_s[li] * max(1.0, np.floor((t_s - self.next_send_s[li]) / net.link_period_s[li]) + 1)
            self._send(li, t_s, view)
        for li in np.flatnonzero(live).tolist():
            if self.pending[li] and self.pending[li][0][0] <= t_s + 1e-9:
                self._deliver(li, t_s)
        for c in np.flatnonzero(~self.cp_down & (self.next_fuse_s <= t_s + 1e-9)).tolist():
            self.next_fuse_s[c] = t_s + net.cp_cycle_s[c]
            self._fuse(c, t_s)
        return new

    def _degrade(self, t_s: float) -> list[dict]:
        net, out = self.net, []
        for c in np.flatnonzero(~self.cp_down & (net.cp_lost_at_s <= t_s + 1e-9)).tolist():
            self.cp_down[c] = True
            self.reports[c], self.fused[c] = _empty_reports(), _empty_fused()
            mine = np.flatnonzero(net.link_cp == c)
            self.link_down[mine] = True
            for li in mine.tolist():
                self.pending[li] = []
            out.append(dict(t_s=float(t_s), kind="command_post_lost", name=net.cp_name[c],
                            autonomous=self._units_of(np.flatnonzero(net.site_cp == c))))
        for li in np.flatnonzero(~self.link_down & (net.link_cut_at_s <= t_s + 1e-9)).tolist():
            self.link_down[li] = True
            self.pending[li] = []
            site = int(net.link_site[li])
            out.append(dict(t_s=float(t_s), kind="link_cut", name=net.link_name[li], autonomous=self._units_of([site])))
        self.events += out
        return out

    def _units_of(self, sites) -> list[str]:
        """The fire units among ``sites`` (sensors have nothing to operate autonomously)."""
        units = self.world.units
        return [units.name[s] for s in np.asarray(sites, int).tolist() if not units.is_sensor[s]]

    def _send(self, li: int, t_s: float, view) -> None:
        net = self.net
        site = int(net.link_site[li])
        res = view.last[site]
        if res is None or res.id.size == 0:
            return
        sel = np.arange(res.id.size)  # every confirmed track the site holds (its tracker deletes lost ones)
        cap = int(net.link_capacity[li])
        if sel.size > cap:
            order = np.lexsort((res.id[sel], -res.t_last_s[sel]))
            self.over_capacity[li] += sel.size - cap
            sel = np.sort(sel[order[:cap]])
        p = float(net.link_loss_p[li])
        if p > 0.0:
            kept = self.rng.random(sel.size) >= p
            self.lost[li] += int(np.count_nonzero(~kept))
            sel = sel[kept]
        if sel.size == 0:
            return
        self.carried[li] += sel.size
        x = np.concatenate([res.pos_enu_m[sel], res.vel_enu_mps[sel]], axis=1)
        rep = dict(site=np.full(sel.size, site), tid=res.id[sel].copy(), x=x, cov=res.cov[sel][:, :6, :6].copy(),
                   t=np.full(sel.size, float(res.t_s)), sent=np.full(sel.size, float(t_s)), truth=res.truth_id[sel].copy(),
                   t_last=res.t_last_s[sel].copy(), fresh=np.full(sel.size, float(view.fresh_s[site])))
        self.pending[li].append((t_s + float(net.link_latency_s[li]), rep))

    def _deliver(self, li: int, t_s: float) -> None:
        c = int(self.net.link_cp[li])
        q = self.pending[li]
        while q and q[0][0] <= t_s + 1e-9:
            _, rep = q.pop(0)
            self.reports[c] = _merge(self.reports[c], rep)

    def _fuse(self, c: int, t_s: float) -> None:
        net = self.net
        r = self.reports[c]
        if r["site"].size:
            li = net.site_link[r["site"]]
            keep = t_s - r["sent"] <= net.link_latency_s[li] + STALE_PERIODS * net.link_period_s[li] + 1e-9
            if not keep.all():
                r = {k: v[keep] for k, v in r.items()}
                self.reports[c] = r
        if r["site"].size == 0:
            self.fused[c] = _empty_fused()
            return
        x, cov = fusion.predict_cv(r["x"], r["cov"], t_s - r["t"])
        fid = r["fused"]
        for s in np.unique(r["site"][fid < 0]).tolist():
            ids, inv = np.unique(fid[fid >= 0], return_inverse=True)
            mapped = np.flatnonzero(fid >= 0)
            if ids.size:
                xf, pf = fusion.covariance_intersection(x[mapped], cov[mapped], inv, ids.size)
                fed = np.zeros(ids.size, bool)
                fed[inv[r["site"][mapped] == s]] = True
            else:
                xf, pf, fed = np.zeros((0, 6)), np.zeros((0, 6, 6)), np.zeros(0, bool)
            rows = np.flatnonzero((fid < 0) & (r["site"] == s))
            a = fusion.associate(x[rows], cov[rows], xf, pf, allowed=np.broadcast_to(~fed, (rows.size, ids.size)))
            fid[rows[a >= 0]] = ids[a[a >= 0]]
            fresh = rows[a < 0]
            fid[fresh] = self.next_id[c] + np.arange(fresh.size)
            self.next_id[c] += fresh.size
            truth = r["truth"][fresh]
            real = truth >= 0
            first = np.isnan(self.first_fused_s[truth[real]]) & (self.first_fused_site[truth[real]] < 0)
            self.first_fused_site[truth[real][first]] = s
        ids, inv = np.unique(fid, return_inverse=True)
        xf, pf = fusion.covariance_intersection(x, cov, inv, ids.size)
        merged = fusion.merge_pairs(xf, pf, inv, r["site"])
        if merged.size:  # two fused tracks of one threat (fed by different sites): the older id stays
            fid[:] = ids[merged][inv]
            ids, inv = np.unique(fid, return_inverse=True)
            xf, pf = fusion.covariance_intersection(x, cov, inv, ids.size)
        # truth of a fused track (scoring only): its member with the smallest position variance
        tr = np.trace(cov[:, :3, :3], axis1=1, axis2=2)
        best = np.lexsort((tr, inv))
        head = best[np.r_[0, np.flatnonzero(np.diff(inv[best])) + 1]]
        truth = r["truth"][head]
        real = truth[truth >= 0]
        self.first_fused_s[real] = np.fmin(self.first_fused_s[real], t_s)
        order = np.argsort(inv, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(inv[order])) + 1]
        self.fused[c] = dict(id=ids, x=xf, cov=pf, truth=truth, t_s=np.full(ids.size, t_s),
                             t_last_s=np.maximum.reduceat(r["t_last"][order], starts),
                             fresh_s=np.maximum.reduceat(r["fresh"][order], starts))

    # -- what C2 asks (iadsim.network.central) ---------------------------------------------------
    def connected(self, u: int) -> int:
        """The command post unit ``u`` is connected to (its link and command post up), or -1."""
        c, li = int(self.net.site_cp[u]), int(self.net.site_link[u])
        if c < 0 or li < 0 or self.link_down[li] or self.cp_down[c]:
            return -1
        return c

    def fused_of(self, c: int, u: int, track_ids) -> np.ndarray:
        """The fused id of each of unit ``u``'s tracks at command post ``c`` (-1: not in the picture)."""
        r = self.reports[c]
        mine = np.flatnonzero(r["site"] == u)
        out = np.full(len(track_ids), -1, np.int64)
        if mine.size == 0 or len(track_ids) == 0:
            return out
        order = np.argsort(r["tid"][mine])
        tids = r["tid"][mine][order]
        j = np.clip(np.searchsorted(tids, track_ids), 0, tids.size - 1)
        hit = tids[j] == np.asarray(track_ids)
        out[hit] = r["fused"][mine][order][j[hit]]
        return out

    def engaged_elsewhere(self, u: int, track_ids, engagements: list) -> np.ndarray:
        """(k,) bool: which of unit ``u``'s candidate tracks are, in the fused picture of its command
        post, a threat another unit of that command post is engaging (``engagements[v]``: unit v's
        open engagements by track id). All False when ``u`` is not connected or duplicates are allowed."""
        k = len(track_ids)
        c = self.connected(u)
        if c < 0 or self.net.cp_duplicates[c] or k == 0:
            return np.zeros(k, bool)
        busy = []
        for v in np.flatnonzero(self.net.site_cp == c).tolist():
            if v != u and v < len(engagements) and engagements[v] and self.connected(v) == c:
                busy.append(self.fused_of(c, v, np.fromiter(engagements[v].keys(), np.int64)))
        if not busy:
            return np.zeros(k, bool)
        taken = np.concatenate(busy)
        mine = self.fused_of(c, u, track_ids)
        out = (mine >= 0) & np.isin(mine, taken[taken >= 0])
        for f in mine[out].tolist():
            if (u, c, f) not in self._avoided_pairs:
                self._avoided_pairs.add((u, c, f))
                self.avoided[u] += 1
        return out

    # -- results -------------------------------------------------------------------------------
    def summary(self) -> dict:
        net = self.net
        return dict(
            links=[dict(name=n, carried=int(self.carried[i]), lost=int(self.lost[i]),
                        over_capacity=int(self.over_capacity[i]),
                        cut_at_s=None if not np.isfinite(net.link_cut_at_s[i]) else float(net.link_cut_at_s[i]))
                   for i, n in enumerate(net.link_name)],
            command_posts=[dict(name=n, profile=net.cp_profile[c], fused_tracks=int(self.next_id[c]),
                                lost_at_s=None if not np.isfinite(net.cp_lost_at_s[c]) else float(net.cp_lost_at_s[c]))
                           for c, n in enumerate(net.cp_name)],
            events=list(self.events))


class NetworkRuns:
    """The network stage of R runs: one :class:`RunNetwork` per run, each with its own generator."""

    def __init__(self, world, rngs: list):
        self.runs = [RunNetwork(world, g) for g in rngs]

    def update(self, t_s: float, views: list) -> list[list[dict]]:
        """Per run (``views[r]`` None: run over), its degradation events of this step."""
        return [self.runs[r].update(t_s, v) if v is not None else [] for r, v in enumerate(views)]


def _empty_reports() -> dict:
    z = np.zeros(0)
    return dict(site=z.astype(np.int64), tid=z.astype(np.int64), x=np.zeros((0, 6)), cov=np.zeros((0, 6, 6)), t=z,
                sent=z, truth=z.astype(np.int64), t_last=z, fresh=z, fused=z.astype(np.int64))


def _empty_fused() -> dict:
    z = np.zeros(0)
    return dict(id=z.astype(np.int64), x=np.zeros((0, 6)), cov=np.zeros((0, 6, 6)), truth=z.astype(np.int64), t_s=z,
                t_last_s=z, fresh_s=z)


def _merge(table: dict, rep: dict) -> dict:
    """The command post's report table with a delivered report: a site track's newer report replaces
    its older one and keeps its fused id; a new site track enters unassociated (fused id -1)."""
    n = rep["site"].size
    if table["site"].size:
        old = np.flatnonzero(table["site"] == rep["site"][0])
        same = np.isin(table["tid"][old], rep["tid"])
        fused = np.full(n, -1, np.int64)
        if same.any():
            prev = old[same]
            pos = np.searchsorted(np.sort(rep["tid"]), table["tid"][prev])
            order = np.argsort(rep["tid"])
            fused[order[pos]] = table["fused"][prev]
            keep = np.ones(table["site"].size, bool)
            keep[prev] = False
            table = {k: v[keep] for k, v in table.items()}
    else:
        fused = np.full(n, -1, np.int64)
    new = dict(rep, fused=fused)
    return {k: np.concatenate([table[k], new[k]]) for k in table}
