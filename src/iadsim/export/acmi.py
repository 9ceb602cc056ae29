"""Tacview ACMI 2.2 text export (``replay.acmi``), per the public ACMI 2.x file format.

Layout: the two header lines (``FileType=text/acmi/tacview``, ``FileVersion=2.2``), global
properties on object ``0`` (``ReferenceTime``, ``Title``, ``DataSource``, ``Comments``), then
time frames ``#t`` (seconds after ReferenceTime) holding object lines
``id,T=lon|lat|alt,Type=...,Name=...,Color=...`` (ids in hexadecimal; properties only on the first
line of an object; later lines carry only ``T``), ``0,Event=...`` lines for kills and leaks,
and ``-id`` when an object leaves the replay.

Tacview reads ``alt`` as metres above mean sea level; iadsim writes heights above the WGS-84
ellipsoid (the geoid separation, tens of metres, is not applied).
"""

from __future__ import annotations

import numpy as np

from iadsim.export.replay import Replay
from iadsim.export.text import one_line

THREAT_TYPES = {"aircraft": "Air+FixedWing", "drone": "Air+FixedWing", "cruise_missile": "Weapon+Missile",
                "ballistic": "Weapon+Missile"}
ID_UNIT, ID_RADAR, ID_ASSET, ID_THREAT, ID_INTERCEPTOR = 0x100, 0x200, 0x300, 0x1000, 0x100000


def _escape(text: str) -> str:
    """ACMI text values: commas and backslashes are escaped with a backslash (ACMI 2.2, "text
    properties"). Line breaks become spaces: the format's only line break inside a value is a
    backslash before a raw newline, and no field here may hold a raw CR, LF, U+2028 or U+2029
    (:func:`iadsim.export.text.one_line` also removes every other control character)."""
    return one_line(text).replace("\\", "\\\\").replace(",", "\\,")


def _t(lon, lat, alt) -> str:
    return f"T={lon:.7f}|{lat:.7f}|{alt:.1f}"


def acmi_lines(rep: Replay) -> list[str]:
    """The ACMI file as a list of lines (no trailing newlines)."""
    out = []
    _write(rep, lambda text: out.extend(text.split("\n")[:-1]))
    return out


def _write(rep: Replay, write) -> None:
    """The ACMI file, given to ``write`` in pieces of whole lines (each ends with a newline)."""
    info = rep.info
    header = ["FileType=text/acmi/tacview", "FileVersion=2.2",
              f"0,ReferenceTime={_escape(info['epoch_utc'])}",
              f"0,Title={_escape('iadsim ' + info['scenario'] + ' seed ' + str(info['seed']))}",
              f"0,DataSource={_escape('iadsim ' + info['iadsim_version'])}",
              "0,Comments=Simulation from public-source figures; heights above the WGS-84 ellipsoid"]
    write("\n".join(header) + "\n")
    frames = _Frames()
    at = frames.add
    geo_deg = rep.to_geodetic_deg
    for n, u in enumerate(info["units"]):
        rng = max((w["max_range_m"] for w in info["weapons"] if w["unit"] == u["name"]), default=0.0)
        lon, lat, h = geo_deg(np.asarray(u["pos_enu_m"]))
        at(0.0, f"{ID_UNIT + n:x},{_t(lon, lat, h)},Type=Ground+AntiAircraft,Name={_escape(u['system'])},"
                f"CallSign={_escape(u['name'])},Color=Blue,Coalition=Defence,EngagementRange={rng:.0f}")
    for n, r in enumerate(info["radars"]):
        lon, lat, h = geo_deg(np.asarray(r["pos_enu_m"]))
        at(0.0, f"{ID_RADAR + n:x},{_t(lon, lat, h)},Type=Ground+Static,Name={_escape(r['name'])},"
                f"CallSign={_escape(r['unit'] + ' ' + r['name'])},Color=Blue,Coalition=Defence,"
                f"RadarRange={r['max_range_m']:.0f}")
    for n, a in enumerate(info["assets"]):
        lon, lat, h = geo_deg(np.asarray(a["pos_enu_m"]))
        at(0.0, f"{ID_ASSET + n:x},{_t(lon, lat, h)},Type=Ground+Static+Building,Name={_escape(a['name'])},"
                f"Color=Blue,Coalition=Defence")
    _threat_frames(rep, frames)
    _interceptor_frames(rep, frames)
    for e in info["engagements"]:
        if e["kind"] == "intercept_hit" and _fate(info, e["threat_id"]) == "killed":
            at(e["t_s"], f"0,Event=Destroyed|{ID_THREAT + e['threat_id']:x}|{_escape('killed by ' + e['unit'])}")
        elif e["kind"] == "leak":
            at(e["t_s"], f"0,Event=Message|{ID_THREAT + e['threat_id']:x}|leaked")
    frames.emit(write)


