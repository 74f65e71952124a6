"""What trafilatura leaves that is not the article: prompt lines (cookies, paywall, login, newsletter,
comment counters) and hard line breaks inside paragraphs; and the page title without its site name.

trafilatura already drops comment sections (``include_comments=False``) and most navigation; these
lines are the short calls to action it keeps because they sit inside the article container.
"""

from __future__ import annotations

import re
from typing import Any

from .titles import _norm, _site_names, is_site_name, strip_site_name

_PROMPT = re.compile(
    r"(?:\b(?:we use cookies|this (?:site|website) uses cookies|accept (?:all )?cookies|cookie (?:policy|settings)|"
    r"subscribe (?:now|today|to (?:our|the) newsletter)|sign up for (?:our|the)|newsletter|already a subscriber|"
    r"(?:log|sign) in to (?:continue|read|comment)|create (?:a free )?account|subscribers only|"
    r"to continue reading|unlimited (?:digital )?access|paywall|\d+ comments?\b|leave a (?:comment|reply)|"
    r"show comments|join the (?:conversation|discussion)|share (?:on|this article)|follow us on|"
    r"click here to|advertisement|read more:)"
    r"|\b(?:abonnez-vous|newsletter abonnieren|jetzt abonnieren|inscrivez-vous|suscríbete|подпишитесь))", re.I)
_MAX_PROMPT_CHARS = 200  # longer paragraphs are text that happens to mention a newsletter
_WRAPPED = re.compile(r"(?<=[^\n.!?:;\"”»])\n(?=[a-zà-ÿа-я(,])")


def clean_main_text(text: str) -> str:
    """Drop short call-to-action lines; join lines hard-wrapped inside a sentence."""
    kept = [ln for ln in text.split("\n") if not (len(ln) <= _MAX_PROMPT_CHARS and _PROMPT.search(ln))]
    return _WRAPPED.sub(" ", "\n".join(kept)).strip()


def page_title(html: str, doc: Any) -> str:
    """The page's headline: an ``<h1>`` that the metadata confirms (it is the og:title, or the
    ``<title>`` starts with it), else the ``<title>`` without its site name — what the publisher
    titled the page — else trafilatura's title (og:title …) likewise stripped, else the first h1.
    og:title alone is often a social-media variant ("Analysis: …", a reworded teaser)."""
    site = {"sitename": getattr(doc, "sitename", None), "hostname": getattr(doc, "hostname", None)}
    names = _site_names(site["sitename"], site["hostname"])
    raw_title, og = _first(html, "title") or "", getattr(doc, "title", None) or ""
    for h1 in _all(html, "h1")[:3]:
        n = _norm(h1)
        if len(n) >= 4 and (n == _norm(og) or _norm(raw_title).startswith(n) and len(n) >= 0.3 * len(_norm(raw_title))):
            return h1
    for candidate in (raw_title, og):
        if candidate:
            title = strip_site_name(candidate, **site)
            if len(title) > 3 and not (names and is_site_name(title, names)):
                return title
    return _first(html, "h1") or ""


def _all(html: str, tag: str) -> list[str]:
    import html as html_mod

    found = re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", html[:1_000_000], re.I | re.S)
    texts = (" ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", f)).split()) for f in found[:10])
    return [t for t in texts if t]


def _first(html: str, tag: str) -> str | None:
    """Text of the first ``<tag>`` element (a regex over the head: a full parse costs more than it tells)."""
    import html as html_mod

    m = re.search(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", html[:500_000], re.I | re.S)
    if not m:
        return None
    text = re.sub(r"<[^>]+>", " ", m.group(1))
    return " ".join(html_mod.unescape(text).split()) or None


def reflow_html_text(data: bytes) -> str:
    """The text of an (X)HTML chapter: block elements become lines, inline whitespace collapses."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(data)
    except Exception:  # noqa: BLE001 - lxml raises ParserError/ValueError on empty or odd input
        return ""
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    blocks = root.xpath("//p|//h1|//h2|//h3|//h4|//h5|//h6|//li|//blockquote|//pre|//td")
    lines = [" ".join(b.text_content().split()) for b in blocks] if blocks else [" ".join(root.text_content().split())]
    return "\n".join(ln for ln in lines if ln)
