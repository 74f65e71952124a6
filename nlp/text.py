"""Making arbitrary input safe to process without moving character offsets.

Every repair here replaces one code point by one code point, so offsets computed on the cleaned
string are valid in the caller's original string (the contract requires offsets into the original).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Lone surrogates cannot be encoded to UTF-8 (spaCy/yake/ES would choke); C0/C1 controls are binary junk.
_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(slots=True)
class CleanText:
    """A cleaned field plus what had to be done to it."""

    text: str
    warnings: list[str] = field(default_factory=list)
    junk_ratio: float = 0.0


def clean(value: object, name: str) -> CleanText:
    """Coerce ``value`` to ``str`` and neutralise surrogates and control characters, 1:1 in length."""
    warnings: list[str] = []
    if value is None:
        return CleanText("")
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
        warnings.append(f"{name}_bytes_decoded")
    elif not isinstance(value, str):
        value = str(value)
        warnings.append(f"{name}_not_text")
    text = value
    n_sur = 0
    if _SURROGATES.search(text):
        text, n_sur = _SURROGATES.subn("\ufffd", text)
        warnings.append(f"{name}_lone_surrogates_replaced")
    text, n_ctl = _CONTROLS.subn(" ", text)
    if n_ctl > 3:  # a stray end-of-text mark (Reuters ends every story with \x03) is not news
        warnings.append(f"{name}_control_chars_replaced")
    bad = n_sur + n_ctl + text.count("\ufffd")
    ratio = bad / len(text) if text else 0.0
    return CleanText(text, warnings, ratio)


def capped(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a whitespace boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", max(0, limit - 200), limit)
    return text[: cut if cut > 0 else limit]


def chunks(text: str, size: int) -> list[tuple[int, str]]:
    """Split ``text`` into pieces of about ``size`` characters at paragraph/sentence/space boundaries.

    Returns ``(offset, piece)`` so entity offsets found in a piece map back to ``text``.
    """
    out: list[tuple[int, str]] = []
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            window = text[start:end]
            for sep in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(sep, size // 2)
                if cut > 0:
                    end = start + cut + len(sep)
                    break
        out.append((start, text[start:end]))
        start = end
    return out


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def letter_ratio(text: str) -> float:
    """Share of non-space characters that are letters: low for binary junk and number tables."""
    stripped = "".join(text.split())
    if not stripped:
        return 0.0
    return len(_LETTER.findall(stripped)) / len(stripped)
