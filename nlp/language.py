"""Language identification with langdetect, seeded, reporting ``und`` rather than guessing.

langdetect is good on long texts and weak on a few words (DESIGN.md), so the caller passes title and
body together and we refuse to answer below ``min_letters`` letters or when the best probability is low.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pycountry
from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0  # langdetect is randomised; without a seed results change run to run

_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class LanguageResult:
    code: str
    confidence: float
    reason: str = ""


def _factory() -> DetectorFactory:
    with _LOCK:
        if detector_factory._factory is None:  # loads ~55 profiles once per process
            detector_factory.init_factory()
        return detector_factory._factory


def valid_hint(hint: str | None) -> str | None:
    """The ISO 639-1 code of a trusted hint (``"EN"``, ``"en-GB"`` → ``"en"``), or None if not one."""
    if not hint or not isinstance(hint, str):
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    if len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None:
        return code
    return None


def detect(text: str, *, min_letters: int = 12, min_confidence: float = 0.5,
           max_chars: int = 3000) -> LanguageResult:
    """Detect the language of ``text``; ``und`` with a reason when there is too little to go on."""
    sample = text[:max_chars]
    letters = sum(1 for c in sample if c.isalpha())
    if letters < min_letters:
        return LanguageResult("und", 0.0, "too_little_text")
    upper = sum(1 for c in sample if c.isupper())
    if upper > 0.6 * letters:
        sample = sample.lower()  # langdetect's n-gram profiles are lower-case text: ALL-CAPS reads as German
    try:
        det = _factory().create()
        det.append(sample)
        probs = det.get_probabilities()
    except LangDetectException:
        return LanguageResult("und", 0.0, "no_language_features")
    if not probs:
        return LanguageResult("und", 0.0, "no_language_features")
    best = probs[0]
    code = best.lang.split("-")[0]  # zh-cn / zh-tw → zh
    if best.prob < min_confidence:
        return LanguageResult("und", round(best.prob, 4), "low_confidence")
    return LanguageResult(code, round(best.prob, 4))
