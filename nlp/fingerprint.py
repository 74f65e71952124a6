"""Near-duplicate fingerprints: MinHash over word shingles, LSH band keys, content hash.

Band keys are short strings (``"b03:9f2a…"``) stored as an Elasticsearch keyword field, so candidate
near-duplicates are found with a ``terms`` query on the bands — no side index (DESIGN.md).
With 128 permutations in 16 bands of 8 rows, two documents share a band with probability 50 % at
Jaccard ≈ 0.70 and 96 % at 0.85.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
_WORD = re.compile(r"\w+")
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)  # permutations generated once, reused for every doc


def normalised_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(text)


def content_hash(text: str) -> str:
    """SHA-256 of the case-folded word sequence: unchanged by spacing, case and punctuation edits."""
    return words_hash(normalised_words(text))


def words_hash(words: list[str]) -> str:
    """:func:`content_hash` of the text ``words`` came from (:func:`normalised_words`), without re-reading it."""
    return hashlib.sha256(" ".join(words).encode("utf-8", "replace")).hexdigest()


def shingles(words: list[str], k: int = SHINGLE) -> set[bytes]:
    if len(words) < k:
        return {" ".join(words).encode("utf-8", "replace")} if words else set()
    return {" ".join(words[i : i + k]).encode("utf-8", "replace") for i in range(len(words) - k + 1)}


def minhash(words: list[str]) -> list[int]:
    """MinHash signature (128 ints < 2**32) of the word 3-shingles; ``[]`` when there are no words."""
    sh = shingles(words)
    if not sh:
        return []
    m = MinHash(num_perm=NUM_PERM, seed=1, permutations=_TEMPLATE.permutations,
                scheme=_TEMPLATE.scheme)
    m.update_batch(list(sh))
    return m.hashvalues.tolist()  # uint64 → int, in one call


def lsh_bands(signature: list[int]) -> list[str]:
    """One key per band: band number + 12 hex digits of a hash of that band's rows."""
    if len(signature) != NUM_PERM:
        return []
    arr = np.asarray(signature, dtype=np.uint64)
    keys = []
    for b in range(BANDS):
        digest = hashlib.blake2b(arr[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=6).hexdigest()
        keys.append(f"b{b:02d}:{digest}")
    return keys


def near_duplicate_similarity(minhash_a: list[int], minhash_b: list[int]) -> float:
    """Jaccard estimate between two signatures (share of equal positions); 0.0 if not comparable."""
    if not minhash_a or len(minhash_a) != len(minhash_b):
        return 0.0
    a = np.asarray(minhash_a, dtype=np.uint64)
    b = np.asarray(minhash_b, dtype=np.uint64)
    return float(np.count_nonzero(a == b)) / len(a)


