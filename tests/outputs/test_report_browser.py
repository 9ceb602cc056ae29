"""The report and the 3-D viewer in headless Chromium (Playwright driving the system browser).

Skipped with the reason when /usr/bin/chromium or the playwright package is missing. Fails on any
console error or page error, and on any request that is not file:// or to 127.0.0.1 (every request
is intercepted; the pages must make no external request). Screenshots go to the test's tmp dir.
"""

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
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    page.locator("#timeline").screenshot(path=str(tmp_path / "timeline.png"))
    page.close()
    assert not problems, problems
    assert not external, external


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
