"""Finding 12 (UI side): an unexpected upstream error never shows its text or class name on a page;
the page says something went wrong (and the request id when there is one)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.refusing_es import SECRET_REASON, refusing_server

pytestmark = pytest.mark.integration
@pytest.fixture(scope="module")
def client(module_settings):
    with refusing_server() as url:
        settings = module_settings.model_copy(update={"es_url": [url], "es_max_retries": 0})
        with TestClient(create_app(settings), follow_redirects=False) as c:
            yield c


@pytest.mark.parametrize("path", ["/?q=oil", "/doc/any-id", "/ui/facets/person?prefix=ab"])
def test_pages_do_not_leak_upstream_errors(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code < 600
    for leak in (SECRET_REASON, "spymaster]", "AuthenticationException", "PeriscopeError", "ApiError", "Traceback",
                 "security_exception", "127.0.0.1"):
        assert leak not in r.text, (path, leak)
    if path != "/ui/facets/person?prefix=ab":
        assert r.status_code == 502 and "The search index returned an error" in r.text
        assert re.search(r"Request id: <code>[0-9a-f]{32}</code>", r.text)  # what to report, nothing more
        assert r.headers["x-request-id"] in r.text
