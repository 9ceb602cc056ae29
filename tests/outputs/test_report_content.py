"""The run report (self-contained, offline) and the Blake chart."""

import io
import re

import numpy as np
import pytest

from iadsim.constants import SPEED_OF_LIGHT_MPS, undb
from iadsim.physics import radar as rp
from iadsim.report.blake import REQUIRED, blake_chart, coverage_envelope, detection_range_m
from iadsim.report.run_report import render_run_report

PNG = b"\x89PNG\r\n\x1a\n"
TOL_DB = 1e-6


@pytest.fixture(scope="module")
def report_html(small_run):
    _, run_dir = small_run
    return (run_dir / "report.html").read_text(encoding="utf-8")


def test_report_is_self_contained_and_has_every_section(report_html):
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", report_html)
    for div in ("map", "timeline", "resources"):
        assert f'id="{div}"' in report_html
    for heading in ("Outcomes per threat", "Units", "Blake charts", "Scenario", "Catalog figures used", "Sources cited"):
        assert heading in report_html
    assert report_html.count('src="data:image/png;base64,') >= 2  # one Blake chart per radar (S-400: two)


def test_report_renders_from_a_result(small_run):
    result, _ = small_run
    html = render_run_report(result)
    assert html.startswith("<!DOCTYPE html>") and result.summary["scenario"] in html


@pytest.fixture
def radar(small_run):
    result, _ = small_run
    w = result.compiled.world
    p = {k: float(getattr(w.radars, k)[0]) for k in REQUIRED}
    p["name"] = "test radar"
    return p


def test_detection_range_meets_the_required_snr(radar):
    r_m = detection_range_m(radar, 1.0)
    snr = rp.snr(r_m, radar["peak_power_w"], radar["pulse_width_s"], SPEED_OF_LIGHT_MPS / radar["frequency_hz"], 1.0,
                 undb(radar["gain_db"]), None, 290.0 * undb(radar["noise_figure_db"]), undb(radar["losses_db"]))
    need_db = rp.required_snr_db(0.5, radar["pfa"], int(radar["n_pulses"]), 1)
    assert 10 * np.log10(snr) == pytest.approx(need_db, abs=TOL_DB)
    assert detection_range_m(radar, 16.0) == pytest.approx(2 * r_m)  # R ∝ σ^(1/4)


def test_coverage_is_cut_at_the_instrumented_range(radar):
    ground, h, rng, el = coverage_envelope(dict(radar, peak_power_w=radar["peak_power_w"] * 1e6), 1.0)
    assert np.allclose(rng, radar["max_range_m"])
    assert np.all(np.diff(h) > 0)  # higher elevation, higher point on the envelope


def test_blake_chart_writes_a_png(radar, tmp_path):
    path = blake_chart(radar, [1.0, 0.01], tmp_path / "blake.png")
    assert path.read_bytes().startswith(PNG)
    buf = io.BytesIO()
    blake_chart(radar, 1.0, buf)
    assert buf.getvalue().startswith(PNG)


def test_blake_chart_rejects_bad_input(radar, tmp_path):
    with pytest.raises(ValueError, match="rcs_m2"):
        blake_chart(radar, 0.0, tmp_path / "x.png")
    with pytest.raises(ValueError, match="lacks"):
        blake_chart({"name": "x"}, 1.0, tmp_path / "x.png")
