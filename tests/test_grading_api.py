"""``/api/v1/sources`` and credibility overrides end to end: real node, SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from fastapi.testclient import TestClient

from search_api.app import create_app
from tests.workspace_fixtures import pg_server, workspace_url  # noqa: F401 - fixtures

SOURCES = {"Reuters": 40, "Agence Exemple": 25, "Daily Rumour": 5}


@pytest.fixture(scope="module")
def client(es: Elasticsearch, index_alias: str, module_settings, workspace_url: str):  # noqa: F811
    # same ids on each backend run: re-indexing resets the documents to ungraded
    bulk(es, ({"_index": index_alias, "_id": f"{s}-{i}", "_source": {
        "id": f"{s}-{i}", "source": s, "title": f"{s} story {i}", "collection": "c", "reliability": "F",
        "credibility": "6", "corroboration": 1}} for s, n in SOURCES.items() for i in range(n)), refresh=True)
    settings = module_settings.model_copy(update={"database_url": workspace_url})
    with TestClient(create_app(settings)) as c:
        yield c


def test_sources_seen_in_the_index_are_registered_with_f(client):
    resp = client.get("/api/v1/sources", params={"sort": "name"})
    assert resp.status_code == 200
    rows = {s["name"]: s for s in resp.json()["sources"]}
    assert set(SOURCES) <= set(rows)
    assert rows["Reuters"]["reliability"] == "F" and rows["Reuters"]["auto_registered"] is True
    assert resp.json()["scale"]["F"] == "Reliability cannot be judged"


def test_grading_a_source_restamps_its_documents_and_keeps_history(client, es: Elasticsearch, index_alias: str):
    resp = client.patch("/api/v1/sources/reuters", json={
        "reliability": "B", "rationale": "wire agency, corrections published", "owner": "Thomson Reuters",
        "type": "agency"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["name"], body["reliability"], body["owner"]) == ("Reuters", "B", "Thomson Reuters")
    assert body["regrade"]["updated"] == 40 and body["regrade"]["left"] == 0
    assert [h["reliability"] for h in body["history"]] == ["F", "B"]
    graded = es.count(index=index_alias, query={"bool": {"filter": [
        {"term": {"source": "Reuters"}}, {"term": {"reliability": "B"}}]}})["count"]
    assert graded == 40
    facet = client.get("/api/v1/search", params={"q": "story", "reliability": "B", "size": 0}).json()
    assert facet["total"]["value"] == 40
    history = client.get("/api/v1/sources/Reuters").json()["history"]
    assert history[-1]["graded_by"] == "local" and history[-1]["rationale"] == "wire agency, corrections published"


@pytest.mark.parametrize("grade", ["G", "AB", "", "1"])
def test_a_grade_outside_a_to_f_is_422_listing_the_allowed_values(client, grade):
    resp = client.patch("/api/v1/sources/Reuters", json={"reliability": grade, "rationale": "x"})
    assert resp.status_code == 422 and resp.headers["content-type"].startswith("application/problem+json")
    assert "allowed: A, B, C, D, E, F" in resp.json()["detail"]


def test_grading_without_a_rationale_is_422(client):
    resp = client.patch("/api/v1/sources/Reuters", json={"reliability": "A"})
    assert resp.status_code == 422 and "rationale is required" in resp.json()["detail"]


def test_an_unknown_source_is_404_with_close_names(client):
    resp = client.patch("/api/v1/sources/Agence%20Exemplr", json={"reliability": "A", "rationale": "x"})
    assert resp.status_code == 404
    assert "Agence Exemple" in resp.json()["hint"]
    assert client.get("/api/v1/sources/nothing-like-it").status_code == 404


def test_credibility_override_with_rationale_author_and_clearing(client):
    doc = "Daily Rumour-1"
    assert client.put(f"/api/v1/documents/{doc}/credibility", json={"credibility": "9", "rationale": "x"}).status_code == 422
    missing = client.put(f"/api/v1/documents/{doc}/credibility", json={"credibility": "5"})
    assert missing.status_code == 422 and "rationale is required" in missing.json()["detail"]
    resp = client.put(f"/api/v1/documents/{doc}/credibility",
                      json={"credibility": "5", "rationale": "contradicted by official records"})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["credibility"], resp.json()["overridden"]) == ("5", True)
    cleared = client.put(f"/api/v1/documents/{doc}/credibility",
                         json={"credibility": None, "rationale": "records were wrong"}).json()
    assert (cleared["credibility"], cleared["overridden"]) == ("6", False)  # back to the computed default
    assert [(h["credibility"], h["author"]) for h in cleared["history"]] == [("5", "local"), (None, "local")]
    assert client.put("/api/v1/documents/no-such-doc/credibility",
                      json={"credibility": "2", "rationale": "x"}).status_code == 404


def test_query_syntax_lists_and_ranges_and_the_badge(client):
    client.patch("/api/v1/sources/Agence%20Exemple", json={"reliability": "C", "rationale": "mixed record"})
    total = lambda q: client.get("/api/v1/search", params={"q": q, "size": 0}).json()["total"]["value"]  # noqa: E731
    assert total("story reliability:B,C") == 65 and total("story reliability:b..c") == 65
    assert total("story reliability:C") == 25 and total("story credibility:1..6") == 70
    bad = client.get("/api/v1/search", params={"q": "reliability:G"})
    assert bad.status_code == 400 and "A, B, C, D, E, F" in bad.json()["hint"]
    assert client.get("/api/v1/search", params={"q": "credibility:3..1"}).status_code == 400
    hits = client.get("/api/v1/search", params={"q": "story", "reliability": "B", "size": 3}).json()["hits"]
    assert {h["rating"] for h in hits} == {"B6"}
    csv_text = client.get("/api/v1/export", params={"q": "story reliability:C", "format": "csv"}).text
    assert '"rating"' in csv_text.splitlines()[0] and '"C6"' in csv_text


def test_prefer_reliable_reorders_by_a_bounded_factor(client):
    plain = client.get("/api/v1/search", params={"q": "story", "size": 70}).json()["hits"]
    ranked = client.get("/api/v1/search", params={"q": "story", "size": 70, "sort": "reliable"}).json()["hits"]
    assert ranked[0]["reliability"] == "B"  # B outranks C and F on equal text relevance
    by_id = {h["id"]: h["score"] for h in plain}
    factors = [h["score"] / by_id[h["id"]] for h in ranked]
    assert max(factors) <= 1.5 + 1e-6 and min(factors) >= 1.0 - 1e-6


def test_sources_page_table_detail_and_grade_editor(client):
    page = client.get("/sources", params={"sort": "reliability", "desc": "true"})
    assert page.status_code == 200 and "<h1>Sources</h1>" in page.text and 'aria-sort="descending"' in page.text
    assert "Daily Rumour" in page.text
    detail = client.get("/sources/Daily%20Rumour")
    assert detail.status_code == 200 and "Grade this source" in detail.text and "History" in detail.text
    bad = client.post("/sources/Daily%20Rumour", data={"reliability": "E", "rationale": ""})
    assert bad.status_code == 422 and "rationale is required" in bad.text
    done = client.post("/sources/Daily%20Rumour", data={"reliability": "E", "rationale": "invented quotes"})
    assert done.status_code == 200 and "Graded E; 5 documents restamped." in done.text  # after the redirect
    assert "invented quotes" in done.text
    cross = client.post("/sources/Daily%20Rumour", data={"reliability": "A", "rationale": "x"},
                        headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    assert client.get("/sources/Daily%20Rumor").status_code == 404
