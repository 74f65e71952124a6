"""The facet table end to end against a real node: every row works without a line of code elsewhere.

For each facet of ``mappings.vocabulary.FACETS``: the index field and its ``lower``/``words``
sub-fields exist in the mapping, the request parameter is accepted (in any case), the filter is
applied, the aggregation comes back with multi-select counts, ``name:value`` and every alias work
in the query syntax, the facet value search finds the value by a word prefix, and export columns
follow the table.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers
from fastapi.testclient import TestClient

from mappings import mapped_fields
from mappings.vocabulary import FACETS, SORTS, FacetSpec, export_columns
from search_api.app import create_app
from search_api.models import SearchRequest

pytestmark = pytest.mark.integration


def _set(doc: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = field.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
    doc[last] = value


def _value(spec: FacetSpec, word: str) -> str:
    return f"{word} {spec.name.replace('_', ' ')} value"


@pytest.fixture(scope="module")
def client(es: Elasticsearch, index_alias: str, module_settings):
    docs = []
    for i, word in enumerate(("Alpha", "Beta", "Beta")):
        doc: dict[str, Any] = {"id": f"v{i}", "title": f"vocabulary doc {i}", "body": "table walk", "language": "en"}
        for spec in FACETS:
            _set(doc, spec.field, [_value(spec, word)] if spec.many else _value(spec, word))
        docs.append(doc)
    helpers.bulk(es, ({"_index": index_alias, "_id": d["id"], "_source": d} for d in docs), refresh=True)
    with TestClient(create_app(module_settings)) as c:
        yield c


def test_every_row_has_its_fields_in_the_mapping():
    fields = mapped_fields()
    for spec in FACETS:
        assert {spec.field, spec.lower_field, spec.words_field} <= fields, spec.name
        assert spec.name in SearchRequest.model_fields, spec.name


@pytest.mark.parametrize("spec", FACETS, ids=[f.name for f in FACETS])
def test_filter_aggregation_syntax_and_value_search(client, spec: FacetSpec):
    alpha, beta = _value(spec, "Alpha"), _value(spec, "Beta")
    # the request parameter is accepted, in any case, and filters the hits
    r = client.get("/api/v1/search", params={spec.name: alpha.upper(), "facet_size": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [h["id"] for h in body["hits"]] == ["v0"]
    # the aggregation ignores the facet's own selection (multi-select) and marks the selected value
    buckets = {b["value"]: b for b in body["facets"][spec.name]["buckets"]}
    assert buckets[alpha]["count"] == 1 and buckets[alpha]["selected"]
    assert buckets[beta]["count"] == 2 and not buckets[beta]["selected"]
    # POST takes the same field
    assert client.post("/api/v1/search", json={spec.name: [alpha]}).json()["total"]["value"] == 1
    # name:value and every alias in the query syntax
    for name in (spec.name, *spec.aliases):
        got = client.get("/api/v1/search", params={"q": f'{name}:"{alpha.lower()}"'}).json()
        assert [h["id"] for h in got["hits"]] == ["v0"], name
    # facet value search by the start of any word
    found = client.get(f"/api/v1/facets/{spec.name}", params={"prefix": "alp"}).json()["buckets"]
    assert [b["value"] for b in found] == [alpha]
    found = client.get(f"/api/v1/facets/{spec.name}", params={"prefix": "VALU"}).json()["buckets"]
    assert {b["value"]: b["count"] for b in found} == {beta: 2, alpha: 1}


def test_export_columns_follow_the_table(client):
    r = client.get("/api/v1/export", params={"format": "csv", "q": "table"})
    header = next(csv.reader(io.StringIO(r.text)))
    assert header == [*export_columns(), "link", "snippet"]  # + the export's own columns (issue 18)
    assert {f.name for f in FACETS if f.export} <= set(header)
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 3 and all(rows[0][f.name] for f in FACETS if f.export)


def test_sorts_come_from_the_table(client):
    for spec in SORTS:
        assert client.get("/api/v1/search", params={"sort": spec.name}).status_code == 200
    assert client.get("/api/v1/search", params={"sort": "nope"}).status_code == 422
