"""The report and the 3-D viewer in headless Chromium (Playwright driving the system browser).

Skipped with the reason when /usr/bin/chromium or the playwright package is missing. Fails on any
console error or page error, and on any request that is not file:// or to 127.0.0.1 (every request
is intercepted; the pages must make no external request). Screenshots go to the test's tmp dir,
or to ``$IADSIM_SCREENSHOTS`` when set (to look at them).
"""

import os

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("file://", "http://127.0.0.1:", "data:", "blob:http://127.0.0.1:")

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _shots(tmp_path) -> Path:
    """Where screenshots go: $IADSIM_SCREENSHOTS if set, else the test's tmp dir."""
    d = Path(os.environ.get("IADSIM_SCREENSHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


# Bounding boxes of the rendered site and city labels of the map (beside their marker or on a leader
# line), in page pixels.
LABEL_BOXES = """() => Array.from(document.querySelectorAll('#map .scatterlayer .trace text, #map .annotation-text'))
  .filter(t => t.textContent.trim() !== '' && t.getBBox().width > 0 && !/km$/.test(t.textContent)
               && !/^(Basemap|Overview)/.test(t.textContent))
  .map(t => { const r = t.getBoundingClientRect(); return [t.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _page(browser):
    """A page that records console errors, page errors and every non-local request (aborted)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, external = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page, problems, external


def test_report_renders_offline(browser, small_run, tmp_path):
    _, run_dir = small_run
    page, problems, external = _page(browser)
    page.goto((run_dir / "report.html").as_uri())
    page.wait_for_selector("#map .main-svg", timeout=30_000)
    page.wait_for_selector("#timeline .main-svg", timeout=30_000)
    page.wait_for_selector("#resources .main-svg", timeout=30_000)
    assert page.locator("#map .scatterlayer .trace").count() > 3
    assert page.locator("#timeline .barlayer .trace").count() >= 1
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    for div in ("map", "timeline", "resources"):
        page.locator(f"#{div}").screenshot(path=str(shots / f"report_{div}.png"))
    boxes = page.evaluate(LABEL_BOXES)
    page.close()
    assert not problems, problems
    assert not external, external
    names = {b[0] for b in boxes}
    result, _ = small_run
    assert set(result.compiled.world.units.name) <= names and set(result.compiled.world.assets.name) <= names
    for i, a in enumerate(boxes):  # labels do not collide as the browser drew them
        for b in boxes[i + 1:]:
            overlap_x = min(a[3], b[3]) - max(a[1], b[1])
            overlap_y = min(a[4], b[4]) - max(a[2], b[2])
            assert overlap_x <= 1 or overlap_y <= 1, (a, b)


def test_study_report_renders_offline(browser, small_scenario_path, tmp_path):
    from typer.testing import CliRunner

    from iadsim.cli import app

    store = tmp_path / "study" / "study.duckdb"
    res = CliRunner().invoke(app, ["mc", str(small_scenario_path), "--runs", "4", "--workers", "1", "--store", str(store)])
    assert res.exit_code == 0, res.output
    page, problems, external = _page(browser)
    page.goto((store.parent / "study_report.html").as_uri())
    for div in ("distribution", "convergence"):
        page.wait_for_selector(f"#{div} .main-svg", timeout=30_000)
    assert page.locator("#distribution .barlayer .trace").count() == 2
    page.screenshot(path=str(_shots(tmp_path) / "study_report.png"), full_page=True)
    page.close()
    assert not problems, problems
    assert not external, external


def test_coverage_map_renders_offline(browser, tmp_path):
    from typer.testing import CliRunner

    from iadsim.cli import app

    examples = Path(__file__).resolve().parents[2] / "examples"
    out = tmp_path / "coverage"
    res = CliRunner().invoke(app, ["coverage", str(examples / "murted_2019.yaml"), "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    page, problems, external = _page(browser)
    page.goto((out / "coverage_map.html").as_uri())
    page.wait_for_selector(".plotly .main-svg", timeout=30_000)
    assert page.locator(".plotly .scatterlayer .trace").count() > 10  # basemap, footprints, sites, cities
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "coverage_map_html.png"), full_page=True)
    page.close()
    assert not problems, problems
    assert not external, external
    shutil.copy(out / "coverage_map.png", shots / "coverage_map.png")


def _cesium():
    from iadsim.viewer import ViewerError, install_cesium, is_installed

    if not is_installed() and shutil.which("npm") is None:
        pytest.skip("CesiumJS is not in the cache and npm is missing to fetch it (iadsim view --install)")
    try:
        return install_cesium(log=lambda m: None)
    except ViewerError as exc:
        pytest.skip(f"CesiumJS could not be fetched from the npm registry: {exc}")


def test_viewer_renders_the_replay_offline(browser, small_run, tmp_path):
    from iadsim.viewer.server import serve_in_thread

    _, run_dir = small_run
    server, url = serve_in_thread(run_dir, _cesium())
    try:
        page, problems, external = _page(browser)
        page.goto(url)
        page.wait_for_function("window.iadsimReady === true", timeout=90_000)
        page.wait_for_selector("#cesiumContainer canvas", timeout=10_000)
        n_entities = page.evaluate("window.iadsimViewer.dataSources.get(0).entities.values.length")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "viewer.png"))
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    assert n_entities > 5
    assert not problems, problems
    assert not external, external


def test_exposure_section_renders_offline(browser, tmp_path):
    """The run report of `iadsim exposure` (weapons held) with its exposure section: the table per
    aircraft and radar and the illuminated-aspect plot, drawn (issue #20 item 5)."""
    from typer.testing import CliRunner

    from iadsim.cli import app

    example = Path(__file__).resolve().parents[2] / "examples" / "exposure" / "f35_transit.yaml"
    out = tmp_path / "exposure"
    res = CliRunner().invoke(app, ["exposure", str(example), "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    page, problems, external = _page(browser)
    page.goto((out / "report.html").as_uri())
    page.wait_for_selector("#exposure", timeout=30_000)
    section = page.locator("#exposure")
    assert page.locator("#exposure ~ table tr").count() >= 5  # header and one row per aircraft and radar
    img = page.locator("#exposure ~ figure img, #exposure ~ img, #exposure ~ * img").first
    assert img.evaluate("i => i.complete && i.naturalWidth > 400")
    section.scroll_into_view_if_needed()
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "exposure_report.png"), full_page=True)
    img.screenshot(path=str(shots / "exposure_aspect.png"))
    page.close()
    assert not problems, problems
    assert not external, external
