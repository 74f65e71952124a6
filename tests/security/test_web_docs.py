"""Finding 13 (web side): with keys on, /docs, /redoc, /openapi.json and /metrics need a key unless
PERISCOPE_PUBLIC_DOCS opens them; Swagger UI and ReDoc come from npm packages served here (no CDN) and
Swagger UI runs under the Content-Security-Policy."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.ui.assets import VENDOR_FILES
from web_server import KEY, ServerThread, chromium, sign_in

pytestmark = pytest.mark.integration
GUARDED = ["/docs", "/redoc", "/openapi.json", "/metrics"]


def _client(settings, **update):
    return TestClient(create_app(settings.model_copy(update=update)), follow_redirects=False)


@pytest.mark.parametrize("path", GUARDED)
def test_docs_and_metrics_need_a_key_when_keys_are_on(module_settings, path: str) -> None:
    with _client(module_settings, api_keys=[KEY]) as c:
        r = c.get(path)
        if path in ("/docs", "/redoc"):  # a browser is sent to sign in and back
            assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2F{path[1:]}"
        else:
            assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
            assert "PERISCOPE_PUBLIC_DOCS" in r.json()["hint"]
        assert c.get(path, headers={"X-API-Key": "wrong"}).status_code in (401, 303)
        assert c.get(path, headers={"X-API-Key": KEY}).status_code == 200
        sign_in(c)
        assert c.get(path).status_code == 200  # the browser session counts too


@pytest.mark.parametrize("path", GUARDED)
def test_a_setting_opens_them(module_settings, path: str) -> None:
    with _client(module_settings, api_keys=[KEY], public_docs=True) as c:
        assert c.get(path).status_code == 200
    with _client(module_settings) as c:  # keys off: open as before
        assert c.get(path).status_code == 200


def test_docs_pages_reference_no_other_host(module_settings) -> None:
    with _client(module_settings) as c:
        for path in ("/docs", "/redoc"):
            html = c.get(path).text
            urls = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert urls and all(not urlsplit(u).netloc and not u.startswith("//") for u in urls), urls
            assert "<script>" not in html  # no inline script (only <script src=...>)
            for u in urls:
                assert c.get(u).status_code == 200, u  # every asset is served here
    assert all(p.is_file() for p in VENDOR_FILES.values()), "run `npm install` (package.json)"


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_swagger_ui_renders_offline_under_the_csp(module_settings) -> None:
    pytest.importorskip("playwright.sync_api")
    with ServerThread(module_settings.model_copy(update={"api_keys": [KEY]})) as srv, chromium() as browser:
        ctx = browser.new_context(base_url=srv.url, extra_http_headers={"X-API-Key": KEY})
        outside: list[str] = []

        def only_loopback(route) -> None:
            host = urlsplit(route.request.url).hostname
            if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        ctx.route("**/*", only_loopback)
        pg = ctx.new_page()
        console: list[str] = []
        pg.on("console", lambda m: console.append(m.text))
        pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        pg.goto("/docs")
        pg.locator(".opblock").first.wait_for(timeout=20_000)
        operations = pg.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/search" in [o.replace("\u200b", "") for o in operations]
        assert not outside, f"/docs tried to reach another host: {outside}"
        violations = [m for m in console if "Content Security Policy" in m or m.startswith("pageerror")]
        assert not violations, violations[0][:300]
        # ReDoc renders from the local bundle too (it needs inline styles: its own, laxer CSP)
        pg.goto("/redoc")
        pg.get_by_text("Periscope search API").first.wait_for(timeout=20_000)
        assert pg.get_by_text("/api/v1/search").count() >= 1
        assert not outside, f"/redoc tried to reach another host: {outside}"
