"""Engagement across units: a command post's assignment over all its connected units' weapons.

At each command-post cycle (``c2_cycle`` of its catalog profile), on the fresh fused tracks (one
of their sites measured them within two looks of its radars, the fire units' own rule) that no
subordinate is engaging and that no kill assessment has closed since their newest measurement
(an engagement already ordered goes on while the command post holds the fused track):

1. threat evaluation, feasibility and class rules per unit (:func:`iadsim.c2.stage._evaluate`, the
   units' own, on the fused estimates), so each weapon row has the Pk its own unit would compute;
2. launch on remote: a row whose missile cannot be launched on a remote track (catalog
   ``launch_on_remote``: semi-active or track-via-missile guidance) gets Pk 0 on a fused track its
   unit does not hold in its own picture (a local fresh track reported into that fused track);
3. one weapon-target assignment (:func:`iadsim.c2.wta.solve`, the first unit's method) over every
   row of every connected unit with weapons free: rounds = each row's ready rounds above the
   reserve, target value = the largest of the units' values, ``max_per_target`` = the smallest
   of the units' salvos, ``max_targets`` / ``max_total_rounds`` = the sums of the units' free
   channels;
4. repair to the units' own limits (the solver has one channel budget): without the command
   post's ``duplicate_engagements``, a threat assigned rows of two units keeps only the unit
   firing the most rounds at it (ties: the first unit); a unit over its free target or missile
   channels drops its lowest-value threats. What is dropped is planned again next cycle;
5. orders: each unit engages on its own track of the threat when it holds one, else on the
   remote track (``REMOTE_BASE`` + fused id, :mod:`iadsim.network.view`); its launches follow its
   reaction time plus the command post's processing time and the link's latency (the order's
   way down).

Hold events are not recorded for the command post's cycles (a unit's own cycle records them when
it operates autonomously). Cueing of the engagement radar to the remote track is not modelled as
a separate effect: every radar searches all of its coverage at each scan in this model.
"""

from __future__ import annotations

import numpy as np

from iadsim.c2 import wta
from iadsim.c2.stage import _NO_HOLDS, _NO_REASSESS, _evaluate, _final, fire_units
from iadsim.network.view import REMOTE_BASE


def decide(t_s: float, world, st, view) -> list[tuple[int, object]]:
    """The (unit, Orders) of run ``st`` (a C2Stage) from every command post whose cycle is due at t_s."""
    netr, net = st.network, world.network
    out = []
    for c in range(net.n_cp):
        if netr.cp_down[c] or st.next_cp_s[c] > t_s + 1e-9:
            continue
        st.next_cp_s[c] = t_s + net.cp_cycle_s[c]
        out += _cycle(t_s, world, c, st, view)
    return out


def _fused_ids(netr, c, v, track_ids) -> np.ndarray:
    """Fused ids at command post ``c`` of unit ``v``'s track ids (remote ids map directly; -1: none)."""
    ids = np.asarray(track_ids, np.int64)
    out = netr.fused_of(c, v, ids)
    remote = ids >= REMOTE_BASE
    out[remote] = ids[remote] - REMOTE_BASE
    return out


