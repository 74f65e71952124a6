"""Firms named after people (issue 13): NER reads "L.F. Rothschild", "Samuel Montagu" or "Unterberg" as
persons. In-document cues (a partner list closed by a corporate form, the employer after a person)
and the corpus rule (``nlp.entity_corpus.person_to_org``) make them organisations — and real persons
stay persons. Real spaCy models (tests/nlp_shared.py); the texts are written like 1987 wire copy."""

from __future__ import annotations

import pytest

from nlp import EnrichInput, Enrichment
from nlp.entity_corpus import disputed, move_person_counts, person_to_org, resolve_short_forms
from tests.nlp_shared import shared_enricher


def _enrich(body: str, title: str = "") -> Enrichment:
    return shared_enricher().enrich_batch([EnrichInput(title, body, "en")])[0]


def _types(r: Enrichment, name: str) -> set[str]:
    return {t for t, values in r.entities.items() if name in values}


def test_partner_list_closed_by_a_corporate_form_is_one_firm() -> None:
    r = _enrich("The offering of 1.2 mln shares is underway at 18.25 dlrs each through underwriters led by "
                "L.F. Rothschild, Unterberg, Towbin Inc and Dean Witter Reynolds Inc.\n Reuter\n")
    assert "L.F. Rothschild Unterberg Towbin" in r.entities["org"]
    assert "Dean Witter Reynolds" in r.entities["org"]  # "A Inc and B Inc" are two firms, not one
    assert not {"L.F. Rothschild", "Unterberg"} & set(r.entities["person"])
    firm = next(m for m in r.mentions if m.canonical == "L.F. Rothschild Unterberg Towbin")
    assert firm.type == "org" and firm.text.startswith("L.F. Rothschild,") and firm.text.endswith("Inc")


def test_employer_after_a_person_is_an_organisation() -> None:
    r = _enrich('"The market is consolidating," said analyst Rosario Ilacqua of L.F. Rothschild. '
                "Later, L.F. Rothschild's Ilacqua said oil stocks would rise further this year.")
    assert _types(r, "L.F. Rothschild") == {"org"}  # both mentions, the possessive one too
    assert "Rosario Ilacqua" in r.entities["person"]


def test_two_partner_firm_is_one_organisation() -> None:
    r = _enrich("Duff and Phelps said it lowered the ratings on the senior debt of Mellon Bank Corp. "
                "Duff and Phelps cited the bank's loans to developing countries.")
    assert "Duff and Phelps" in r.entities["org"] and "Phelps" not in r.entities["person"]
    r = _enrich("GenCorp Inc said the partnership of investors Wagner and Brown and AFG Industries Inc "
                "started a tender offer for its shares.")
    assert {"Wagner and Brown", "AFG Industries"} <= set(r.entities["org"])  # two firms, not one
    r = _enrich("Siemens AG said its talks with Ericsson had ended. Siemens and Ericsson had planned a joint "
                "venture in telephone exchanges, Siemens said.")
    assert "Siemens and Ericsson" not in r.entities["org"]  # Siemens stands alone elsewhere: two firms


@pytest.mark.parametrize("body, persons", [
    ("Treasury Secretary James Baker of the United States met Paul Volcker, chairman of the Federal "
     "Reserve Board, in Washington on Tuesday.", {"James Baker", "Paul Volcker"}),
    ("Secretary of State George Shultz, Defense Secretary Caspar Weinberger and Treasury Secretary "
     "James Baker met President Reagan at the White House.", {"George Shultz", "Caspar Weinberger", "James Baker"}),
    ("Senator Robert Dole of Kansas said Malcolm Baldrige would testify, and Baldrige agreed.",
     {"Robert Dole", "Malcolm Baldrige"}),
    # two persons joined by "and" are no firm: the first is a person, or the second a known surname
    ("President Ronald Reagan met Soviet leader Mikhail Gorbachev. Reagan and Gorbachev agreed to meet again.",
     {"Ronald Reagan", "Mikhail Gorbachev"}),
    ("Treasury Secretary James Baker met Nigel Lawson. Lawson and Baker said the dollar was stable.",
     {"James Baker", "Nigel Lawson"}),
])
def test_real_persons_stay_persons(body: str, persons: set[str]) -> None:
    r = _enrich(body)
    assert persons <= set(r.entities["person"]), r.entities
    assert not persons & set(r.entities["org"])


def test_corpus_reads_a_firm_from_its_majority_and_keeps_real_persons() -> None:
    # document counts as a source of the Reuters demo shows them
    person = {"L.F. Rothschild": 2, "Rothschild": 1, "N.M. Rothschild": 1, "James Baker": 228,
              "Paul Volcker": 107, "Theodore Cross": 4, "Malcolm Baldrige": 44, "Baldrige": 1, "Samuel Montagu": 4}
    org = {"L.F. Rothschild": 9, "Paul Volcker": 2, "Theodore Cross": 6, "Baldrige": 3, "Samuel Montagu": 13,
           "Merrill Lynch": 118}
    moved = person_to_org(person, org)
    # Volcker and Cross are persons in too many stories; "Baldrige" is Malcolm Baldrige's surname
    assert moved == {"L.F. Rothschild", "Samuel Montagu"}
    persons, orgs = move_person_counts(person, org, moved)
    assert orgs["L.F. Rothschild"] == 11 and "L.F. Rothschild" not in persons
    assert resolve_short_forms(persons, "person").get("Baldrige") == "Malcolm Baldrige"


def test_a_lone_surname_never_joins_a_firm_read_as_a_person() -> None:
    person = {"L.F. Rothschild": 15, "Rothschild": 2, "N.M. Rothschild": 1, "Richard Lyng": 54, "Lyng": 3}
    org = {"L.F. Rothschild": 12}
    assert resolve_short_forms(person, "person")["Rothschild"] == "L.F. Rothschild"  # the counts alone say so
    # 12 of 27 stories read the firm as an org: no majority to retype it, but too many to take "Rothschild"
    assert person_to_org(person, org) == set() and disputed(person, org) == {"L.F. Rothschild"}
    assert resolve_short_forms(person, "person", avoid=disputed(person, org)) == {"Lyng": "Richard Lyng"}
    # and once the majority reads it as an org it is no person at all
    org["L.F. Rothschild"] = 40
    del person["N.M. Rothschild"]
    persons, _ = move_person_counts(person, org, person_to_org(person, org))
    assert resolve_short_forms(persons, "person") == {"Lyng": "Richard Lyng"}


def test_corpus_rule_needs_enough_stories() -> None:
    assert person_to_org({"Kerry Packer": 2}, {"Kerry Packer": 2}) == set()  # a tie is no majority
    assert person_to_org({"Archie Dunham": 1}, {"Archie Dunham": 2}) == set()  # two stories are too few
