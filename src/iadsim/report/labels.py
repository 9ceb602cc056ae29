"""Label placement on a map: each label goes to the first of eight positions around its point
where it overlaps no other label, marker or the plot's edge (greedy, in priority order); when all
eight collide, a required label is set further out (``LEADER_PX``) in the least crowded of eight
directions, drawn with a leader line to its point.

Positions are Plotly ``textposition`` values, or ``(dx_px, dy_px)`` offsets (y down) for a label on
a leader line; boxes are estimated in screen pixels from the axis ranges and the plot area's size
(text width ~ 0.6 × font size per character).
"""

from __future__ import annotations

import numpy as np

POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
             "bottom right", "bottom left")
LEADER_PX = 48.0  # distance of a label on a leader line from its point
MARKER_PX = 9.0  # half-size of the largest marker (a leak star on its asset): the gap between point and text


def _box(pos: str, x: float, y: float, w: float, h: float):
    """(x0, y0, x1, y1) in screen pixels (y down) of a label at textposition ``pos`` of point (x, y)."""
    vert, horiz = pos.split()
    if horiz == "center":
        x0 = x - w / 2
    elif horiz == "right":
        x0 = x + (MARKER_PX if vert == "middle" else 0.0)
    else:
        x0 = x - w - (MARKER_PX if vert == "middle" else 0.0)
    y0 = {"top": y - MARKER_PX - h, "bottom": y + MARKER_PX, "middle": y - h / 2}[vert]
    return x0, y0, x0 + w, y0 + h


def label_box(place_, x: float, y: float, w: float, h: float):
    """The screen box of a label at ``place_`` (a textposition or a leader-line offset) of point (x, y)."""
    if isinstance(place_, tuple):
        cx, cy = x + place_[0], y + place_[1]
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    return _box(place_, x, y, w, h)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(labels, x, y, priority, obstacles_xy, xrange, yrange, size_px, font_px=11.0, required=None):
    """Choose a place per label: a Plotly textposition, a ``(dx_px, dy_px)`` offset for a label on a
    leader line (required labels only, when all eight positions collide), or '' to leave it out.

    ``x``, ``y``: data coordinates of the labelled points; ``priority``: lower is placed first;
    ``obstacles_xy``: (m, 2) data coordinates of other markers to keep clear; ``xrange``/``yrange``:
    the axis ranges; ``size_px``: (width, height) of the plot area in pixels. A ``required`` label
    (default: priority 0) is never left out: when every place collides it takes the least bad one.
    """
    w_px, h_px = size_px
    sx = w_px / (xrange[1] - xrange[0])
    sy = h_px / (yrange[1] - yrange[0])

    def screen(px, py):
        return (np.asarray(px, float) - xrange[0]) * sx, (yrange[1] - np.asarray(py, float)) * sy

    X, Y = screen(x, y)
    ox, oy = screen(*np.asarray(obstacles_xy, float).reshape(-1, 2).T) if len(obstacles_xy) else (np.zeros(0), np.zeros(0))
    placed, out = [], [""] * len(labels)
    order = np.argsort(np.asarray(priority), kind="stable")
    dirs = [(np.cos(a), -np.sin(a)) for a in np.radians([90, 270, 0, 180, 45, 135, 315, 225])]

    def cost_of(b):
        cost = sum(_overlap(b, p) for p in placed) * 10
        m = MARKER_PX  # an obstacle is a marker of up to this half-size
        near = (ox > b[0] - m) & (ox < b[2] + m) & (oy > b[1] - m) & (oy < b[3] + m)
        return cost + int(near.sum()) + 20 * (b[0] < 0 or b[1] < 0 or b[2] > w_px or b[3] > h_px)

    for i in order:
        w, h = 0.6 * font_px * len(labels[i]) + 2, font_px + 3
        must = required[i] if required is not None else priority[i] == 0
        candidates = [(pos, _box(pos, X[i], Y[i], w, h)) for pos in POSITIONS]
        if must:
            for ux, uy in dirs:
                dx, dy = LEADER_PX * ux, LEADER_PX * uy
                cx, cy = X[i] + dx, Y[i] + dy
                candidates.append(((float(dx), float(dy)), (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
        best, best_cost = None, np.inf
        for pos, b in candidates:
            c = cost_of(b)
            if c < best_cost:
                best, best_cost = (pos, b), c
            if c == 0:
                break
        if best_cost == 0 or must:
            out[i] = best[0]
            placed.append(best[1])
    return out
