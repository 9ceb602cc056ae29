"""CZML replay for Cesium (``replay.czml``), written with ``czml3``.

Packets: the document packet first (clock over the run, 60× speed), then sites (units, radars,
assets) with labels, translucent radar volumes (a dome or sector of the instrumented range,
between the radar's elevation limits), threats, interceptors and confirmed tracks with
time-dynamic positions (``cartographicDegrees`` samples from the run's recorded steps) and paths,
and intercept and leak points. Every entity's availability lies inside the run interval.

Heights in CZML are above the WGS-84 ellipsoid, as the engine's; Cesium's default globe is the
ellipsoid too, so a replay and a run agree to the centimetre.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timedelta, timezone

import numpy as np
from czml3 import Document, Packet
from czml3.enums import ClockRanges, ClockSteps, InterpolationAlgorithms, LabelStyles, VerticalOrigins
from czml3.properties import (Billboard, Clock, Color, Ellipsoid, EllipsoidRadii, Label, Material, Path, Point,
                              PolylineMaterial, Position, SolidColorMaterial)
from czml3.types import IntervalValue, TimeInterval

from iadsim.export.replay import Replay, describe_engagement as _describe
from iadsim.export.text import one_line

MAX_SAMPLES = 2000  # per entity: longer histories are decimated (first and last samples kept)
COLOURS = {  # RGBA
    "unit": [24, 100, 171, 255], "radar": [25, 113, 194, 255], "volume": [25, 113, 194, 40],
    "asset": [95, 61, 196, 255], "aircraft": [201, 42, 42, 255], "cruise_missile": [232, 89, 12, 255],
    "ballistic": [134, 46, 156, 255], "drone": [240, 140, 0, 255], "interceptor": [47, 158, 68, 255],
    "track": [73, 80, 87, 200], "intercept_hit": [43, 138, 62, 255], "intercept_miss": [240, 140, 0, 255],
    "leak": [201, 42, 42, 255],
}
# A small upward triangle (SVG data URI) for air-defence units: no external file needed.
_UNIT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><polygon points="12,2 22,21 2,21" '
             'fill="#1864ab" stroke="white" stroke-width="2"/></svg>')
UNIT_ICON = "data:image/svg+xml;base64," + base64.b64encode(_UNIT_SVG.encode()).decode()


def _iso(epoch: datetime, t_s: float) -> str:
    return (epoch + timedelta(seconds=float(t_s))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_epoch(epoch_utc: str) -> datetime:
    return datetime.fromisoformat(epoch_utc.replace("Z", "+00:00")).astimezone(timezone.utc)


def decimate_idx(n: int, max_samples: int = MAX_SAMPLES) -> np.ndarray:
    """Indices 0..n-1 thinned to at most ``max_samples``, always keeping the last one."""
    if n <= max_samples:
        return np.arange(n)
    idx = np.linspace(0, n - 1, max_samples).round().astype(int)
    return np.unique(idx)


def _samples(rep: Replay, t_s, pos_enu_m, t0_s: float) -> list[float]:
    """Flat [t, lon, lat, h, ...] with t relative to ``t0_s`` (the position's epoch)."""
    lon, lat, h = rep.to_geodetic_deg(pos_enu_m)
    arr = np.column_stack([np.asarray(t_s, float) - t0_s, np.round(lon, 9), np.round(lat, 9), np.round(h, 3)])
    return arr.ravel().tolist()


def _static_position(rep: Replay, pos_enu_m) -> Position:
    lon, lat, h = rep.to_geodetic_deg(np.asarray(pos_enu_m, float))
    return Position(cartographicDegrees=[round(float(lon), 9), round(float(lat), 9), round(float(h), 3)])


def _colour(key: str) -> Color:
    return Color(rgba=COLOURS.get(key, COLOURS["aircraft"]))


def _packet(**kw) -> Packet:
    """A packet whose ``name`` is one line of text and whose ``description`` is text, not markup:
    Cesium's info box renders descriptions as HTML, so they are HTML-escaped here."""
    if "name" in kw:
        kw["name"] = one_line(kw["name"])
    if "description" in kw:
        kw["description"] = html.escape(one_line(kw["description"]))
    return Packet(**kw)


def _label(text: str, key: str, dy: int = -14) -> Label:
    return Label(text=one_line(text), font="12px sans-serif", fillColor=_colour(key), outlineColor=Color(rgba=[255, 255, 255, 255]),
                 outlineWidth=2, style=LabelStyles.FILL_AND_OUTLINE, verticalOrigin=VerticalOrigins.BOTTOM,
                 pixelOffset={"cartesian2": [0, dy]})


def _moving(rep, epoch, pid, name, t_s, pos, key, desc, trail_s, width=2.0, size=7):
    idx = decimate_idx(len(t_s))
    t_s, pos = np.asarray(t_s)[idx], np.asarray(pos)[idx]
    t0, t1 = float(t_s[0]), float(t_s[-1])
    return _packet(
        id=pid, name=name, description=desc,
        availability=TimeInterval(start=_iso(epoch, t0), end=_iso(epoch, t1)),
        position=Position(epoch=_iso(epoch, t0), cartographicDegrees=_samples(rep, t_s, pos, t0),
                          interpolationAlgorithm=InterpolationAlgorithms.LINEAR),
        point=Point(pixelSize=size, color=_colour(key), outlineColor=Color(rgba=[255, 255, 255, 255]), outlineWidth=1),
        path=Path(width=width, leadTime=0, trailTime=trail_s, resolution=max(1, int(rep.info["step_s"])),
                  material=PolylineMaterial(solidColor=SolidColorMaterial(color=_colour(key)))),
    )


def _site_packets(rep: Replay, run_iv: TimeInterval) -> list[Packet]:
    info = rep.info
    packets = []
    for u in info["units"]:
        rounds = ", ".join(f"{w['name']} ×{w['rounds']}" for w in info["weapons"] if w["unit"] == u["name"])
        packets.append(_packet(id=f"unit/{u['name']}", name=u["name"], availability=run_iv,
                              description=f"{u['system']} unit; rounds: {rounds}; channels: {u['channels_targets']} "
                                          f"targets, {u['channels_missiles']} missiles",
                              position=_static_position(rep, u["pos_enu_m"]),
                              billboard=Billboard(image=UNIT_ICON, scale=1.0, verticalOrigin=VerticalOrigins.BOTTOM),
                              label=_label(u["name"], "unit", dy=-26)))
    for r in info["radars"]:
        rid = f"radar/{r['unit']}/{r['name']}"
        packets.append(_packet(id=rid, name=f"{r['unit']} {r['name']}", availability=run_iv,
                              description=f"radar {r['name']}: instrumented range {r['max_range_m'] / 1000:.0f} km",
                              position=_static_position(rep, r["pos_enu_m"]),
                              point=Point(pixelSize=6, color=_colour("radar"))))
        packets.append(_packet(id=f"{rid}/volume", name=f"{r['name']} coverage volume", availability=run_iv,
                              position=_static_position(rep, r["pos_enu_m"]), ellipsoid=_volume(r)))
    for a in info["assets"]:
        packets.append(_packet(id=f"asset/{a['name']}", name=a["name"], availability=run_iv,
                              description=f"defended asset, value {a['value']:g}, radius {a['radius_m']:g} m",
                              position=_static_position(rep, a["pos_enu_m"]),
                              point=Point(pixelSize=10, color=_colour("asset")), label=_label(a["name"], "asset")))
    return packets


def _volume(r: dict) -> Ellipsoid:
    """The radar's instrumented-range volume: elevation limits as cones, a sector as clock angles.

    Cesium measures cone from the local up axis and clock counter-clockwise from east.
    """
    rng = r["max_range_m"]
    kw = dict(minimumCone=float(np.pi / 2 - min(r["el_max_rad"], np.pi / 2)),
              maximumCone=float(np.pi / 2 - max(r["el_min_rad"], -0.1)))
    if r["az_sector_rad"] < 2 * np.pi - 1e-6:
        centre = np.pi / 2 - r["facing_rad"]
        kw.update(minimumClock=float(centre - r["az_sector_rad"] / 2), maximumClock=float(centre + r["az_sector_rad"] / 2))
    return Ellipsoid(radii=EllipsoidRadii(cartesian=[rng, rng, rng]), fill=True, outline=False,
                     material=Material(solidColor=SolidColorMaterial(color=Color(rgba=COLOURS["volume"]))), **kw)


def build_czml(rep: Replay) -> Document:
    """The replay as a czml3 Document (first packet: the document packet with the clock)."""
    return Document(packets=list(czml_packets(rep)))


def czml_packets(rep: Replay):
    """The packets of :func:`build_czml`, one at a time (the document packet first)."""
    info = rep.info
    epoch = parse_epoch(info["epoch_utc"])
    # the clock ends where the run ended (its last step: ``end_s``; replays written before it was
    # recorded end at the duration or the last sample)
    t_end = float(info["end_s"]) if "end_s" in info else float(max(info["duration_s"], rep.t_s[-1] if rep.t_s.size else 0.0))
    run_iv = TimeInterval(start=_iso(epoch, 0.0), end=_iso(epoch, t_end))
    doc = _packet(id="document", name=f"iadsim {info['scenario']} seed {info['seed']}", version="1.0",
                 clock=IntervalValue(start=_iso(epoch, 0.0), end=_iso(epoch, t_end),
                                     value=Clock(currentTime=_iso(epoch, 0.0), multiplier=60, range=ClockRanges.CLAMPED,
                                                 step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER)))
    yield doc
    yield from _site_packets(rep, run_iv)
    for i, span in enumerate(rep.threat_spans()):
        if span is None:
            continue
        th = info["threats"][i]
        k = slice(span[0], span[1] + 1)
        yield _moving(rep, epoch, f"threat/{i}", f"{i} {th['threat']} ({th['raid']})", rep.t_s[k],
                      rep.threat_pos_enu_m[k, i], th["kind"],
                      f"{th['threat']} of raid {th['raid']} to {th['target']}: {th['fate']}", trail_s=600.0)
    for iid, (t_s, pos, launch) in rep.interceptors().items():
        missile = launch["missile"] if launch else "interceptor"
        desc = f"{missile} from {launch['unit']} at threat {launch['threat_id']}" if launch else missile
        yield _moving(rep, epoch, f"interceptor/{iid}", f"{missile} #{iid}", t_s, pos, "interceptor", desc,
                      trail_s=120.0, size=5)
    unit_names = [u["name"] for u in info["units"]]
    for (u, k), (t_s, pos, truth) in rep.tracks().items():
        yield _moving(rep, epoch, f"track/{unit_names[u]}/{k}", f"{unit_names[u]} track {k}", t_s, pos, "track",
                      f"confirmed track {k} of {unit_names[u]} (truth threat {truth})", trail_s=60.0,
                      width=1.0, size=4)
    for n, e in enumerate(x for x in info["engagements"] if x["kind"] != "launch"):
        if not np.all(np.isfinite(e["pos_enu_m"])):
            continue
        t = min(e["t_s"], t_end)
        yield _packet(id=f"event/{n}/{e['kind']}", name=f"{e['kind']} threat {e['threat_id']}",
                      description=f"{e['kind']} at t = {e['t_s']:.1f} s {_describe(e)}",
                      availability=TimeInterval(start=_iso(epoch, t), end=_iso(epoch, t_end)),
                      position=_static_position(rep, e["pos_enu_m"]),
                      point=Point(pixelSize=9, color=_colour(e["kind"]),
                                  outlineColor=Color(rgba=[255, 255, 255, 255]), outlineWidth=1))


def write_czml(rep: Replay, path) -> None:
    """Write ``replay.czml`` (compact JSON, the text of ``build_czml(rep).dumps()``) to ``path``,
    one packet at a time: only one packet's samples are held at once."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for n, packet in enumerate(czml_packets(rep)):
            fh.write(("," if n else "") + packet.dumps())
        fh.write("]")
