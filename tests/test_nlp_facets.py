"""Facet rules of the entity cleaning (issue 13, second round), each on a story that needs it, with the
real models: institutions get their country, instruments are not bodies, firm names lose commas,
employers and company parts are organisations, a one-word organisation is the story's one org holding
it, and a first line cut short by a stripped dateline joins the next."""

from __future__ import annotations

import pytest

from nlp import Enricher, EnrichInput
from nlp.textnorm import unwrap
from tests.nlp_shared import shared_enricher


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return shared_enricher()


def _entities(enricher: Enricher, title: str, body: str) -> dict[str, list[str]]:
    return enricher.enrich(EnrichInput(title, body, "en")).entities


LYNG = ("U.S. Agriculture Secretary Richard\nLyng does not intend to discuss a wheat export enhancement\n"
        "initiative to the Soviet Union at a cabinet-level Economic\nPolicy Council meeting set for tomorrow, "
        "an aide to Lyng said.\n Reuter\n")


def test_first_line_shortened_by_a_cut_dateline_joins_the_next(enricher: Enricher) -> None:
    n = unwrap(LYNG)
    assert n.text.startswith("U.S. Agriculture Secretary Richard Lyng does")
    assert n.span(0, len("U.S. Agriculture Secretary Richard Lyng")) == (0, LYNG.index("Lyng") + 4)
    assert _entities(enricher, "Lyng Says No Decision", LYNG)["person"] == ["Richard Lyng"]
    # a short heading line of one or two words keeps its break
    assert unwrap("NOTICE\n" + LYNG.split("\n", 1)[1]).text.startswith("NOTICE\n")


def test_institutions_get_their_country_and_instruments_are_not_bodies(enricher: Enricher) -> None:
    uk = _entities(enricher, "U.K. Reserves Rise",
                   "Britain's reserves showed an underlying rise of 287 mln dlrs in February, the Treasury said. "
                   "Dealers said two pct Treasury index-linked stock was exhausted and Treasury bills were firm "
                   "in London.\n Reuter\n")
    assert "British Treasury" in uk["org"] and "Treasury" not in uk["org"]
    fr = _entities(enricher, "France Sets Tender", "The Bank of France will offer 7.5 billion francs of "
                   "negotiable Treasury bills, and the French Treasury said the issue was well received.\n Reuter\n")
    assert fr["org"] == ["Bank of France", "French Treasury"]
    us = _entities(enricher, "Yeutter On Trade", "U.S. Trade Representative Clayton Yeutter said Washington "
                   "wants Japan to open its markets, and the Treasury said the dollar was stable.\n Reuter\n")
    assert "U.S. Treasury" in us["org"]  # the story's country word comes first: no "Japanese Treasury"
    bills = _entities(enricher, "Bills Firm", "Three-month Treasury bills rose to 5.6 pct in New York trading "
                      "on Tuesday, dealers said.\n Reuter\n")
    assert not any("Treasury" in o for o in bills["org"])


def test_departments_and_one_word_orgs_resolve_in_the_story(enricher: Enricher) -> None:
    e = _entities(enricher, "U.S. To Set Duties", "The United States will set orange juice duties on Monday, a "
                  "Commerce department official said. Commerce's ruling will reset the duties, and the Commerce "
                  "Department said imports from Brazil rose.\n Reuter\n")
    assert e["org"] == ["U.S. Commerce Department"]


def test_firms_employers_and_company_parts_are_organisations(enricher: Enricher) -> None:
    e = _entities(enricher, "Schlumberger May Have Buyer", "Schlumberger Ltd most likely has an alternate buyer "
                  "lined up for its Fairchild unit, said Paul Johnson, a semiconductor analyst with L.F. "
                  "Rothschild.\n    Underwriters are led by Goldman, Sachs and Co.\n Reuter\n")
    assert e["person"] == ["Paul Johnson"]
    assert {"Fairchild", "L.F. Rothschild", "Goldman Sachs"} <= set(e["org"])


def test_titles_tickers_and_split_firms(enricher: Enricher) -> None:
    e = _entities(enricher, "OPEC Sticking Firm On Prices - Subroto", "OPEC will stick to official crude oil prices, "
                  "Indonesian Minister\nof Mines and Energy Subroto told Reuters.\n    Subroto said prices would "
                  "hold.\n Reuter\n")
    assert e["person"] == ["Subroto"]  # the dictionary word before the name is not part of it
    e = _entities(enricher, "Five Groups Bid", "The French government said five groups applied, including the "
                  "telecommunications giant American Telephone and\nTelegraph Co <T.N>, which has been at the "
                  "centre of the bidding.\n Reuter\n")
    assert e["org"] == ["American Telephone and Telegraph"]
    e = _entities(enricher, "Belgian Ecu Coin Issue Priced", "A limited issue of silver Ecu coins will go on sale "
                  "from March 23 at 500 francs each, a Finance Ministry spokesman said. The European Community and "
                  "Japan were not involved.\n Reuter\n")
    assert "Belgian Finance Ministry" in e["org"]  # the one country of the headline


def test_short_forms_of_organisations_are_never_their_parts() -> None:
    from nlp.entity_clean import resolve_short_forms

    counts = {"GM": 76, "GM Overseas Distribution": 28, "Boeing": 65, "Boeing Commercial Airplane": 26,
              "Ford": 20, "Ford Motor": 85}
    assert resolve_short_forms(counts, "org") == {"Ford": "Ford Motor"}


def test_weapons_contract_news_is_a_defence_topic_earnings_are_not(enricher: Enricher) -> None:
    contract = enricher.enrich(EnrichInput(
        "Raytheon Gets Patriot Missile Contract",
        "Raytheon Co said the U.S. Army awarded it a contract worth 3.5 billion dlrs to build Patriot air "
        "defense missiles and radar systems, the largest weapons order in its history, the Pentagon said. The "
        "Air Force and the Navy are expected to order more fighter aircraft radar from the company next year.\n"
        " Reuter\n", "en"))
    assert "defence_industry" in contract.topics
    earnings = enricher.enrich(EnrichInput(
        "Washington Mutual Savings Bank 3rd Qtr Net",
        "Washington Mutual Savings Bank said its third quarter net income rose to 12.4 mln dlrs from 9.8 mln "
        "dlrs a year earlier, as deposits grew and loan losses fell; the bank said it expects higher profits "
        "for the full year and will raise its quarterly dividend.\n Reuter\n", "en"))
    assert not set(earnings.topics) & {"defence_industry", "cyber", "terrorism", "armed_conflict"}


def test_an_institution_has_one_spelling_per_country(enricher: Enricher) -> None:
    e = _entities(enricher, "Sterling Firm", "The U.K. Treasury said on Tuesday that sterling was firm, and a "
                  "British Treasury official said the Bank of England had not intervened in London.\n Reuter\n")
    assert [o for o in e["org"] if "Treasury" in o] == ["British Treasury"]
