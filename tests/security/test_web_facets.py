"""Finding 1 (UI route): the in-facet search caps its prefix before anything reaches Elasticsearch."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.limits import MAX_VALUE_CHARS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("prefix", ["ab" * 6000, "x" * (MAX_VALUE_CHARS + 1), "(" * 5000])
def test_long_facet_prefix_is_a_clear_4xx_and_the_node_stays_up(es: Elasticsearch, module_settings, prefix: str) -> None:
    with TestClient(create_app(module_settings)) as c:
        r = c.get("/ui/facets/person", params={"prefix": prefix})
        assert r.status_code == 422
        assert f"at most {MAX_VALUE_CHARS} characters" in r.text
        assert prefix[:50] not in r.text
        ok = c.get("/ui/facets/person", params={"prefix": "x" * MAX_VALUE_CHARS})
        assert ok.status_code == 200
    assert es.cluster.health()["status"] in ("green", "yellow")
