"""Keyphrases with YAKE in the document's language (stopword list of that language when YAKE has one)."""

from __future__ import annotations

from pathlib import Path

import yake

_STOPWORDS_DIR = Path(yake.__file__).parent / "core" / "StopwordsList"
# YAKE names Czech "cz"; everything else is ISO 639-1.
_YAKE_CODE = {"cs": "cz"}


def yake_language(lang: str) -> str:
    code = _YAKE_CODE.get(lang, lang)
    return code if (_STOPWORDS_DIR / f"stopwords_{code}.txt").is_file() else "noLang"


class KeywordExtractor:
    """Caches one YAKE extractor per language (building one reads its stopword file)."""

    def __init__(self, top: int = 10, max_ngram: int = 3, max_chars: int = 6000) -> None:
        self.top, self.max_ngram, self.max_chars = top, max_ngram, max_chars
        self._by_lang: dict[str, yake.KeywordExtractor] = {}

    def _extractor(self, lang: str) -> yake.KeywordExtractor:
        code = yake_language(lang)
        ex = self._by_lang.get(code)
        if ex is None:
            ex = yake.KeywordExtractor(lan=code, n=self.max_ngram, top=self.top, dedupLim=0.8)
            self._by_lang[code] = ex
        return ex

    def extract(self, text: str, lang: str) -> list[str]:
        text = text[: self.max_chars]
        if sum(c.isalpha() for c in text[:2000]) < 20:
            return []
        pairs = self._extractor(lang).extract_keywords(text)
        out: list[str] = []
        seen: set[str] = set()
        for kw, _score in pairs:
            kw = " ".join(kw.split())
            key = kw.casefold()
            if len(kw) < 2 or key in seen or not any(c.isalpha() for c in kw):
                continue
            seen.add(key)
            out.append(kw)
        return out
