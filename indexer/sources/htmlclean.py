"""What trafilatura leaves that is not the article: prompt lines (cookies, paywall, login, newsletter,
comment counters) and hard line breaks inside paragraphs; and the page title without its site name.

trafilatura already drops comment sections (``include_comments=False``) and most navigation; these
lines are the short calls to action it keeps because they sit inside the article container.
"""

from __future__ import annotations

import re
from typing import Any

from .titles import strip_site_name

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
    """trafilatura's title (og:title, <title>, h1 reconciled) with the site name stripped."""
    title = (getattr(doc, "title", None) or "").strip()
    if not title:
        return ""
    h1 = _first_h1(html)
    return strip_site_name(title, sitename=getattr(doc, "sitename", None), hostname=getattr(doc, "hostname", None),
                           h1=h1)


def _first_h1(html: str) -> str | None:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html[:500_000], re.I | re.S)
    if not m:
        return None
    text = re.sub(r"<[^>]+>", " ", m.group(1))
    import html as html_mod

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
