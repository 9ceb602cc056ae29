"""What the defence's radars see of aircraft flying given routes with weapons held (issue #20).

For each raider and each radar of a finished run (:class:`~iadsim.record.RunResult` with details),
measured on the engine's own sensing, never a second radar model:

- **coverage**: at every engine step the raider is in flight, :func:`iadsim.sensing.pair_looks`
  says whether it is inside the radar's coverage (range, sector, elevation) with line of sight;
  time in coverage is the number of such steps × the step;
- **dwells**: the radar's scheduled looks (the scan schedule of :func:`iadsim.sensing.due_radars`,
  which the engine's scans follow) with the raider in coverage: each one illuminates it once, at
  the dwell SNR and exact Pd that :func:`~iadsim.sensing.pair_looks` gives (aspect- and
  band-dependent RCS included); ``detected`` says whether the run's scan detected it there;
- **aspect**: the direction from the raider to the radar in the raider's body frame, taken from
  its velocity with no bank (x along the velocity, y to its right in the local horizontal, z up
  perpendicular to both): azimuth from the nose, positive to the right (0 nose-on, ±180 tail-on),
  elevation positive when the radar is above the raider's body plane (:func:`aspect_angles_deg`);
  the front/side/rear sector is the one :func:`iadsim.sensing.aspect_rcs_m2` uses for the RCS;
- **track time**: the time the radar's unit held a confirmed track on the raider (the run's
  confirmed-track samples; a unit fuses its radars, so both radars of a unit share it).

It measures the routes the scenario gives; it never searches for routes. "Weapons held" is the
units' existing doctrine flag ``weapons_free: false`` (track and evaluate, never launch):
``iadsim exposure`` sets it on every unit, so the raiders fly their whole routes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from iadsim import geo, sensing
from iadsim import threats as motion

PAIRS_PER_CHUNK = 500_000  # (step, radar, raider) looks evaluated at once (a few tens of MB)
SECTORS = ("front", "side", "rear")

SUMMARY_SCHEMA = pa.schema([
    ("threat_id", pa.int64()), ("raid", pa.string()), ("threat", pa.string()), ("unit", pa.string()),
    ("radar", pa.string()), ("band", pa.string()), ("time_in_coverage_s", pa.float64()),
    ("first_in_coverage_s", pa.float64()), ("last_in_coverage_s", pa.float64()), ("dwells", pa.int64()),
    ("expected_detections", pa.float64()), ("detections", pa.int64()), ("snr_db_min", pa.float64()),
    ("snr_db_p10", pa.float64()), ("snr_db_median", pa.float64()), ("snr_db_p90", pa.float64()),
    ("snr_db_max", pa.float64()), ("closest_range_km", pa.float64()), ("dwells_front", pa.int64()),
    ("dwells_side", pa.int64()), ("dwells_rear", pa.int64()), ("unit_track_time_s", pa.float64()),
    ("unit_first_track_s", pa.float64())])

LOOKS_SCHEMA = pa.schema([
    ("t_s", pa.float64()), ("threat_id", pa.int64()), ("raid", pa.string()), ("unit", pa.string()),
    ("radar", pa.string()), ("band", pa.string()), ("range_m", pa.float64()), ("el_site_deg", pa.float64()),
    ("snr_db", pa.float64()), ("pd", pa.float64()), ("detected", pa.bool_()), ("aspect_az_deg", pa.float64()),
    ("aspect_el_deg", pa.float64()), ("aspect_sector", pa.string())])


def aspect_angles_deg(radar_to_target_enu_m, vel_enu_mps, up_enu) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and elevation (deg) of the radar as seen from the target, in the target's body frame.

    Paired rows (d, 3): ``radar_to_target_enu_m`` the line of sight from the radar to the target,
    ``vel_enu_mps`` the target's velocity, ``up_enu`` the local vertical at the target (need not be
    unit length). Body frame from the velocity, no bank: x = v/|v|, y = x × up normalised (to the
    right of the flight path), z = y × x (up, perpendicular to x). Azimuth atan2(u·y, u·x) in
    (−180, 180], 0 on the nose, positive to the right; elevation asin(u·z), positive when the radar
    is above the body plane (u = the unit vector from the target to the radar). A target at rest
    or flying straight up or down has no defined frame: NaN.
    """
    u = -np.asarray(radar_to_target_enu_m, float)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    v = np.asarray(vel_enu_mps, float)
    speed = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = v / speed
        y = np.cross(x, np.asarray(up_enu, float))
        y = y / np.linalg.norm(y, axis=-1, keepdims=True)
    z = np.cross(y, x)
    az = np.degrees(np.arctan2(np.einsum("dk,dk->d", u, y), np.einsum("dk,dk->d", u, x)))
    el = np.degrees(np.arcsin(np.clip(np.einsum("dk,dk->d", u, z), -1.0, 1.0)))
    return az, el


