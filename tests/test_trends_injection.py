"""Injection: N stories about one entity put on one day of a real background — the smallest N that makes it
the day's first spike, with no alarm for it on the next (control) day. The bench does the same on the
Reuters demo (bench/trends.py inject); this is the small version on the constructed background."""

from __future__ import annotations

import datetime as dt

import pytest
from elasticsearch import Elasticsearch, helpers
from fastapi.testclient import TestClient

import warning_corpus as corpus
from search_api.app import create_app

pytestmark = pytest.mark.integration
DAY = corpus.START + dt.timedelta(days=7 * (corpus.WEEKS - 1) + 2)  # a Wednesday of the last week


def _rank(client, day: dt.date, value: str) -> int | None:
    r = client.get("/api/v1/trends", params={"field": "org", "interval": "day", "date_to": day.isoformat(),
                                             "baseline": 14, "min_support": 2})
    assert r.status_code == 200, r.text
    ranked = [v["value"] for v in r.json()["values"]]
    return ranked.index(value) + 1 if value in ranked else None


def test_detection_curve(es: Elasticsearch, index_alias: str, module_settings) -> None:
    corpus.load(es, index_alias)
    curve = {}
    with TestClient(create_app(module_settings)) as client:
        for n in (0, 1, 2, 3, 4, 6):
            ids = [f"inject-{n}-{i}" for i in range(n)]
            if ids:
                # a real story shape: the background's own documents, re-dated, naming the injected org
                helpers.bulk(es, ({"_index": index_alias, "_id": i, "_source": corpus._doc(
                    i, DAY, [], ["Injected Shipping Co"], ["IR"], ["maritime"])} for i in ids), refresh="wait_for")
            curve[n] = (_rank(client, DAY, "Injected Shipping Co"), _rank(client, DAY + dt.timedelta(days=1), "Injected Shipping Co"))
            if ids:
                # no _delete_by_query in the core-only distribution: delete by id
                helpers.bulk(es, ({"_op_type": "delete", "_index": index_alias, "_id": i} for i in ids), refresh="wait_for")
    assert curve[0] == (None, None)
    smallest = min(n for n, (day, control) in curve.items() if day == 1 and control is None)
    assert 2 <= smallest <= 4, curve  # below min_support it cannot show; a few stories on a quiet day suffice
    assert all(curve[n][0] == 1 for n in curve if n >= smallest)  # monotone: more stories never hide it
