"""The viewer's local server and the Cesium installer's extraction (no network)."""

import io
import tarfile
import urllib.error
import urllib.request

import pytest

from iadsim.viewer import install
from iadsim.viewer.server import serve_in_thread


def _tgz(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def fake_cesium(tmp_path):
    tgz = _tgz(tmp_path / "cesium-0.0.0.tgz", {"package/Build/Cesium/Cesium.js": b"var Cesium={};",
                                               "package/Build/Cesium/Widgets/widgets.css": b"body{}",
                                               "package/Source/Cesium.js": b"not extracted",
                                               "package/LICENSE.md": b"Apache-2.0"})
    stage = tmp_path / "cesium"
    install._extract_build(tgz, stage)
    return stage


def test_extract_keeps_only_the_build_and_the_licence(fake_cesium):
    files = sorted(p.relative_to(fake_cesium).as_posix() for p in fake_cesium.rglob("*") if p.is_file())
    assert files == ["Cesium.js", "LICENSE.md", "Widgets/widgets.css"]


def test_extract_rejects_path_escapes(tmp_path):
    tgz = _tgz(tmp_path / "bad.tgz", {"package/Build/Cesium/../../../evil.js": b"x",
                                      "package/Build/Cesium/Cesium.js": b""})
    with pytest.raises(install.ViewerError, match="unsafe"):
        install._extract_build(tgz, tmp_path / "stage")


def test_install_without_npm_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("IADSIM_CACHE", str(tmp_path))
    with pytest.raises(install.ViewerError, match="npm"):
        install.install_cesium(version="0.0.0-test", npm="no-such-npm-binary")
    assert install.cesium_dir("1.2.3") == tmp_path / "cesium" / "1.2.3"


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, None, b""


def test_server_serves_the_page_the_run_and_cesium_only(small_run, fake_cesium):
    _, run_dir = small_run
    server, url = serve_in_thread(run_dir, fake_cesium)
    try:
        assert url.startswith("http://127.0.0.1:")
        status, ctype, body = _get(url)
        assert status == 200 and "text/html" in ctype and b"/cesium/Cesium.js" in body and b"replay.czml" in body
        assert b"https://" not in body and b"http://" not in body
        status, ctype, body = _get(url + "replay.czml")
        assert status == 200 and body == (run_dir / "replay.czml").read_bytes()
        assert _get(url + "cesium/Cesium.js")[:2] == (200, "text/javascript")
        for bad in ("events.parquet", "cesium/../Cesium.js", "cesium/%2e%2e/%2e%2e/etc/passwd", "nothing"):
            assert _get(url + bad)[0] == 404, bad
        for bad in ("cesium/%00", "cesium/a%00b.js", "replay.czml%00", "cesium/" + "a" * 5000):  # issue #16
            assert _get(url + bad)[0] in (400, 404), bad
        assert _get(url + "replay.czml")[0] == 200  # the server lives on
    finally:
        server.shutdown()
        server.server_close()
