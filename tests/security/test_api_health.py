"""/health with API keys on (issue 10 #13): open to uptime checks, but says only ok / degraded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.names import unique_alias

pytestmark = pytest.mark.integration
KEY = "health-test-key-0123456789"


def test_without_a_key_only_ok_or_degraded(module_settings):
    keyed = module_settings.model_copy(update={"api_keys": [KEY]})
    with TestClient(create_app(keyed)) as c:
        for path in ("/health", "/api/v1/health"):
            r = c.get(path)
            assert r.status_code == 200 and r.json() == {"status": "ok"}, r.text
            assert c.get(path, headers={"X-API-Key": "wrong"}).json() == {"status": "ok"}
            detailed = c.get(path, headers={"X-API-Key": KEY}).json()
            assert detailed["status"] == "ok" and detailed["index"] == keyed.index_alias
            assert detailed["cluster"]["status"] in ("green", "yellow") and detailed["versions"]["elasticsearch"]


def test_degraded_says_nothing_more(module_settings):
    down = module_settings.model_copy(update={"api_keys": [KEY], "es_url": ["http://127.0.0.1:9"]})
    with TestClient(create_app(down)) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json() == {"status": "degraded"} and r.headers["retry-after"]
        detailed = c.get("/health", headers={"X-API-Key": KEY}).json()
        assert detailed["status"] == "elasticsearch-unavailable" and "127.0.0.1" not in str(detailed)
    missing = module_settings.model_copy(update={"api_keys": [KEY], "index_alias": unique_alias("health-no-index")})
    with TestClient(create_app(missing)) as c:
        assert c.get("/health").json() == {"status": "degraded"}
        assert c.get("/health", headers={"X-API-Key": KEY}).json()["status"] == "no-index"


def test_without_keys_configured_details_for_everyone(module_settings):
    with TestClient(create_app(module_settings)) as c:
        body = c.get("/health").json()
        assert body["status"] == "ok" and body["index"] == module_settings.index_alias and "documents" in body
