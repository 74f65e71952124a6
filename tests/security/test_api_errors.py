"""Backend errors never reach the client verbatim (issue 10 #12); every answer carries a request id.

A real local HTTP server plays an Elasticsearch that refuses our credentials (401 with the body a
secured cluster sends, user name and all). The API must answer with a generic problem, log the detail
under the request id it returns, and never echo the backend's text, host or user name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.names import unique_alias
from tests.refusing_es import refusing_server

pytestmark = pytest.mark.integration

LEAKS = ("spymaster", "security_exception", "unable to authenticate", "AuthenticationException", "Traceback")


@pytest.fixture()
def refusing_es() -> Iterator[str]:
    with refusing_server() as url:
        yield url


def test_backend_auth_error_is_generic_and_logged_with_request_id(settings, refusing_es, caplog):
    port = refusing_es.rsplit(":", 1)[1]
    cfg = settings.model_copy(update={"es_url": [refusing_es], "index_alias": "test-refused"})
    with caplog.at_level(logging.WARNING), TestClient(create_app(cfg), raise_server_exceptions=False) as c:
        for url in ("/api/v1/search?q=oil", "/api/v1/documents/x", "/api/v1/facets/person?prefix=ab",
                    "/api/v1/suggest?q=oil", "/api/v1/export?format=csv", "/api/v1/documents/x/similar"):
            r = c.get(url, headers={"X-Request-ID": "probe-42"})
            assert r.status_code in (502, 503), (url, r.status_code, r.text[:300])
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["request_id"] == "probe-42" == r.headers["x-request-id"]
            assert not any(leak in r.text for leak in LEAKS) and port not in r.text, (url, r.text)
        r = c.get("/health")
        assert r.status_code == 503 and port not in r.text and not any(leak in r.text for leak in LEAKS)
        r = c.get("/?q=oil")  # the UI shows the same generic message
        assert r.status_code >= 500 and not any(leak in r.text for leak in LEAKS) and port not in r.text
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "probe-42" in logged and "spymaster" in logged  # the operator has the detail, the client does not


_RID_ALIAS = unique_alias("rid")  # no index behind it: the app answers before reaching one


@pytest.mark.parametrize("incoming, kept", [
    ("abc-123", True), ("req.1:2_3", True), ("x" * 64, True), ("x" * 65, False), ("bad id", False),
    ("<script>", False), ("", False),
])
def test_request_id_accepted_only_when_sane(settings, incoming, kept):
    with TestClient(create_app(settings.model_copy(update={"index_alias": _RID_ALIAS}))) as c:
        r = c.get("/api/v1/search", params={"size": 1000}, headers={"X-Request-ID": incoming} if incoming else {})
        rid = r.headers["x-request-id"]
        assert r.status_code == 422 and r.json()["request_id"] == rid
        assert (rid == incoming) is kept and 0 < len(rid) <= 64
        assert c.get("/static/periscope.css").headers["x-request-id"]  # every response, not only problems


def test_unexpected_exception_is_a_generic_500_with_request_id(settings, caplog):
    app = create_app(settings.model_copy(update={"index_alias": _RID_ALIAS}))

    @app.get("/api/v1/boom-for-test")
    async def boom() -> None:
        raise RuntimeError("secret internal detail at 10.0.0.7:9200")

    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom-for-test", headers={"X-Request-ID": "boom-1"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == "boom-1" == r.headers["x-request-id"]
    assert "secret" not in r.text and "10.0.0.7" not in r.text and "Traceback" not in r.text
    assert any("boom-1" in rec.getMessage() for rec in caplog.records)
