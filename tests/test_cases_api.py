"""Marks, annotations, case files and briefing products through the API — real node, both databases.

Two analysts: alice reads collections A and B, bob only A. A case holding documents of both shows bob
only A's documents (need-to-know: hidden, not leaked), and the products cite every excerpt.
"""

from __future__ import annotations

import io
import uuid

import pytest
from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader

from search_api.app import create_app
from test_alerts import index_doc
from tests.identity_helpers import FAST_SETTINGS, add_user, uniq
from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(module_settings, workspace_url, tmp_path_factory):  # noqa: F811 - fixture
    templates = tmp_path_factory.mktemp("briefing-templates")
    settings = module_settings.model_copy(update={"database_url": workspace_url, "alerts_scheduler": False,
                                                  "briefing_template_dir": templates, **FAST_SETTINGS})
    with TestClient(create_app(settings)) as c:
        c.templates = templates
        yield c


@pytest.fixture(scope="module")
def world(client, es, index_alias, store):  # noqa: F811 - fixture
    from workspace.access import create_collection, grant
    from workspace.keys import create_api_key

    tag = uuid.uuid4().hex[:8]
    a, b = f"ca{tag}", f"cb{tag}"
    alice, bob = uniq("alice"), uniq("bob")
    keys = {}
    with store.session() as db:
        create_collection(db, a)
        create_collection(db, b)
    for name in (alice, bob):
        add_user(store, name, "analyst")
    with store.session() as db:
        from workspace.users import get_user

        for name, colls in ((alice, (a, b)), (bob, (a,))):
            for c in colls:
                grant(db, c, user=name)
            keys[name] = {"X-API-Key": create_api_key(db, get_user(db, name).id, "t", scope="write").token}
    word = "zc" + tag
    docs = {"pa": (f"{word}-pa", a, "2024-03-01"), "pb": (f"{word}-pb", a, "2024-03-05"), "sb": (f"{word}-sb", b, "2024-03-03")}
    for key, (doc_id, coll, day) in docs.items():
        index_doc(es, index_alias, doc_id, f"{word} tanker {key}", collection=coll, published=day)
    return {"alice": keys[alice], "bob": keys[bob], "alice_name": alice, "bob_name": bob, "word": word,
            "ids": {k: v[0] for k, v in docs.items()}}


def test_star_tag_note_and_search_within_marks(client, world):
    h, ids = world["alice"], world["ids"]
    r = client.put(f"/api/v1/documents/{ids['pa']}/marks", json={"starred": True, "tags": ["Hormuz", "shipping"], "note": "n"}, headers=h)
    assert r.status_code == 200 and r.json()["tags"] == ["Hormuz", "shipping"]
    client.put(f"/api/v1/documents/{ids['sb']}/marks", json={"tags": ["hormuz"]}, headers=h)
    assert client.get("/api/v1/tags", params={"prefix": "hor"}, headers=h).json() == ["Hormuz"]
    res = client.get("/api/v1/marks/search", params={"q": world["word"], "tag": "HORMUZ"}, headers=h).json()
    assert {x["id"] for x in res["hits"]} == {ids["pa"], ids["sb"]}
    assert {"value": "Hormuz", "count": 2} in res["marks"]["tags"] and res["marks"]["starred"] == 1
    starred = client.get("/api/v1/marks/search", params={"q": world["word"], "starred": True}, headers=h).json()
    assert [x["id"] for x in starred["hits"]] == [ids["pa"]]
    # bob's marks are his own; and marking a document he cannot read is a 404 (like /documents)
    assert client.get(f"/api/v1/documents/{ids['pa']}/marks", headers=world["bob"]).json()["tags"] == []
    assert client.put(f"/api/v1/documents/{ids['sb']}/marks", json={"starred": True}, headers=world["bob"]).status_code == 404
    bad = client.put(f"/api/v1/documents/{ids['pa']}/marks", json={"tags": ["x" * 101]}, headers=h)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


def test_annotation_offsets_outside_the_text_are_422(client, world):
    h, doc = world["alice"], world["ids"]["pa"]
    body = client.get(f"/api/v1/documents/{doc}", headers=h).json()["body"]
    start = body.index("tanker")
    ok = client.post(f"/api/v1/documents/{doc}/annotations", json={"start": start, "end": start + 6, "comment": "vessel"}, headers=h)
    assert ok.status_code == 201 and ok.json()["quote"] == "tanker"
    for s, e in ((0, len(body) + 1), (5, 5), (9, 3)):
        r = client.post(f"/api/v1/documents/{doc}/annotations", json={"start": s, "end": e}, headers=h)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert client.post(f"/api/v1/documents/{doc}/annotations", json={"start": -1, "end": 3}, headers=h).status_code == 422
    assert [a["quote"] for a in client.get(f"/api/v1/documents/{doc}/annotations", headers=h).json()] == ["tanker"]


