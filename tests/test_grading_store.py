"""Source registry, grade history and credibility overrides on SQLite and PostgreSQL (issue 16)."""

from __future__ import annotations

import pytest

from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures
from workspace import InvalidValue, NotFound, Workspace
from workspace import sources as S


def test_unknown_sources_are_registered_with_f_once(store: Workspace):
    with store.session() as db:
        assert S.ensure_sources(db, ["Reuters", "BBC News", "reuters", " "]) == ["BBC News", "Reuters"]
        assert S.ensure_sources(db, ["Reuters", "BBC News"]) == []
    with store.session(readonly=True) as db:
        bbc = S.get_source(db, "bbc news")
    assert (bbc.name, bbc.reliability, bbc.auto_registered) == ("BBC News", "F", True)
    assert [h.reliability for h in bbc.history] == ["F"]


def test_grading_keeps_the_full_history(store: Workspace):
    with store.session() as db:
        S.ensure_sources(db, ["Wire One"])
        info, before = S.grade_source(db, "Wire One", "b", "long record of accurate reporting", "alice")
        assert (before, info.reliability, info.graded_by) == ("F", "B", "alice")
        S.grade_source(db, "Wire One", "C", "two retractions in 2026", "bob")
    with store.session(readonly=True) as db:
        wire = S.get_source(db, "Wire One")
        assert wire.reliability == "C" and wire.rationale == "two retractions in 2026"
        assert [(h.reliability, h.graded_by) for h in wire.history] == [("F", "periscope"), ("B", "alice"), ("C", "bob")]
        assert S.grades_by_source(db)["Wire One"] == "C"


def test_bad_grades_and_unknown_sources_are_refused(store: Workspace):
    with store.session() as db:
        S.ensure_sources(db, ["Agence Example"])
    with store.session() as db, pytest.raises(InvalidValue, match="allowed: A, B, C, D, E, F"):
        S.grade_source(db, "Agence Example", "G", "why", "alice")
    with store.session() as db, pytest.raises(InvalidValue, match="rationale is required"):
        S.grade_source(db, "Agence Example", "A", "  ", "alice")
    with store.session() as db, pytest.raises(NotFound) as err:
        S.grade_source(db, "Agence Exemple", "A", "why", "alice")
    assert err.value.suggestions == ["Agence Example"]


def test_source_details_and_sorting(store: Workspace):
    with store.session() as db:
        S.ensure_sources(db, ["Zeta Daily", "Alpha Post"])
        S.update_source(db, "Zeta Daily", type="news", owner="Zeta Media Group", country="GB")
        S.grade_source(db, "Alpha Post", "E", "fabricated quotes", "alice")
        with pytest.raises(InvalidValue, match="not a source type"):
            S.update_source(db, "Zeta Daily", type="rumour mill")
    with store.session(readonly=True) as db:
        names = [s.name for s in S.list_sources(db, "reliability", descending=True)]
        assert names.index("Zeta Daily") < names.index("Alpha Post")  # F before E when descending
        assert S.owners_by_source(db)["Zeta Daily"] == "Zeta Media Group"
        with pytest.raises(InvalidValue, match="cannot sort"):
            S.list_sources(db, "password")


def test_credibility_overrides_need_a_rationale_and_the_newest_wins(store: Workspace):
    with store.session() as db:
        with pytest.raises(InvalidValue, match="allowed: 1, 2, 3, 4, 5, 6"):
            S.override_credibility(db, "doc-1", "7", "why", "alice")
        with pytest.raises(InvalidValue, match="rationale is required"):
            S.override_credibility(db, "doc-1", "2", "", "alice")
        S.override_credibility(db, "doc-1", 2, "matches satellite imagery", "alice")
        S.override_credibility(db, "doc-1", "5", "imagery was from 2019", "bob")
        S.override_credibility(db, "doc-2", "1", "confirmed by the ministry", "bob")
        S.override_credibility(db, "doc-2", None, "ministry statement withdrawn", "alice")
    with store.session(readonly=True) as db:
        assert S.current_overrides(db, ["doc-1", "doc-2", "doc-3"]) == {"doc-1": "5", "doc-2": None}
        history = S.override_history(db, "doc-1")
        assert [(o.credibility, o.author) for o in history] == [("2", "alice"), ("5", "bob")]
