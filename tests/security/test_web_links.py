"""Finding 7: stored URLs become links only when http(s)/mailto; a strict CSP and the security headers
are on every response; templates hold no inline script, style or event handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers
from fastapi.testclient import TestClient

from mappings import index_name
from search_api.app import create_app
from search_api.ui.urls import safe_url

HOSTILE = [
    "javascript:alert(document.domain)", "JaVaScRiPt:alert(document.domain)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", " \x01javascript:alert(1)", "javascript\t:alert(1)", "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)", "jar:http://x/!/", "//evil.example/",
    "/relative/path", "evil.example/page", "http://", "https:///nohost", "http://[::1", "mailto:", "file:///etc/passwd",
]
GOOD = {"https://news.example.org/a?b=c#d": "https://news.example.org/a?b=c#d",
        "  HTTP://Example.org/x ": "HTTP://Example.org/x", "mailto:desk@example.org": "mailto:desk@example.org"}


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_not_links(url: str) -> None:
    assert safe_url(url) is None


def test_web_urls_stay_links() -> None:
    for url, href in GOOD.items():
        assert safe_url(url) == href


TEMPLATES = Path(__file__).resolve().parents[2] / "search_api" / "templates"


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    """What the CSP would block must not be in the templates in the first place."""
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path.name}"
        assert "<style" not in text, f"<style> in {path.name}"
        assert not re.search(r"\sstyle\s*=", text), f"style= attribute in {path.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"on*= handler in {path.name}"
        assert "javascript:" not in text.lower(), f"javascript: URL in {path.name}"


DOCS = {"js-1": "JaVaScRiPt:alert(document.domain)", "js-2": "java\tscript:alert(1)",
        "data-1": "data:text/html,<script>alert(1)</script>", "web-1": "https://news.example.org/web-1"}


@pytest.fixture(scope="module")
def client(es: Elasticsearch, module_settings) -> TestClient:
    helpers.bulk(es, ({"_index": index_name(module_settings.index_alias), "_id": i,
                       "_source": {"id": i, "url": u, "title": f"Story {i}", "body": "Hostile link test body.",
                                   "source": "probe", "published_at": "2024-01-01T00:00:00Z", "language": "en"}}
                      for i, u in DOCS.items()), refresh="wait_for")
    with TestClient(create_app(module_settings), follow_redirects=False) as c:
        yield c


@pytest.mark.integration
@pytest.mark.parametrize("doc_id", ["js-1", "js-2", "data-1"])
def test_document_page_shows_hostile_url_as_text(client: TestClient, doc_id: str) -> None:
    r = client.get(f"/doc/{doc_id}")
    assert r.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', r.text)
    assert not [h for h in hrefs if re.sub(r"[\s\x00-\x20]", "", h).lower().startswith(("javascript:", "data:"))]
    assert 'id="original"' not in r.text and 'id="original-text"' in r.text


@pytest.mark.integration
def test_web_url_is_still_a_link(client: TestClient) -> None:
    r = client.get("/doc/web-1")
    assert 'href="https://news.example.org/web-1"' in r.text and 'id="original"' in r.text


CSP_DIRECTIVES = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                  "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/", "/?q=story", "/doc/web-1", "/doc/missing", "/login", "/api/v1/search",
                                  "/health", "/static/periscope.css", "/ui/facets/source", "/no-such-page"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] in ("same-origin", "no-referrer")
    directives = [d.strip() for d in r.headers["content-security-policy"].split(";")]
    for d in CSP_DIRECTIVES:
        assert d in directives, (path, d)
