"""Bytes → text for every text-like format: a byte-order mark, UTF-8, the charset the document
declares (HTML ``<meta>``, XML prolog, MIME header) when it decodes cleanly, else detection with
charset-normalizer. Only content no text encoding fits is refused (``binary``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .errors import BadDocument

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HTML_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})["']""")
# charset-normalizer ranks Western single-byte code pages that decode French or German text the same
# way (cp1257, cp1250, cp1252 …) by a tiny "chaos" difference and sometimes picks a Baltic one; like
# browsers (WHATWG's default for legacy Western content), cp1252 wins such near-ties.
_WESTERN_TIE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name as found (utf-8, cp1252, koi8_r, gb18030 …)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML ``<meta>`` or an XML prolog declares in the first 4 KB, if any."""
    head = data[:4096]
    m = _XML_CHARSET.match(head) or _HTML_CHARSET.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes, declared: str | None = None) -> Decoded:
    """``data`` as text; raise ``BadDocument("binary")`` when no encoding fits."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _strict(data, enc)
            if text is not None:
                return Decoded(text, "utf-8" if enc == "utf-8-sig" else enc)
    if b"\x00" in data[:4096]:
        raise BadDocument("binary", "NUL bytes in text without a UTF-16/32 byte-order mark")
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    if declared:
        text = _strict(data, declared)
        if text is not None and not _CONTROL.search(text):
            return Decoded(text, codecs.lookup(declared).name)
    return _detect(data)


def _detect(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    # mostly ASCII with a few accented letters: too little evidence for detection (it guesses cp775
    # or cp1257 for "café naïve"); Western text is by far the likeliest, as browsers assume
    ascii_share = sum(1 for b in data if b < 0x80) / max(len(data), 1)
    if ascii_share >= 0.85:
        text = _strict(data, "cp1252")
        if text is not None and not _CONTROL.search(text):
            return Decoded(text, "cp1252")

    results = list(from_bytes(data))
    if not results:
        raise BadDocument("binary", "no text encoding decodes this content (charset-normalizer found none)")
    best = results[0]
    for r in results[1:]:
        if r.encoding == "cp1252" and r.chaos <= best.chaos + _WESTERN_TIE and r.coherence >= best.coherence - 0.05:
            best = r
            break
    text = str(best)
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise BadDocument("binary", f"decodes as {best.encoding} only with many control characters")
    return Decoded(text, best.encoding)