def aspect_sector(az_deg, el_deg) -> np.ndarray:
    """front / side / rear as :func:`iadsim.sensing.aspect_rcs_m2` chooses the RCS: the angle off the
    nose is arccos(cos az · cos el); front within 45° of the nose, rear within 45° of the tail."""
    c = np.cos(np.radians(az_deg)) * np.cos(np.radians(el_deg))
    lim = np.cos(sensing.ASPECT_SECTOR_RAD)
    return np.where(c > lim, "front", np.where(c < -lim, "rear", "side"))


def scan_schedule(radars, t_s: np.ndarray) -> np.ndarray:
    """(K, r) bool: radar r looks at step time ``t_s[k]``, on the engine's scan schedule
    (:func:`iadsim.sensing.due_radars` from each radar's first scan time)."""
    looks = np.zeros((len(t_s), len(radars.scan_period_s)), bool)
    nxt = radars.next_scan_t_s
    for k, t in enumerate(t_s):
        due, nxt = sensing.due_radars(nxt, radars.scan_period_s, float(t))
        looks[k, due] = True
    return looks


@dataclass
class Exposure:
    """Per (raider, radar) ``summary`` and per dwell ``looks``, as typed pyarrow tables."""

    summary: pa.Table
    looks: pa.Table
    step_s: float


def held_fire(result) -> bool:
    """True when every unit of the run held fire (``weapons_free: false``): an exposure measurement."""
    units = result.scenario.units
    return bool(units) and not any(u.doctrine.weapons_free for u in units)


