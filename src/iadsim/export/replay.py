"""What the replay exporters need from a run, kept in the run directory.

A run directory alone is enough to export again (``iadsim export``): ``write_run`` saves
``trajectories.npz`` (truth, interceptor and track samples, scenario ENU metres) and
``replay.json`` (origin, epoch, sites, threats and engagement events). The exporters read only a
:class:`Replay`, built either from a finished :class:`~iadsim.record.RunResult` or from those two
files; both give the same arrays, so exports from ``run`` and from ``export`` are equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iadsim import geo

DEFAULT_EPOCH_UTC = "2019-07-12T06:00:00Z"  # the replay clock's t = 0 when the scenario gives none
REPLAY_JSON = "replay.json"
TRAJECTORIES_NPZ = "trajectories.npz"
ENGAGEMENT_KINDS = ("launch", "intercept_hit", "intercept_miss", "leak")
RADAR_FIELDS = ("frequency_hz", "peak_power_w", "pulse_width_s", "gain_db", "noise_figure_db", "losses_db",
                "n_pulses", "pfa", "az_sector_rad", "el_min_rad", "el_max_rad", "min_range_m", "max_range_m",
                "facing_rad", "height_m")


@dataclass
class Replay:
    """Run data for replays and exports. Positions are scenario ENU metres, times seconds from t = 0.

    ``info`` is JSON-ready: scenario, seed, epoch_utc, duration_s, step_s, origin (lat_deg,
    lon_deg, alt_hae_m), units, radars, weapons, assets, threats and engagements (each a list of
    dicts). Arrays: ``t_s`` (K,), ``threat_pos_enu_m`` (K, n, 3), ``threat_active`` (K, n),
    ``interceptor_*`` and ``track_*`` one row per object per recorded step.
    """

    info: dict
    t_s: np.ndarray
    threat_pos_enu_m: np.ndarray
    threat_active: np.ndarray
    interceptor_t_s: np.ndarray
    interceptor_id: np.ndarray
    interceptor_pos_enu_m: np.ndarray
    track_t_s: np.ndarray
    track_unit: np.ndarray
    track_id: np.ndarray
    track_truth_id: np.ndarray
    track_pos_enu_m: np.ndarray

    ARRAYS = ("t_s", "threat_pos_enu_m", "threat_active", "interceptor_t_s", "interceptor_id",
              "interceptor_pos_enu_m", "track_t_s", "track_unit", "track_id", "track_truth_id", "track_pos_enu_m")

    @property
    def origin(self) -> geo.Origin:
        o = self.info["origin"]
        return geo.Origin.from_deg(o["lat_deg"], o["lon_deg"], o["alt_hae_m"])

    def to_geodetic_deg(self, pos_enu_m):
        """ENU (..., 3) m -> (lon_deg, lat_deg, alt_hae_m), each (...)."""
        lat, lon, alt = geo.enu_to_geodetic(np.asarray(pos_enu_m, float), self.origin)
        return np.degrees(lon), np.degrees(lat), alt

    def save(self, out_dir: Path, atomic_write) -> None:
        """Write replay.json and trajectories.npz with ``atomic_write(path, writer)``."""
        text = json.dumps(self.info, indent=1)
        atomic_write(Path(out_dir) / REPLAY_JSON, lambda p: p.write_text(text + "\n", encoding="utf-8"))
        arrays = {k: getattr(self, k) for k in self.ARRAYS}

        def write_npz(p: Path):
            with open(p, "wb") as fh:
                np.savez_compressed(fh, **arrays)

        atomic_write(Path(out_dir) / TRAJECTORIES_NPZ, write_npz)

    @classmethod
    def load(cls, run_dir: str | Path) -> "Replay":
        """Read a run directory written by ``write_run``; FileNotFoundError names a missing file."""
        run_dir = Path(run_dir)
        for name in (REPLAY_JSON, TRAJECTORIES_NPZ):
            if not (run_dir / name).is_file():
                raise FileNotFoundError(f"{run_dir / name} is missing: not a run directory written by iadsim run "
                                        "(version 0.1 or later)")
        info = json.loads((run_dir / REPLAY_JSON).read_text(encoding="utf-8"))
        with np.load(run_dir / TRAJECTORIES_NPZ, allow_pickle=False) as z:
            arrays = {k: z[k] for k in cls.ARRAYS}
        return cls(info=info, **arrays)

    @classmethod
    def from_result(cls, result) -> "Replay":
        """Build from an in-memory RunResult (the same content ``load`` gives back)."""
        comp, w, s = result.compiled, result.compiled.world, result.summary
        o = comp.origin
        isamp, tsamp = result.interceptor_samples, result.track_samples
        info = dict(
            scenario=s["scenario"], seed=s["seed"], iadsim_version=s["iadsim_version"],
            epoch_utc=getattr(result.scenario, "epoch_utc", None) or DEFAULT_EPOCH_UTC,
            duration_s=float(s["duration_s"]), step_s=float(s["step_s"]),
            end_s=float(s.get("end_s", s["duration_s"])),
            origin=dict(lat_deg=float(np.degrees(o.lat_rad)), lon_deg=float(np.degrees(o.lon_rad)),
                        alt_hae_m=float(o.alt_hae_m)),
            units=[dict(name=n, system=w.units.system[u], pos_enu_m=_list(w.units.pos_enu_m[u]),
                        channels_targets=int(w.units.channels_targets[u]),
                        channels_missiles=int(w.units.channels_missiles[u]))
                   for u, n in enumerate(w.units.name)],
            radars=[dict(name=n, unit=w.units.name[w.radars.unit_idx[r]], is_engagement=bool(w.radars.is_engagement[r]),
                         pos_enu_m=_list(w.radars.pos_enu_m[r]),
                         **{k: float(getattr(w.radars, k)[r]) for k in RADAR_FIELDS})
                    for r, n in enumerate(w.radars.name)],
            weapons=[dict(name=n, unit=w.units.name[w.weapons.unit_idx[j]], rounds=int(w.weapons.rounds[j]),
                          max_range_m=float(w.weapons.max_range_m[j]), max_altitude_m=float(w.weapons.max_altitude_m[j]))
                     for j, n in enumerate(w.weapons.name)],
            assets=[dict(name=n, pos_enu_m=_list(w.assets.pos_enu_m[a]), value=float(w.assets.value[a]),
                         radius_m=float(w.assets.radius_m[a]))
                    for a, n in enumerate(w.assets.name)],
            threats=[dict(id=t["id"], threat=t["threat"], kind=t["kind"], raid=t["raid"], target=t["target"],
                          fate=t["fate"], t_s=t["t_s"]) for t in s["threats"]],
            engagements=_engagements(result.events),
        )
        return cls(
            info=info, t_s=np.asarray(result.t_s, float), threat_pos_enu_m=np.asarray(result.threat_pos_enu_m, float),
            threat_active=np.asarray(result.threat_active, bool),
            interceptor_t_s=np.asarray(isamp["t_s"], float), interceptor_id=np.asarray(isamp["id"], np.int64),
            interceptor_pos_enu_m=np.asarray(isamp["pos_enu_m"], float).reshape(-1, 3),
            track_t_s=np.asarray(tsamp["t_s"], float), track_unit=np.asarray(tsamp["unit"], np.int64),
            track_id=np.asarray(tsamp["track_id"], np.int64), track_truth_id=np.asarray(tsamp["truth_id"], np.int64),
            track_pos_enu_m=np.asarray(tsamp["pos_enu_m"], float).reshape(-1, 3),
        )

    def threat_spans(self):
        """Per threat: indices into ``t_s`` of the first and last active sample, or None if never active."""
        spans = []
        for i in range(self.threat_active.shape[1]):
            idx = np.flatnonzero(self.threat_active[:, i])
            spans.append((int(idx[0]), int(idx[-1])) if idx.size else None)
        return spans

    def interceptors(self):
        """Per interceptor id (sorted): (t_s (m,), pos_enu_m (m, 3), launch event dict or None)."""
        launch = {e["interceptor_id"]: e for e in self.info["engagements"] if e["kind"] == "launch"}
        order = np.lexsort((self.interceptor_t_s, self.interceptor_id))
        ids, t, pos = self.interceptor_id[order], self.interceptor_t_s[order], self.interceptor_pos_enu_m[order]
        out = {}
        for iid in np.unique(ids):
            sel = ids == iid
            out[int(iid)] = (t[sel], pos[sel], launch.get(int(iid)))
        return out

    def tracks(self):
        """Per (unit index, track id): (t_s (m,), pos_enu_m (m, 3), truth id of the last sample)."""
        order = np.lexsort((self.track_t_s, self.track_id, self.track_unit))
        u, k, t = self.track_unit[order], self.track_id[order], self.track_t_s[order]
        pos, truth = self.track_pos_enu_m[order], self.track_truth_id[order]
        out = {}
        if not u.size:
            return out
        brk = np.flatnonzero((np.diff(u) != 0) | (np.diff(k) != 0)) + 1
        for a, b in zip(np.r_[0, brk], np.r_[brk, u.size]):
            out[(int(u[a]), int(k[a]))] = (t[a:b], pos[a:b], int(truth[b - 1]))
        return out


def _list(v) -> list:
    return [float(x) for x in np.asarray(v, float).ravel()]


def describe_engagement(e: dict) -> str:
    """Human text of an engagement event for the replays, from its typed fields."""
    if e.get("miss_reason") not in (None, "miss_distance"):
        return str(e["miss_reason"]) + (f" closest {e['miss_distance_m']:.0f} m" if e.get("miss_distance_m") is not None else "")
    if e.get("miss_distance_m") is not None:
        return f"miss distance {e['miss_distance_m']:.1f} m" + (f", Pk {e['p_kill']:.2f}" if e.get("p_kill") is not None else "")
    return ""


def _opt(x):
    """A float, or None for a missing value (None or NaN)."""
    return None if x is None or not np.isfinite(x) else float(x)


def _engagements(events) -> list[dict]:
    """Launch, intercept and leak events as JSON-ready dicts (time order). ``events`` is the
    run's :class:`~iadsim.record.EventColumns`: only the engagement rows are turned into Python
    values (not the detections)."""
    kind = events.array("kind")
    rows = np.flatnonzero(np.isin(kind, list(ENGAGEMENT_KINDS)))
    col = {c: events.array(c)[rows] for c in ("t_s", "unit", "threat_id", "interceptor_id", "missile", "detail",
                                              "miss_distance_m", "p_kill", "miss_reason", "x_m", "y_m", "z_m")}
    return [dict(t_s=float(col["t_s"][i]), kind=kind[r], unit=col["unit"][i], threat_id=int(col["threat_id"][i]),
                 interceptor_id=int(col["interceptor_id"][i]), missile=col["missile"][i], detail=col["detail"][i],
                 miss_distance_m=_opt(col["miss_distance_m"][i]), p_kill=_opt(col["p_kill"][i]),
                 miss_reason=col["miss_reason"][i], pos_enu_m=[float(col[c][i]) for c in ("x_m", "y_m", "z_m")])
            for i, r in enumerate(rows)]
