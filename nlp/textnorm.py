"""Text as NER should see it, with a map back to the original characters.

* Hard-wrapped lines inside a paragraph are joined (the newline and the next line's indentation become
  one space), so a name split over two lines is one name; a line that ends early (a list item, a
  heading, a table row) keeps its break, and NER spans that cross such a break are cut there, so list
  items never merge into one entity. Offsets are mapped back with :meth:`Normalised.span`.
* Headlines in ALL CAPS or Title Case are truecased before NER (each word takes the case the body
  writes it in, else lower case), one character for one character: offsets stay those of the stored
  title, which keeps its original form.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

_LINE = re.compile(r"[^\n]*\n?")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_SENTENCE_END = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class Normalised:
    """``text`` is what NER reads; ``hard_breaks`` are positions in it that no entity may span."""

    text: str
    _norm_starts: list[int]  # start of each kept piece in ``text``
    _orig_starts: list[int]  # where that piece starts in the original
    hard_breaks: list[int]

    def to_original(self, pos: int) -> int:
        i = bisect.bisect_right(self._norm_starts, pos) - 1
        return self._orig_starts[i] + (pos - self._norm_starts[i])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of ``text[start:end]`` (``end`` mapped from the last character)."""
        return self.to_original(start), self.to_original(end - 1) + 1 if end > start else self.to_original(start)

    def split_at_breaks(self, start: int, end: int) -> list[tuple[int, int]]:
        """``[start, end)`` cut at the hard line breaks inside it, pieces stripped of spaces."""
        cuts = [b for b in self.hard_breaks[bisect.bisect_right(self.hard_breaks, start) :] if b < end]
        out, s = [], start
        for b in cuts + [end]:
            piece = self.text[s:b]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if b - trail > s + lead:
                out.append((s + lead, b - trail))
            s = b + 1
        return out


def unwrap(text: str) -> Normalised:
    """Join soft line wraps. A line break is soft when the line is long (≥ 70 % of the text's usual
    line width), does not end a sentence, and the next line continues the paragraph (not blank, not
    more indented than a wrapped line would be)."""
    lines = _LINE.findall(text)
    widths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    if len(widths) < 3:
        return Normalised(text, [0], [0], [i for i, c in enumerate(text) if c == "\n"])
    width = widths[int(len(widths) * 0.9) - 1 if len(widths) >= 10 else -1]
    out: list[str] = []
    norm_starts, orig_starts, breaks = [0], [0], []
    npos = opos = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        body = line.rstrip("\n")
        stripped = body.rstrip()
        # The text's first line may be short only because something before it was cut off (a wire
        # dateline "WASHINGTON, March 2 -" stripped by the feed): it is soft when a full-width line of
        # the same paragraph follows ("... Secretary Richard\nLyng said ..." is one name).
        long_enough = len(stripped) >= 0.7 * width or (
            not out and len(nxt.rstrip()) >= 0.7 * width and len(stripped.split()) >= 3)
        # a line ending in a short lower-case word ("and", "the", "de") or a comma is never complete
        last = stripped.rsplit(None, 1)[-1] if stripped else ""
        long_enough = long_enough or stripped.endswith(",") or (last.isalpha() and last.islower() and len(last) <= 3)
        soft = (line.endswith("\n") and nxt.strip() and stripped and long_enough
                and not stripped.endswith(_SENTENCE_END) and len(nxt) - len(nxt.lstrip(" \t")) <= 1)
        if soft:
            indent = len(nxt) - len(nxt.lstrip(" \t"))
            out.append(stripped + " ")
            npos += len(stripped) + 1
            opos += len(line) + indent
            lines[i + 1] = nxt[indent:]
            norm_starts.append(npos)
            orig_starts.append(opos)
        else:
            out.append(line)
            if line.endswith("\n"):
                breaks.append(npos + len(line) - 1)
            npos += len(line)
            opos += len(line)
    return Normalised("".join(out), norm_starts, orig_starts, breaks)


def needs_truecase(title: str) -> bool:
    """ALL CAPS, or Title Case with most words capitalised (3 words or more)."""
    words = _WORD.findall(title)
    if not words:
        return False
    letters = [c for c in title if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True
    long_words = [w for w in words if len(w) > 3]
    return len(words) >= 3 and bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.8


def truecase(title: str, body: str, acronyms: frozenset[str] = frozenset()) -> str:
    """``title`` with each word in the case the body writes it most often (lower or mixed case before
    ALL CAPS), else upper case for a known acronym (``acronyms``: letters, "USDA", "US"), else lower
    case; words before a ticker ("Meridian Bancorp Inc <MRDN>") keep their case: they are a company
    name. The first word is capitalised. Same length as ``title``."""
    forms: dict[str, Counter] = {}
    for m in _WORD.finditer(body):
        w = m.group()
        before = body[max(0, m.start() - 20) : m.start()].rstrip()
        if w[0].isupper() and (not before or before.endswith((".", "!", "?", '"'))):
            continue  # a sentence-initial capital says nothing about the word
        forms.setdefault(w.casefold(), Counter())[w] += 1
    out = list(title)
    first = True
    ticker = title.find(">", max(0, title.find("<")))  # the end of "<MRDN>"
    for m in _WORD.finditer(title):
        w = m.group()
        seen = forms.get(w.casefold())
        letters = w.replace(".", "").upper()
        if seen:
            new = max(seen, key=lambda f: (not (f.isupper() and len(f) > 3), seen[f]))
        elif letters in acronyms:
            new = w.upper()
        elif 0 < ticker and m.end() <= ticker:
            new = w
        else:
            new = w.lower()
        if first:
            new = new[:1].upper() + new[1:]
            first = False
        if len(new) == len(w):
            out[m.start() : m.end()] = new
    return "".join(out)
