"""A small hand-written multilingual corpus for the search API tests, indexed through ``mappings``.

Documents are built with the indexer's own :class:`indexer.document.IndexDocument` (so they have the
production shape): the language's stemmed field pair is filled, entities are canonical names, a few
carry (seeded, random) vectors so kNN mechanics can be tested, and some are near-duplicates (``duplicate_of``/``cluster_id``). No test asserts a number
written here: counts are compared with independent Elasticsearch aggregations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from elasticsearch import Elasticsearch, helpers

from indexer.document import IndexDocument
from mappings import VECTOR_DIMS

# id, lang, title, body, source, source_type, date, person, org, location, countries, topics, keywords
ROWS: list[tuple] = [
    ("en-oil-1", "en", "OPEC agrees oil price cut", "OPEC ministers agreed a cut in crude oil output to support prices. Saudi Arabia backed the cut.",
     "Reuters", "news", "1987-03-02", [], ["OPEC"], ["Vienna"], ["AT", "SA"], ["energy"], ["oil", "opec"]),
    ("en-oil-2", "en", "Oil prices rise after OPEC meeting", "Crude prices rose sharply after the OPEC meeting in Vienna ended with a price agreement.",
     "Reuters", "news", "1987-03-05", [], ["OPEC"], ["Vienna"], ["AT"], ["energy", "markets"], ["oil", "prices"]),
    ("en-oil-3", "en", "Texaco raises crude posting", "Texaco said it raised the posted price of West Texas Intermediate crude by 50 cents.",
     "Reuters", "news", "1987-03-20", [], ["Texaco"], ["Texas"], ["US"], ["energy"], ["crude"]),
    ("en-sanction-1", "en", "US sanctions on Iran widen", "Washington imposed new sanctions on Iran's oil exports; officials said the sanctions target shipping.",
     "State Wire", "agency", "1987-04-10", ["Ronald Reagan"], ["US Treasury"], ["Washington", "Iran"], ["US", "IR"], ["sanctions", "energy"], ["sanctions", "iran"]),
    ("en-sanction-2", "en", "Bank sanctioned for breaching embargo", "A London bank was sanctioned by regulators for breaching the embargo on arms shipments.",
     "City Desk", "news", "1987-04-22", [], ["Bank of England"], ["London"], ["GB"], ["sanctions", "finance"], ["embargo", "bank"]),
    ("en-sanction-3", "en", "Embargo talks", "Diplomats discussed a sanctioning mechanism but no decision on sanctions was made.",
     "State Wire", "agency", "1987-05-03", [], ["United Nations"], ["New York"], ["US"], ["sanctions"], ["embargo"]),
    ("en-central-bank-1", "en", "Central bank holds rates", "The central bank held interest rates steady, citing inflation. The bank governor spoke in Frankfurt.",
     "City Desk", "news", "1987-06-01", ["Karl Otto Pöhl"], ["Bundesbank"], ["Frankfurt"], ["DE"], ["finance"], ["rates", "inflation"]),
    ("en-central-bank-2", "en", "Bank of Japan warns on yen", "The Bank of Japan warned that a strong yen hurts exporters; central bank officials met in Tokyo.",
     "Reuters", "news", "1987-06-15", ["Satoshi Sumita"], ["Bank of Japan"], ["Tokyo"], ["JP"], ["finance", "markets"], ["yen", "exports"]),
    ("en-grain-1", "en", "Wheat exports to the Soviet Union", "The USDA said wheat exports to the Soviet Union would rise under the grain agreement.",
     "Reuters", "news", "1987-07-01", [], ["USDA"], ["Moscow"], ["US", "SU"], ["agriculture"], ["wheat", "grain"]),
    ("en-grain-2", "en", "Corn harvest record", "Farmers expect a record corn harvest in Iowa as weather improved over the summer.",
     "Farm Journal", "news", "1987-08-11", [], [], ["Iowa"], ["US"], ["agriculture"], ["corn", "harvest"]),
    ("en-grain-2-dup", "en", "Corn harvest record", "Farmers expect a record corn harvest in Iowa, as weather improved over the summer.",
     "Farm Wire", "news", "1987-08-11", [], [], ["Iowa"], ["US"], ["agriculture"], ["corn", "harvest"]),
    ("en-nato-1", "en", "NATO ministers meet in Brussels", "NATO defence ministers met in Brussels to discuss arms control with the Soviet Union.",
     "Defence Daily", "news", "1987-09-09", ["Manfred Wörner"], ["NATO"], ["Brussels", "Moscow"], ["BE", "SU"], ["defence"], ["nato", "arms"]),
    ("en-nato-2", "en", "Arms control treaty signed", "Ronald Reagan and Mikhail Gorbachev signed the arms control treaty in Washington.",
     "Defence Daily", "news", "1987-12-08", ["Ronald Reagan", "Mikhail Gorbachev"], [], ["Washington"], ["US", "SU"], ["defence"], ["treaty", "arms"]),
    ("en-undated", "en", "Undated briefing on shipping", "A briefing on shipping insurance in the Gulf; tankers face higher premiums.",
     "Lloyd's List", "report", None, [], ["Lloyd's"], ["Gulf"], [], ["shipping"], ["tankers", "insurance"]),
    ("en-nolang-meta", "en", "Prices of coffee fall", "Coffee prices fell in London as Brazil exports increased.",
     "Reuters", "news", "1987-10-19", [], ["ICO"], ["London", "Brazil"], ["GB", "BR"], ["markets", "agriculture"], ["coffee"]),
    ("en-crash", "en", "Stock market crash", "Stocks crashed on Black Monday; the crash wiped out billions on Wall Street.",
     "Reuters", "news", "1987-10-19", ["Alan Greenspan"], ["Federal Reserve"], ["New York"], ["US"], ["markets", "finance"], ["stocks", "crash"]),
    ("en-putin-ish", "en", "Profile: Putnam investments", "Putnam Investments expanded its fund business in Boston.",
     "City Desk", "news", "1987-11-02", ["George Putnam"], ["Putnam Investments"], ["Boston"], ["US"], ["finance"], ["funds"]),
    ("fr-petrole-1", "fr", "L'OPEP décide une baisse de production", "Les ministres de l'OPEP ont décidé une baisse de la production de pétrole pour soutenir les prix.",
     "AFP", "news", "1987-03-03", [], ["OPEC"], ["Vienne"], ["AT"], ["energy"], ["pétrole", "opep"]),
    ("fr-sanctions-1", "fr", "Nouvelles sanctions contre l'Iran", "Washington a imposé de nouvelles sanctions contre l'Iran. La sanction vise le pétrole.",
     "AFP", "news", "1987-04-11", ["Ronald Reagan"], ["US Treasury"], ["Iran"], ["US", "IR"], ["sanctions"], ["sanctions", "iran"]),
    ("fr-banque-1", "fr", "La banque centrale maintient ses taux", "La Banque de France a maintenu ses taux directeurs face à l'inflation.",
     "Le Monde", "news", "1987-06-02", [], ["Banque de France"], ["Paris"], ["FR"], ["finance"], ["taux", "inflation"]),
    ("fr-otan-1", "fr", "Les ministres de l'OTAN à Bruxelles", "Les ministres de la défense de l'OTAN se sont réunis à Bruxelles.",
     "AFP", "news", "1987-09-10", ["Manfred Wörner"], ["NATO"], ["Bruxelles"], ["BE"], ["defence"], ["otan"]),
    ("de-oel-1", "de", "Ölpreis steigt nach OPEC-Treffen", "Der Ölpreis stieg nach dem Treffen der OPEC in Wien deutlich an. Die Preise für Rohöl zogen an.",
     "dpa", "news", "1987-03-06", [], ["OPEC"], ["Wien"], ["AT"], ["energy"], ["öl", "preise"]),
    ("de-bank-1", "de", "Bundesbank hält Zinsen stabil", "Die Bundesbank hielt die Leitzinsen stabil. Der Präsident der Bank sprach in Frankfurt.",
     "dpa", "news", "1987-06-03", ["Karl Otto Pöhl"], ["Bundesbank"], ["Frankfurt"], ["DE"], ["finance"], ["zinsen"]),
    ("de-sanktion-1", "de", "Neue Sanktionen gegen Iran", "Die Vereinigten Staaten verhängten neue Sanktionen gegen den Iran.",
     "dpa", "news", "1987-04-12", [], ["US Treasury"], ["Iran"], ["US", "IR"], ["sanctions"], ["sanktionen"]),
    ("es-petroleo-1", "es", "La OPEP recorta la producción de petróleo", "Los ministros de la OPEP acordaron recortar la producción de petróleo para sostener los precios.",
     "EFE", "news", "1987-03-04", [], ["OPEC"], ["Viena"], ["AT"], ["energy"], ["petróleo"]),
    ("es-banco-1", "es", "El banco central mantiene los tipos", "El Banco de España mantuvo los tipos de interés ante la inflación.",
     "EFE", "news", "1987-06-04", [], ["Banco de España"], ["Madrid"], ["ES"], ["finance"], ["tipos"]),
    ("ru-neft-1", "ru", "ОПЕК сокращает добычу нефти", "Министры ОПЕК договорились сократить добычу нефти, чтобы поддержать цены.",
     "ТАСС", "agency", "1987-03-07", [], ["OPEC"], ["Вена"], ["AT"], ["energy"], ["нефть"]),
    ("ru-nato-1", "ru", "Министры НАТО встретились в Брюсселе", "Министры обороны НАТО обсудили контроль над вооружениями.",
     "ТАСС", "agency", "1987-09-11", [], ["NATO"], ["Брюссель"], ["BE"], ["defence"], ["нато"]),
    ("it-banca-1", "it", "La banca centrale alza i tassi", "La Banca d'Italia ha alzato i tassi di interesse per frenare l'inflazione.",
     "ANSA", "news", "1987-06-05", [], ["Banca d'Italia"], ["Roma"], ["IT"], ["finance"], ["tassi"]),
    ("en-html", "en", "Tags <script>alert(1)</script> in title", "Body with <b>markup</b> & ampersands about oil.",
     "Web", "web", "1987-11-20", [], [], [], [], ["misc"], ["markup"]),
    ("en-nosource", "en", "Gold price steady", "Gold held steady in Zurich trading.",
     None, None, "1987-11-25", [], [], ["Zurich"], ["CH"], ["markets"], ["gold"]),
]
for i in range(10):  # filler so paging has several pages
    ROWS.append((f"en-filler-{i:02d}", "en", f"Market report number {i}", f"Routine market report {i} on oil, grain and currency trading.",
                 "Market Wire", "news", f"1987-{1 + i % 12:02d}-{10 + i:02d}", [], [], [], ["US"], ["markets"], ["report"]))

DUPLICATES = {"en-grain-2-dup": "en-grain-2"}
CLUSTERS = {"en-grain-2": "c-corn", "en-grain-2-dup": "c-corn"}
# Cross-lingual pairs get nearly identical vectors (random, seeded): kNN mechanics, not semantics.
VECTOR_GROUPS = {
    "oil": ["en-oil-1", "fr-petrole-1", "de-oel-1", "es-petroleo-1", "ru-neft-1"],
    "nato": ["en-nato-1", "fr-otan-1", "ru-nato-1"],
    "bank": ["en-central-bank-1", "de-bank-1"],
}


def documents() -> list[dict[str, Any]]:
    rng = np.random.default_rng(42)
    vectors: dict[str, list[float]] = {}
    for ids in VECTOR_GROUPS.values():
        base = rng.normal(size=VECTOR_DIMS)
        for doc_id in ids:
            vectors[doc_id] = (base + rng.normal(scale=0.05, size=VECTOR_DIMS)).astype("float32").tolist()
    out = []
    for (doc_id, lang, title, body, source, stype, date, person, org, loc, countries, topics, keywords) in ROWS:
        doc = IndexDocument(
            id=doc_id, url=f"https://example.org/{doc_id}", title=title, body=body, source=source,
            source_type=stype, published_at=f"{date}T00:00:00Z" if date else None,
            collected_at="2024-01-01T00:00:00Z", language=lang, language_confidence=0.99,
            entities={"person": person, "org": org, "location": loc, "other": []},
            mentions=[{"text": n, "type": "org", "start": body.find(n), "end": body.find(n) + len(n),
                       "canonical": n, "field": "body"} for n in org if n in body],
            countries=countries, topics=topics, keywords=keywords, word_count=len(body.split()),
            content_hash=f"h-{doc_id}", duplicate_of=DUPLICATES.get(doc_id), cluster_id=CLUSTERS.get(doc_id),
            vector=vectors.get(doc_id),
        )
        out.append(doc.to_source())
    return out


def load(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    docs = documents()
    helpers.bulk(es, ({"_index": alias, "_id": d["id"], "_source": d} for d in docs), refresh="wait_for")
    return docs