def _cycle(t_s, world, c, st, view) -> list[tuple[int, object]]:
    netr, net, units, wp = st.network, world.network, world.units, world.weapons
    f = netr.fused[c]
    subs = [u for u in fire_units(world) if net.site_cp[u] == c]
    connected = [u for u in subs if netr.connected(u) == c]
    shooters = [u for u in connected if units.weapons_free[u]]
    if f["id"].size == 0 or not shooters:
        return []
    engaged, closed = set(), {}
    orders = st.cp_orders.setdefault(c, {})  # fused id -> (unit, track id) of the engagements it ordered
    for g, (v, tid) in list(orders.items()):
        if tid in st.engagements[v]:
            engaged.add(g)  # even if the unit's own track of it has not reached the command post
        else:
            del orders[g]
    for v in subs:
        if st.engagements[v]:
            engaged.update(_fused_ids(netr, c, v, list(st.engagements[v])).tolist())
        if st.closed[v]:
            for fid, t_closed in zip(_fused_ids(netr, c, v, list(st.closed[v])).tolist(), st.closed[v].values()):
                closed[fid] = max(closed.get(fid, -np.inf), t_closed)
    # duplicates avoided: a unit's own track of a threat another unit engages (counted once per pair)
    for u in connected:
        own = view.base.tracks(u, t_s).id
        if own.size:
            netr.engaged_elsewhere(u, own, st.engagements)
    fresh = t_s - f["t_last_s"] <= f["fresh_s"]  # measured within two looks of a reporting site's radars
    keep = fresh & np.array([fid not in engaged and tl > closed.get(fid, -np.inf)
                             for fid, tl in zip(f["id"].tolist(), f["t_last_s"].tolist())], bool)
    if not keep.any():
        return []
    fid, truth = f["id"][keep], f["truth"][keep]
    vel = f["x"][keep, 3:]
    pos = f["x"][keep, :3] + (t_s - f["t_s"][keep])[:, None] * vel
    k = fid.size
    parts = []
    for u in shooters:
        w_idx = np.flatnonzero(wp.unit_idx == u)
        if w_idx.size == 0:
            continue
        ev = _evaluate(world, u, w_idx, pos, vel)
        pk = ev.pk.copy()
        local = view.base.tracks(u, t_s)
        local_fid = netr.fused_of(c, u, local.id)
        has = local_fid >= 0
        local_of = dict(zip(local_fid[has].tolist(), local.id[has].tolist()))
        held = np.array([x in local_of for x in fid.tolist()], bool)
        pk[np.ix_(~wp.launch_on_remote[w_idx], ~held)] = 0.0
        avail = np.minimum(st.mags.n_ready[w_idx], np.maximum(st.rounds[w_idx] - int(units.reserve_rounds[u]), 0))
        n_t, n_m = st.in_use(u)
        free_t, free_m = max(int(units.channels_targets[u]) - n_t, 0), max(int(units.channels_missiles[u]) - n_m, 0)
        if not (free_t and free_m):
            pk[:] = 0.0
        parts.append(dict(u=u, w_idx=w_idx, ev=ev, pk=pk, avail=avail, free_t=free_t, free_m=free_m, local_of=local_of))
    if not parts:
        return []
    pk = np.ascontiguousarray(np.concatenate([p["pk"] for p in parts]))
    avail = np.concatenate([p["avail"] for p in parts])
    row_part = np.repeat(np.arange(len(parts)), [p["w_idx"].size for p in parts])
    value = np.max([p["ev"].value for p in parts], axis=0)
    salvo = np.min([p["ev"].salvo for p in parts], axis=0)
    if not ((value > 0) & (salvo > 0) & ((pk > 0) & (avail[:, None] > 0)).any(axis=0)).any():
        return []
    res = wta.solve(value, pk, avail, method=str(units.wta_method[parts[0]["u"]]), time_limit_s=1.0,
                    max_per_target=salvo, max_targets=sum(p["free_t"] for p in parts),
                    max_total_rounds=sum(p["free_m"] for p in parts))
    x = np.asarray(res.assignment, int).copy()
    _repair(x, row_part, parts, value, bool(net.cp_duplicates[c]))
    delay = float(net.cp_processing_s[c])
    out = []
    for i, p in enumerate(parts):
        xu = x[row_part == i]
        if not xu.any():
            continue
        u = p["u"]
        ids = np.array([p["local_of"].get(g, REMOTE_BASE + g) for g in fid.tolist()], np.int64)
        lat = float(net.link_latency_s[net.site_link[u]])
        assign = st._orders(t_s, world, u, p["w_idx"], xu, ids, truth, p["ev"], p["ev"].fz, delay_s=delay + lat)
        for j in np.flatnonzero(xu.sum(axis=0) > 0).tolist():
            orders[int(fid[j])] = (u, int(ids[j]))
        out.append((u, _final(assign, _NO_HOLDS, _NO_REASSESS, (), st.mags)))
    return out


def _repair(x, row_part, parts, value, duplicates: bool) -> None:
    """Make the assignment ``x`` (rows, k) fit each unit's own limits, in place (module docstring, 4)."""
    n = len(parts)
    per_unit = np.stack([x[row_part == i].sum(axis=0) for i in range(n)])  # (units, k) rounds
    if not duplicates:
        shared = (per_unit > 0).sum(axis=0) > 1
        for j in np.flatnonzero(shared).tolist():
            best = int(np.argmax(per_unit[:, j]))  # most rounds; ties to the first unit
            for i in range(n):
                if i != best:
                    x[row_part == i, j] = 0
                    per_unit[i, j] = 0
    for i, p in enumerate(parts):
        targets = np.flatnonzero(per_unit[i] > 0)
        order = targets[np.argsort(value[targets], kind="stable")]  # lowest value first
        for j in order.tolist():
            if (per_unit[i] > 0).sum() <= p["free_t"] and per_unit[i].sum() <= p["free_m"]:
                break
            x[row_part == i, j] = 0
            per_unit[i, j] = 0