def test_case_need_to_know_and_briefings(client, world):
    h, hb, ids = world["alice"], world["bob"], world["ids"]
    case = client.post("/api/v1/cases", json={"name": "Strait " + world["word"], "classification": "OFFICIAL-SENSITIVE",
                                              "summary": "Tankers are being stopped.", "judgements": "- likely to continue\n- low risk"},
                       headers=h).json()
    cid = case["id"]
    for key in ("pa", "pb", "sb"):
        assert client.post(f"/api/v1/cases/{cid}/documents", json={"doc_id": ids[key], "reason": f"why {key}"}, headers=h).status_code == 201
    client.post(f"/api/v1/documents/{ids['sb']}/annotations", json={"start": 0, "end": 10, "comment": "secret"}, headers=h)
    assert client.get(f"/api/v1/cases/{cid}", headers=hb).status_code == 404  # not a member yet
    assert client.post(f"/api/v1/cases/{cid}/members", json={"member": world["bob_name"]}, headers=h).status_code == 201
    assert client.post(f"/api/v1/cases/{cid}/members", json={"member": "nobody-" + world["word"]}, headers=h).status_code == 404
    full = client.get(f"/api/v1/cases/{cid}", headers=h).json()
    seen = client.get(f"/api/v1/cases/{cid}", headers=hb).json()
    assert {d["id"] for d in full["documents"]} == {ids["pa"], ids["pb"], ids["sb"]}
    assert {d["id"] for d in seen["documents"]} == {ids["pa"], ids["pb"]}  # B's document is hidden from bob
    assert ids["sb"] not in str(seen) and "secret" not in str(seen), seen
    assert [t["date"] for t in full["timeline"]] == ["2024-03-01", "2024-03-03", "2024-03-05"]
    assert client.post(f"/api/v1/cases/{cid}/documents", json={"doc_id": ids["sb"]}, headers=hb).status_code == 404
    assert client.patch(f"/api/v1/cases/{cid}", json={"status": "lost"}, headers=h).status_code == 422
    assert client.post(f"/api/v1/cases/{cid}/notes", json={"text": "call the desk"}, headers=hb).status_code == 201

    cites = [f"id {ids[k]}" for k in ("pa", "sb")]
    md = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "md"}, headers=h)
    assert md.status_code == 200 and "OFFICIAL-SENSITIVE" in md.text and "likely to continue" in md.text
    assert all(c in md.text for c in cites) and "grade F6" in md.text and "https://example.org/" in md.text
    html = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "html"}, headers=h)
    assert html.status_code == 200 and "<svg" in html.text and "http://" not in html.text.split("<body>")[0]
    assert world["word"] in html.headers["content-disposition"] or "strait" in html.headers["content-disposition"]
    docx = Document(io.BytesIO(client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "docx"}, headers=h).content))
    text = "\n".join([p.text for p in docx.paragraphs] + [c.text for t in docx.tables for r in t.rows for c in r.cells])
    assert all(c in text for c in cites) and "Tankers are being stopped." in text
    pdf = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # citations wrap anywhere in a narrow column: compare without whitespace
    pdf_text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert all(c.replace(" ", "") in pdf_text for c in cites), pdf_text[:2000]
    # bob's product holds only what he may read
    bob_md = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "md"}, headers=hb).text
    assert ids["sb"] not in bob_md and ids["pa"] in bob_md


def test_empty_case_and_template_errors(client, world):
    h = world["alice"]
    cid = client.post("/api/v1/cases", json={"name": "empty " + world["word"]}, headers=h).json()["id"]
    r = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "pdf"}, headers=h)
    assert r.status_code == 422 and "nothing to brief" in r.json()["detail"]
    client.post(f"/api/v1/cases/{cid}/documents", json={"doc_id": world["ids"]["pa"]}, headers=h)
    (client.templates / "briefing.md.j2").write_text("# {{ case.name }}\n\n{% for d in docs %}\n{{ d.title }\n{% endfor %}\n")
    try:
        r = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "md"}, headers=h)
        assert r.status_code == 400 and "briefing.md.j2, line 4" in r.json()["detail"], r.text
        (client.templates / "briefing.md.j2").write_text("# {{ case.name }}\n{{ case.no_such_field }}\n")
        r = client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "md"}, headers=h)
        assert r.status_code == 400 and "line 2" in r.json()["detail"] and "no_such_field" in r.json()["detail"]
        (client.templates / "briefing.md.j2").write_text("CUSTOM {{ case.name }} ({{ docs | length }})\n")
        assert client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "md"}, headers=h).text.startswith("CUSTOM empty")
    finally:
        (client.templates / "briefing.md.j2").unlink()
    assert client.get("/api/v1/cases/999999999", headers=h).status_code == 404
    assert client.get(f"/api/v1/cases/{cid}/briefing", params={"format": "exe"}, headers=h).status_code == 422