def measure(result) -> Exposure:
    """The exposure of every raider to every radar in a finished run (module docstring)."""
    comp = result.compiled
    w, dt = comp.world, comp.dt_s
    rd, th = w.radars, w.threats
    t_s = np.asarray(result.t_s, float)
    active = np.asarray(result.threat_active, bool)  # (K, n) in flight and alive, as the run saw them
    if active.shape != (len(t_s), len(th.id)):
        raise ValueError("exposure needs a run recorded with details (trajectory samples)")
    n_r, n = len(rd.name), len(th.id)
    schedule = scan_schedule(rd, t_s)
    cover_steps = np.zeros((n, n_r), np.int64)
    first = np.full((n, n_r), np.nan)
    last = np.full((n, n_r), np.nan)
    parts = []
    steps_per_chunk = max(1, PAIRS_PER_CHUNK // max(1, n_r * n))
    for a in range(0, len(t_s), steps_per_chunk):
        ks = np.arange(a, min(a + steps_per_chunk, len(t_s)))
        kin = [motion.kinematics(th, t_s[k]) for k in ks]  # one vectorised call per step (all raiders)
        pos = np.stack([x[0] for x in kin])
        vel = np.stack([x[1] for x in kin])
        kk, ii = np.nonzero(active[ks])  # (step in chunk, raider) in flight
        if kk.size == 0:
            continue
        kk3, rr, ii3 = (np.repeat(kk, n_r), np.tile(np.arange(n_r), kk.size), np.repeat(ii, n_r))
        p, v = pos[kk3, ii3], vel[kk3, ii3]
        agl = geo.altitude_m(p, w.origin) - w.ground_alt_m
        look = sensing.pair_looks(w, rr, ii3, p, v, agl)
        vis = look["visible"]
        ksteps = ks[kk3]
        np.add.at(cover_steps, (ii3[vis], rr[vis]), 1)
        tv = t_s[ksteps]
        np.fmin.at(first, (ii3[vis], rr[vis]), tv[vis])
        np.fmax.at(last, (ii3[vis], rr[vis]), tv[vis])
        dwell = vis & schedule[ksteps, rr]
        d = np.flatnonzero(dwell)
        if d.size:
            up = p[d] - w.earth_centre_enu_m
            az, el = aspect_angles_deg(p[d] - rd.pos_enu_m[rr[d]], v[d], up)
            parts.append(dict(k=ksteps[d], r=rr[d], i=ii3[d], range_m=look["range_m"][d],
                              el_site_deg=np.degrees(look["el_rad"][d]),
                              snr_db=10.0 * np.log10(look["snr_dwell"][d]), pd=look["pd"][d], az=az, el=el))
    cols = {key: np.concatenate([q[key] for q in parts]) if parts else np.zeros(0, np.int64 if key in "kri" else float)
            for key in ("k", "r", "i", "range_m", "el_site_deg", "snr_db", "pd", "az", "el")}
    detected = _detected(result, cols, t_s, dt)
    looks = _looks_table(result, cols, detected, t_s)
    summary = _summary(result, cols, detected, cover_steps, first, last, dt)
    return Exposure(summary=summary, looks=looks, step_s=dt)


def _radar_rows(w) -> dict:
    """(unit name, radar name) -> global radar row."""
    return {(w.units.name[u], name): j for j, (u, name) in enumerate(zip(w.radars.unit_idx, w.radars.name))}


def _detected(result, cols, t_s, dt) -> np.ndarray:
    """Whether the run's scan detected the raider at each dwell (its ``detect`` events)."""
    ev = result.events
    kinds = ev.array("kind")
    sel = np.flatnonzero((kinds == "detect") & (ev.array("threat_id") >= 0))
    if sel.size == 0 or cols["k"].size == 0:
        return np.zeros(cols["k"].size, bool)
    rows = _radar_rows(result.compiled.world)
    r = np.array([rows[(u, rname)] for u, rname in zip(ev.array("unit")[sel], ev.array("radar")[sel])], np.int64)
    k = np.rint(ev.array("t_s")[sel] / dt).astype(np.int64)
    n_r, n = len(result.compiled.world.radars.name), len(result.compiled.world.threats.id)
    key = lambda kk, rr, ii: (kk * n_r + rr) * n + ii  # noqa: E731
    return np.isin(key(cols["k"], cols["r"], cols["i"]), key(k, r, ev.array("threat_id")[sel]))


def _names(result):
    comp = result.compiled
    w = comp.world
    raid = np.array([result.scenario.raids[j].name for j in w.threats.raid_idx], object)
    unit = np.array([w.units.name[u] for u in w.radars.unit_idx], object)
    band = np.array([sensing.band_letter(f) for f in w.radars.frequency_hz], object)
    return raid, unit, np.array(w.radars.name, object), band


def _looks_table(result, cols, detected, t_s) -> pa.Table:
    raid, unit, radar, band = _names(result)
    r, i = cols["r"], cols["i"]
    return pa.table({
        "t_s": t_s[cols["k"]], "threat_id": i.astype(np.int64), "raid": raid[i].tolist(), "unit": unit[r].tolist(),
        "radar": radar[r].tolist(), "band": band[r].tolist(), "range_m": cols["range_m"], "el_site_deg": cols["el_site_deg"],
        "snr_db": cols["snr_db"], "pd": cols["pd"], "detected": detected, "aspect_az_deg": cols["az"],
        "aspect_el_deg": cols["el"], "aspect_sector": aspect_sector(cols["az"], cols["el"]).tolist()}, schema=LOOKS_SCHEMA)


def _track_time(result, n: int, n_u: int, dt: float):
    """Time (s) each unit held a confirmed track on each raider, and the first such time: (n, n_u)."""
    ts = result.track_samples
    truth = np.asarray(ts["truth_id"], np.int64)
    ok = truth >= 0
    k = np.rint(np.asarray(ts["t_s"], float)[ok] / dt).astype(np.int64)
    u, i = np.asarray(ts["unit"], np.int64)[ok], truth[ok]
    held = np.zeros((n, n_u), np.int64)
    first = np.full((n, n_u), np.nan)
    if i.size:
        key = np.unique(np.stack([i, u, k], axis=1), axis=0)  # a raider held by two tracks counts once per step
        np.add.at(held, (key[:, 0], key[:, 1]), 1)
        np.fmin.at(first, (key[:, 0], key[:, 1]), key[:, 2] * dt)
    return held * dt, first


def _grouped_percentiles(values, group, n_groups: int, qs) -> np.ndarray:
    """Percentiles ``qs`` (%) of ``values`` within each group 0..n_groups-1, numpy's default linear
    interpolation (index (m − 1)·q/100 between order statistics); NaN for an empty group. (len(qs), n_groups)."""
    order = np.lexsort((values, group))
    v = values[order]
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    out = np.full((len(qs), n_groups), np.nan)
    has = counts > 0
    for j, q in enumerate(qs):
        pos = starts[has] + (counts[has] - 1) * (q / 100.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, starts[has] + counts[has] - 1)
        out[j, has] = v[lo] + (v[hi] - v[lo]) * (pos - lo)
    return out


def _summary(result, cols, detected, cover_steps, first, last, dt) -> pa.Table:
    """One row per (raider, radar), raider-major; nulls where a raider was never in a radar's coverage."""
    w = result.compiled.world
    n, n_r = cover_steps.shape
    raid, unit, radar, band = _names(result)
    threat = np.array([result.scenario.raids[j].threat for j in w.threats.raid_idx], object)
    track_s, track_first = _track_time(result, n, len(w.units.name), dt)
    m = n * n_r
    pair = cols["i"] * n_r + cols["r"]
    count = lambda mask=None: np.bincount(pair, weights=None if mask is None else mask.astype(float), minlength=m)  # noqa: E731
    pct = _grouped_percentiles(cols["snr_db"], pair, m, (0, 10, 50, 90, 100))
    closest = np.full(m, np.inf)
    np.minimum.at(closest, pair, cols["range_m"])
    sector = aspect_sector(cols["az"], cols["el"])
    ii, rr = np.repeat(np.arange(n), n_r), np.tile(np.arange(n_r), n)
    u = w.radars.unit_idx[rr]
    f64 = lambda a: pa.array(np.where(np.isfinite(a), a, np.nan), pa.float64(), from_pandas=True)  # noqa: E731 NaN -> null
    columns = dict(
        threat_id=ii, raid=raid[ii].tolist(), threat=threat[ii].tolist(), unit=unit[rr].tolist(), radar=radar[rr].tolist(),
        band=band[rr].tolist(), time_in_coverage_s=cover_steps.ravel() * dt, first_in_coverage_s=f64(first.ravel()),
        last_in_coverage_s=f64(last.ravel()), dwells=count().astype(np.int64),
        expected_detections=np.bincount(pair, weights=cols["pd"], minlength=m),
        detections=count(detected).astype(np.int64), snr_db_min=f64(pct[0]), snr_db_p10=f64(pct[1]),
        snr_db_median=f64(pct[2]), snr_db_p90=f64(pct[3]), snr_db_max=f64(pct[4]), closest_range_km=f64(closest / 1e3),
        **{f"dwells_{name}": count(sector == name).astype(np.int64) for name in SECTORS},
        unit_track_time_s=track_s[ii, u], unit_first_track_s=f64(track_first[ii, u]))
    return pa.table(columns, schema=SUMMARY_SCHEMA)


def _opt(x):
    """A float, or None (a null) where there is no value."""
    return None if x is None or not np.isfinite(x) else float(x)
