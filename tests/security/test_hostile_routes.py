"""The probe's worst inputs through every route of the app, against the real node (issue 10 #1).

On the old main, ``/ui/facets/person?prefix=<'ab' * 6000>`` became a Lucene regex that overflowed the
stack inside Elasticsearch and killed its JVM: every later request got "connection refused". Here every
hostile input goes through every API and UI route; each answer must be a deliberate < 500 (no
traceback), and afterwards the node must still answer.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

import test_api_corpus as corpus
from mappings.vocabulary import FACET_NAMES
from search_api.app import create_app

pytestmark = pytest.mark.integration

# Text inputs (percent-encoded into the URL by quote()).
HOSTILE_TEXT: dict[str, str] = {
    "12k prefix": "ab" * 6000,
    "12k one char": "a" * 12_000,
    "deep parentheses": "(" * 5000 + "x" + ")" * 5000,
    "deep NOT": "NOT " * 3000 + "x",
    "10k OR clauses": " OR ".join(["w"] * 10_000),
    "long wildcards": "*".join("abcdefghij" * 100) + "*",
    "prefix storm": " ".join(f"{c}{c}{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),
    "regex-like": ".*.*.*(a|b)+[^x]{1,1000}~10 \\ / ^ $ (.*a){50} [a-z]+? <> #@&~",
    "lucene syntax": "title:/.*/ body:[* TO *] a~100 b^1e308 _exists_:x *:* field:(a OR",
    "NUL bytes": "oil\x00gas" + "\x00" * 100,
    "control chars": "\x01\x02\x1b[31m\x7f\r\n\t",
    "huge number": "9" * 400,
    "unicode": "\U0001f4a3" * 2000 + "\u202e\ufeff\ud7ff",
    "quote soup": '"' * 999,
    "field soup": "person:" * 200 + "x",
}
# Raw query-string values sent exactly as written (invalid UTF-8 and broken escapes).
RAW_GARBAGE = ["%FF%FE%00", "%", "%zz%", "%C0%AF" * 500, "%ED%A0%80", "a%00b"]
NUMBERS = ["1e999", "-1", "99999999999999999999999", "NaN", "0x10", "1.5", "-0"]


@pytest.fixture(scope="module")
def client(es: Elasticsearch, index_alias: str, module_settings):
    corpus.load(es, index_alias)
    with TestClient(create_app(module_settings), raise_server_exceptions=False) as c:
        yield c


def _check(client: TestClient, url: str, failures: list[str], *, method: str = "GET", json: object = None) -> None:
    r = client.request(method, url, json=json, follow_redirects=False)
    if r.status_code >= 500 and r.status_code != 503 or "Traceback" in r.text or r.status_code == 503 and "Retry-After" not in r.headers:
        failures.append(f"{method} {url[:120]} -> {r.status_code} {r.text[:200]}")


def _fit(value: str, limit: int = 60_000) -> str:
    """``value`` percent-encoded, cut to fit a URL (the HTTP client refuses URLs over 64 KiB; uvicorn's
    parser stops far earlier, so longer query strings can never reach the app anyway)."""
    v = quote(value, safe="")
    if len(v) > limit:
        v = quote(value[: len(value) * limit // len(v)], safe="")
    return v


def _text_urls(value: str) -> list[str]:
    v = _fit(value)
    facet = "person"
    return [
        f"/api/v1/search?q={v}", f"/api/v1/search?{facet}={v}", f"/api/v1/search?countries={v}",
        f"/api/v1/search?cursor={v}", f"/api/v1/search?sort={v}", f"/api/v1/search?date_from={v}",
        f"/api/v1/facets/{facet}?prefix={v}", f"/api/v1/facets/{v}?prefix=x", f"/api/v1/facets/{facet}?q={v}",
        f"/api/v1/documents/{v}", f"/api/v1/documents/{v}/similar", f"/api/v1/documents/{v}/duplicates",
        f"/api/v1/suggest?q={v}", f"/api/v1/export?format=csv&q={v}", f"/api/v1/export?format=jsonl&org={v}",
        f"/health?x={v}", f"/api/v1/health?x={v}",
        f"/?q={v}", f"/?{facet}={v}", f"/?date_from={v}", f"/?page={v}", f"/ui/facets/{facet}?prefix={v}",
        f"/ui/facets/{facet}?q={v}&prefix=ab", f"/ui/facets/{v}", f"/doc/{v}", f"/doc/en-oil-1?back={v}",
    ]


@pytest.mark.parametrize("name", list(HOSTILE_TEXT))
def test_hostile_text_on_every_route(client, es, name):
    failures: list[str] = []
    for url in _text_urls(HOSTILE_TEXT[name]):
        _check(client, url, failures)
    value = HOSTILE_TEXT[name]
    _check(client, "/api/v1/search", failures, method="POST", json={"q": value, "person": [value], "cursor": value})
    assert not failures, "\n".join(failures)
    assert es.cluster.health()["status"] in ("green", "yellow")  # the node is still up


def test_every_facet_with_the_worst_prefix(client, es):
    failures: list[str] = []
    for name in FACET_NAMES:
        for value in ("ab" * 6000, "ab" * 50, "(.*a){50}"):
            _check(client, f"/api/v1/facets/{name}?prefix={quote(value)}", failures)
            _check(client, f"/ui/facets/{name}?prefix={quote(value)}", failures)
    assert not failures, "\n".join(failures)
    assert es.cluster.health()["status"] in ("green", "yellow")


def test_raw_garbage_and_numbers(client, es):
    failures: list[str] = []
    for raw in RAW_GARBAGE:
        for url in (f"/api/v1/search?q={raw}", f"/api/v1/facets/person?prefix={raw}", f"/api/v1/suggest?q={raw}",
                    f"/api/v1/documents/{raw}", f"/?q={raw}", f"/ui/facets/person?prefix={raw}", f"/doc/{raw}",
                    f"/api/v1/export?format=csv&q={raw}"):
            _check(client, url, failures)
    for n in NUMBERS:
        for url in (f"/api/v1/search?size={n}&page={n}&facet_size={n}", f"/api/v1/facets/person?size={n}",
                    f"/api/v1/documents/en-oil-1/similar?size={n}", f"/api/v1/suggest?q=oil&size={n}",
                    f"/?page={n}", f"/ui/facets/person?size={n}", f"/api/v1/search?date_from={n}"):
            _check(client, url, failures)
    assert not failures, "\n".join(failures)
    assert es.cluster.health()["status"] in ("green", "yellow")


def test_hostile_json_bodies(client, es):
    failures: list[str] = []
    for body in ({"q": ["list"]}, {"size": 1e308}, {"person": "x" * 12_000}, {"person": ["x"] * 10_000},
                 {"q": {"$where": "1"}}, [1, 2, 3], "string", None, {"facet_size": -1, "page": 0},
                 {"date_from": "1987-13-45"}, {"cursor": {"a": 1}}):
        _check(client, "/api/v1/search", failures, method="POST", json=body)
    assert not failures, "\n".join(failures)
    assert es.cluster.health()["status"] in ("green", "yellow")


def test_service_still_serves_after_the_storm(client):
    r = client.get("/api/v1/search", params={"q": "oil"})
    assert r.status_code == 200 and r.json()["total"]["value"] > 0
    r = client.get("/api/v1/facets/person", params={"prefix": "gorb"})
    assert [b["value"] for b in r.json()["buckets"]] == ["Mikhail Gorbachev"]
