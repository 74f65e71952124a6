"""Language identification with langdetect, seeded, reporting ``und`` rather than guessing.

langdetect is good on long texts and weak on a few words (DESIGN.md), so the caller passes title and
body together and we refuse to answer below ``min_letters`` letters or when the best probability is low.

langdetect is also weak between close relatives (es/pt/ca/it, ru/bg/uk/mk, pl/cs/sk/sl/hr, da/no/sv):
their character n-grams overlap, so a short Spanish quotation can come out Portuguese. When its top
answer belongs to such a family we re-rank the family with two cheap, deterministic second opinions:
the share of the text's words that are stop words of one member only (spaCy's lists, minus the words
the relatives share), and letters only some members use (ñ/¿ vs ã/õ, ы/э vs і/є, ł/ą vs ř/ů...).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import pycountry

try:  # the Rust port: langdetect's walk, bit for bit (same Mersenne Twister, same floating-point order)
    import langdetect_rs as _ld
    from langdetect_rs import detector_factory as _ld_factory
except ImportError:  # pure-Python langdetect: same answers, ~10x the CPU (bench/language_candidates.py)
    import langdetect as _ld
    from langdetect import detector_factory as _ld_factory

_ld.DetectorFactory.seed = 0  # langdetect is randomised; without a seed results change run to run
BACKEND = _ld.__name__  # recorded in the enrichment provenance
# The quick pass on a prefix (see ``detect``) only pays on the pure-Python package: in Rust the full read
# costs ~0.16 ms per Reuters story, so every text gets it, with langdetect's own answers (issue 20).
QUICK_PREFIX_CHARS = 0 if BACKEND == "langdetect_rs" else 400
LangDetectException = _ld.LangDetectException

_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class LanguageResult:
    code: str
    confidence: float
    reason: str = ""


def _factory():  # noqa: ANN202 - either package's DetectorFactory
    with _LOCK:
        if _ld_factory._factory is None:  # loads ~55 profiles once per process
            _ld_factory.init_factory()
        return _ld_factory._factory


# Families langdetect confuses (its codes; "no" is Norwegian Bokmål). Letters: those each member uses beyond
# the shared base alphabet; a letter used by every member of the family says nothing and is ignored.
_FAMILIES: tuple[dict[str, str], ...] = (
    {"es": "áéíóúüñ¿¡", "pt": "áéíóúâêôãõàçü", "ca": "àèéíïòóúüç·", "it": "àèéìíòóùî",
     "fr": "àâæçéèêëîïôœùûüÿ"},
    {"ru": "ёыэъйщьюя", "uk": "йщьюяіїєґ", "bg": "ъйщьюя", "mk": "ѓќѕљњјџ"},
    {"pl": "ąćęłńóśźż", "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž", "sl": "čšž", "hr": "čćđšž"},
    {"da": "æøå", "no": "æøåéèêóòô", "sv": "åäöé"},
    {"nl": "ëïéèáóú", "af": "êëîïôûéèŉ"},
)
_FAMILY_OF = {code: fam for fam in _FAMILIES for code in fam}
_SPACY_CODE = {"no": "nb"}
_WORD = re.compile(r"[^\W\d_]+(?:['’·][^\W\d_]+)?")
W_STOP = 6.0   # weight of the stop-word share (0..1) against langdetect's probability (0..1)
W_CHAR = 1.0   # weight of the letter evidence (-1..1)


@lru_cache(maxsize=None)
def _stop_owners(family_key: str) -> dict[str, tuple[str, ...]]:
    """word → the family members whose spaCy stop-word list has it (a word shared by k members counts 1/k)."""
    import importlib

    owners: dict[str, list[str]] = {}
    for code in family_key.split():
        try:
            mod = importlib.import_module(f"spacy.lang.{_SPACY_CODE.get(code, code)}.stop_words")
        except ImportError:
            continue
        for w in mod.STOP_WORDS:
            owners.setdefault(w.lower(), []).append(code)
    return {w: tuple(c) for w, c in owners.items()}


def warm_up() -> None:
    """Load the profiles and every family's stop-word lists now (~3 s of spaCy imports, once per process)
    rather than inside the first document of each family."""
    _factory()
    for family in _FAMILIES:
        _stop_owners(" ".join(family))


def _rerank(text: str, probs: dict[str, float]) -> tuple[str, float] | None:
    """Best member of the top language's family and the family's probability mass, or None (no family)."""
    top = max(probs, key=probs.__getitem__)
    family = _FAMILY_OF.get(top)
    if family is None:
        return None
    words = _WORD.findall(text.lower())
    owners = _stop_owners(" ".join(family))
    stop: dict[str, float] = dict.fromkeys(family, 0.0)
    for w in words:
        for c in owners.get(w, ()):
            stop[c] += 1.0 / len(owners[w])
    special = set().union(*(set(v) for v in family.values()))
    special -= set.intersection(*(set(v) for v in family.values()))
    # letters count only inside words that also have plain letters: "ůíů" or a lone "đ" is mojibake
    present: dict[str, int] = {}
    for w in words:
        if any(ch not in special for ch in w):
            for ch in w:
                if ch in special:
                    present[ch] = present.get(ch, 0) + 1
    n_special = sum(present.values())
    best, best_score = top, float("-inf")
    for code, letters in family.items():
        others = set().union(*(set(v) for c, v in family.items() if c != code))
        own = sum(n for ch, n in present.items() if ch in letters and ch not in others)
        foreign = sum(n for ch, n in present.items() if ch not in letters)
        char = (own - foreign) / n_special if n_special else 0.0
        share = stop[code] / len(words) if words else 0.0
        score = probs.get(code, 0.0) + W_STOP * share + W_CHAR * char
        if score > best_score:
            best, best_score = code, score
    return best, sum(probs.get(c, 0.0) for c in family)


def valid_hint(hint: str | None) -> str | None:
    """The ISO 639-1 code of a trusted hint (``"EN"``, ``"en-GB"`` → ``"en"``), or None if not one."""
    if not hint or not isinstance(hint, str):
        return None
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    if len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None:
        return code
    return None


def detect(text: str, *, min_letters: int = 12, min_confidence: float = 0.5, max_chars: int = 3000,
           prefix_chars: int | None = None, sure: float = 0.95, quick_trials: int = 3) -> LanguageResult:
    """Detect the language of ``text``; ``und`` with a reason when there is too little to go on.

    A quick pass first: the first ``prefix_chars`` (cut at a space) with ``quick_trials`` of
    langdetect's random-sampling trials instead of 7. langdetect's cost is its trials (each samples
    n-grams until one language passes 0.99999) and its per-character n-gram extraction, while its
    answer settles within a few hundred characters. Only when that answer is unsure (below ``sure``,
    or ``und``) is the text read again up to ``max_chars`` with all 7 trials (docs/benchmarks.md).
    Texts no longer than ``prefix_chars`` get the full read only; ``prefix_chars=0`` skips the quick pass;
    ``None`` is :data:`QUICK_PREFIX_CHARS` (0 with the Rust backend).
    """
    if prefix_chars is None:
        prefix_chars = QUICK_PREFIX_CHARS
    if prefix_chars and len(text) > prefix_chars:
        # only a real prefix: a short text is read once, in full, as before (3 trials alone on the
        # whole of a short fortune lost 1-2 texts per 1,500 in es/it/pl: bench/results/t20_language*.json)
        cut = text.rfind(" ", prefix_chars // 2, prefix_chars)
        first = _detect(text[: cut if cut > 0 else prefix_chars], min_letters, min_confidence, quick_trials)
        if first.code != "und" and first.confidence >= sure:
            return first
    return _detect(text[:max_chars], min_letters, min_confidence, 7)


def _detect(sample: str, min_letters: int, min_confidence: float, trials: int) -> LanguageResult:
    letters = sum(map(str.isalpha, sample))  # map over a C method: ~3x the generator's speed
    if letters < min_letters:
        return LanguageResult("und", 0.0, "too_little_text")
    upper = sum(map(str.isupper, sample))
    if upper > 0.6 * letters:
        sample = sample.lower()  # langdetect's n-gram profiles are lower-case text: ALL-CAPS reads as German
    try:
        det = _factory().create()
        det.n_trial = trials
        det.append(sample)
        det.get_probabilities()
        probs = dict(zip(det.langlist, det.langprob or ()))
    except LangDetectException:
        return LanguageResult("und", 0.0, "no_language_features")
    if not probs or max(probs.values()) <= 0.0:
        return LanguageResult("und", 0.0, "no_language_features")
    return _decide(sample, probs, min_confidence)


def _decide(sample: str, probs: dict[str, float], min_confidence: float) -> LanguageResult:
    """langdetect's answer, re-ranked within its family; the family's mass decides ``und``."""
    top = max(probs, key=probs.__getitem__)
    prob = probs[top]
    reranked = _rerank(sample, probs)
    if reranked is not None:
        top, mass = reranked
        prob = mass  # langdetect is sure of the family even when it splits its vote between relatives
    code = top.split("-")[0]  # zh-cn / zh-tw → zh
    if prob < min_confidence:
        return LanguageResult("und", round(prob, 4), "low_confidence")
    return LanguageResult(code, round(prob, 4))
