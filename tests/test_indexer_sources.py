"""Source readers on real files: every format in a fixture tree, broken ones included (no ES needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.http import FetchPolicy
from indexer.ids import canonical_url, doc_id
from indexer.models import Failure, SourceDoc
from indexer.sources import parse_field_map, read_json_file, read_paths
from indexer.sources import FieldMapError, REGISTRY
from indexer.sources.reuters import read_reuters, reuters_dir
from indexer.targets import read_targets
from tests.indexer_helpers import FIXTURES, LocalHTTPServer, build_tree


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tree(tmp_path_factory.mktemp("src"))


@pytest.fixture(scope="module")
def items(tree: Path) -> list:
    return list(read_paths([tree], source="fixtures"))


def by_name(items: list, name: str) -> list:
    return [i for i in items if Path(i.origin.split("#")[0].split(":")[0].split("[")[0]).name == name]


def test_every_format_is_read(items: list, tree: Path) -> None:
    docs = {Path(d.meta.get("path", d.origin)).name: d for d in items
            if isinstance(d, SourceDoc) and d.source_type == "file" and d.meta.get("format") != "mbox"}
    assert {name: d.meta["format"] for name, d in docs.items()} == {
        "sanctions.txt": "text", "briefing.md": "markdown", "report.html": "html", "tip.eml": "eml",
        "assessment.pdf": "pdf", "memo.docx": "docx", "scan_misnamed.txt": "pdf",
        "saved_page_without_extension": "html", "latin1.txt": "text"}
    for name, d in docs.items():  # one file, one document: named after the file, at its file:// URI
        assert d.source == "fixtures" and d.origin == d.meta["path"] and Path(d.origin).name == name
        assert d.url == Path(d.origin).resolve().as_uri() and d.title.strip() and d.body.strip()
    records = [d for d in items if isinstance(d, SourceDoc) and d.source_type == "json"]
    assert sorted(Path(d.origin).name for d in records) == ["archive.json[0]", "archive.json[1]", "wire.jsonl:1",
                                                         "wire.jsonl:2"]
    assert docs["briefing.md"].title == "Port of Rotterdam reports record container traffic"
    html = docs["report.html"]
    assert html.title == "Drought threatens cocoa harvest in Ghana"
    assert html.author == "Ama Mensah" and html.published_at and html.published_at.year == 2024
    assert "Ashanti" in html.body and "Privacy" not in html.body and "Markets" not in html.body
    pdf = docs["assessment.pdf"]
    assert pdf.title == "Kirkuk-Ceyhan pipeline to restart" and pdf.author == "Energy Desk"
    assert "Kirkuk-Ceyhan" in pdf.body and pdf.published_at.isoformat().startswith("2024-03-12T09:30")
    assert docs["scan_misnamed.txt"].meta["format"] == "pdf"  # content wins over the extension
    assert docs["saved_page_without_extension"].meta["format"] == "html"
    memo = docs["memo.docx"]
    assert memo.title == "Morocco-Nigeria gas pipeline memo" and memo.author == "Gas Desk" and "Rabat" in memo.body
    mail = docs["tip.eml"]
    assert mail.title.startswith("Tip: convoy") and "Jan Novak" in mail.author and "Narva" in mail.body
    assert mail.published_at.isoformat() == "2024-04-02T09:15:00+02:00"
    assert "café naïve" in docs["latin1.txt"].body and docs["latin1.txt"].encoding == "cp1252"  # not UTF-8: detected
    assert docs["sanctions.txt"].encoding == "utf-8"
    assert docs["sanctions.txt"].title and "sanction" in docs["sanctions.txt"].body.lower()


def test_mailbox_yields_each_message(items: list) -> None:
    msgs = [d for d in items if isinstance(d, SourceDoc) and d.meta.get("format") == "mbox"]
    assert sorted(m.title for m in msgs) == ["Grain corridor volumes steady", "Shipping insurance rates climb in the Black Sea"]
    assert len({doc_id(m) for m in msgs}) == 2


def test_broken_files_are_failures_with_reasons(items: list, tree: Path) -> None:
    fails = {f.origin.removeprefix(str(tree) + "/"): f for f in items if isinstance(f, Failure)}
    assert {origin: f.reason for origin, f in fails.items()} == {
        "broken.pdf": "broken-pdf", "broken.docx": "broken-docx",
        "exports/wire.jsonl:3": "bad-json", "exports/wire.jsonl:4": "no-text"}
    assert all(f.source == "fixtures" and f.source_type in ("file", "json") and f.detail for f in fails.values())


def test_too_large_file_is_skipped(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (60 * 1024 * 1024 // 5))  # a 60 MB body
    (tmp_path / "small.txt").write_text("Small\nA small file.", encoding="utf-8")
    out = list(read_paths([tmp_path], source="x"))
    assert [type(o).__name__ for o in out] == ["Failure", "SourceDoc"]
    assert out[0].reason == "too-large"


def test_sniffing_prefers_content() -> None:
    sniff = REGISTRY.sniff
    assert sniff(b"%PDF-1.7 ...", Path("a.txt")) == "pdf"
    assert sniff(b"<!DOCTYPE html><html>", Path("a.txt")) == "html"
    assert sniff(b"From: a@b\nSubject: x\nDate: y\n\nbody", Path("noext")) == "eml"
    assert sniff(b"<?xml version='1.0'?><rss version='2.0'>", None) == "feed"
    assert sniff(b"plain words", Path("a.md")) == "markdown"
    assert sniff(b"plain words", Path("a.txt")) == sniff(b"plain words", Path("noext")) == "text"
    assert sniff(b"PK\x03\x04\x14\x00 zip", Path("a.zip")) == "zip"
    assert sniff(b"PK\x03\x04\x14\x00 word/document.xml", Path("a.zip")) == "docx"  # the office sniffer wins
    assert sniff(b"7z\xbc\xaf\x27\x1c", Path("a.7z")) == "unknown"


def test_json_lines_with_field_map(tree: Path) -> None:
    fmap = parse_field_map(["title=headline,body=text", "id=uid,published_at=when"])
    out = list(read_json_file(tree / "exports" / "wire.jsonl", field_map=fmap, source="wire"))
    docs = [o for o in out if isinstance(o, SourceDoc)]
    fails = [o for o in out if isinstance(o, Failure)]
    assert [d.title for d in docs] == ["Chile copper output falls on water shortages", "Nigeria central bank raises rates again"]
    assert docs[0].url.startswith("https://news.example.org/") and docs[1].external_id == "w-2"
    assert docs[1].published_at.isoformat() == "2024-05-21T15:00:00+00:00" and docs[1].meta == {"desk": "economy"}
    assert [(f.origin.rsplit(":", 1)[1], f.reason) for f in fails] == [("3", "bad-json"), ("4", "no-text")]


def test_json_array_streams(tree: Path) -> None:
    out = list(read_json_file(tree / "exports" / "archive.json", field_map=parse_field_map("id=uid,published_at=when")))
    assert [d.external_id for d in out] == ["a-1", "a-2"] and all(isinstance(d, SourceDoc) for d in out)


def test_bad_field_map_is_a_clear_error() -> None:
    with pytest.raises(FieldMapError, match="target=field"):
        parse_field_map("title")
    with pytest.raises(FieldMapError, match="unknown"):
        parse_field_map("headline=title")


def test_canonical_url_drops_tracking() -> None:
    assert canonical_url("HTTPS://News.Example.org:443/a?utm_source=x&b=2&a=1#top") == "https://news.example.org/a?a=1&b=2"
    a = SourceDoc("s", "web", "t", "b", url="https://x.org/a?utm_medium=rss")
    b = SourceDoc("s", "feed", "t2", "b2", url="https://x.org/a")
    assert doc_id(a) == doc_id(b)  # one source, one page: one document whatever the tracking parameters
    other = SourceDoc("other", "feed", "t", "b", url="https://x.org/a")
    assert doc_id(other) != doc_id(a)  # the same page from another source is another report


def test_reuters_corpus(settings) -> None:
    data = reuters_dir(settings.cache_dir)
    if not data.is_dir():
        pytest.skip("Reuters-21578 not installed (bash scripts/setup.sh)")
    docs = list(read_reuters(data, limit=50))
    assert len(docs) == 50 and docs[0].title == "Bahia Cocoa Review"
    assert docs[0].meta["topics"] == ["cocoa"] and docs[0].published_at.year == 1987 and docs[0].language_hint == "en"
    # every story carries a date, including the one-digit days written " 5-MAR-1987 09:00:00.00"
    dated = [d for d in read_reuters(data, limit=3000) if d.published_at is not None]
    assert len(dated) == 3000
    assert any(d.published_at.day < 10 for d in dated)


def test_feed_and_page_from_local_server(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "articles").mkdir(parents=True)
    srv = LocalHTTPServer(site)
    try:
        (site / "feed.xml").write_text((FIXTURES / "feeds" / "feed_v1.xml").read_text().replace("{base}", srv.base))
        (site / "articles" / "2.html").write_text((FIXTURES / "feeds" / "article_2.html").read_text())
        local = FetchPolicy(allow_networks=("127.0.0.1/32",))  # the test server is on loopback
        out = list(read_targets([f"{srv.base}/feed.xml"], source="wire", fetch_pages=True, policy=local))
        docs = [o for o in out if isinstance(o, SourceDoc)]
        fails = [o for o in out if isinstance(o, Failure)]
        assert [d.title for d in docs] == ["Storm closes Baltic ferry routes", "Chad and Sudan reopen border trade"]
        assert "Adre border crossing" in docs[1].body  # fetched the article page: longer than the teaser
        assert docs[0].meta.get("page_error", "").startswith("http-error")  # page 1 is a 404: teaser kept
        assert len(fails) == 1 and fails[0].reason == "no-text"
        page = list(read_targets([f"{srv.base}/articles/2.html"], source="web", policy=local))
        assert page[0].source_type == "web" and page[0].title == "Chad and Sudan reopen border trade"
        missing = list(read_targets([f"{srv.base}/nope.html"], policy=local))
        assert isinstance(missing[0], Failure) and missing[0].reason == "http-error"
    finally:
        srv.close()