class _Frames:
    """Object lines by time frame (t rounded to the millisecond), emitted in time order and, within
    a frame, in the order they were added. Position samples are kept as numbers and formatted
    only when their frames are written, a bounded number of lines at a time."""

    CHUNK_LINES = 200_000

    def __init__(self):
        self.t_s: list = []  # per added block: frame times (rounded), one per line
        self.text: list[str] = []  # lines given as text
        self.src: list = []  # per block: index into text (>= 0) or −1 − index into the samples
        self.oid: list[str] = []
        self.samples: list = []  # per sample block: (object index, lon, lat, h)
        self.n_samples = 0

    def add(self, t_s: float, line: str) -> None:
        self.t_s.append(np.array([round(float(t_s), 3)]))
        self.src.append(np.array([len(self.text)]))
        self.text.append(line)

    def add_samples(self, t_s, oid: str, lon, lat, h) -> None:
        """``oid,T=lon|lat|alt`` lines (the form of :func:`_t`), one per sample."""
        n = len(lon)
        self.t_s.append(np.array([round(x, 3) for x in np.asarray(t_s, float).tolist()]))
        self.src.append(-1 - (self.n_samples + np.arange(n)))
        self.samples.append((np.full(n, len(self.oid)), lon, lat, h))
        self.oid.append(oid)
        self.n_samples += n

    def emit(self, write) -> None:
        if not self.t_s:
            return
        t, src = np.concatenate(self.t_s), np.concatenate(self.src)
        obj, lon, lat, h = (np.concatenate(c) for c in zip(*self.samples)) if self.samples else [np.zeros(0)] * 4
        order = np.argsort(t, kind="stable")
        t, src = t[order], src[order]
        starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
        ends = np.r_[starts[1:], t.size]
        a = 0
        while a < starts.size:  # whole frames, about CHUNK_LINES lines at a time
            b = int(np.searchsorted(starts, starts[a] + self.CHUNK_LINES, side="right"))
            b = max(b, a + 1)
            lo, hi = int(starts[a]), int(ends[b - 1])
            write("\n".join(self._lines(t, src, lo, hi, starts[a:b], obj, lon, lat, h)) + "\n")
            a = b

    def _lines(self, t, src, lo, hi, frame_starts, obj, lon, lat, h) -> list[str]:
        """Lines lo..hi (sorted order) with a ``#t`` line before every frame."""
        s = src[lo:hi]
        lines = [None] * (hi - lo)
        for i, k in zip(np.flatnonzero(s >= 0).tolist(), s[s >= 0].tolist()):
            lines[i] = self.text[k]
        num = np.flatnonzero(s < 0)
        k = -1 - s[num]
        oid = self.oid
        for i, o, x, y, z in zip(num.tolist(), obj[k].tolist(), lon[k].tolist(), lat[k].tolist(), h[k].tolist()):
            lines[i] = f"{oid[o]},T={x:.7f}|{y:.7f}|{z:.1f}"
        for f in reversed(frame_starts.tolist()):
            lines.insert(f - lo, f"#{float(t[f]):g}")
        return lines


def _fate(info, threat_id):
    return info["threats"][threat_id]["fate"] if 0 <= threat_id < len(info["threats"]) else ""


def _threat_frames(rep: Replay, frames: _Frames) -> None:
    info = rep.info
    for i, span in enumerate(rep.threat_spans()):
        if span is None:
            continue
        th = info["threats"][i]
        k = np.arange(span[0], span[1] + 1)
        lon, lat, h = rep.to_geodetic_deg(rep.threat_pos_enu_m[k, i])
        oid = f"{ID_THREAT + i:x}"
        frames.add(rep.t_s[k[0]], f"{oid},{_t(lon[0], lat[0], h[0])},Type={THREAT_TYPES.get(th['kind'], 'Air')},"
                                  f"Name={_escape(th['threat'])},CallSign={_escape(th['raid'] + ' ' + str(i))},Color=Red,"
                                  f"Coalition=Raid")
        frames.add_samples(rep.t_s[k[1:]], oid, lon[1:], lat[1:], h[1:])
        frames.add(rep.t_s[k[-1]] + 1e-3, f"-{oid}")


def _interceptor_frames(rep: Replay, frames: _Frames) -> None:
    for iid, (t_s, pos, launch) in rep.interceptors().items():
        lon, lat, h = rep.to_geodetic_deg(pos)
        oid = f"{ID_INTERCEPTOR + iid:x}"
        name = launch["missile"] if launch else "interceptor"
        unit = launch["unit"] if launch else ""
        frames.add(t_s[0], f"{oid},{_t(lon[0], lat[0], h[0])},Type=Weapon+Missile,Name={_escape(name)},"
                           f"CallSign={_escape(unit + ' #' + str(iid))},Color=Blue,Coalition=Defence")
        frames.add_samples(t_s[1:], oid, lon[1:], lat[1:], h[1:])
        frames.add(t_s[-1] + 1e-3, f"-{oid}")


def write_acmi(rep: Replay, path) -> None:
    """Write ``replay.acmi`` (UTF-8 with BOM, as Tacview writes its own text files)."""
    with open(path, "w", encoding="utf-8-sig", newline="\n") as fh:
        _write(rep, fh.write)
