"""The exposure section of the run report, and the aspect-coverage plot of ``iadsim exposure``.

Shown when every unit of the run held fire (an exposure measurement, :func:`iadsim.exposure.held_fire`):
per raider and radar, time in coverage, dwells, detections, SNR distribution, the aspect sectors and
track time (:func:`iadsim.exposure.measure`), and where on the aircraft the radars looked from: a
histogram of the dwells' aspect azimuth and elevation in the aircraft's body frame, one panel per
raid and radar.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

AZ_BINS_DEG = np.arange(-180.0, 181.0, 10.0)
EL_BINS_DEG = np.arange(-90.0, 91.0, 5.0)
SUMMARY_COLUMNS = (("raid", "raid"), ("threat_id", "id"), ("unit", "unit"), ("radar", "radar"), ("band", "band"),
                   ("time_in_coverage_s", "in coverage (s)"), ("dwells", "dwells"), ("detections", "detections"),
                   ("expected_detections", "expected"), ("snr_db_median", "SNR median (dB)"),
                   ("snr_db_p10", "SNR p10"), ("snr_db_p90", "SNR p90"), ("closest_range_km", "closest (km)"),
                   ("dwells_front", "front"), ("dwells_side", "side"), ("dwells_rear", "rear"),
                   ("unit_track_time_s", "unit track (s)"))


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def summary_rows(exposure) -> list[list[str]]:
    """The summary table as text rows (header: the second items of :data:`SUMMARY_COLUMNS`)."""
    t = exposure.summary.to_pydict()
    return [[fmt(t[c][j]) for c, _ in SUMMARY_COLUMNS] for j in range(exposure.summary.num_rows)]


def aspect_png(exposure) -> bytes:
    """PNG: per raid (rows) and radar (columns), a histogram of the dwells' aspect on the aircraft
    (azimuth from the nose, positive right; elevation, positive above), detected dwells dotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    looks = exposure.looks.to_pydict()
    raids = list(dict.fromkeys(exposure.summary.column("raid").to_pylist()))
    radars = list(dict.fromkeys(zip(exposure.summary.column("unit").to_pylist(), exposure.summary.column("radar").to_pylist(),
                                    exposure.summary.column("band").to_pylist())))
    fig, axes = plt.subplots(len(raids), len(radars), figsize=(4.2 * len(radars) + 0.8, 3.0 * len(raids) + 0.6),
                             squeeze=False, sharex=True, sharey=True)
    raid_col = np.array(looks["raid"], object)
    key_col = np.array([f"{u}\x00{r}" for u, r in zip(looks["unit"], looks["radar"])], object)
    az, el = np.array(looks["aspect_az_deg"], float), np.array(looks["aspect_el_deg"], float)
    det = np.array(looks["detected"], bool)
    image = None
    vmax = 1
    el_lo = min(-30.0, 10.0 * np.floor(np.nanmin(el, initial=0.0) / 10.0) - 10.0)  # the elevation span that holds the data
    el_hi = max(30.0, 10.0 * np.ceil(np.nanmax(el, initial=0.0) / 10.0) + 10.0)
    counts = {}
    for a, raid in enumerate(raids):
        for b, (unit, radar, band) in enumerate(radars):
            sel = (raid_col == raid) & (key_col == f"{unit}\x00{radar}")
            counts[a, b] = np.histogram2d(el[sel], az[sel], bins=(EL_BINS_DEG, AZ_BINS_DEG))[0], sel
            vmax = max(vmax, int(counts[a, b][0].max()))
    for a, raid in enumerate(raids):
        for b, (unit, radar, band) in enumerate(radars):
            ax = axes[a, b]
            h, sel = counts[a, b]
            image = ax.pcolormesh(AZ_BINS_DEG, EL_BINS_DEG, np.where(h > 0, h, np.nan), cmap="viridis", vmin=1, vmax=vmax)
            hit = sel & det
            ax.plot(az[hit], el[hit], ".", ms=2, color="#f03e3e", label="detected" if hit.any() else None)
            for x in (-135, -45, 45, 135):
                ax.axvline(x, color="#868e96", lw=0.6, ls="--")
            ax.set_title(f"{raid} ← {unit} {radar} ({band} band)\n{int(sel.sum())} dwells, {int(hit.sum())} detected",
                         fontsize=9)
            ax.set_xlim(-180, 180)
            ax.set_ylim(max(el_lo, -90.0), min(el_hi, 90.0))
            ax.set_xticks([-180, -135, -90, -45, 0, 45, 90, 135, 180])
            if a == len(raids) - 1:
                ax.set_xlabel("aspect azimuth (deg): 0 nose, +90 right, ±180 tail", fontsize=8)
            if b == 0:
                ax.set_ylabel("aspect elevation (deg): + above", fontsize=8)
            ax.tick_params(labelsize=7)
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="dwells per 10° × 5° cell")
    fig.suptitle("Where the radars illuminated the aircraft from (body frame; dashed: the 45° front/rear RCS sectors)",
                 fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def exposure_html(result) -> str:
    """The report section for a run whose units all held fire; an empty string otherwise."""
    from iadsim import exposure as ex

    if not ex.held_fire(result):
        return ""
    exp = ex.measure(result)
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in SUMMARY_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in summary_rows(exp))
    uri = "data:image/png;base64," + base64.b64encode(aspect_png(exp)).decode("ascii")
    return f"""<h2 id="exposure">Exposure: what the radars saw (weapons held)</h2>
<p class="note">Every unit held fire, so each aircraft flew its whole route. Per aircraft and radar: time inside the
radar's coverage with line of sight (engine steps × {exp.step_s:g} s), the radar's scheduled looks (dwells) with the
aircraft in coverage, detections drawn by the run and the expected number (sum of the dwells' Pd), the dwell SNR, the
aspect sector each dwell saw (front/rear within 45° of the nose/tail, as the RCS model uses) and the time the unit held a
confirmed track. Measured on the given routes with the engine's own sensing; nothing here searches for routes.</p>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<figure><img alt="aspect coverage of the aircraft" src="{uri}" style="max-width:100%"><figcaption>Aspect of the radars on
the aircraft at each dwell.</figcaption></figure>"""
