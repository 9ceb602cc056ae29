"""KML export (``replay.kml``) for Google Earth and GIS tools.

Folders: air-defence units and their radars (points, with the instrumented range as a ground
ring), defended assets, one threat route per raider (a LineString of its flown path, decimated),
interceptor flyouts, and intercept and leak points. Coordinates are ``lon,lat,alt`` with
``altitudeMode`` absolute; the heights are above the WGS-84 ellipsoid (KML reads them as above
sea level; the geoid separation is not applied).
"""

from __future__ import annotations

from xml.sax.saxutils import escape as _xml_escape

import numpy as np

from iadsim.export.czml import decimate_idx
from iadsim.export.replay import Replay, describe_engagement as _describe
from iadsim.export.text import one_line

ROUTE_MAX_POINTS = 500
STYLES = {  # id -> (KML colour aabbggrr, icon scale or line width)
    "unit": "ffab6418", "radar": "ffc27119", "asset": "ffc43d5f", "route": "ff2a2ac9", "interceptor": "ff449e2f",
    "intercept_hit": "ff3e8a2b", "intercept_miss": "ff008cf0", "leak": "ff2a2ac9",
}


def escape(text) -> str:
    """Text for an XML element: on one line (:func:`one_line`: no character XML 1.0 forbids) and entity-escaped."""
    return _xml_escape(one_line(text), {'"': "&quot;", "'": "&apos;"})


def _coords(lon, lat, h) -> str:
    lon, lat, h = (np.atleast_1d(np.asarray(v, float)).tolist() for v in (lon, lat, h))
    return " ".join([f"{a:.7f},{b:.7f},{c:.1f}" for a, b, c in zip(lon, lat, h)])


def _point(name: str, style: str, lon, lat, h, desc: str = "") -> str:
    return (f"<Placemark><name>{escape(name)}</name><description>{escape(desc)}</description>"
            f"<styleUrl>#{style}</styleUrl><Point><altitudeMode>absolute</altitudeMode>"
            f"<coordinates>{_coords(lon, lat, h)}</coordinates></Point></Placemark>")


def _line(name: str, style: str, lon, lat, h, desc: str = "", mode: str = "absolute") -> str:
    return (f"<Placemark><name>{escape(name)}</name><description>{escape(desc)}</description>"
            f"<styleUrl>#{style}</styleUrl><LineString><altitudeMode>{mode}</altitudeMode>"
            f"<coordinates>{_coords(lon, lat, h)}</coordinates></LineString></Placemark>")


def _folder(name: str, items: list[str]) -> str:
    return f"<Folder><name>{escape(name)}</name>{''.join(items)}</Folder>"


def _styles() -> str:
    out = []
    for sid, colour in STYLES.items():
        out.append(f'<Style id="{sid}"><IconStyle><color>{colour}</color><scale>1.0</scale></IconStyle>'
                   f"<LineStyle><color>{colour}</color><width>2</width></LineStyle></Style>")
    return "".join(out)


def _ring(rep: Replay, centre_enu_m, radius_m, n=73):
    a = np.linspace(0, 2 * np.pi, n)
    pts = np.asarray(centre_enu_m) + radius_m * np.stack([np.sin(a), np.cos(a), np.zeros_like(a)], axis=-1)
    lon, lat, _ = rep.to_geodetic_deg(pts)
    return lon, lat, np.zeros_like(lon)


def kml_text(rep: Replay) -> str:
    """The whole KML document as a string."""
    info = rep.info
    g = rep.to_geodetic_deg
    units = [_point(u["name"], "unit", *g(np.asarray(u["pos_enu_m"])), desc=f"{u['system']} unit")
             for u in info["units"]]
    radars = []
    for r in info["radars"]:
        radars.append(_point(f"{r['unit']} {r['name']}", "radar", *g(np.asarray(r["pos_enu_m"])), desc="radar"))
        radars.append(_line(f"{r['name']} instrumented range {r['max_range_m'] / 1000:.0f} km", "radar",
                            *_ring(rep, r["pos_enu_m"], r["max_range_m"]), mode="clampToGround"))
    assets = [_point(a["name"], "asset", *g(np.asarray(a["pos_enu_m"])), desc=f"defended asset, value {a['value']:g}")
              for a in info["assets"]]
    routes = []
    for i, span in enumerate(rep.threat_spans()):
        if span is None:
            continue
        th = info["threats"][i]
        k = np.arange(span[0], span[1] + 1)[decimate_idx(span[1] - span[0] + 1, ROUTE_MAX_POINTS)]
        routes.append(_line(f"threat {i} {th['threat']} ({th['raid']})", "route", *g(rep.threat_pos_enu_m[k, i]),
                            desc=f"to {th['target']}: {th['fate']}"))
    flyouts = []
    for iid, (t_s, pos, launch) in rep.interceptors().items():
        k = decimate_idx(t_s.size, ROUTE_MAX_POINTS)
        if k.size >= 2:
            name = f"{launch['missile']} #{iid} from {launch['unit']}" if launch else f"interceptor #{iid}"
            flyouts.append(_line(name, "interceptor", *g(pos[k])))
    events = [_point(f"{e['kind']} threat {e['threat_id']}", e["kind"], *g(np.asarray(e["pos_enu_m"])),
                     desc=f"t = {e['t_s']:.1f} s {_describe(e)}")
              for e in info["engagements"] if e["kind"] != "launch" and np.all(np.isfinite(e["pos_enu_m"]))]
    body = "".join([_folder("air-defence units", units), _folder("radars", radars), _folder("defended assets", assets),
                    _folder("threat routes", routes), _folder("interceptor flyouts", flyouts),
                    _folder("intercepts and leaks", events)])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"<name>{escape('iadsim ' + info['scenario'] + ' seed ' + str(info['seed']))}</name>"
            f"<description>Simulation from public-source figures; heights above the WGS-84 ellipsoid.</description>"
            f"{_styles()}{body}</Document></kml>\n")


def write_kml(rep: Replay, path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(kml_text(rep))
