"""Trends, entity pages and the network API against a real node and the constructed corpus."""

from __future__ import annotations

import inspect
import xml.etree.ElementTree as ET

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

import warning_corpus as corpus
from search_api import analytics_service, cooccurrence, trends
from search_api.app import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(es: Elasticsearch, index_alias: str, module_settings):
    corpus.load(es, index_alias)
    with TestClient(create_app(module_settings)) as c:
        yield c


def get(client, path, **params):
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_rising_and_new_people_come_first(client):
    res = get(client, "/api/v1/trends", field="person", interval="week", baseline=8)
    assert res["window_from"] == "1987-03-09" and len(res["dates"]) == 9
    assert sum(res["volume"]) == corpus.PER_WEEK * 9
    values = {v["value"]: v for v in res["values"]}
    assert set(values) == {"Rising Person", "Newcomer"}
    assert values["Newcomer"]["new"] and not values["Rising Person"]["new"]
    assert values["Rising Person"]["series"] == [2] * 8 + [10]
    assert values["Rising Person"]["score"] > 3


def test_steady_values_score_zero_and_min_support_applies(client):
    res = get(client, "/api/v1/trends", field="org", min_support=1)
    steady = next(v for v in res["values"] if v["value"] == "Steady Corp")
    assert steady["score"] == 0.0
    assert get(client, "/api/v1/trends", field="person", min_support=6)["total_values"] == 1


def test_filters_and_paging_apply(client):
    only_new = get(client, "/api/v1/trends", field="person", only_new="true")
    assert [v["value"] for v in only_new["values"]] == ["Newcomer"]
    page2 = get(client, "/api/v1/trends", field="person", size=1, page=2)
    assert len(page2["values"]) == 1 and page2["total_values"] == 2
    fr = get(client, "/api/v1/trends", field="person", countries="FR")
    assert sum(fr["volume"]) == corpus.PER_WEEK * 9 // 2
    norm = get(client, "/api/v1/trends", field="person", normalise="true")
    assert norm["values"][0]["series"][-1] <= 1.0


def test_window_ends_at_date_to(client):
    res = get(client, "/api/v1/trends", field="person", date_to="1987-02-20", baseline=2)
    assert res["window_to"] == "1987-02-20" and res["values"] == []


@pytest.mark.parametrize("params", [{"field": "body"}, {"interval": "year"}, {"window": 0}, {"baseline": 99}])
def test_bad_trend_parameters_are_422(client, params):
    r = client.get("/api/v1/trends", params=params)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")


def test_entity_page(client):
    e = get(client, "/api/v1/entities/org/Alpha Group")
    assert e["total"] == corpus.WEEKS * corpus.PER_WEEK // 5
    related = [v["value"] for v in e["related"]["org"]]
    assert related[0] == "Beta Group" and "Alpha Group" not in related
    assert e["aliases"] == ["Alpha Group"]
    assert len(e["latest"]) == cooccurrence.LATEST_DOCS and e["latest"][0]["published_at"] >= e["latest"][-1]["published_at"]
    assert sum(b["count"] for b in e["timeline"]) == e["total"]
    spikes = get(client, "/api/v1/entities/person/Rising Person")["spikes"]
    assert spikes and spikes[0]["date"] == "1987-03-09"


def test_unknown_entity_is_404_and_bad_type_422(client):
    assert client.get("/api/v1/entities/person/Nobody At All").status_code == 404
    assert client.get("/api/v1/entities/weapon/x").status_code == 422


def test_network_edges_are_significant_not_frequent(client):
    net = get(client, "/api/v1/network", types=["org"], nodes=10)
    names = {n["id"]: n["value"] for n in net["nodes"]}
    assert {"Alpha Group", "Beta Group", "Gamma Group"} <= set(names.values())
    top = net["edges"][0]
    assert {names[top["source"]], names[top["target"]]} == {"Alpha Group", "Beta Group"}
    assert all(e["score"] > 0 for e in net["edges"])


def test_network_repeated_types_give_each_node_once(client):
    net = get(client, "/api/v1/network", types=["org", "org"], nodes=10)
    values = [n["value"] for n in net["nodes"]]
    assert len(values) == len(set(values))


def test_network_exports(client):
    g = client.get("/api/v1/network.graphml", params={"types": "org"})
    assert g.status_code == 200 and "graphml" in g.headers["content-type"]
    root = ET.fromstring(g.text)
    assert root.tag.endswith("graphml")
    c = client.get("/api/v1/network.csv", params={"types": "org"})
    lines = c.text.strip().splitlines()
    assert lines[0].startswith('"source"') and len(lines) >= 2


def test_analytics_never_calls_elasticsearch_directly():
    for mod in (analytics_service, cooccurrence, trends):
        src = inspect.getsource(mod)
        assert "es.search(" not in src and "es.msearch(" not in src and "svc.es" not in src


def test_need_to_know_applies_to_trends_entities_and_network(es, index_alias, client):
    """Stories in a collection the reader cannot read never show in any warning view (nor shape significance)."""
    import datetime as dt

    from elasticsearch import helpers

    from search_api.access import Principal
    from search_api.analytics_service import AnalyticsService
    from search_api.models import SearchRequest
    from search_api.warning_models import NetworkRequest, TrendsRequest

    day = corpus.START + dt.timedelta(days=7 * (corpus.WEEKS - 1) + 1)
    secret = [corpus._doc(f"secret-{i}", day, ["Hidden Person"], ["Alpha Group", "Secret Org"], ["IR"], ["markets"],
                          collection="secret") for i in range(8)]
    helpers.bulk(es, ({"_index": index_alias, "_id": d["id"], "_source": d} for d in secret), refresh="wait_for")
    try:
        svc = AnalyticsService(client.app.state.service)
        reader = Principal(name="r", collections=frozenset({"wire"}))

        async def views():
            t = await svc.trends(TrendsRequest(field="person"), reader)
            n = await svc.network(NetworkRequest(types=["org", "person"]), reader)
            e = await svc.entity("org", "Alpha Group", SearchRequest(), reader)
            return t, n, e

        t, n, e = client.portal.call(views)  # the app's event loop (its Elasticsearch client lives there)
        assert "Hidden Person" not in {v.value for v in t.values}
        assert not {"Secret Org", "Hidden Person"} & {x.value for x in n.nodes}
        assert e.total == corpus.WEEKS * corpus.PER_WEEK // 5
        assert "Secret Org" not in {v.value for vs in e.related.values() for v in vs}
        assert client.get("/api/v1/entities/org/Secret Org").status_code == 200  # open install: admin sees it
    finally:
        helpers.bulk(es, ({"_op_type": "delete", "_index": index_alias, "_id": d["id"]} for d in secret), refresh="wait_for")
