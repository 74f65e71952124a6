"""Issue 14 items 1–3 on files generated here, against the real node: legacy encodings are decoded
(and stored), empty documents are failures, ids come from source + origin, the same text from two
sources gives two linked documents, the external id is stored and searchable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer.models import Failure, SourceDoc
from indexer.sources import Limits, parse_field_map, read_paths
from tests.indexer_helpers import run_v2, v2_index

FR = ("Le ministre des Affaires étrangères a déclaré mercredi que la France était prête à négocier "
      "avec ses partenaires européens. Les élèves ont été reçus à l'école où ils ont appris à lire.")
RU = ("Министр иностранных дел России заявил в среду, что страна готова к переговорам с Европейским "
      "союзом. Экономика выросла на три процента в прошлом году, сообщили в правительстве.")
ZH = "中华人民共和国外交部发言人星期三表示，中国愿意与各国加强合作，共同应对气候变化带来的挑战。经济增长保持稳定。"
JA = "日本政府は水曜日、新しい経済対策を発表しました。東京の株式市場は上昇し、円相場は安定しています。"
CASES = {"fr.txt": (FR, "latin-1", "cp1252"), "ru1251.txt": (RU, "cp1251", "cp1251"),
         "ru_koi8.txt": (RU, "koi8-r", "koi8_r"), "zh.txt": (ZH, "gb18030", "gb18030"),
         "ja.txt": (JA, "shift_jis", "cp932")}


def docs_and_failures(paths: list[Path], **kw) -> tuple[dict[str, SourceDoc], dict[str, Failure]]:
    items = list(read_paths(paths, **kw))
    return ({Path(d.origin).name: d for d in items if isinstance(d, SourceDoc)},
            {Path(f.origin).name: f for f in items if isinstance(f, Failure)})


def test_legacy_encodings_are_detected(tmp_path: Path) -> None:
    for name, (text, enc, _) in CASES.items():
        (tmp_path / name).write_bytes(f"Titre {name}\n{text}\n".encode(enc))
    docs, fails = docs_and_failures([tmp_path], source="enc")
    assert not fails
    for name, (text, _, found) in CASES.items():
        assert docs[name].body == text and docs[name].encoding == found, name


def test_declared_charset_is_respected_and_binaries_rejected(tmp_path: Path) -> None:
    page = (f'<html><head><meta charset="windows-1251"><title>Новости</title></head><body><article>'
            f'<h1>Новости</h1><p>{RU}</p><p>{RU}</p></article></body></html>')
    (tmp_path / "page.html").write_bytes(page.encode("cp1251"))
    (tmp_path / "noise.txt").write_bytes(bytes(range(1, 256)) * 40)
    (tmp_path / "zeros.txt").write_bytes(b"\x00\x01" * 2000)
    docs, fails = docs_and_failures([tmp_path], source="enc")
    assert RU in docs["page.html"].body and docs["page.html"].encoding == "cp1251"
    assert fails["noise.txt"].reason == "binary" and fails["noise.txt"].detail
    assert fails["zeros.txt"].reason == "binary"


def test_empty_documents_are_no_text_failures(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\n  \n")
    (tmp_path / "tiny.txt").write_text("Title\nok\n")
    (tmp_path / "empty.html").write_text("<html><body><nav>Home</nav></body></html>")
    (tmp_path / "enough.txt").write_text("Title\nThis has enough text.\n")
    docs, fails = docs_and_failures([tmp_path], source="t")
    assert {n: f.reason for n, f in fails.items()} == {n: "no-text" for n in
                                                       ("empty.txt", "blank.txt", "tiny.txt", "empty.html")}
    assert list(docs) == ["enough.txt"]
    docs, fails = docs_and_failures([tmp_path / "tiny.txt"], source="t", limits=Limits(min_text_chars=1))
    assert list(docs) == ["tiny.txt"] and not fails  # the minimum is a setting


def test_first_meaningful_line_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("• Last updated: 03 Mar. 2017 15:01\n\nSkip to content\n"
                                    "Oil output cut extended to June\nOPEC members agreed on Thursday to extend cuts.\n")
    (tmp_path / "b.txt").write_text("2024-03-12\n* * *\nBy Jane Roe\nCeasefire talks resume in Doha\nBody text here.\n")
    docs, _ = docs_and_failures([tmp_path], source="t")
    assert docs["a.txt"].title == "Oil output cut extended to June"
    assert docs["a.txt"].body == "OPEC members agreed on Thursday to extend cuts."
    assert docs["b.txt"].title == "Ceasefire talks resume in Doha"


# -- against the node ---------------------------------------------------------------------------------


@pytest.fixture()
def alias(es: Elasticsearch) -> Iterator[str]:
    with v2_index(es, "fidelity") as name:
        yield name


run = run_v2


@pytest.mark.integration
def test_latin1_french_is_indexed_in_french(es, alias, tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_bytes(f"Négociations à Bruxelles\n{FR}\n{FR}\n".encode("latin-1"))
    stats = run(es, alias, read_paths([tmp_path], source="fr"), tmp_path)
    assert stats.created == 1 and stats.failed == 0
    src = es.search(index=alias, query={"term": {"source": "fr"}})["hits"]["hits"][0]["_source"]
    assert src["language"] == "fr" and src["encoding"] == "cp1252" and "étrangères" in src["body_fr"]


@pytest.mark.integration
def test_same_record_from_two_sources_is_two_linked_documents(es, alias, tmp_path: Path) -> None:
    rec = {"headline": "Grain exports through Odesa rose in March", "text": FR.replace("France", "Ukraine") * 3}
    for name in ("wire_a", "wire_b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "export.jsonl").write_text(json.dumps(rec) + "\n")
    fmap = parse_field_map(["title=headline,body=text"])
    first = run(es, alias, read_paths([tmp_path / "wire_a"], source="wire_a", field_map=fmap), tmp_path)
    second = run(es, alias, read_paths([tmp_path / "wire_b"], source="wire_b", field_map=fmap), tmp_path)
    assert first.created == second.created == 1 and second.unchanged == 0
    hits = [h["_source"] for h in es.search(index=alias, query={"match_all": {}})["hits"]["hits"]]
    assert sorted(h["source"] for h in hits) == ["wire_a", "wire_b"] and len({h["id"] for h in hits}) == 2
    a, b = sorted(hits, key=lambda h: h["source"])
    # one story (cluster), but each source is its own collection: no duplicate_of across collections
    assert a["text_hash"] == b["text_hash"] and b["cluster_id"] == a["id"] and b["duplicate_of"] is None


@pytest.mark.integration
def test_external_id_is_stored_and_searchable(es, alias, tmp_path: Path) -> None:
    recs = [{"uid": "NEWS-0042", "headline": "Port strike ends", "text": "Dock workers in Antwerp returned to work."},
            {"uid": "NEWS-0043", "headline": "Port strike spreads", "text": "Dock workers in Hamburg stopped work."}]
    (tmp_path / "x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    fmap = parse_field_map(["title=headline,body=text,id=uid"])
    stats = run(es, alias, read_paths([tmp_path / "x.jsonl"], source="desk", field_map=fmap), tmp_path)
    assert stats.created == 2
    hits = es.search(index=alias, query={"bool": {"filter": [{"term": {"external_id": "NEWS-0043"}},
                                                             {"term": {"source": "desk"}}]}})["hits"]["hits"]
    assert [h["_source"]["title"] for h in hits] == ["Port strike spreads"]


def test_page_titles_lose_site_names_not_words() -> None:
    from indexer.sources.titles import strip_site_name

    assert strip_site_name("Gates on Tillerson | CNN Politics", sitename="CNN") == "Gates on Tillerson"
    assert strip_site_name("短缺药品保供稳价 全力保障临床用药需求-新华网", hostname="www.news.cn", sitename="新华网") == \
        "短缺药品保供稳价 全力保障临床用药需求"
    assert strip_site_name("Infanta ruling due in Madrid » Local » Noticias » Ultima Hora Mallorca",
                           hostname="www.ultimahora.es") == \
        "Infanta ruling due in Madrid"
    assert strip_site_name("Brexit - what happens next") == "Brexit - what happens next"
    assert strip_site_name("Kirkuk-Ceyhan pipeline to restart") == "Kirkuk-Ceyhan pipeline to restart"


def test_html_boilerplate_and_hard_breaks(tmp_path: Path) -> None:
    para = ("Cocoa prices rose to new highs on Tuesday as drought in Ghana's Ashanti region\n"
            "cut the harvest, traders in London said, and exporters warned of delays.")
    page = (f"<html><head><title>Cocoa hits record | Daily Wire</title><meta property='og:site_name' "
            f"content='Daily Wire'></head><body><div class='cookie-banner'>We use cookies to improve "
            f"your experience. Accept all cookies</div><article><h1>Cocoa hits record</h1><p>{para}</p>"
            f"<p>{para.replace('Tuesday', 'Wednesday')}</p><p>Subscribe to our newsletter for daily market news.</p>"
            f"<p>Already a subscriber? Log in to continue reading.</p></article>"
            f"<section id='comments'><h2>42 comments</h2><p>Reader: prices are a scam!</p></section></body></html>")
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    docs, _ = docs_and_failures([tmp_path], source="t")
    doc = docs["p.html"]
    assert doc.title == "Cocoa hits record"
    assert "Ashanti region cut the harvest" in doc.body  # the source's hard break is gone
    for junk in ("cookies", "newsletter", "subscriber", "scam", "comments"):
        assert junk not in doc.body.lower(), junk


def test_mail_charsets_declared_or_detected(tmp_path: Path) -> None:
    body = RU.encode("koi8-r")
    declared = (b"From: a@example.org\nTo: b@example.org\nSubject: Report\nMIME-Version: 1.0\n"
                b"Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n" + body + b"\n")
    undeclared = declared.replace(b"; charset=koi8-r", b"").replace(b"koi8-r", b"")
    (tmp_path / "declared.eml").write_bytes(declared)
    (tmp_path / "undeclared.eml").write_bytes(undeclared.replace(body, RU.encode("cp1251")))
    docs, fails = docs_and_failures([tmp_path], source="mail")
    assert not fails
    assert docs["declared.eml"].body == RU and docs["declared.eml"].encoding == "koi8-r"
    assert docs["undeclared.eml"].body == RU and docs["undeclared.eml"].encoding == "cp1251"


def test_sheet_rows_as_documents(tmp_path: Path) -> None:
    (tmp_path / "ports.csv").write_text("port,tonnes,note\nGdansk,1200,record grain month\nRotterdam,5400,steady\n")
    docs = [d for d in read_paths([tmp_path], source="t", limits=Limits(sheet_rows_as_documents=True))]
    assert [(d.title, d.body) for d in docs] == [("Gdansk", "port: Gdansk\ntonnes: 1200\nnote: record grain month"),
                                                 ("Rotterdam", "port: Rotterdam\ntonnes: 5400\nnote: steady")]
    assert len({d.origin for d in docs}) == 2 and all(d.url is None for d in docs)


def test_mbox_messages_without_message_id_are_distinct(tmp_path: Path) -> None:
    from indexer.ids import doc_id

    box = "".join(f"From x@example.org Mon Jan  1 00:00:0{i} 2024\nFrom: x@example.org\nSubject: Note {i}\n\n"
                  f"Grain volumes in Gdansk rose by {i} percent this month.\n\n" for i in range(3))
    (tmp_path / "desk.mbox").write_text(box)
    docs = [d for d in read_paths([tmp_path], source="t") if isinstance(d, SourceDoc)]
    assert len(docs) == 3 and len({doc_id(d) for d in docs}) == 3
