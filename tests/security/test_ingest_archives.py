"""Archives and attachments (issue 14 item 8): members become documents linked to their container;
bombs (ratio, total, member count) and deep nesting are refused with recorded reasons, fast."""

from __future__ import annotations

import io
import tarfile
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from indexer.ids import doc_id
from indexer.models import Failure
from indexer.sources import read_paths
from indexer.sources.base import Limits
from tests.indexer_helpers import make_pdf, run_v2, v2_index

pytestmark = pytest.mark.timeout(120)
NOTE = "Port report\nGdansk handled record grain volumes in May, the port authority said.\n"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def mail_with_attachments(tmp_path: Path) -> bytes:
    pdf = make_pdf(tmp_path / "seed.pdf", ["The convoy crossed the border at Narva at dawn on Tuesday."],
                   title="Convoy report", author="Desk").read_bytes()
    m = EmailMessage()
    m["Subject"], m["From"], m["To"], m["Message-ID"] = "Reports attached", "a@example.org", "b@example.org", "<r1@x.org>"
    m.set_content("Two reports attached: a PDF and a zipped note.")
    m.add_attachment(pdf, maintype="application", subtype="pdf", filename="convoy.pdf")
    m.add_attachment(zip_bytes({"note.txt": NOTE.encode()}), maintype="application", subtype="zip", filename="notes.zip")
    return bytes(m)


def test_members_and_attachments_link_to_their_container(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "reports.eml").write_bytes(mail_with_attachments(tmp_path))
    (src / "bundle.zip").write_bytes(zip_bytes({"a/note.txt": NOTE.encode(),
                                                "inner.zip": zip_bytes({"deep/x.txt": NOTE.encode()})}))
    items = list(read_paths([src], source="t"))
    assert not [i for i in items if isinstance(i, Failure)]
    by_origin = {Path(d.origin.split("!/")[0]).name + "!" + "!".join(d.origin.split("!/")[1:]): d for d in items}
    ids = {d.origin: doc_id(d) for d in items}
    mail = by_origin["reports.eml!"]
    pdf, notes_zip, note_in_mail = by_origin["reports.eml!convoy.pdf"], by_origin["reports.eml!notes.zip"], \
        by_origin["reports.eml!notes.zip!note.txt"]
    assert pdf.parent == notes_zip.parent == ids[mail.origin] and pdf.title == "Convoy report" and "Narva" in pdf.body
    assert note_in_mail.parent == ids[notes_zip.origin] and note_in_mail.path == "note.txt"
    deep = by_origin["bundle.zip!inner.zip!deep/x.txt"]
    assert deep.parent == ids[by_origin["bundle.zip!inner.zip"].origin] and deep.title == "Port report"
    assert by_origin["bundle.zip!a/note.txt"].parent == ids[by_origin["bundle.zip!"].origin]
    assert len(set(ids.values())) == len(items)  # every member its own document


def test_zip_bomb_and_tar_bomb_refused_fast(tmp_path: Path) -> None:
    (tmp_path / "bomb.zip").write_bytes(zip_bytes({"zeros.txt": b"0" * (30 * 1024 * 1024)}))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for i in range(3):
            info = tarfile.TarInfo(f"z{i}.txt")
            info.size = 10 * 1024 * 1024
            tf.addfile(info, io.BytesIO(b"0" * info.size))
    (tmp_path / "bomb.tar.gz").write_bytes(buf.getvalue())
    t0 = time.monotonic()
    out = {Path(f.origin).name: f for f in read_paths([tmp_path], source="t")}
    assert time.monotonic() - t0 < 20
    assert out["bomb.zip"].reason == "zip-bomb" and out["bomb.tar.gz"].reason == "zip-bomb"


def test_limits_on_depth_and_members(tmp_path: Path) -> None:
    nested = NOTE.encode()
    for i in range(5):
        nested = zip_bytes({f"level{i}.zip" if i else "note.txt": nested})
    (tmp_path / "deep.zip").write_bytes(nested)
    out = list(read_paths([tmp_path / "deep.zip"], source="t", limits=Limits(archive_max_depth=2)))
    assert [f.reason for f in out if isinstance(f, Failure)] == ["too-deep"]
    many = zip_bytes({f"n{i}.txt": NOTE.encode() for i in range(30)})
    (tmp_path / "many.zip").write_bytes(many)
    out = list(read_paths([tmp_path / "many.zip"], source="t", limits=Limits(zip_max_members=10)))
    assert [(type(o).__name__, getattr(o, "reason", "")) for o in out] == [("Failure", "zip-bomb")]


@pytest.mark.integration
def test_archive_members_are_indexed_with_parent_links(es, tmp_path: Path) -> None:
    with v2_index(es, "archives") as alias:
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "reports.eml").write_bytes(mail_with_attachments(tmp_path))
        stats = run_v2(es, alias, read_paths([tmp_path / "in"], source="mail"), tmp_path)
        assert stats.failed == 0 and stats.created == 4  # message, pdf, zip, note inside the zip
        mail = es.search(index=alias, query={"term": {"external_id": "<r1@x.org>"}})["hits"]["hits"][0]
        children = es.search(index=alias, query={"term": {"parent": mail["_id"]}})["hits"]["hits"]
        assert sorted(h["_source"]["path"] for h in children) == ["convoy.pdf", "notes.zip"]
        assert all(es.exists(index=alias, id=h["_source"]["parent"]) for h in children)
