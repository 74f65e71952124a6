"""Marks (stars, tags, notes), passage annotations and case files on SQLite and PostgreSQL (issue 18)."""

from __future__ import annotations

import uuid

import pytest

from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures
from workspace import AlreadyExists, InvalidValue, NotFound, Workspace
from workspace import cases as C
from workspace import marks as M


def who() -> str:
    return "u" + uuid.uuid4().hex[:8]


def test_star_tag_note_and_filters(store: Workspace):
    alice, bob = who(), who()
    with store.session() as db:
        m = M.set_mark(db, alice, "d1", starred=True, note="check the date", tags=["Oil", "oil ", "Sanctions"])
        assert (m.starred, m.note, m.tags) == (True, "check the date", ("Oil", "Sanctions"))
        M.set_mark(db, alice, "d2", tags=["oil"])
        M.set_mark(db, bob, "d3", starred=True, tags=["oil"])
    with store.session(readonly=True) as db:
        assert M.doc_ids(db, [alice], starred=True) == {"d1"}
        assert M.doc_ids(db, [alice], tags=["OIL"]) == {"d1", "d2"}
        assert M.doc_ids(db, [alice], starred=True, tags=["oil"]) == {"d1"}
        assert M.doc_ids(db, [alice, bob], tags=["oil"]) == {"d1", "d2", "d3"}
        assert M.tag_suggestions(db, [alice], "o") == ["Oil"]
        assert M.tag_suggestions(db, [alice]) == ["Oil", "Sanctions"]  # most used first
        assert M.tag_index(db, [alice]) == {"Oil": ["d1", "d2"], "Sanctions": ["d1"]}
        assert M.get(db, bob, "d1") == M.MarkInfo("d1", False, "", ())  # marks are per owner
    with store.session() as db:
        assert M.set_mark(db, alice, "d1", starred=False, tags=[]).tags == ()
        with pytest.raises(InvalidValue):
            M.set_mark(db, alice, "d1", tags=["x" * 101])
        with pytest.raises(InvalidValue):
            M.set_mark(db, alice, "d1", tags=["  "])


def test_annotation_offsets_must_fall_inside_the_text(store: Workspace):
    alice = who()
    text = "Tanker seized near Hormuz on Tuesday."
    with store.session() as db:
        a = M.annotate(db, alice, "d1", text, 19, 25, "location")
        assert (a.quote, a.start, a.end, a.comment) == ("Hormuz", 19, 25, "location")
        for start, end in ((-1, 4), (5, 5), (10, 4), (0, len(text) + 1)):
            with pytest.raises(InvalidValue, match="outside"):
                M.annotate(db, alice, "d1", text, start, end)
        with pytest.raises(InvalidValue):
            M.annotate(db, alice, "d1", text, 0, 3, field="author")
    with store.session(readonly=True) as db:
        assert [x.quote for x in M.annotations(db, [alice], ["d1"])] == ["Hormuz"]
    with store.session() as db:
        with pytest.raises(NotFound):
            M.delete_annotation(db, who(), a.id)  # someone else's annotation does not exist for you
        M.delete_annotation(db, alice, a.id)
        assert M.annotations(db, [alice]) == []


def test_case_membership_documents_searches_notes(store: Workspace):
    alice, bob, eve = who(), who(), who()
    with store.session() as db:
        case = C.create(db, alice, "  Strait incidents ", classification="OFFICIAL", summary="BLUF")
        assert (case.name, case.members, case.status) == ("Strait incidents", (alice,), "open")
        C.add_document(db, case.id, alice, "d1", "first report")
        C.add_document(db, case.id, alice, "d1", "")  # again: kept, reason unchanged
        C.add_member(db, case.id, alice, bob)
        with pytest.raises(AlreadyExists):
            C.add_member(db, case.id, alice, bob)
        C.add_document(db, case.id, bob, "d2", "follow-up")
        C.add_search(db, case.id, bob, "hormuz", "q=hormuz&language=en")
        C.add_note(db, case.id, alice, "ask the desk")
        C.update(db, case.id, bob, status="closed", judgements="one\ntwo")
    with store.session(readonly=True) as db:
        assert [(d.doc_id, d.reason) for d in C.documents(db, case.id, bob)] == [("d1", "first report"), ("d2", "follow-up")]
        assert [c.id for c in C.visible(db, bob)] == [case.id] and C.visible(db, eve) == []
        assert C.get(db, case.id, alice).status == "closed"
        assert [s.query for s in C.searches(db, case.id, alice)] == ["q=hormuz&language=en"]
        assert [n.text for n in C.notes(db, case.id, bob)] == ["ask the desk"]
        assert C.cases_of_document(db, bob, "d2") == [case.id] and C.cases_of_document(db, eve, "d2") == []
        with pytest.raises(NotFound):
            C.get(db, case.id, eve)  # not a member: the case does not exist for you
    with store.session() as db:
        with pytest.raises(InvalidValue):
            C.update(db, case.id, alice, status="lost")
        with pytest.raises(InvalidValue):
            C.remove_member(db, case.id, bob, alice)
        with pytest.raises(InvalidValue):
            C.delete(db, case.id, bob)
        C.remove_member(db, case.id, alice, bob)
        with pytest.raises(NotFound):
            C.documents(db, case.id, bob)
        C.delete(db, case.id, alice)
        with pytest.raises(NotFound):
            C.get(db, case.id, None)
