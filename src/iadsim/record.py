"""Recording a run: events, sampled trajectories, and the summary an analyst reads first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from iadsim import __version__
from iadsim.network.view import REMOTE_BASE

EVENT_COLUMNS = ("t_s", "kind", "unit", "radar", "threat_id", "track_id", "interceptor_id", "missile",
                 "x_m", "y_m", "z_m", "detail", "miss_distance_m", "p_kill", "closing_speed_mps", "miss_reason",
                 "predicted_tof_s", "hold_reason", "jnr_db", "bearing_deg")
# Typed columns of the events table (events.parquet adds lat_deg, lon_deg, alt_hae_m): x/y/z are the
# event's position in scenario ENU (for ``assign``, the predicted intercept point); intercept events
# carry miss_distance_m (closest approach; for a miss that ended otherwise, the closest distance seen),
# p_kill (of the kill draw), closing_speed_mps (relative speed at the closest approach) and, for misses,
# miss_reason (MISS_REASONS); assign carries predicted_tof_s; hold carries hold_reason (a short code,
# the human text stays in detail); jammed carries jnr_db (main-lobe J/N) and bearing_deg (the jammer's bearing
# from the radar, clockwise from north: the strobe), its threat_id is the jammer's raider. Missing values are nulls: in the table and the parquet an id of
# -1 in the recorder ("none": a false alarm's truth, an event without a track or a round) is null.
EVENT_TYPES = dict(t_s="float64", kind="string", unit="string", radar="string", threat_id="int64", track_id="int64",
                   interceptor_id="int64", missile="string", x_m="float64", y_m="float64", z_m="float64",
                   detail="string", miss_distance_m="float64", p_kill="float64", closing_speed_mps="float64",
                   miss_reason="string", predicted_tof_s="float64", hold_reason="string",
                   jnr_db="float64", bearing_deg="float64", lat_deg="float64", lon_deg="float64", alt_hae_m="float64")
# flyout outcome -> miss_reason: passed its target without a kill, self-destructs, ground impact, its threat
# killed/leaked/ended before the intercept, a false-alarm track's phantom
MISS_REASONS = {"cpa": "miss_distance", "low_speed": "below_min_speed", "timeout": "max_flight_time",
                "ground": "ground", "target_lost": "target_gone", "false_target": "false_target"}
_NULLABLE_FLOATS = ("miss_distance_m", "p_kill", "closing_speed_mps", "predicted_tof_s", "jnr_db", "bearing_deg")  # None when missing
_DEFAULTS = dict(unit=None, radar=None, threat_id=-1, track_id=-1, interceptor_id=-1, missile=None, x_m=np.nan,
                 y_m=np.nan, z_m=np.nan, detail=None, miss_distance_m=None, p_kill=None, closing_speed_mps=None,
                 miss_reason=None, predicted_tof_s=None, hold_reason=None, jnr_db=None, bearing_deg=None)
_GEODETIC_ROWS = 65_536  # events converted to latitude, longitude, height at a time
EVENT_KINDS = ("detect", "track_confirmed", "track_dropped", "assign", "hold", "launch", "intercept_hit",
               "intercept_miss", "leak", "reassess", "reload", "link_cut", "command_post_lost",  # the last two: iadsim.network
               "jammed", "radar_on", "radar_off", "radar_killed", "arm_miss", "release")  # the last six: iadsim.ea, iadsim.emission


class EventColumns(Mapping):
    """A run's events by column (:data:`EVENT_COLUMNS`), held as one array per column: float64
    (NaN where missing), int64, or object (str, None where missing). ``array(c)`` gives the
    array; ``events[c]`` the column as a list of Python values (missing floats of the nullable
    columns as None, the coordinates as NaN), built on first access and kept."""

    def __init__(self, arrays: dict):
        self._arrays = {c: arrays[c] for c in EVENT_COLUMNS}
        self._lists: dict = {}

    def array(self, c: str) -> np.ndarray:
        return self._arrays[c]

    @property
    def n_rows(self) -> int:
        return len(self._arrays["t_s"])

    def __getitem__(self, c: str) -> list:
        if c not in self._lists:
            v = self._arrays[c].tolist()
            self._lists[c] = [None if x != x else x for x in v] if c in _NULLABLE_FLOATS else v
        return self._lists[c]

    def __iter__(self):
        return iter(EVENT_COLUMNS)

    def __len__(self) -> int:
        return len(EVENT_COLUMNS)


def _column(c: str, parts: list) -> np.ndarray:
    """One event column from its per-call parts (arrays of the column's type)."""
    if parts:
        return np.concatenate(parts)
    return np.zeros(0, object if EVENT_TYPES[c] == "string" else EVENT_TYPES[c])


def _part(c: str, n: int, v) -> np.ndarray:
    """A column's part of n rows: a scalar repeated, or a sequence of n values, as the column's array type."""
    kind = EVENT_TYPES[c]
    if kind == "string":
        if isinstance(v, (list, tuple, np.ndarray)):
            out = np.empty(n, object)
            out[:] = v
            return out
        return np.full(n, v, object)
    dtype = np.float64 if kind == "float64" else np.int64
    if isinstance(v, (list, tuple)):
        return np.array([np.nan if x is None else x for x in v], dtype) if dtype is np.float64 else np.array(v, dtype)
    if isinstance(v, np.ndarray):
        return v.astype(dtype)  # a copy: the caller's array may change later
    return np.full(n, np.nan if v is None else v, dtype)


@dataclass
class RunResult:
    """Everything one run produced. Positions are scenario ENU metres."""

    scenario: object
    seed: int
    events: EventColumns  # column name -> values (EVENT_COLUMNS); .array(c) for the array
    summary: dict
    t_s: np.ndarray  # (K,) recorded times
    threat_pos_enu_m: np.ndarray  # (K, n, 3)
    threat_active: np.ndarray  # (K, n) bool: in flight and alive
    interceptor_samples: dict  # t_s, id, unit, pos_enu_m arrays (one row per interceptor per step)
    track_samples: dict  # t_s, unit, track_id, truth_id, pos_enu_m arrays (confirmed tracks)
    compiled: object = field(repr=False)
    fused_samples: dict = None  # networked runs: t_s, cp, fused_id, truth_id, pos_enu_m at each fusion cycle

    def events_table(self):
        """The events as a pyarrow Table with the schema of ``events.parquet`` (:data:`EVENT_TYPES`):
        every event column, then latitude, longitude (deg) and height above the ellipsoid (m).
        Missing values (NaN floats, empty strings, None, ids of -1) are nulls."""
        import pyarrow as pa

        from iadsim import geo

        ev = self.events
        cols = {}
        for c in EVENT_COLUMNS:
            v, kind = ev.array(c), EVENT_TYPES[c]
            if kind == "string":
                v = v.copy()
                v[v == ""] = None  # an empty text is a missing value
                cols[c] = pa.array(v, pa.string(), from_pandas=True)
            elif kind == "float64":
                cols[c] = pa.array(v, pa.float64(), from_pandas=True)  # NaN -> null
            else:
                cols[c] = pa.array(v, pa.int64(), mask=v < 0)  # id -1 ("none": no threat, track or round) -> null
        n = ev.n_rows
        lat, lon, alt = np.empty(n), np.empty(n), np.empty(n)
        for a in range(0, n, _GEODETIC_ROWS):  # by slices: the conversion's temporaries stay small
            b = min(a + _GEODETIC_ROWS, n)
            xyz = np.column_stack([ev.array(c)[a:b] for c in ("x_m", "y_m", "z_m")])
            lat[a:b], lon[a:b], alt[a:b] = geo.enu_to_geodetic(xyz, self.compiled.origin)
        for name, v in (("lat_deg", np.degrees(lat)), ("lon_deg", np.degrees(lon)), ("alt_hae_m", alt)):
            cols[name] = pa.array(v, pa.float64(), from_pandas=True)
        return pa.table(cols, schema=pa.schema([(c, getattr(pa, EVENT_TYPES[c])()) for c in cols]))


class Recorder:
    """Collects a run's events, samples and summary. ``details=False`` keeps only what the summary
    needs (a Monte Carlo study stores summaries): no events, no trajectory samples; the summary
    is the same."""

    def __init__(self, scenario, comp, seed: int, details: bool = True):
        self.scenario, self.comp, self.seed, self.details = scenario, comp, seed, details
        self.ev: dict = {c: [] for c in EVENT_COLUMNS}  # column -> list of per-call arrays
        self._snr_texts: dict = {}
        self.n_hit = self.n_miss = 0
        w = comp.world
        self.unit_names, self.radar_names, self.missile_names = w.units.name, w.radars.name, w.weapons.name
        self.is_sensor = w.units.is_sensor if w.units.is_sensor is not None else np.zeros(len(w.units.name), bool)
        self.fire_units = np.flatnonzero(~self.is_sensor).tolist()
        n = len(w.threats.id)
        self.first_detect = np.full(n, np.nan)
        self.first_track = np.full(n, np.nan)
        self.first_detect_by = np.full(n, -1)  # radar row of the first detection
        self.remote_launches = np.zeros(len(self.unit_names), int)
        self.killed_by = np.full(n, -1)
        self.rounds_at = np.zeros(n, int)
        self.kills = np.zeros(len(self.unit_names), int)
        self.peak_targets = np.zeros(len(self.unit_names), int)
        self.peak_missiles = np.zeros(len(self.unit_names), int)
        self.saturated_s = np.zeros(len(self.unit_names))
        self.t, self.pos, self.active = [], [], []
        self.isamp = {"t_s": [], "id": [], "unit": [], "pos_enu_m": []}
        n_r = len(self.radar_names)  # per radar (iadsim.ea.runs): steps radiating (None: never silent), time jammed, killed
        self.radar_on_steps = None
        self.radar_jammed_s = np.zeros(n_r)
        self.radar_killed_s = np.full(n_r, np.nan)
        self.decoy = (w.extra or {}).get("decoy")
        self.raid_names = getattr(comp, "raid_names", None) or [r.name for r in scenario.raids]
        self.tsamp = {"t_s": [], "unit": [], "track_id": [], "truth_id": [], "pos_enu_m": []}
        self.fsamp = {"t_s": [], "cp": [], "fused_id": [], "truth_id": [], "pos_enu_m": []}

    def _add(self, n, **cols):
        """Append n events: per column one array of n values (a scalar is repeated), joined once at the end."""
        if not self.details:
            return
        vals = dict(_DEFAULTS, **cols)
        for c in EVENT_COLUMNS:
            self.ev[c].append(_part(c, n, vals[c]))

    def _pos(self, p):
        p = np.asarray(p, float).reshape(-1, 3)
        return dict(x_m=p[:, 0], y_m=p[:, 1], z_m=p[:, 2])

    def detections(self, dets):
        n = len(dets)
        if not n:
            return
        real = np.flatnonzero(dets.truth_id >= 0)
        first = dets.truth_id[real]
        new, at = np.unique(first[np.isnan(self.first_detect[first])], return_index=True)
        self.first_detect_by[new] = dets.radar_idx[real[np.isnan(self.first_detect[first])][at]]
        self.first_detect[first] = np.fmin(self.first_detect[first], dets.t_s[0])
        if not self.details:
            return
        texts = self._snr_texts  # one string object per distinct text (a few hundred), shared by the rows
        self._add(n, t_s=dets.t_s, kind="detect", unit=np.asarray(self.unit_names, object)[dets.unit_idx],
                  radar=np.asarray(self.radar_names, object)[dets.radar_idx], threat_id=dets.truth_id,
                  detail=[texts.setdefault(x, x) for x in (f"snr_db={s:.1f}" for s in dets.snr_db.tolist())],
                  **self._pos(dets.pos_enu_m))

    def ea_rows(self, n, pos=None, radar=None, **cols):
        """Events of :mod:`iadsim.ea` and :mod:`iadsim.emission` (jammed, radar_on/off, radar_killed,
        arm_miss, release): ``radar`` as radar rows (the unit is the radar's), ``pos`` (n, 3) or (3,)."""
        if radar is not None:
            r = np.atleast_1d(np.asarray(radar, np.int64))
            r = np.repeat(r, n) if r.size == 1 and n > 1 else r
            u = self.comp.world.radars.unit_idx[r]
            cols.update(radar=np.asarray(self.radar_names, object)[r],
                        unit=np.where(u >= 0, np.asarray(self.unit_names + [None], object)[u], None))
        if pos is not None:
            cols.update(self._pos(np.broadcast_to(np.asarray(pos, float).reshape(-1, 3), (n, 3))))
        self._add(n, **cols)

    def radar_step(self, emitting):
        """One step of the radars' emission state (bool per radar row)."""
        if self.radar_on_steps is None:
            self.radar_on_steps = np.zeros(len(self.radar_names), np.int64)
        self.radar_on_steps += emitting

    def radar_jammed(self, radars, scan_period_s):
        """Looks of ``radars`` with a jam strobe: each counts one scan period as time jammed."""
        self.radar_jammed_s[radars] += scan_period_s

    def radar_killed(self, radar, t):
        self.radar_killed_s[radar] = t

    def track_events(self, t, u, tracking, confirmed, dropped):
        if len(confirmed):
            ids, truth, pos = tracking.confirmed_positions(u, confirmed)
            self._add(len(ids), t_s=t, kind="track_confirmed", unit=self.unit_names[u], track_id=ids, threat_id=truth,
                      **self._pos(pos))
            real = truth[truth >= 0]
            self.first_track[real] = np.fmin(self.first_track[real], t)
        if len(dropped):
            self._add(len(dropped), t_s=t, kind="track_dropped", unit=self.unit_names[u], track_id=np.asarray(dropped))

    def orders(self, t, u, orders):
        """C2 decisions of unit ``u``: assign (one row per track and missile), hold (with the reason),
        reassess (the kill-assessment verdict) and reload (a launcher reloaded)."""
        if len(orders.track_id):
            detail = orders.detail or [f"rounds={n} time_to_go_s={g:.0f}" for n, g in zip(orders.n_rounds, orders.time_to_go_s)]
            tof = [_num(x) for x in np.asarray(orders.predicted_tof_s, float)]  # one per assign row
            self._add(len(orders.track_id), t_s=t, kind="assign", unit=self.unit_names[u], track_id=orders.track_id,
                      threat_id=orders.truth_id, missile=[self.missile_names[w] for w in orders.weapon_idx],
                      detail=list(detail), predicted_tof_s=tof, **self._pos(orders.pip_enu_m))
        if len(orders.hold_track_id):
            truth = getattr(orders, "hold_truth_id", None)
            self._add(len(orders.hold_track_id), t_s=t, kind="hold", unit=self.unit_names[u],
                      track_id=orders.hold_track_id, threat_id=truth if truth is not None else -1,
                      detail=list(orders.hold_reason), hold_reason=[_code(r) for r in orders.hold_reason])
        self.reassess(t, u, getattr(orders, "reassess_track_id", None), getattr(orders, "reassess_truth_id", None),
                      getattr(orders, "reassess_verdict", []))
        reload_w = getattr(orders, "reload_weapon_idx", None)
        if reload_w is not None and len(reload_w):
            self._add(len(reload_w), t_s=t, kind="reload", unit=self.unit_names[u],
                      missile=[self.missile_names[w] for w in reload_w], detail=list(orders.reload_detail))

    def reassess(self, t, u, track_id, truth_id, verdict):
        """Kill assessment after the look: ``verdict`` says survived (re-engage) or killed (closed)."""
        if track_id is not None and len(track_id):
            self._add(len(track_id), t_s=t, kind="reassess", unit=self.unit_names[u], track_id=np.asarray(track_id),
                      threat_id=np.asarray(truth_id), detail=list(verdict))

    def launches(self, t, launch, ids, start):
        n = len(ids)
        self._add(n, t_s=t, kind="launch", unit=self.unit_names[launch.unit], track_id=launch.track_id,
                  threat_id=launch.truth_id, interceptor_id=np.asarray(ids), missile=self.missile_names[launch.weapon],
                  **self._pos(np.repeat(start[None], n, 0)))
        if launch.truth_id >= 0:
            self.rounds_at[launch.truth_id] += n
        if launch.track_id >= REMOTE_BASE:  # on a command post's fused track (launch on remote)
            self.remote_launches[launch.unit] += n

    def cancel(self, t, launch, reason):
        self._add(1, t_s=t, kind="hold", unit=self.unit_names[launch.unit], track_id=launch.track_id,
                  threat_id=launch.truth_id, missile=self.missile_names[launch.weapon], detail=reason,
                  hold_reason=_code(reason))

    def intercepts(self, icpt, out, th):
        """Resolved interceptors: a hit or a miss at the closest approach (miss distance and Pk), or a
        miss that ended otherwise (self-destruct, ground, target lost; closest range seen)."""
        idx = np.concatenate([out.hit, out.miss])
        self.n_hit, self.n_miss = self.n_hit + out.hit.size, self.n_miss + out.miss.size
        kinds = ["intercept_hit"] * out.hit.size + ["intercept_miss"] * out.miss.size
        reasons = ["cpa"] * out.hit.size + list(out.reason if len(out.reason) == out.miss.size else
                                                np.where(out.reached, "cpa", "self_destruct"))
        n = idx.size
        pk = out.p_kill if len(out.p_kill) == n else np.full(n, np.nan)
        vc = getattr(out, "closing_speed_mps", None)
        vc = vc if vc is not None and len(vc) == n else np.full(n, np.nan)
        at_cpa = np.array([r == "cpa" for r in reasons], bool)
        miss_m = [_num(m) for m in out.miss_distance_m]
        p_kill = [_num(p) if c else None for p, c in zip(pk, at_cpa)]
        closing = [_num(v) if c else None for v, c in zip(vc, at_cpa)]
        why = [None] * out.hit.size + [MISS_REASONS.get(str(r), str(r)) for r in reasons[out.hit.size:]]
        detail = [f"miss_distance_m={m:.1f} p_kill={p:.2f}" if c else
                  (f"{w} closest_m={m:.0f}" if m is not None else w)
                  for m, p, c, w in zip(miss_m, pk, at_cpa, why)]
        pos = out.pos_enu_m if len(out.pos_enu_m) == n else icpt.pos_enu_m[idx]
        self._add(n, t_s=out.t_cpa_s, kind=kinds, unit=[self.unit_names[u] for u in icpt.unit_idx[idx]],
                  track_id=icpt.track_id[idx], threat_id=icpt.truth_id[idx], interceptor_id=icpt.id[idx],
                  missile=[self.missile_names[w] for w in icpt.weapon_idx[idx]], detail=detail,
                  miss_distance_m=miss_m, p_kill=p_kill, closing_speed_mps=closing, miss_reason=why, **self._pos(pos))
        for i in out.hit:
            tid = icpt.truth_id[i]
            if self.killed_by[tid] < 0 and th.fate[tid] == "killed":
                self.killed_by[tid] = icpt.unit_idx[i]
                self.kills[icpt.unit_idx[i]] += 1

    def fused(self, t, network):
        """The command posts' fused pictures at ``t`` (:class:`iadsim.network.stage.RunNetwork`), for
        the report; kept with details only, at the fusion cycles (the picture changes only then)."""
        if not self.details:
            return
        for c, f in enumerate(network.fused):
            if f["id"].size and f["t_s"][0] == t:
                self.fsamp["t_s"].append(np.full(f["id"].size, t))
                self.fsamp["cp"].append(np.full(f["id"].size, c))
                self.fsamp["fused_id"].append(f["id"])
                self.fsamp["truth_id"].append(f["truth"])
                self.fsamp["pos_enu_m"].append(f["x"][:, :3])

    def network_events(self, events):
        """Degradation of the network (:meth:`iadsim.network.stage.RunNetwork.update`): a link cut or a
        command post lost, with the units that fall back to autonomous operation."""
        for e in events:
            auto = ", ".join(e["autonomous"]) or "none"
            self._add(1, t_s=e["t_s"], kind=e["kind"], unit=e["name"] if e["kind"] == "command_post_lost" else None,
                      detail=f"{e['name']}: autonomous {auto}")

    def leaks(self, t, idx, pos):
        if len(idx):
            self._add(len(idx), t_s=t, kind="leak", threat_id=idx, **self._pos(pos[idx]))

    def step(self, k, t, th, icpt, tracking, c2, world):
        self.t.append(t)
        if not self.details:
            self._channels(c2, world)
            return
        self.pos.append(th.pos_enu_m.copy())
        self.active.append(th.active.copy())
        live = np.flatnonzero(icpt.alive)
        self.isamp["t_s"].append(np.full(live.size, t))
        self.isamp["id"].append(icpt.id[live])
        self.isamp["unit"].append(icpt.unit_idx[live])
        self.isamp["pos_enu_m"].append(icpt.pos_enu_m[live])
        for u in range(len(self.unit_names)):
            ids, truth, pos = tracking.samples(u)
            self.tsamp["t_s"].append(np.full(ids.size, t))
            self.tsamp["unit"].append(np.full(ids.size, u))
            self.tsamp["track_id"].append(ids)
            self.tsamp["truth_id"].append(truth)
            self.tsamp["pos_enu_m"].append(pos)
        self._channels(c2, world)

    def _channels(self, c2, world):
        """Peak channel use and time with a channel kind saturated, per unit."""
        for u in self.fire_units:
            n_t, n_m = c2.in_use(u)
            self.peak_targets[u] = max(self.peak_targets[u], n_t)
            self.peak_missiles[u] = max(self.peak_missiles[u], n_m)
            if n_t >= world.units.channels_targets[u] or n_m >= world.units.channels_missiles[u]:
                self.saturated_s[u] += self.comp.dt_s

    def finish(self, th, rounds, icpt, network=None) -> RunResult:
        """The run's result; ``network`` (:class:`iadsim.network.stage.RunNetwork`) adds the fused
        picture's first times, links, command posts and degradation to the summary."""
        comp, sc = self.comp, self.scenario
        w = comp.world
        site = lambda r: f"{self.unit_names[w.radars.unit_idx[r]]} {self.radar_names[r]}" if r >= 0 else None  # noqa: E731
        first_track = self.first_track if network is None else np.fmin(self.first_track, network.first_fused_s)
        fired = w.weapons.rounds - rounds
        threats = []
        t_last = self.t[-1] if self.t else 0.0
        span = th.route_t_s
        for i in range(len(th.id)):
            fate, fate_t = th.fate[i], th.fate_t_s[i]
            if not fate:  # no kill, no leak: flown to its end away from the target, still flying, or not started
                fate = "ended" if span[i, 1] < t_last else "in_flight" if span[i, 0] <= t_last else "not_launched"
                fate_t = span[i, 1] if fate == "ended" else fate_t
            threats.append(dict(
                id=int(i), raid=self.raid_names[th.raid_idx[i]], threat=comp.threat_classes[i], kind=str(th.kind[i]),
                decoy=bool(self.decoy[i]) if self.decoy is not None else False,
                target=w.assets.name[th.target_idx[i]], fate=fate, t_s=_num(fate_t),
                killed_by=self.unit_names[self.killed_by[i]] if self.killed_by[i] >= 0 else None,
                rounds_spent=int(self.rounds_at[i]), first_detect_s=_num(self.first_detect[i]),
                first_track_s=_num(first_track[i])))
            if network is not None:  # networked runs only: unnetworked summaries keep their fields
                fs = int(network.first_fused_site[i])
                threats[-1].update(first_detect_by=site(self.first_detect_by[i]), first_fused_s=_num(network.first_fused_s[i]),
                                   first_fused_from=self.unit_names[fs] if fs >= 0 else None)
        units = []
        for u, name in enumerate(self.unit_names):
            if self.is_sensor[u]:
                continue
            sel = np.flatnonzero(w.weapons.unit_idx == u)
            units.append(dict(
                name=name, system=w.units.system[u],
                rounds_fired={w.weapons.name[j]: int(fired[j]) for j in sel},
                rounds_left={w.weapons.name[j]: int(rounds[j]) for j in sel},
                kills=int(self.kills[u]),
                channels={"targets": int(w.units.channels_targets[u]), "missiles": int(w.units.channels_missiles[u])},
                targets_engaged_peak=int(self.peak_targets[u]), missiles_guided_peak=int(self.peak_missiles[u]),
                channels_saturated_s=float(self.saturated_s[u])))
            if network is not None:
                units[-1].update(launches_on_remote=int(self.remote_launches[u]), duplicates_avoided=int(network.avoided[u]))
        fates = [t["fate"] for t in threats]
        n_hit, n_miss = self.n_hit, self.n_miss
        summary = dict(
            scenario=sc.name, seed=self.seed, iadsim_version=__version__,
            duration_s=sc.time.duration_s, step_s=sc.time.step_s, end_s=float(self.t[-1]) if self.t else 0.0,
            totals=dict(threats=len(threats), killed=fates.count("killed"), leaked=fates.count("leaked"),
                        ended=fates.count("ended"), in_flight=fates.count("in_flight"),
                        not_launched=fates.count("not_launched"), not_released=fates.count("not_released"),
                        rounds_fired=int(fired.sum()), intercepts_hit=n_hit, intercepts_missed=n_miss,
                        rounds_on_decoys=sum(t["rounds_spent"] for t in threats if t["decoy"])),
            threats=threats, units=units, radars=self._radar_summary(),
            assets=[dict(name=a, value=float(w.assets.value[j]),
                         leakers=sum(1 for t in threats if t["target"] == a and t["fate"] == "leaked"))
                    for j, a in enumerate(w.assets.name)],
        )
        if network is not None:
            summary["network"] = network.summary()
        cat = lambda parts, shape: np.concatenate(parts) if parts else np.zeros(shape)
        events = {}
        for c in EVENT_COLUMNS:  # column by column, each column's parts let go once joined
            events[c], self.ev[c] = _column(c, self.ev[c]), []
        return RunResult(
            scenario=sc, seed=self.seed, events=EventColumns(events), summary=summary, t_s=np.array(self.t),
            threat_pos_enu_m=np.array(self.pos), threat_active=np.array(self.active),
            interceptor_samples={k: cat(v, (0, 3) if k == "pos_enu_m" else (0,)) for k, v in self.isamp.items()},
            track_samples={k: cat(v, (0, 3) if k == "pos_enu_m" else (0,)) for k, v in self.tsamp.items()},
            fused_samples=({k: cat(v, (0, 3) if k == "pos_enu_m" else (0,)) for k, v in self.fsamp.items()}
                           if network is not None else None),
            compiled=comp)


    def _radar_summary(self) -> list[dict]:
        """Per radar row: time radiating, time jammed (scan periods with a jam strobe), killed and when."""
        w, dt = self.comp.world, self.comp.dt_s
        steps = self.radar_on_steps if self.radar_on_steps is not None else np.full(len(self.radar_names), len(self.t))
        return [dict(name=name, unit=self.unit_names[w.radars.unit_idx[i]] if w.radars.unit_idx[i] >= 0 else None,
                     emitting_s=float(steps[i] * dt), jammed_s=float(min(self.radar_jammed_s[i], len(self.t) * dt)),
                     killed=bool(np.isfinite(self.radar_killed_s[i])), killed_s=_num(self.radar_killed_s[i]))
                for i, name in enumerate(self.radar_names)]


def _num(x):
    return None if x is None or not np.isfinite(x) else float(x)


def _code(reason) -> str:
    """Short code of a hold reason: 'no line of sight' -> 'no_line_of_sight'; a cancelled launch
    ('track lost before launch') -> 'track_lost'."""
    text = str(reason).strip().lower()
    if text.startswith("track lost"):
        return "track_lost"
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text).split())
