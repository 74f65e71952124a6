"""A constructed corpus for the trend, entity and network tests: known weekly series per entity.

Ten weeks (Mondays from 1987-01-05) of background stories; "Steady Corp" appears at a constant share
every week, "Rising Person" at a low rate then five times as often in the last week, "Newcomer" only in
the last week, and "Alpha Group" always together with "Beta Group" (a real co-occurrence) while
"Gamma Group" appears as often but independently. Built with the indexer's own document model.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from elasticsearch import Elasticsearch, helpers

from indexer.document import IndexDocument

START = dt.date(1987, 1, 5)  # a Monday
WEEKS = 10
PER_WEEK = 30


def _doc(doc_id: str, day: dt.date, person: list[str], org: list[str], countries: list[str], topics: list[str],
         collection: str | None = None) -> dict[str, Any]:
    body = f"Story {doc_id}. " + " ".join(person + org)
    doc = IndexDocument(
        id=doc_id, url=f"https://example.org/{doc_id}", title=f"Story {doc_id}", body=body, source="Wire",
        source_type="news", published_at=f"{day.isoformat()}T00:00:00Z", collected_at="1987-12-31T00:00:00Z",
        language="en", language_confidence=0.99, entities={"person": person, "org": org, "location": [], "other": []},
        mentions=[], countries=countries, topics=topics, keywords=[], word_count=len(body.split()),
        content_hash=f"h-{doc_id}").to_source()
    if collection:
        doc["collection"] = collection
    return doc


def documents() -> list[dict[str, Any]]:
    out = []
    for w in range(WEEKS):
        last = w == WEEKS - 1
        for i in range(PER_WEEK):
            day = START + dt.timedelta(days=7 * w + i % 5)
            person = []
            if (last and i < 10) or (not last and i < 2):
                person.append("Rising Person")
            if last and i >= 25:
                person.append("Newcomer")
            org = []
            if i % 6 == 0:
                org.append("Steady Corp")
            if i % 5 == 1:
                org += ["Alpha Group", "Beta Group"]
            if i % 5 == 3 or (i % 10 == 2):
                org.append("Gamma Group")
            countries = ["US"] if i % 2 else ["FR"]
            out.append(_doc(f"w{w}-{i}", day, person, org, countries, ["markets"]))
    return out


def load(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    docs = documents()
    helpers.bulk(es, ({"_index": alias, "_id": d["id"], "_source": d} for d in docs), refresh="wait_for")
    return docs
