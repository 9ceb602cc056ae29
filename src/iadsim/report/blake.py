"""Blake (range–height–angle) chart of a radar's vertical coverage over the effective earth.

For every elevation angle between the radar's limits, the coverage reaches the smaller of the
instrumented range and the free-space detection range: the range at which the single-pulse SNR
from the radar equation (:func:`iadsim.physics.radar.snr`, Ts = T0·F, B = 1/τ, as the sensing
stage) equals the SNR needed for the chosen Pd at the radar's Pfa over its n pulses
(:func:`iadsim.physics.radar.required_snr_db`, exact Swerling). Rays bend over an earth of
effective radius k·R0 (k = 1.3306 by default, dN/dh = −39 N/km), so heights and ground ranges
come from :mod:`iadsim.physics.propagation`. Multipath lobing and the antenna's vertical pattern
are not modelled: the coverage inside the elevation limits is the free-space envelope.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from iadsim.constants import SPEED_OF_LIGHT_MPS, undb
from iadsim.physics import propagation as prop
from iadsim.physics import radar as rp

T0_K = 290.0
ELEVATION_GRID_DEG = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 45.0)
REQUIRED = ("frequency_hz", "peak_power_w", "pulse_width_s", "gain_db", "noise_figure_db", "losses_db", "n_pulses",
            "pfa", "el_min_rad", "el_max_rad", "max_range_m", "height_m")


def detection_range_m(radar_params: dict, rcs_m2, pd: float = 0.5, swerling: int = 1) -> np.ndarray:
    """Free-space range (m) at which the radar reaches ``pd`` on a target of ``rcs_m2``."""
    p = radar_params
    snr_req = undb(rp.required_snr_db(pd, p["pfa"], int(p["n_pulses"]), swerling))
    return rp.range_for_snr_m(snr_req, p["peak_power_w"], p["pulse_width_s"], SPEED_OF_LIGHT_MPS / p["frequency_hz"],
                              np.asarray(rcs_m2, float), undb(p["gain_db"]), None, T0_K * undb(p["noise_figure_db"]),
                              undb(p["losses_db"]))


def coverage_envelope(radar_params: dict, rcs_m2: float, pd: float = 0.5, swerling: int = 1,
                      k: float = prop.K_STANDARD, n: int = 181):
    """The vertical coverage boundary: (ground_range_m (n,), height_m (n,), range_m (n,), el_rad (n,)).

    Heights are above the radar's ground (the radar's antenna is at ``height_m``).
    """
    p = radar_params
    el = np.linspace(p["el_min_rad"], p["el_max_rad"], n)
    rng = np.full(n, min(float(detection_range_m(p, rcs_m2, pd, swerling)), p["max_range_m"]))
    h = prop.height_from_range_m(rng, p["height_m"], el, k)
    ground = prop.ground_range_from_slant_m(rng, p["height_m"], np.maximum(h, 0.0), k)
    return ground, h, rng, el


def blake_chart(radar_params: dict, rcs_m2, path, pd: float = 0.5, swerling: int = 1, k: float = prop.K_STANDARD,
                max_height_m: float | None = None, dpi: int = 90) -> Path:
    """Draw the Blake chart of one radar for one RCS or several (m²) and save it as PNG at ``path``
    (a file path or a binary file object).

    ``radar_params`` holds the keys in ``REQUIRED`` (SI, as ``iadsim.state.Radars``) and an
    optional ``name``. Returns the path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    missing = [key for key in REQUIRED if key not in radar_params]
    if missing:
        raise ValueError(f"radar_params lacks {missing} (SI values, as iadsim.state.Radars)")
    p = radar_params
    rcs_list = list(np.atleast_1d(np.asarray(rcs_m2, float)))
    if any(r <= 0 for r in rcs_list):
        raise ValueError("rcs_m2 must be > 0 (allowed range (0, inf) m²)")
    x_max_km = 1.05 * p["max_range_m"] / 1e3
    top_m = max_height_m or min(40_000.0, 1.1 * p["max_range_m"] * np.sin(min(p["el_max_rad"], np.radians(30))) + 5000)
    fig, ax = plt.subplots(figsize=(8, 5.0), dpi=dpi)
    _grid(ax, p, k, x_max_km * 1e3, top_m)
    colours = plt.cm.viridis(np.linspace(0.1, 0.8, len(rcs_list)))
    for rcs, c in zip(rcs_list, colours):
        ground, h, rng, _ = coverage_envelope(p, rcs, pd, swerling, k)
        xs = np.concatenate([[0.0], ground, [0.0]]) / 1e3
        ys = np.concatenate([[p["height_m"]], h, [p["height_m"]]]) / 1e3
        ax.fill(xs, ys, color=c, alpha=0.25, lw=0)
        ax.plot(xs, ys, color=c, lw=1.5, label=f"σ = {rcs:g} m²: R = {rng[0] / 1e3:.0f} km")
    ax.set_xlim(0, x_max_km)
    ax.set_ylim(0, top_m / 1e3)
    ax.set_xlabel("ground range (km)")
    ax.set_ylabel("height above radar ground (km)")
    ax.set_title(f"{p.get('name', 'radar')}: vertical coverage, Pd = {pd:g}, Pfa = {p['pfa']:.0e}, "
                 f"Swerling {swerling}, k = {k:.4f}", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8,
              frameon=False)  # below the axes: clear of the coverage
    fig.tight_layout()
    if not hasattr(path, "write"):
        path = Path(path)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def _grid(ax, p, k, x_max_m, top_m):
    """Elevation rays, the radar horizon (tangent ray) and the shaded region below it."""
    rng = np.linspace(0.0, 1.5 * x_max_m, 400)
    for el_deg in ELEVATION_GRID_DEG:
        el = np.radians(el_deg)
        h = prop.height_from_range_m(rng, p["height_m"], el, k)
        g = prop.ground_range_from_slant_m(rng, p["height_m"], np.maximum(h, 0.0), k)
        ax.plot(g / 1e3, h / 1e3, color="#adb5bd", lw=0.6, zorder=0)
        inside = (g < 0.97 * x_max_m) & (h < 0.97 * top_m)
        if inside.any():
            j = np.flatnonzero(inside)[-1]
            ax.annotate(f"{el_deg:g}°", (g[j] / 1e3, h[j] / 1e3), fontsize=7, color="#868e96", ha="right", va="bottom")
    # The radar horizon: heights visible at each ground range (the ray tangent to the effective earth).
    g = np.linspace(0.0, x_max_m, 300)
    re = prop.effective_earth_radius_m(k)
    g_tan = prop.horizon_ground_range_m(p["height_m"], k)
    beyond = np.maximum(g - g_tan, 0.0)
    h_min = re / np.cos(beyond / re) - re  # height of the tangent line beyond the tangent point
    ax.fill_between(g / 1e3, 0, h_min / 1e3, color="#ced4da", alpha=0.95, lw=0, zorder=3,
                    label=f"below the radar horizon (k = {k:.4f})")
    ax.plot(g / 1e3, h_min / 1e3, color="#495057", lw=1.0, zorder=4)
