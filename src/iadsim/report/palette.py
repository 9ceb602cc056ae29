"""One palette for every map and chart of the reports, so a colour means the same thing everywhere.

Cool colours are the defence: one blue/cyan per interceptor type (its range ring on the map, its
rounds in the inventory chart), slate grey for radars (dotted: instrumented range; dashed:
line of sight to a low flyer), navy triangles for air-defence units. Warm colours are the threats:
one per threat class (routes). Events keep their own symbols: green x = intercept that killed,
grey open circle = miss, dark-red star = leaker. Defended assets are yellow squares, cities grey dots.
"""

from __future__ import annotations

MISSILE_COLOURS = ("#1c7ed6", "#15aabf", "#364fc7", "#0b7285", "#74c0fc", "#3bc9db")
THREAT_COLOURS = {"cruise_missile": "#e8590c", "fighter": "#c2255c", "stealth_fighter": "#9c36b5", "drone": "#f59f00",
                  "srbm": "#e03131", "bomber": "#a61e4d",
                  # the electronic-attack profiles (issue 18): browns and pinks, apart from the six above
                  "standoff_cruise_missile": "#ff8787", "glide_bomb": "#bc6c25", "arm": "#f783ac", "decoy": "#d4a373",
                  "soj_aircraft": "#7f5539"}
THREAT_FALLBACK = ("#d9480f", "#f08c00", "#e64980", "#fa5252", "#862e9c")
RADAR_COLOUR = "#495057"
UNIT_COLOUR = "#102a43"
ASSET_COLOUR = "#fcc419"
CITY_COLOUR = "#868e96"
COAST_COLOUR = "#74a9cf"
BORDER_COLOUR = "#adb5bd"
LAND_BG = "#fbfaf7"
EVENTS = {  # kind: (legend label, marker symbol, colour)
    "intercept_hit": ("intercept: kill", "x", "#2b8a3e"),
    "intercept_miss": ("intercept: miss", "circle-open", "#495057"),
    "leak": ("leaker at its target", "star", "#a51111"),
}
LEGEND_NOTE = ("Colours: blues = interceptor types (range rings, rounds), slate grey = radars (dotted: instrumented "
               "range; dashed: line of sight to a 50 m target), warm colours = threat classes (routes); green x = kill, "
               "grey circle = miss, dark-red star = leaker; navy triangles = air-defence units, grey diamonds = sensor "
               "sites, yellow squares = defended assets, grey dots = cities.")


def missile_colours(names) -> dict:
    """Colour of each interceptor type, in order of first appearance."""
    out = {}
    for n in names:
        if n not in out:
            out[n] = MISSILE_COLOURS[len(out) % len(MISSILE_COLOURS)]
    return out


def threat_colours(classes) -> dict:
    """Colour of each threat class: a fixed one for the catalog classes, else the next warm colour."""
    out, k = {}, 0
    for c in classes:
        if c not in out:
            if c in THREAT_COLOURS:
                out[c] = THREAT_COLOURS[c]
            else:
                out[c] = THREAT_FALLBACK[k % len(THREAT_FALLBACK)]
                k += 1
    return out
