"""A real browser, as the field uses the service: an H5 page served from another origin drives the
API with fetch() in headless Chromium (login, create, presigned upload straight to the store,
complete, submit, progress with ETag), and a person opens /docs and a /v/{code} page.

Chromium is Debian's (`CHROMIUM_PATH`, default /usr/bin/chromium) driven by the Playwright Python
client; screenshots are kept under `SCREENSHOT_DIR` (default var/screenshots, not committed).
"""
from __future__ import annotations

import functools
import http.server
import io
import os
import shutil
import socket
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from app.clock import MovableClock
from tests.conftest import need_service
from tests.factories import RETIRE_FORM, issued_certificate
from tests.fakes import FakeSms

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serving(wsgi_or_dir, port: int):
    """A real HTTP server on loopback in a thread: the app (WSGI) or a folder of static files."""
    if isinstance(wsgi_or_dir, Path):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(wsgi_or_dir))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    else:
        server = make_server("127.0.0.1", port, wsgi_or_dir, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def browser():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_service("the Playwright Python client is not installed (pip install -e '.[dev]')")
    if not os.path.exists(path):
        need_service(f"Chromium not found at {path} (apt-get install chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def live(app, database_url, tmp_path, request):
    """The API on one loopback port and the H5 page on another (two origins), sharing the test
    database; the store is the embedded one or SeaweedFS with CORS set by `store setup`."""
    from app import create_app
    from storage.s3 import S3ObjectStore

    api_port, h5_port = _free_port(), _free_port()
    h5_origin = f"http://127.0.0.1:{h5_port}"
    live_app = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                           "SQLALCHEMY_DATABASE_URI": database_url, "OBJECT_STORE": f"local:{tmp_path}",
                           "CORS_ORIGINS": [h5_origin]})
    services = live_app.extensions["onetrip"]
    services.sms = FakeSms()
    services.clock = app.extensions["onetrip"].clock
    if getattr(request, "param", "local") == "s3":
        import secrets

        server = request.getfixturevalue("s3_server")
        services.store = S3ObjectStore(f"h5-{secrets.token_hex(4)}", endpoint_url=server.endpoint_url,
                                       access_key=server.access_key, secret_key=server.secret_key)
        runner = live_app.test_cli_runner()
        result = runner.invoke(args=["store", "setup"])
        assert result.exit_code == 0, result.output
    with _serving(live_app.wsgi_app, api_port), _serving(HERE, h5_port):
        # localhost and 127.0.0.1 are different origins: every call from the page crosses.
        yield {"api": f"http://localhost:{api_port}", "h5": f"{h5_origin}/h5.html", "sms": services.sms,
               "app": live_app}


def _photo(tmp_path) -> Path:
    path = tmp_path / "身份证正面.jpg"
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(path, "JPEG", quality=85)
    return path


@pytest.mark.parametrize("live", ["local", "s3"], indirect=True)
def test_an_h5_page_on_another_origin_applies_from_login_to_progress(browser, live, tmp_path):
    page = browser.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live['h5']}?api={live['api']}")
    page.click("#send")
    page.wait_for_function("document.getElementById('status').textContent !== '-'"
                           " || document.getElementById('error').textContent !== '-'")
    assert page.inner_text("#error") == "-", page.inner_text("#log")
    page.fill("#code", live["sms"].last_code("13800138000"))
    page.fill("#form", __import__("json").dumps(RETIRE_FORM, ensure_ascii=False))
    page.set_input_files("#file", str(_photo(tmp_path)))
    page.click("#go")
    page.wait_for_function("document.getElementById('revalidated').textContent !== '-'"
                           " || document.getElementById('error').textContent !== '-'", timeout=30000)
    log = page.inner_text("#log")
    assert page.inner_text("#error") == "-", log
    assert page.inner_text("#status") == "submitted", log
    assert page.inner_text("#revalidated") == "304", log
    # The thumbnail URL the API handed out loads in the page (reachable as the page reached the API).
    page.wait_for_function("document.getElementById('thumb').complete")
    assert page.evaluate("document.getElementById('thumb').naturalWidth") > 0, log
    assert not [e for e in errors if "CORS" in e or "Failed to fetch" in e], errors
    page.close()


def test_the_h5_page_fails_when_its_origin_is_not_allowed(browser, live, tmp_path):
    """The same page from an origin outside CORS_ORIGINS cannot call the API: the test above would
    fail the same way if CORS regressed."""
    page = browser.new_page()
    other = live["h5"].replace("127.0.0.1", "localhost")  # the same page on an origin not in the list
    page.goto(f"{other}?api={live['api']}")
    page.click("#send")
    page.wait_for_function("document.getElementById('error').textContent !== '-'"
                           " || document.getElementById('status').textContent !== '-'")
    assert "Failed to fetch" in page.inner_text("#error")
    page.close()


def test_a_person_opens_the_docs_without_internet(browser, live):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live["api"]) else None)
    page.goto(f"{live['api']}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "OneTrip" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    assert page.locator(".opblock").count() > 50
    assert outside == []  # nothing from a CDN: a county intranet has no internet
    page.screenshot(path=str(SCREENSHOTS / "docs.png"), full_page=False)
    page.close()


def test_a_phone_camera_opens_the_verification_page(browser, live, client, sms, tmp_path):
    citizen, application, cert = issued_certificate(client, sms)
    qr = client.get(f"/api/v1/elicenses/{cert['id']}/qrcode.png", headers=citizen["headers"])
    assert qr.status_code == 200
    code = cert["verification_url"].rstrip("/").rsplit("/", 1)[1]
    page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    page.goto(f"{live['api']}/v/{code}")
    text = page.inner_text("body")
    assert "有效" in text and "出生医学证明" in text and "王**" in text and "王小宝" not in text
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "verify.png"), full_page=True)
    page.close()
