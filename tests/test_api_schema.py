"""A bounded schemathesis run over the OpenAPI schema: nothing a client can send gives a 5xx.

Cases are generated per operation with schemathesis' Python API (its pytest ``from_fixture`` loader
does not work with this pytest version) and sent to the ASGI app in-process.
"""

from __future__ import annotations

import pytest
import schemathesis
from elasticsearch import Elasticsearch
from hypothesis import HealthCheck, given, settings

import test_api_corpus as corpus
from search_api.app import create_app

pytestmark = pytest.mark.integration
EXAMPLES = 30


@pytest.fixture(scope="module")
def api_schema(es: Elasticsearch, index_alias: str, module_settings):
    corpus.load(es, index_alias)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(module_settings))


def test_no_server_errors(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 9
    seen: dict[str, int] = {}
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call()
            seen[op.label] = seen.get(op.label, 0) + 1
            assert response.status_code < 500, (op.label, case.query, case.path_parameters, response.text[:300])
            if response.status_code >= 400:
                ctype = response.headers.get("content-type", "")
                ctype = ctype[0] if isinstance(ctype, list) else ctype
                assert ctype.startswith("application/problem+json"), (op.label, response.status_code, ctype)

        check()
    assert len(seen) == len(operations)
